/* check_throttle.c -- login throttling: the rule, the keys, the in-memory table */
#include "config.h"

#include <sqlite3.h>

#include "check_common.h"
#include "store.h"
#include "throttle.h"
#include "throttle_cases.h"
#include "users.h"

/* The defaults, with M and W as given. */
static void
limits(struct store_limits *lim, int max, long window_ms)
{
	store_limits_init(lim);
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

/*
 * Run throttle_story on t from base_ms.  Fresh addresses ("*") count on
 * from 10.0.0.1.
 */
static void
run_story(struct throttle *t, long long base_ms)
{
	const struct throttle_case_step	*st;
	struct store_attempt		 att;
	enum throttle_verdict		 v;
	char				 addr[32];
	const char			*a;
	unsigned			 fresh = 0;
	long				 ra;
	size_t				 i;
	int				 k, n;

	for (i = 0; i < ARRAY_SIZE(throttle_story); i++) {
		st = &throttle_story[i];
		n = st->times > 0 ? st->times : 1;
		for (k = 0; k < n; k++) {
			a = st->addr;
			if (strcmp(a, "*") == 0) {
				fresh++;
				(void)snprintf(addr, sizeof(addr), "10.0.%u.%u",
				    fresh / 256, fresh % 256);
				a = addr;
			}
			v = throttle_begin(t, st->user, strlen(st->user), a,
			    base_ms + st->at_ms, &att, &ra);
			if (st->what == THROTTLE_CASE_WAIT) {
				ck_assert_msg(v == THROTTLE_WAIT && ra ==
				    st->retry_after, "step %zu (%s %s at %lld):"
				    " verdict %d retry %ld, want wait %ld", i,
				    st->user, a, st->at_ms, (int)v, ra,
				    st->retry_after);
				continue;
			}
			ck_assert_msg(v == THROTTLE_ALLOW, "step %zu #%d (%s %s"
			    " at %lld): verdict %d retry %ld, want allow", i, k,
			    st->user, a, st->at_ms, (int)v, ra);
			ck_assert_int_eq(throttle_end(t, &att,
			    st->what == THROTTLE_CASE_OK), 0);
		}
	}
}

static struct throttle *
memory(int max, long window_ms)
{
	struct store_limits	 lim;
	struct throttle		*t;

	limits(&lim, max, window_ms);
	ck_assert((t = throttle_new_memory(&lim)) != NULL);
	return t;
}

/* n failures of (name, addr) at now; each must be allowed. */
static void
failures(struct throttle *t, const char *name, size_t len, const char *addr,
    long long now, int n)
{
	struct store_attempt	 att;
	long			 ra;

	while (n-- > 0) {
		ck_assert_msg(throttle_begin(t, name, len, addr, now, &att,
		    &ra) == THROTTLE_ALLOW, "%.*s from %s at %lld refused",
		    (int)len, name, addr ? addr : "(none)", now);
		ck_assert_int_eq(throttle_end(t, &att, 0), 0);
	}
}

/* What (name, addr) is told at now: 0 if allowed, else Retry-After. */
static long
ask(struct throttle *t, const char *name, const char *addr, long long now)
{
	struct store_attempt	 att;
	enum throttle_verdict	 v;
	long			 ra;

	v = throttle_begin(t, name, strlen(name), addr, now, &att, &ra);
	ck_assert(v == THROTTLE_ALLOW || v == THROTTLE_WAIT);
	if (v == THROTTLE_ALLOW) {
		ck_assert_int_eq(ra, 0);
		return 0;
	}
	ck_assert_int_ge(ra, 1);
	return ra;
}

START_TEST(test_memory_story)
{
	struct throttle	*t = memory(5, 15L * 60 * 1000);

	run_story(t, NOW);
	throttle_free(t);
}
END_TEST

START_TEST(test_memory_off)
{
	struct throttle		*t = memory(0, 15L * 60 * 1000);
	struct store_attempt	 att;
	long			 ra;
	int			 i;

	/* Far past the pair's and the account's caps: never a wait. */
	for (i = 0; i < 300; i++) {
		ck_assert(throttle_begin(t, "alice", 5, "192.0.2.1", NOW, &att,
		    &ra) == THROTTLE_ALLOW);
		ck_assert_int_eq(ra, 0);
		ck_assert_str_eq(att.id, "");	/* nothing recorded */
		ck_assert_int_eq(throttle_end(t, &att, 0), 0);
	}
	throttle_free(t);
}
END_TEST

START_TEST(test_memory_cap)
{
	/* W 100 s: the third delay (120 s) is cut to the window. */
	struct throttle	*t = memory(5, 100000);

	failures(t, "alice", 5, "192.0.2.1", NOW, 5);
	ck_assert_int_eq(ask(t, "alice", "192.0.2.1", NOW), 30);
	failures(t, "alice", 5, "192.0.2.1", NOW + 30000, 1);
	ck_assert_int_eq(ask(t, "alice", "192.0.2.1", NOW + 30000), 60);
	failures(t, "alice", 5, "192.0.2.1", NOW + 90000, 1);
	ck_assert_int_eq(ask(t, "alice", "192.0.2.1", NOW + 90000), 100);
	throttle_free(t);
}
END_TEST

START_TEST(test_memory_ipv6)
{
	struct throttle	*t = memory(5, 15L * 60 * 1000);
	char		 addr[64];
	int		 i;

	/* Five /128s of one /64 are one pair. */
	for (i = 1; i <= 5; i++) {
		(void)snprintf(addr, sizeof(addr), "2001:db8:1:2::%x", i);
		failures(t, "alice", 5, addr, NOW, 1);
	}
	ck_assert_int_eq(ask(t, "alice", "2001:db8:1:2:ffff::1", NOW), 30);
	ck_assert_int_eq(ask(t, "alice", "2001:db8:1:3::1", NOW), 0);
	ck_assert_int_eq(ask(t, "alice", "192.0.2.1", NOW), 0);
	throttle_free(t);
}
END_TEST

START_TEST(test_memory_v4_mapped)
{
	struct throttle	*t = memory(5, 15L * 60 * 1000);

	failures(t, "alice", 5, "::ffff:192.0.2.9", NOW, 3);
	failures(t, "alice", 5, "192.0.2.9", NOW, 2);
	ck_assert_int_eq(ask(t, "alice", "192.0.2.9", NOW), 30);
	ck_assert_int_eq(ask(t, "alice", "::ffff:192.0.2.9", NOW), 30);
	ck_assert_int_eq(ask(t, "alice", "::ffff:192.0.2.10", NOW), 0);
	throttle_free(t);
}
END_TEST

START_TEST(test_memory_no_address)
{
	struct throttle	*t = memory(5, 15L * 60 * 1000);

	/* No REMOTE_ADDR and an unparsable one are one address, "-". */
	failures(t, "alice", 5, NULL, NOW, 3);
	failures(t, "alice", 5, "garbage", NOW, 2);
	ck_assert_int_eq(ask(t, "alice", "fe80::1%eth0", NOW), 30);
	ck_assert_int_eq(ask(t, "alice", "192.0.2.1", NOW), 0);
	throttle_free(t);
}
END_TEST

START_TEST(test_memory_invalid_bucket)
{
	struct throttle	*t = memory(5, 15L * 60 * 1000);

	/* Every malformed name is one account: they throttle each other. */
	failures(t, "a b", 3, "192.0.2.1", NOW, 1);
	failures(t, "a:b", 3, "192.0.2.1", NOW, 1);
	failures(t, "", 0, "192.0.2.1", NOW, 1);
	failures(t, "al\0ice", 6, "192.0.2.1", NOW, 1);
	failures(t, "!invalid", 8, "192.0.2.1", NOW, 1);
	ck_assert_int_eq(ask(t, "-x", "192.0.2.1", NOW), 30);
	/* ... and nobody else: not the names they resemble. */
	ck_assert_int_eq(ask(t, "alice", "192.0.2.1", NOW), 0);
	ck_assert_int_eq(ask(t, "a", "192.0.2.1", NOW), 0);
	throttle_free(t);
}
END_TEST

/* Filler k's account and address: 99 addresses per account. */
static void
filler(unsigned k, char *user, size_t ulen, char *addr, size_t alen)
{
	(void)snprintf(user, ulen, "filler%u", k / 99);
	(void)snprintf(addr, alen, "10.%u.%u.%u", (k >> 16) & 0xff,
	    (k >> 8) & 0xff, k & 0xff);
}

/*
 * n one-failure pairs, the i-th at now + i * step_ms, none reaching a
 * cap.  *k counts on across calls.
 */
static void
fill_pairs(struct throttle *t, long long now, long long step_ms, int n,
    unsigned *k)
{
	char	 user[32], addr[32];
	int	 i;

	for (i = 0; i < n; i++, (*k)++) {
		filler(*k, user, sizeof(user), addr, sizeof(addr));
		failures(t, user, strlen(user), addr, now + i * step_ms, 1);
	}
}

START_TEST(test_memory_evict_pair)
{
	struct throttle	*t = memory(5, 15L * 60 * 1000);
	unsigned	 k = 0;

	/* The table holds the target and the newer fillers... */
	failures(t, "alice", 5, "192.0.2.1", NOW, 5);
	fill_pairs(t, NOW + 1, 0, THROTTLE_MEM_PAIRS - 1, &k);
	ck_assert_int_eq(ask(t, "alice", "192.0.2.1", NOW + 1), 30);
	/* ... and one more pushes out the entry with the oldest failure. */
	fill_pairs(t, NOW + 2, 0, 1, &k);
	ck_assert_int_eq(ask(t, "alice", "192.0.2.1", NOW + 2), 0);
	throttle_free(t);
}
END_TEST

START_TEST(test_memory_evict_keeps_recent)
{
	struct store_limits	 lim;
	struct throttle		*t;
	char			 user[32], addr[32];
	unsigned		 k = 0, i;

	/* Accounts may take more here: only pairs are looked at. */
	limits(&lim, 5, 15L * 60 * 1000);
	lim.account_max = 1000;
	ck_assert((t = throttle_new_memory(&lim)) != NULL);
	fill_pairs(t, NOW, 1, THROTTLE_MEM_PAIRS - 1, &k);
	failures(t, "alice", 5, "192.0.2.1", NOW + 20000, 5);
	/* 100 newcomers push out the 100 oldest fillers, not the target. */
	fill_pairs(t, NOW + 20001, 0, 100, &k);
	ck_assert_int_eq(ask(t, "alice", "192.0.2.1", NOW + 20001), 30);
	/*
	 * Every pair still held is found after the moves, with its failure:
	 * 4 more make it wait.  The ones pushed out start again.
	 */
	for (i = 100; i < k; i++) {
		filler(i, user, sizeof(user), addr, sizeof(addr));
		failures(t, user, strlen(user), addr, NOW + 30000, 4);
		ck_assert_msg(ask(t, user, addr, NOW + 30000) == 30,
		    "filler %u (%s %s) lost", i, user, addr);
	}
	for (i = 0; i < 100; i++) {
		filler(i, user, sizeof(user), addr, sizeof(addr));
		failures(t, user, strlen(user), addr, NOW + 30000, 4);
		ck_assert_msg(ask(t, user, addr, NOW + 30000) == 0,
		    "filler %u (%s %s) kept", i, user, addr);
	}
	throttle_free(t);
}
END_TEST

START_TEST(test_memory_evict_account)
{
	struct throttle	*t = memory(5, 15L * 60 * 1000);
	char		 buf[32];
	int		 i;

	/* 100 failures from 100 addresses: the account's cap. */
	for (i = 0; i < THROTTLE_ACCOUNT_MAX; i++) {
		(void)snprintf(buf, sizeof(buf), "10.1.0.%d", i);
		failures(t, "alice", 5, buf, NOW, 1);
	}
	ck_assert_int_eq(ask(t, "alice", "192.0.2.1", NOW), 3600);
	for (i = 1; i < THROTTLE_MEM_ACCOUNTS; i++) {
		(void)snprintf(buf, sizeof(buf), "user%d", i);
		failures(t, buf, strlen(buf), "192.0.2.2", NOW + 1, 1);
	}
	ck_assert_int_eq(ask(t, "alice", "192.0.2.1", NOW + 1), 3600);
	failures(t, "one-more", 8, "192.0.2.2", NOW + 2, 1);
	ck_assert_int_eq(ask(t, "alice", "192.0.2.1", NOW + 2), 0);
	throttle_free(t);
}
END_TEST

/* A fresh SQLite store in the temp folder; *path its file (static). */
static struct store *
sqlite_store(const struct store_limits *lim, const char **path)
{
	static char	 url[800];
	static unsigned	 n;
	struct store	*st;
	char		 cwd[400], err[256];

	/*
	 * store_open wants an absolute path; the temp folder is relative.
	 * Each test runs in a child of its own (a count alone would start
	 * again in each): the pid and the count name its store.
	 */
	ck_assert(getcwd(cwd, sizeof(cwd)) != NULL);
	(void)snprintf(url, sizeof(url), "sqlite:%s/%s/throttle%ld-%u.db",
	    cwd, test_tmpdir(), (long)getpid(), n++);
	st = store_open(url, NULL, lim, NULL, err, sizeof(err));
	ck_assert_msg(st != NULL, "%s: %s", url, err);
	if (path != NULL)
		*path = url + strlen("sqlite:");
	return st;
}

START_TEST(test_store_story)
{
	struct store_limits	 lim;
	struct store		*st;
	struct throttle		*t;

	limits(&lim, 5, 15L * 60 * 1000);
	st = sqlite_store(&lim, NULL);
	ck_assert((t = throttle_new_store(st)) != NULL);
	run_story(t, NOW);
	throttle_free(t);
	store_free(st);
}
END_TEST

/*
 * The store down: an attempt it cannot record is THROTTLE_DOWN (503, no
 * hash), one it refuses without writing is still THROTTLE_WAIT, and an
 * outcome it cannot write is -1.
 */
START_TEST(test_store_down)
{
	struct store_limits	 lim;
	struct store_attempt	 att, ok;
	struct store		*st;
	struct throttle		*t;
	const char		*path;
	sqlite3			*db;
	long			 ra;

	limits(&lim, 5, 15L * 60 * 1000);
	lim.timeout_ms = 50;
	st = sqlite_store(&lim, &path);
	ck_assert((t = throttle_new_store(st)) != NULL);
	failures(t, "alice", 5, "192.0.2.1", NOW, 5);
	ck_assert(throttle_begin(t, "alice", 5, "192.0.2.2", NOW, &ok, &ra) ==
	    THROTTLE_ALLOW);

	ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE,
	    NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, "BEGIN EXCLUSIVE", NULL, NULL,
	    NULL), SQLITE_OK);
	ck_assert(throttle_begin(t, "bob", 3, "192.0.2.1", NOW, &att, &ra) ==
	    THROTTLE_DOWN);
	ck_assert_int_eq(ra, 0);
	ck_assert(throttle_begin(t, "alice", 5, "192.0.2.1", NOW, &att, &ra) ==
	    THROTTLE_WAIT);
	ck_assert_int_eq(ra, 30);
	ck_assert_int_eq(throttle_end(t, &ok, 1), -1);
	ck_assert_int_eq(sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL),
	    SQLITE_OK);
	ck_assert_int_eq(sqlite3_close(db), SQLITE_OK);

	/* Back: the same calls work, nothing was half-done. */
	ck_assert_int_eq(throttle_end(t, &ok, 1), 0);
	ck_assert(throttle_begin(t, "bob", 3, "192.0.2.1", NOW, &att, &ra) ==
	    THROTTLE_ALLOW);
	ck_assert_int_eq(throttle_end(t, &att, 0), 0);
	ck_assert_int_eq(ask(t, "alice", "192.0.2.1", NOW), 30);
	throttle_free(t);
	store_free(st);
}
END_TEST

