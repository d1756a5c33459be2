/* check_watch.c -- a watched file: bounded read, settle, racily clean, on a stepped clock */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <time.h>

#include "watch.h"
#include "check_common.h"

#define INTERVAL_MS	250
#define CAP		4096

static struct watch_clock	 clk;
static char			 got[CAP + 1];	/* the version last taken */
static size_t			 got_len;
static char			 last_err[512];

static void
setup(void)
{
	clk = test_clock_reset();
	got[0] = '\0';
	got_len = 0;
	last_err[0] = '\0';
}

/* A file name of this test's own (the suites share one temp dir). */
static const char *
own_path(const char *name, int i)
{
	char	 base[64];

	(void)snprintf(base, sizeof(base), "%s-%d", name, i);
	return test_path(base);
}

/* Watch path (a copy is kept: test_path reuses its buffer), cap bytes. */
static struct watch *
open_watch(const char *path, size_t cap)
{
	struct watch	*w;
	char		*buf, err[512];
	size_t		 len;

	w = watch_open(path, cap, INTERVAL_MS, &clk, &buf, &len, err,
	    sizeof(err));
	ck_assert_msg(w != NULL, "watch_open %s: %s", path, err);
	ck_assert_uint_le(len, CAP);
	memcpy(got, buf, len + 1);
	got_len = len;
	free(buf);
	return w;
}

/* One watch_poll; a version handed out is taken (watch_done) into got. */
static int
look(struct watch *w, enum watch_mode mode)
{
	char	*buf;
	size_t	 len;
	int	 r;

	r = watch_poll(w, mode, &buf, &len, last_err, sizeof(last_err));
	if (r == 1) {
		ck_assert_uint_le(len, CAP);
		ck_assert_int_eq(buf[len], '\0');
		memcpy(got, buf, len + 1);
		got_len = len;
		free(buf);
		watch_done(w);
	}
	return r;
}

/* Start with content at path, written age_ms ago (old: a stat only). */
static struct watch *
start(const char *path, const char *content, long long age_ms)
{
	test_replace_now(path, content);
	test_set_mtime(path, test_clk.real - age_ms);
	return open_watch(path, CAP);
}

/*
 * watch_read: the whole file or a clear reason.  "at" is where the test
 * points it: a file it writes (content, len bytes), none, a folder, or a
 * file of /proc (size 0 by fstat, then bytes: it grows while read).
 */
enum at { AT_FILE, AT_NONE, AT_DIR, AT_PROC };

static const struct {
	const char	*name;
	enum at		 at;
	const char	*content;
	size_t		 len;
	size_t		 cap;
	int		 want_errno;	/* 0: read */
	const char	*want_err;
} read_cases[] = {
	{ "a file", AT_FILE, "abc\n", 4, 16, 0, NULL },
	{ "empty", AT_FILE, "", 0, 16, 0, NULL },
	{ "at the cap", AT_FILE, "12345678", 8, 8, 0, NULL },
	{ "over the cap", AT_FILE, "123456789", 9, 8, EFBIG,
	    "larger than 8 bytes" },
	{ "NUL bytes left to the caller", AT_FILE, "a\0b\0", 4, 8, 0, NULL },
	{ "missing", AT_NONE, NULL, 0, 8, ENOENT, "No such file" },
	{ "a folder", AT_DIR, NULL, 0, 8, EINVAL, "not a regular file" },
	{ "grows past its stat", AT_PROC, NULL, 0, 1 << 20, EAGAIN,
	    "changed while being read" },
};

