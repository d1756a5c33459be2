/* check_throttle.c -- login throttling: the rule, the keys, the in-memory table */
#include "config.h"

#include "check_common.h"
#include "throttle.h"
#include "throttle_cases.h"
#include "users.h"

/* The defaults of store_limits_init, without linking the store. */
static void
limits(struct store_limits *lim, int max, long window_ms)
{
	memset(lim, 0, sizeof(*lim));
	lim->max_failures = max;
	lim->window_ms = window_ms;
	lim->base_delay_ms = THROTTLE_BASE_DELAY_SEC * 1000L;
	lim->account_max = THROTTLE_ACCOUNT_MAX;
	lim->account_window_ms = THROTTLE_ACCOUNT_WINDOW_SEC * 1000L;
}

START_TEST(test_delay)
{
	const struct throttle_delay_case	*c = &throttle_delay_cases[_i];
	struct store_limits			 lim;

	limits(&lim, c->max, c->window_ms);
	ck_assert_msg(throttle_delay_ms(&lim, c->np) == c->want,
	    "%s: %lld, want %lld", c->name, throttle_delay_ms(&lim, c->np),
	    c->want);
}
END_TEST

START_TEST(test_delay_off)
{
	struct store_limits	 lim;

	limits(&lim, 0, 900000);
	ck_assert(throttle_delay_ms(&lim, 0) == 0);
	ck_assert(throttle_delay_ms(&lim, 1000) == 0);
}
END_TEST

#define NOW	1700000000000LL

static const struct {
	const char		*name;
	int			 max;
	struct throttle_counts	 c;
	long long		 want;
} wait_cases[] = {
	{ "nothing", 5, { 0, 0, 0, 0 }, 0 },
	{ "below M", 5, { 4, NOW, 4, NOW - 1000 }, 0 },
	{ "at M, just now", 5, { 5, NOW, 5, NOW - 1000 }, 30000 },
	{ "at M, 1 s ago", 5, { 5, NOW - 1000, 5, NOW - 5000 }, 29000 },
	{ "at M, delay over", 5, { 5, NOW - 30000, 5, NOW - 60000 }, 0 },
	{ "at M, long over", 5, { 5, NOW - 31000, 5, NOW - 60000 }, 0 },
	{ "M+1", 5, { 6, NOW - 10000, 6, NOW - 60000 }, 50000 },
	{ "M+5 at W", 5, { 10, NOW, 10, NOW - 60000 }, 900000 },
	{ "account below A", 5, { 0, 0, 99, NOW - 1000 }, 0 },
	{ "account at A", 5, { 0, 0, 100, NOW - 40000 }, 3560000 },
	{ "account over A", 5, { 2, NOW, 150, NOW - 3599000 }, 1000 },
	{ "account's hour over", 5, { 0, 0, 100, NOW - 3600000 }, 0 },
	{ "pair longer", 5, { 10, NOW, 100, NOW - 3599000 }, 900000 },
	{ "account longer", 5, { 5, NOW, 100, NOW - 1000 }, 3599000 },
	{ "off: pair", 0, { 100, NOW, 0, 0 }, 0 },
	{ "off: account", 0, { 0, 0, 1000, NOW }, 0 },
};

START_TEST(test_wait)
{
	struct store_limits	 lim;
	long long		 got;

	limits(&lim, wait_cases[_i].max, 900000);
	got = throttle_wait_ms(&lim, &wait_cases[_i].c, NOW);
	ck_assert_msg(got == wait_cases[_i].want, "%s: %lld, want %lld",
	    wait_cases[_i].name, got, wait_cases[_i].want);
}
END_TEST

