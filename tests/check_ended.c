/* check_ended.c -- the ended-session set: add, look up, forget, bounds */
#include "config.h"

#include <stdint.h>

#include "check_common.h"
#include "ended.h"

#define NOW	((long long)TS_CONST)

/* A distinct id for each n, spread over the hash as random ids are. */
static void
sid_of(uint64_t n, unsigned char sid[SESSION_SID_BYTES])
{
	uint64_t	 h = n * 0x9e3779b97f4a7c15ULL;

	memcpy(sid, &h, sizeof(h));
	memcpy(sid + sizeof(h), &n, sizeof(n));
}

START_TEST(test_add_has)
{
	struct ended	*e;
	unsigned char	 a[SESSION_SID_BYTES], b[SESSION_SID_BYTES];

	ck_assert_ptr_nonnull(e = ended_new(0));
	sid_of(1, a);
	sid_of(2, b);
	ck_assert_int_eq(ended_has(e, a, NOW), 0);
	ck_assert_int_eq(ended_add(e, a, NOW + 100, NOW), 0);
	ck_assert_int_eq(ended_has(e, a, NOW), 1);
	ck_assert_int_eq(ended_has(e, b, NOW), 0);
	ck_assert_uint_eq(ended_count(e), 1);
	/* Again: still one entry. */
	ck_assert_int_eq(ended_add(e, a, NOW + 50, NOW), 0);
	ck_assert_uint_eq(ended_count(e), 1);
	ended_free(e);
	ended_free(NULL);
}
END_TEST

/*
 * until: an entry holds while now <= until, a later until wins over an
 * earlier one, and an entry already past its until is not added.
 */
static const struct {
	const char	*name;
	long long	 first, second;	/* until of two adds; 0: one add */
	long long	 at;		/* ended_has at NOW + at */
	int		 want;
	size_t		 count;
} until_cases[] = {
	{ "before until", 100, 0, 99, 1, 1 },
	{ "at until", 100, 0, 100, 1, 1 },
	{ "after until", 100, 0, 101, 0, 1 },
	{ "later until wins", 100, 200, 150, 1, 1 },
	{ "earlier until loses", 200, 100, 150, 1, 1 },
	{ "past at add: not kept", -1, 0, -5, 0, 0 },
	{ "until now: kept", 0, 0, 0, 1, 1 },
};

START_TEST(test_until)
{
	struct ended	*e;
	unsigned char	 a[SESSION_SID_BYTES];

	ck_assert_ptr_nonnull(e = ended_new(0));
	sid_of(7, a);
	ck_assert_int_eq(ended_add(e, a, NOW + until_cases[_i].first, NOW),
	    0);
	if (until_cases[_i].second != 0)
		ck_assert_int_eq(ended_add(e, a, NOW + until_cases[_i].second,
		    NOW), 0);
	ck_assert_msg(ended_has(e, a, NOW + until_cases[_i].at) ==
	    until_cases[_i].want, "%s", until_cases[_i].name);
	ck_assert_msg(ended_count(e) == until_cases[_i].count, "%s",
	    until_cases[_i].name);
	ended_free(e);
}
END_TEST

/* Growth past many resizes: every entry still found, no stranger. */
START_TEST(test_many)
{
	struct ended	*e;
	unsigned char	 s[SESSION_SID_BYTES];
	uint64_t	 i, n = 100000;

	ck_assert_ptr_nonnull(e = ended_new(0));
	for (i = 0; i < n; i++) {
		sid_of(i, s);
		ck_assert_int_eq(ended_add(e, s, NOW + 1000 + (long long)(i % 2),
		    NOW), 0);
	}
	ck_assert_uint_eq(ended_count(e), n);
	for (i = 0; i < n; i++) {
		sid_of(i, s);
		ck_assert_int_eq(ended_has(e, s, NOW), 1);
		sid_of(i + n, s);
		ck_assert_int_eq(ended_has(e, s, NOW), 0);
	}
	/* At NOW + 1001 the even ones (until NOW + 1000) go. */
	ck_assert_uint_eq(ended_sweep(e, NOW + 1001), n / 2);
	ck_assert_uint_eq(ended_count(e), n / 2);
	for (i = 0; i < n; i++) {
		sid_of(i, s);
		ck_assert_int_eq(ended_has(e, s, NOW + 1001), (int)(i % 2));
	}
	ck_assert_uint_eq(ended_sweep(e, NOW + 2000), 0);
	for (i = 0; i < n; i += 97) {
		sid_of(i, s);
		ck_assert_int_eq(ended_has(e, s, NOW), 0);
	}
	/* Usable again after shrinking to nothing. */
	sid_of(3, s);
	ck_assert_int_eq(ended_add(e, s, NOW + 5, NOW), 0);
	ck_assert_int_eq(ended_has(e, s, NOW), 1);
	ended_free(e);
}
END_TEST