START_TEST(test_read)
{
	struct stat	 st;
	const char	*path;
	char		 err[512] = "", *buf = NULL;
	size_t		 len = 0;
	int		 r;

	switch (read_cases[_i].at) {
	case AT_FILE:
		path = own_path("read", _i);
		test_write(path, read_cases[_i].content, read_cases[_i].len);
		break;
	case AT_NONE:
		path = own_path("read-none", _i);
		break;
	case AT_DIR:
		path = test_tmpdir();
		break;
	case AT_PROC:
	default:
		path = "/proc/self/stat";
		break;
	}
	errno = 0;
	r = watch_read(path, read_cases[_i].cap, &buf, &len, &st, err,
	    sizeof(err));
	if (read_cases[_i].want_errno != 0) {
		ck_assert_msg(r == -1 && errno == read_cases[_i].want_errno,
		    "%s: got %d, errno %d (%s)", read_cases[_i].name, r, errno,
		    err);
		ck_assert_msg(strstr(err, read_cases[_i].want_err) != NULL,
		    "%s: %s", read_cases[_i].name, err);
		return;
	}
	ck_assert_msg(r == 0, "%s: %s", read_cases[_i].name, err);
	ck_assert_uint_eq(len, read_cases[_i].len);
	ck_assert_int_eq(memcmp(buf, read_cases[_i].content, len), 0);
	ck_assert_int_eq(buf[len], '\0');
	ck_assert(S_ISREG(st.st_mode));
	ck_assert_int_eq(st.st_size, (off_t)len);
	free(buf);
}
END_TEST

START_TEST(test_open_errors)
{
	char	*buf, err[512] = "";
	size_t	 len;

	test_write(own_path("open", 0), "0123456789", 10);
	ck_assert_ptr_null(watch_open(own_path("open", 0), 9, INTERVAL_MS,
	    &clk, &buf, &len, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "larger than 9 bytes"));
	ck_assert_ptr_null(watch_open(own_path("open-none", 0), 9,
	    INTERVAL_MS, &clk, &buf, &len, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "No such file"));
	watch_free(NULL);
}
END_TEST

/*
 * Settling.  A (old) is replaced by B, by rename or in place, B's mtime
 * age_ms before now; then each step moves the clock (rewriting the file
 * in place first if asked: a new size, mtime now) and looks.
 */
struct step {
	int		 advance_ms;	/* 0 ends the list */
	int		 rewrite;
	enum watch_mode	 mode;
	int		 want;		/* watch_poll's answer */
};

static const struct {
	const char	*name;
	int		 rename;
	long long	 age_ms;
	struct step	 steps[8];
} settle_cases[] = {
	{ "rename: whole, read at once", 1, 0,
	    { { 1, 0, WATCH_NOW, 1 } } },
	{ "in place, fresh: left until 200 ms still", 0, 0,
	    { { 50, 0, WATCH_NOW, 0 }, { 100, 0, WATCH_NOW, 0 },
	    { 49, 0, WATCH_NOW, 0 }, { 1, 0, WATCH_NOW, 1 } } },
	{ "in place, settled: at once", 0, 300,
	    { { 1, 0, WATCH_NOW, 1 } } },
	{ "in place, forced: at once", 0, 0,
	    { { 1, 0, WATCH_FORCE, 1 } } },
	{ "in place, mtime in the future: at once", 0, -3600000,
	    { { 1, 0, WATCH_NOW, 1 } } },
	{ "in place, never still: read 500 ms after first seen", 0, 0,
	    { { 100, 1, WATCH_NOW, 0 }, { 100, 1, WATCH_NOW, 0 },
	    { 100, 1, WATCH_NOW, 0 }, { 100, 1, WATCH_NOW, 0 },
	    { 100, 1, WATCH_NOW, 0 }, { 99, 1, WATCH_NOW, 0 },
	    { 1, 1, WATCH_NOW, 1 } } },
	{ "due: no look before the interval", 1, 0,
	    { { 100, 0, WATCH_DUE, 0 }, { 149, 0, WATCH_DUE, 0 },
	    { 1, 0, WATCH_DUE, 1 } } },
	{ "due: in place, settled by the look", 0, 0,
	    { { 250, 0, WATCH_DUE, 1 } } },
	{ "due: in place, fresh at the look, read at the next", 0, -200,
	    { { 250, 0, WATCH_DUE, 0 }, { 100, 0, WATCH_DUE, 0 },
	    { 150, 0, WATCH_DUE, 1 } } },
};