static const struct {
	const char	*name;
	const char	*in;
	size_t		 len;	/* 0: strlen(in) */
	const char	*want;
} account_cases[] = {
	{ "plain", "alice", 0, "alice" },
	{ "as typed, case kept", "Alice", 0, "Alice" },
	{ "dots and digits", "a.b_c-1", 0, "a.b_c-1" },
	{ "64 characters", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	    0, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" },
	{ "65 characters", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	    0, THROTTLE_INVALID_NAME },
	{ "empty", "", 0, THROTTLE_INVALID_NAME },
	{ "a NUL inside", "al\0ice", 6, THROTTLE_INVALID_NAME },
	{ "a space", "al ice", 0, THROTTLE_INVALID_NAME },
	{ "a colon", "al:ice", 0, THROTTLE_INVALID_NAME },
	{ "leading dash", "-alice", 0, THROTTLE_INVALID_NAME },
	{ "leading dot", ".alice", 0, THROTTLE_INVALID_NAME },
	{ "the bucket's own name", "!invalid", 0, THROTTLE_INVALID_NAME },
	{ "a byte over 127", "al\xc3\xa9", 0, THROTTLE_INVALID_NAME },
};

START_TEST(test_account_key)
{
	char	 out[USERS_NAME_MAX + 1];
	size_t	 len;

	len = account_cases[_i].len != 0 ? account_cases[_i].len :
	    strlen(account_cases[_i].in);
	memset(out, 'x', sizeof(out));
	throttle_account_key(account_cases[_i].in, len, out);
	ck_assert_msg(strcmp(out, account_cases[_i].want) == 0,
	    "%s: \"%s\", want \"%s\"", account_cases[_i].name, out,
	    account_cases[_i].want);
}
END_TEST

START_TEST(test_account_key_null)
{
	char	 out[USERS_NAME_MAX + 1];

	throttle_account_key(NULL, 0, out);
	ck_assert_str_eq(out, THROTTLE_INVALID_NAME);
	/* The bucket can never be a user's name. */
	ck_assert(!users_valid_name(THROTTLE_INVALID_NAME,
	    strlen(THROTTLE_INVALID_NAME)));
}
END_TEST

static const struct {
	const char	*name;
	const char	*in;
	const char	*want;
} addr_cases[] = {
	{ "none", NULL, "-" },
	{ "empty", "", "-" },
	{ "IPv4", "192.0.2.7", "192.0.2.7" },
	{ "IPv4 loopback", "127.0.0.2", "127.0.0.2" },
	{ "IPv4 leading zero", "192.0.2.07", "-" },
	{ "IPv4 short", "192.0.2", "-" },
	{ "IPv4 and a port", "192.0.2.7:80", "-" },
	{ "IPv4 with spaces", " 192.0.2.7", "-" },
	{ "v4-mapped", "::ffff:192.0.2.7", "192.0.2.7" },
	{ "v4-mapped, hex", "::ffff:c000:0207", "192.0.2.7" },
	{ "v4-mapped, upper case", "::FFFF:192.0.2.7", "192.0.2.7" },
	{ "IPv6 to its /64", "2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64" },
	{ "IPv6, same /64", "2001:db8:1:2:ffff:ffff:ffff:ffff",
	    "2001:db8:1:2::/64" },
	{ "IPv6, another /64", "2001:db8:1:3::1", "2001:db8:1:3::/64" },
	{ "IPv6 upper case, zeros", "2001:0DB8:0001:0002::0001",
	    "2001:db8:1:2::/64" },
	{ "IPv6 loopback", "::1", "::/64" },
	{ "IPv6 link-local", "fe80::1", "fe80::/64" },
	{ "IPv6 with a zone", "fe80::1%eth0", "-" },
	{ "IPv6 in brackets", "[2001:db8::1]", "-" },
	{ "IPv6 with a prefix", "2001:db8::/64", "-" },
	{ "a name", "localhost", "-" },
	{ "garbage", "not an address", "-" },
	{ "far too long", "1111111111111111111111111111111111111111"
	    "1111111111111111111111111111111111111111", "-" },
};

START_TEST(test_addr_key)
{
	char	 out[STORE_ADDR_MAX + 1];

	memset(out, 'x', sizeof(out));
	throttle_addr_key(addr_cases[_i].in, out);
	ck_assert_msg(strcmp(out, addr_cases[_i].want) == 0,
	    "%s: \"%s\", want \"%s\"", addr_cases[_i].name, out,
	    addr_cases[_i].want);
}
END_TEST

static Suite *
throttle_suite(void)
{
	Suite	*s = suite_create("throttle");
	TCase	*tc;

	tc = tcase_create("rule");
	tcase_add_loop_test(tc, test_delay, 0, ARRAY_SIZE(throttle_delay_cases));
	tcase_add_test(tc, test_delay_off);
	tcase_add_loop_test(tc, test_wait, 0, ARRAY_SIZE(wait_cases));
	suite_add_tcase(s, tc);

	tc = tcase_create("keys");
	tcase_add_loop_test(tc, test_account_key, 0, ARRAY_SIZE(account_cases));
	tcase_add_test(tc, test_account_key_null);
	tcase_add_loop_test(tc, test_addr_key, 0, ARRAY_SIZE(addr_cases));
	suite_add_tcase(s, tc);

	return s;
}

TEST_MAIN(throttle_suite)