/*
 * A full set drops what has expired first, and only then refuses:
 * ENOSPC, the entry not kept, the others untouched.
 */
START_TEST(test_full)
{
	struct ended	*e;
	unsigned char	 s[SESSION_SID_BYTES];
	uint64_t	 i, max = 1000;

	ck_assert_ptr_nonnull(e = ended_new(max));
	for (i = 0; i < max; i++) {
		sid_of(i, s);
		/* The first hundred expire at NOW + 10. */
		ck_assert_int_eq(ended_add(e, s, i < 100 ? NOW + 10 : NOW + 100,
		    NOW), 0);
	}
	ck_assert_uint_eq(ended_count(e), max);
	sid_of(max, s);
	errno = 0;
	ck_assert_int_eq(ended_add(e, s, NOW + 100, NOW), -1);
	ck_assert_int_eq(errno, ENOSPC);
	ck_assert_int_eq(ended_has(e, s, NOW), 0);
	ck_assert_uint_eq(ended_count(e), max);
	/* An id already there still gets its later until. */
	sid_of(500, s);
	ck_assert_int_eq(ended_add(e, s, NOW + 500, NOW), 0);
	ck_assert_int_eq(ended_has(e, s, NOW + 400), 1);
	/* Later, the expired hundred make room for a hundred more. */
	for (i = max; i < max + 100; i++) {
		sid_of(i, s);
		ck_assert_int_eq(ended_add(e, s, NOW + 100, NOW + 11), 0);
	}
	sid_of(max + 100, s);
	ck_assert_int_eq(ended_add(e, s, NOW + 100, NOW + 11), -1);
	ck_assert_int_eq(errno, ENOSPC);
	for (i = 0; i < max + 100; i++) {
		sid_of(i, s);
		ck_assert_int_eq(ended_has(e, s, NOW + 11), i >= 100);
	}
	sid_of(500, s);
	ck_assert_int_eq(ended_has(e, s, NOW + 400), 1);
	ended_free(e);
}
END_TEST

/* Colliding first 8 bytes (linear probing): each found by all 16. */
START_TEST(test_collisions)
{
	struct ended	*e;
	unsigned char	 s[SESSION_SID_BYTES];
	int		 i;

	ck_assert_ptr_nonnull(e = ended_new(0));
	memset(s, 0x42, sizeof(s));
	for (i = 0; i < 200; i++) {
		s[15] = (unsigned char)i;
		ck_assert_int_eq(ended_add(e, s, NOW + 1 + i % 3, NOW), 0);
	}
	ck_assert_uint_eq(ended_count(e), 200);
	ck_assert_uint_eq(ended_sweep(e, NOW + 2), 133);
	for (i = 0; i < 200; i++) {
		s[15] = (unsigned char)i;
		ck_assert_int_eq(ended_has(e, s, NOW + 2), i % 3 != 0);
	}
	s[14] = 0;
	ck_assert_int_eq(ended_has(e, s, NOW), 0);
	ended_free(e);
}
END_TEST

static Suite *
ended_suite(void)
{
	Suite	*s = suite_create("ended");
	TCase	*tc;

	tc = tcase_create("set");
	tcase_add_test(tc, test_add_has);
	tcase_add_loop_test(tc, test_until, 0, ARRAY_SIZE(until_cases));
	tcase_add_test(tc, test_collisions);
	suite_add_tcase(s, tc);

	tc = tcase_create("bounds");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_many);
	tcase_add_test(tc, test_full);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(ended_suite)