START_TEST(test_settle)
{
	const char	*path = own_path("settle", _i);
	const struct step *s;
	struct watch	*w;
	char		 b[64];
	int		 n = 1, k, r;

	w = start(path, "A\n", 10000);
	(void)snprintf(b, sizeof(b), "B%d\n", n);
	if (settle_cases[_i].rename)
		test_replace_now(path, b);
	else
		test_write_now(path, b);
	test_set_mtime(path, test_clk.real - settle_cases[_i].age_ms);
	for (k = 0; (s = &settle_cases[_i].steps[k])->advance_ms != 0; k++) {
		test_clock_step(s->advance_ms);
		if (s->rewrite) {
			/* A new size each time: "B10\n", "B100\n", ... */
			n *= 10;
			(void)snprintf(b, sizeof(b), "B%d\n", n);
			test_write_now(path, b);
		}
		r = look(w, s->mode);
		ck_assert_msg(r == s->want, "%s, step %d: got %d, want %d (%s)",
		    settle_cases[_i].name, k + 1, r, s->want, last_err);
	}
	ck_assert_msg(strcmp(got, b) == 0, "%s: took \"%s\", want \"%s\"",
	    settle_cases[_i].name, got, b);
	ck_assert_int_eq(look(w, WATCH_FORCE), 0);
	watch_free(w);
}
END_TEST

/*
 * Racily clean.  A is read read_age_ms after its mtime; later_ms after
 * that, B is written in place at A's size, its mtime reset to A's
 * (utimensat): the identity is A's.  The next due look finds B by its
 * content unless A's mtime was old enough when read that no later write
 * could carry it (then a look is one stat, and B goes unseen: a file
 * system never gives a later write an older mtime).  An mtime in the
 * future (an NFS server's clock ahead of ours) is never that old: the
 * server stamps B within the same tick of its own clock.
 */
static const struct {
	const char	*name;
	long long	 read_age_ms;
	long long	 later_ms;
	int		 want;
} racy_cases[] = {
	{ "read in the tick it was written", 0, 100, 1 },
	{ "read 999 ms after", 999, 100, 1 },
	{ "read 2999 ms after", 2999, 100, 1 },
	{ "B written 1 ms after A was read", 0, 1, 1 },
	{ "read 3000 ms after: old, a stat only", 3000, 100, 0 },
	{ "mtime 1 s ahead", -1000, 100, 1 },
	{ "mtime 10 s ahead: compared", -10000, 100, 1 },
	{ "mtime 1 h ahead: compared", -3600000, 100, 1 },
};

START_TEST(test_racy)
{
	const char	*path = own_path("racy", _i);
	struct watch	*w;
	struct stat	 a, b;
	long long	 a_ms;

	w = start(path, "alice:1\n", racy_cases[_i].read_age_ms);
	ck_assert_int_eq(stat(path, &a), 0);
	a_ms = test_mtime_ms(path);
	test_clock_step(racy_cases[_i].later_ms);
	test_write(path, "alice:2\n", 8);
	test_set_mtime(path, a_ms);
	ck_assert_int_eq(stat(path, &b), 0);
	ck_assert(a.st_ino == b.st_ino && a.st_size == b.st_size &&
	    a.st_mtim.tv_sec == b.st_mtim.tv_sec &&
	    a.st_mtim.tv_nsec == b.st_mtim.tv_nsec);
	test_clock_step(INTERVAL_MS - racy_cases[_i].later_ms);
	ck_assert_msg(look(w, WATCH_DUE) == racy_cases[_i].want,
	    "%s: %s", racy_cases[_i].name, got);
	ck_assert_str_eq(got, racy_cases[_i].want ? "alice:2\n" :
	    "alice:1\n");
	watch_free(w);
}
END_TEST