/* The keys reach the store as the rule makes them. */
START_TEST(test_store_keys)
{
	struct store_limits	 lim;
	struct store		*st;
	struct throttle		*t;
	int			 i;
	char			 addr[64];

	limits(&lim, 5, 15L * 60 * 1000);
	st = sqlite_store(&lim, NULL);
	ck_assert((t = throttle_new_store(st)) != NULL);
	for (i = 1; i <= 5; i++) {
		(void)snprintf(addr, sizeof(addr), "2001:db8:1:2::%x", i);
		failures(t, "al\0ice", 6, addr, NOW, 1);
	}
	ck_assert_int_eq(ask(t, "a b", "2001:db8:1:2:ffff::1", NOW), 30);
	ck_assert_int_eq(ask(t, "alice", "2001:db8:1:2::1", NOW), 0);
	failures(t, "alice", 5, "::ffff:192.0.2.9", NOW, 5);
	ck_assert_int_eq(ask(t, "alice", "192.0.2.9", NOW), 30);
	throttle_free(t);
	store_free(st);
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

	tc = tcase_create("memory");
	tcase_add_test(tc, test_memory_story);
	tcase_add_test(tc, test_memory_off);
	tcase_add_test(tc, test_memory_cap);
	tcase_add_test(tc, test_memory_ipv6);
	tcase_add_test(tc, test_memory_v4_mapped);
	tcase_add_test(tc, test_memory_no_address);
	tcase_add_test(tc, test_memory_invalid_bucket);
	tcase_add_test(tc, test_memory_evict_pair);
	tcase_add_test(tc, test_memory_evict_keeps_recent);
	tcase_add_test(tc, test_memory_evict_account);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	tc = tcase_create("store");
	tcase_add_test(tc, test_store_story);
	tcase_add_test(tc, test_store_down);
	tcase_add_test(tc, test_store_keys);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	return s;
}

TEST_MAIN(throttle_suite)