/*
 * A racily clean version is read again at every look until a read finds
 * it old; from then on a look is one stat.  Looks every 250 ms from A's
 * read, age_ms after its mtime (negative: a future mtime); B as above
 * after verified_ms.
 */
static const struct {
	const char	*name;
	long long	 age_ms;
	long long	 verified_ms;
	int		 want;
} until_old_cases[] = {
	{ "last read 2750 ms after A: still compared", 0, 2750, 1 },
	{ "last read 3000 ms after A: old, a stat only", 0, 3000, 0 },
	{ "mtime 10 s ahead, still 5 s ahead: compared", -10000, 5000, 1 },
	{ "mtime 10 s ahead, last read 2750 ms after it: compared", -10000,
	    12750, 1 },
	{ "mtime 10 s ahead, last read 3000 ms after it: a stat only",
	    -10000, 13000, 0 },
};

START_TEST(test_racy_until_old)
{
	const char	*path = own_path("until-old", _i);
	struct watch	*w;
	long long	 a_ms, t;

	w = start(path, "bob:1\n", until_old_cases[_i].age_ms);
	a_ms = test_mtime_ms(path);
	for (t = INTERVAL_MS; t <= until_old_cases[_i].verified_ms;
	    t += INTERVAL_MS) {
		test_clock_step(INTERVAL_MS);
		ck_assert_int_eq(look(w, WATCH_DUE), 0);
	}
	test_clock_step(10);
	test_write(path, "bob:2\n", 6);
	test_set_mtime(path, a_ms);
	test_clock_step(INTERVAL_MS - 10);
	ck_assert_msg(look(w, WATCH_DUE) == until_old_cases[_i].want, "%s",
	    until_old_cases[_i].name);
	watch_free(w);
}
END_TEST

/*
 * Inode numbers come back: a writer that renames PATH.tmp over PATH (as
 * authctl does) alternates two, and a file system hands a freed one out
 * again.  Here, for certain, with a hard link: A (inode X) is watched, B
 * replaces it by rename unseen, then C, at A's size and mtime, is written
 * into inode X and renamed over PATH: the identity is A's again.
 */
START_TEST(test_racy_reused_inode)
{
	char		 path[512], keep[512];
	struct watch	*w;
	struct stat	 a, c;
	long long	 a_ms;

	(void)snprintf(path, sizeof(path), "%s", own_path("reuse", 0));
	(void)snprintf(keep, sizeof(keep), "%s", own_path("reuse-keep", 0));
	w = start(path, "carol:$5$old\n", 0);
	ck_assert_int_eq(stat(path, &a), 0);
	a_ms = test_mtime_ms(path);
	ck_assert_int_eq(link(path, keep), 0);
	test_clock_step(100);
	test_replace_now(path, "carol:$5$new:disabled\n");
	test_clock_step(100);
	test_write(keep, "carol:$5$NEW\n", 13);
	test_set_mtime(keep, a_ms);
	ck_assert_int_eq(rename(keep, path), 0);
	ck_assert_int_eq(stat(path, &c), 0);
	ck_assert(a.st_dev == c.st_dev && a.st_ino == c.st_ino &&
	    a.st_size == c.st_size && a.st_mtim.tv_sec == c.st_mtim.tv_sec &&
	    a.st_mtim.tv_nsec == c.st_mtim.tv_nsec);
	test_clock_step(INTERVAL_MS - 200);
	ck_assert_int_eq(look(w, WATCH_DUE), 1);
	ck_assert_str_eq(got, "carol:$5$NEW\n");
	watch_free(w);
}
END_TEST

/*
 * A broken version is handed out once (the caller reports it), and a fix
 * is a new version even at the same size with the same mtime.
 */
static const struct {
	const char	*name;
	int		 rename;	/* the fix comes by rename */
} fixed_cases[] = {
	{ "fixed by rename", 1 },
	{ "fixed in place, same size, same mtime", 0 },
};

START_TEST(test_broken_then_fixed)
{
	const char	*path = own_path("fixed", _i);
	struct watch	*w;
	long long	 b_ms;
	int		 k;

	w = start(path, "good:1\n", 10000);
	test_write_now(path, "bro:ken\n");
	test_clock_step(INTERVAL_MS);
	ck_assert_int_eq(look(w, WATCH_DUE), 1);
	ck_assert_str_eq(got, "bro:ken\n");	/* the caller refuses it */
	b_ms = test_mtime_ms(path);
	for (k = 0; k < 3; k++) {
		test_clock_step(INTERVAL_MS);
		ck_assert_int_eq(look(w, WATCH_DUE), 0);
	}
	if (fixed_cases[_i].rename)
		test_replace_now(path, "fixed:1\n");
	else {
		test_write(path, "fixed:1\n", 8);
		test_set_mtime(path, b_ms);
	}
	test_clock_step(INTERVAL_MS);
	ck_assert_msg(look(w, WATCH_DUE) == 1, "%s", fixed_cases[_i].name);
	ck_assert_str_eq(got, "fixed:1\n");
	watch_free(w);
}
END_TEST

/*
 * Problems are reported once per cause, and the looks go on: the file
 * vanishes, comes back, becomes a folder, grows over the cap.
 */
START_TEST(test_vanished)
{
	const char	*path = own_path("vanish", 0);
	struct watch	*w;

	w = start(path, "A\n", 10000);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(look(w, WATCH_FORCE), -1);
	ck_assert_ptr_nonnull(strstr(last_err, "No such file"));
	ck_assert_int_eq(look(w, WATCH_FORCE), 0);
	ck_assert_int_eq(look(w, WATCH_FORCE), 0);
	/* Back with the same content: nothing new to parse. */
	test_replace_now(path, "A\n");
	ck_assert_int_eq(look(w, WATCH_FORCE), 0);
	/* Gone again: said again, since it was back in between. */
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(look(w, WATCH_FORCE), -1);
	test_clock_step(1000);
	test_replace_now(path, "B\n");
	ck_assert_int_eq(look(w, WATCH_FORCE), 1);
	ck_assert_str_eq(got, "B\n");

	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	ck_assert_int_eq(look(w, WATCH_FORCE), -1);
	ck_assert_ptr_nonnull(strstr(last_err, "not a regular file"));
	ck_assert_int_eq(look(w, WATCH_FORCE), 0);
	ck_assert_int_eq(rmdir(path), 0);
	test_clock_step(1000);
	test_replace_now(path, "C\n");
	ck_assert_int_eq(look(w, WATCH_FORCE), 1);
	ck_assert_str_eq(got, "C\n");
	watch_free(w);
}
END_TEST

START_TEST(test_cap)
{
	const char	*path = own_path("cap", 0);
	struct watch	*w;

	test_replace_now(path, "1234567\n");
	w = open_watch(path, 8);
	test_replace_now(path, "12345678\n");
	ck_assert_int_eq(look(w, WATCH_FORCE), -1);
	ck_assert_ptr_nonnull(strstr(last_err, "larger than 8 bytes"));
	ck_assert_int_eq(look(w, WATCH_FORCE), 0);
	test_replace_now(path, "abc\n");
	ck_assert_int_eq(look(w, WATCH_FORCE), 1);
	ck_assert_str_eq(got, "abc\n");
	watch_free(w);
}
END_TEST

/* NUL bytes are the caller's to judge: handed out with the rest. */
START_TEST(test_nul)
{
	const char	*path = own_path("nul", 0);
	struct watch	*w;

	test_replace_now(path, "A\n");
	w = open_watch(path, CAP);
	test_write(path, "a\0b\n", 4);
	ck_assert_int_eq(look(w, WATCH_FORCE), 1);
	ck_assert_uint_eq(got_len, 4);
	ck_assert_int_eq(memcmp(got, "a\0b\n", 5), 0);
	watch_free(w);
}
END_TEST

/* Until watch_done, a version is handed out again (out of memory, say). */
START_TEST(test_not_done)
{
	const char	*path = own_path("done", 0);
	struct watch	*w;
	char		*buf;
	size_t		 len;
	int		 k;

	w = start(path, "A\n", 10000);
	test_replace_now(path, "B\n");
	for (k = 0; k < 2; k++) {
		ck_assert_int_eq(watch_poll(w, WATCH_NOW, &buf, &len, last_err,
		    sizeof(last_err)), 1);
		ck_assert_str_eq(buf, "B\n");
		free(buf);
	}
	ck_assert_int_eq(look(w, WATCH_NOW), 1);
	ck_assert_int_eq(look(w, WATCH_NOW), 0);
	watch_done(w);		/* nothing pending: no effect */
	ck_assert_int_eq(look(w, WATCH_NOW), 0);
	ck_assert_str_eq(watch_path(w), path);
	watch_free(w);
}
END_TEST

/* A touched or copied-over file with the same content is nothing new. */
START_TEST(test_same_content)
{
	const char	*path = own_path("touch", 0);
	struct watch	*w;

	w = start(path, "A\n", 10000);
	test_set_mtime(path, test_clk.real);
	ck_assert_int_eq(look(w, WATCH_NOW), 0);	/* settling */
	test_clock_step(INTERVAL_MS);
	ck_assert_int_eq(look(w, WATCH_DUE), 0);	/* read: the same */
	test_replace_now(path, "A\n");
	ck_assert_int_eq(look(w, WATCH_NOW), 0);
	test_write_now(path, "AB\n");
	test_clock_step(INTERVAL_MS);
	ck_assert_int_eq(look(w, WATCH_DUE), 1);
	ck_assert_str_eq(got, "AB\n");
	watch_free(w);
}
END_TEST

/*
 * watch.c's own clock (clock_ms underneath): real time is the epoch's, as
 * time(2) tells it (a coarse clock: up to a tick behind, hence 2 s), and
 * its monotonic clock never goes back.  What the clocks say, not how fast.
 */
START_TEST(test_system_clock)
{
	const struct watch_clock *c = &watch_system_clock;
	long long	 before, real, after, m1, m2;

	before = (long long)time(NULL) * 1000;
	real = c->real_ms(c->arg);
	after = (long long)time(NULL) * 1000;
	ck_assert_msg(real >= before && real < after + 2000,
	    "real %lld ms, time(2) %lld..%lld", real, before, after);
	m1 = c->mono_ms(c->arg);
	m2 = c->mono_ms(c->arg);
	ck_assert_msg(m1 > 0 && m2 >= m1, "coarse %lld then %lld", m1, m2);
}
END_TEST

static Suite *
watch_suite(void)
{
	Suite	*s = suite_create("watch");
	TCase	*tc;

	tc = tcase_create("read");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_loop_test(tc, test_read, 0, ARRAY_SIZE(read_cases));
	tcase_add_test(tc, test_open_errors);
	tcase_add_test(tc, test_nul);
	tcase_add_test(tc, test_system_clock);
	suite_add_tcase(s, tc);

	tc = tcase_create("settle");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_loop_test(tc, test_settle, 0, ARRAY_SIZE(settle_cases));
	tcase_add_test(tc, test_same_content);
	suite_add_tcase(s, tc);

	tc = tcase_create("racy");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_loop_test(tc, test_racy, 0, ARRAY_SIZE(racy_cases));
	tcase_add_loop_test(tc, test_racy_until_old, 0,
	    ARRAY_SIZE(until_old_cases));
	tcase_add_test(tc, test_racy_reused_inode);
	suite_add_tcase(s, tc);

	tc = tcase_create("problems");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_loop_test(tc, test_broken_then_fixed, 0,
	    ARRAY_SIZE(fixed_cases));
	tcase_add_test(tc, test_vanished);
	tcase_add_test(tc, test_cap);
	tcase_add_test(tc, test_not_done);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(watch_suite)
