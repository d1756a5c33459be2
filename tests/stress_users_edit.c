/* stress_users_edit.c -- the users-file editor: 8 writers at once, kill -9 */
#include "config.h"

#include <sys/file.h>
#include <sys/wait.h>

#include <signal.h>
#include <time.h>

#include "check_common.h"
#include "clock.h"
#include "log.h"
#include "password.h"
#include "users.h"
#include "users_edit.h"

#define WAIT_MS		60000

/* The concurrency test: writers, each making this many changes. */
#define RACE_WRITERS	8
#define RACE_CHANGES	50
/* The crash test: writers running at once, kills, users in the file. */
#define CRASH_WRITERS	2
#define CRASH_KILLS	500
#define CRASH_USERS	200

static char	 path[600];	/* the users file, in a folder of its own */
/* Two passwords' hashes of one setting: no file here mixes settings. */
static char	 hash1[PASSWORD_HASH_MAX];
static char	 hash2[PASSWORD_HASH_MAX];
static int	 warnings;		/* lines the library logged */

static void
count_sink(const char *line, size_t len, void *arg)
{
	(void)line;
	(void)len;
	(void)arg;
	warnings++;
}

static void
setup(void)
{
	ck_assert_int_eq(password_hash("one", "$6$", 1000, hash1,
	    sizeof(hash1)), 0);
	ck_assert_int_eq(password_hash("two", "$6$", 1000, hash2,
	    sizeof(hash2)), 0);
	(void)snprintf(path, sizeof(path), "%s/users",
	    test_fresh_dir("stress"));
	warnings = 0;
	log_set_sink(count_sink, NULL);
}

static void
teardown(void)
{
	log_set_sink(NULL, NULL);
}

/* One writer of the race: RACE_CHANGES changes, each a locked session. */
static int
race_writer(int w)
{
	struct users_edit	*e;
	enum users_edit_status	 st = USERS_EDIT_ERROR;
	char			 name[32], role[32], err[512];
	int			 i, j, failed = 0;

	for (i = 0; i < RACE_CHANGES; i++) {
		j = i / 5;
		(void)snprintf(name, sizeof(name), "w%d_%d", w, j);
		(void)snprintf(role, sizeof(role), "w%dr%d", w, j);
		if ((e = users_edit_open(path, 0, WAIT_MS, err,
		    sizeof(err))) == NULL) {
			fprintf(stderr, "writer %d: %s\n", w, err);
			failed++;
			continue;
		}
		switch (i % 5) {
		case 0:
			st = users_edit_add(e, name, hash1, "new");
			break;
		case 1:
			st = users_edit_role(e, name, role);
			break;
		case 2:
			st = users_edit_disable(e, name);
			break;
		case 3:
			st = users_edit_passwd(e, name, hash2);
			break;
		case 4:
			st = users_edit_revoke(e, "shared");
			break;
		}
		if (st != USERS_EDIT_OK ||
		    users_edit_commit(e, err, sizeof(err)) == -1) {
			fprintf(stderr, "writer %d change %d: %d %s\n", w, i,
			    st, err);
			failed++;
		}
		users_edit_free(e);
	}
	return failed;
}

/*
 * RACE_WRITERS processes make RACE_CHANGES changes each at once; each
 * change is a read-modify-write of the whole file, so without the lock
 * most would be lost.  Every one must be there, and "shared", which all
 * of them revoke, must count every revoke.
 */
START_TEST(test_race)
{
	struct users		*u;
	const struct user	*x;
	pid_t			 pids[RACE_WRITERS];
	char			 name[32], role[32], text[1024], err[512];
	char			*after;
	int			 w, j, status, lost = 0;
	long long		 t0, t1;

	(void)snprintf(text, sizeof(text), "# race\nshared:%s:base\n# end\n",
	    hash1);
	test_write(path, text, strlen(text));
	t0 = clock_ms(CLOCK_MONOTONIC);
	for (w = 0; w < RACE_WRITERS; w++) {
		ck_assert_int_ne(pids[w] = fork(), -1);
		if (pids[w] == 0)
			_exit(race_writer(w) == 0 ? 0 : 1);
	}
	for (w = 0; w < RACE_WRITERS; w++) {
		ck_assert_int_eq(waitpid(pids[w], &status, 0), pids[w]);
		ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		    "writer %d failed", w);
	}
	t1 = clock_ms(CLOCK_MONOTONIC);

	warnings = 0;
	u = users_open(path, err, sizeof(err));
	ck_assert_msg(u != NULL, "users_open: %s", err);
	ck_assert_int_eq(warnings, 0);
	for (w = 0; w < RACE_WRITERS; w++)
		for (j = 0; j < RACE_CHANGES / 5; j++) {
			(void)snprintf(name, sizeof(name), "w%d_%d", w, j);
			(void)snprintf(role, sizeof(role), "w%dr%d", w, j);
			x = users_lookup(u, name);
			/* add, role, disable, passwd: four changes each. */
			if (x == NULL) {
				lost += 4;
				continue;
			}
			lost += strcmp(x->role, role) != 0;
			lost += !x->disabled;
			lost += strcmp(x->hash, hash2) != 0;
			/* disable and passwd raise the version once each. */
			lost += x->version != 2;
		}
	x = users_lookup(u, "shared");
	ck_assert_ptr_nonnull(x);
	lost += RACE_WRITERS * (RACE_CHANGES / 5) - (int)x->version;
	printf("# stress race: %d writers x %d changes = %d changes, %d lost, "
	    "%zu users, %lld ms\n", RACE_WRITERS, RACE_CHANGES,
	    RACE_WRITERS * RACE_CHANGES, lost, users_count(u), t1 - t0);
	ck_assert_int_eq(lost, 0);
	ck_assert_uint_eq(users_count(u),
	    1 + RACE_WRITERS * (RACE_CHANGES / 5));
	users_free(u);
	/* The comments are where they were. */
	after = test_read_file(path);
	ck_assert_int_eq(strncmp(after, "# race\nshared:", 14), 0);
	ck_assert_ptr_nonnull(strstr(after, "\n# end\nw"));
	free(after);
}
END_TEST

/*
 * Whether the file at p is whole: it loads with no warning, holds every
 * one of the CRASH_USERS users and ends with the closing comment that
 * comes right after them.  A torn file fails one of these.
 */
static int
file_whole(const char *p)
{
	struct users	*u;
	char		 err[512], name[32];
	int		 i, ok;

	warnings = 0;
	if ((u = users_open(p, err, sizeof(err))) == NULL)
		return 0;
	ok = warnings == 0 && users_count(u) == CRASH_USERS;
	for (i = 0; ok && i < CRASH_USERS; i++) {
		(void)snprintf(name, sizeof(name), "u%03d", i);
		ok = users_lookup(u, name) != NULL;
	}
	users_free(u);
	return ok;
}

static void
crash_base(const char *p)
{
	FILE	*f;
	int	 i;

	ck_assert_ptr_nonnull(f = fopen(p, "w"));
	fprintf(f, "# crash test\n");
	for (i = 0; i < CRASH_USERS; i++)
		fprintf(f, "u%03d:%s:r0:active:0\n", i, hash1);
	ck_assert_int_eq(fclose(f), 0);
}

/*
 * Whether a killed writer's temp file is there, looked at under the
 * writers' lock: a live writer has one only while it holds the lock, so
 * one seen here was left by a writer killed between creating it and the
 * rename, not the other writer's write in progress.
 */
static int
temp_left_by_kill(const char *lockpath, const char *tmp)
{
	int	 fd, left;

	/* No lock file yet: no writer got as far as making a temp file. */
	if ((fd = open(lockpath, O_RDONLY | O_CLOEXEC)) == -1 &&
	    errno == ENOENT)
		return 0;
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(flock(fd, LOCK_EX), 0);
	left = access(tmp, F_OK) == 0;
	(void)close(fd);
	return left;
}

/* A writer of the crash test: change roles and versions until killed. */
static void __attribute__((noreturn))
crash_writer(unsigned seed)
{
	struct users_edit	*e;
	char			 name[32], role[32], err[512];
	int			 n;

	for (;;) {
		if ((e = users_edit_open(path, 0, WAIT_MS, err,
		    sizeof(err))) == NULL)
			_exit(1);
		n = rand_r(&seed);
		(void)snprintf(name, sizeof(name), "u%03d", n % CRASH_USERS);
		(void)snprintf(role, sizeof(role), "r%d", n % 1000);
		if (n % 3 == 0)
			(void)users_edit_revoke(e, name);
		else
			(void)users_edit_role(e, name, role);
		if (users_edit_commit(e, err, sizeof(err)) == -1)
			_exit(1);
		users_edit_free(e);
	}
}

static volatile sig_atomic_t	 reader_stop;

static void
on_term(int sig)
{
	(void)sig;
	reader_stop = 1;
}

/* The reader: load the file as a service would, until told to stop. */
static void __attribute__((noreturn))
crash_reader(int out)
{
	struct sigaction	 sa;
	long			 counts[2] = { 0, 0 };	/* reads, torn */

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	(void)sigaction(SIGTERM, &sa, NULL);
	while (!reader_stop) {
		counts[0]++;
		if (!file_whole(path))
			counts[1]++;
	}
	(void)write(out, counts, sizeof(counts));
	_exit(0);
}

/* The check itself must see a torn file: write half of one in place. */
START_TEST(test_torn_detected)
{
	char	*whole;

	crash_base(path);
	ck_assert_int_eq(file_whole(path), 1);
	whole = test_read_file(path);
	test_write(path, whole, strlen(whole) / 2);
	ck_assert_int_eq(file_whole(path), 0);
	ck_assert_int_eq(truncate(path, 0), 0);
	ck_assert_int_eq(file_whole(path), 0);
	free(whole);
}
END_TEST

/*
 * kill -9 writers at random moments, CRASH_KILLS times, while a reader
 * loads the file in a loop: the reader must never see a torn file, and
 * the file must be whole at the end, stale temp files or not.
 */
START_TEST(test_crash)
{
	struct timespec	 ts;
	pid_t		 writers[CRASH_WRITERS], reader;
	long		 counts[2] = { 0, 0 };
	char		 tmp[700], lockpath[700], err[512];
	unsigned	 seed = (unsigned)getpid();
	int		 fds[2], k, w, status, stale = 0;
	struct users_edit *e;

	crash_base(path);
	(void)snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	(void)snprintf(lockpath, sizeof(lockpath), "%s.lock", path);
	ck_assert_int_eq(pipe(fds), 0);
	ck_assert_int_ne(reader = fork(), -1);
	if (reader == 0) {
		(void)close(fds[0]);
		crash_reader(fds[1]);
	}
	(void)close(fds[1]);
	for (w = 0; w < CRASH_WRITERS; w++) {
		ck_assert_int_ne(writers[w] = fork(), -1);
		if (writers[w] == 0)
			crash_writer(seed + (unsigned)w);
	}
	for (k = 0; k < CRASH_KILLS; k++) {
		ts.tv_sec = 0;
		ts.tv_nsec = (long)(rand_r(&seed) % 8000) * 1000;
		(void)nanosleep(&ts, NULL);
		w = rand_r(&seed) % CRASH_WRITERS;
		ck_assert_int_eq(kill(writers[w], SIGKILL), 0);
		ck_assert_int_eq(waitpid(writers[w], &status, 0), writers[w]);
		ck_assert_msg(WIFSIGNALED(status), "writer %d died early", w);
		if (temp_left_by_kill(lockpath, tmp))
			stale++;
		ck_assert_int_ne(writers[w] = fork(), -1);
		if (writers[w] == 0)
			crash_writer(seed + (unsigned)k);
	}
	for (w = 0; w < CRASH_WRITERS; w++) {
		(void)kill(writers[w], SIGKILL);
		(void)waitpid(writers[w], &status, 0);
	}
	ck_assert_int_eq(kill(reader, SIGTERM), 0);
	ck_assert_int_eq(read(fds[0], counts, sizeof(counts)),
	    (ssize_t)sizeof(counts));
	(void)waitpid(reader, &status, 0);
	(void)close(fds[0]);
	printf("# stress crash: %d writers, %d kill -9, a temp file left by "
	    "%d of them; the reader loaded the file %ld times, %ld torn\n",
	    CRASH_WRITERS, CRASH_KILLS, stale, counts[0], counts[1]);
	/*
	 * Kills that all landed outside a write would prove nothing about
	 * torn files; with kills every 0-8 ms, 100 or more of 500 typically
	 * leave a temp file.
	 */
	ck_assert_msg(stale > 0, "no kill landed in the middle of a write");
	ck_assert_int_gt(counts[0], 0);
	ck_assert_int_eq(counts[1], 0);
	ck_assert_int_eq(file_whole(path), 1);
	/* The next edit works, and clears any leftover temp file. */
	e = users_edit_open(path, 0, WAIT_MS, err, sizeof(err));
	ck_assert_msg(e != NULL, "users_edit_open: %s", err);
	ck_assert_int_eq(users_edit_revoke(e, "u000"), USERS_EDIT_OK);
	ck_assert_msg(users_edit_commit(e, err, sizeof(err)) == 0, "%s", err);
	users_edit_free(e);
	ck_assert_int_eq(access(tmp, F_OK), -1);
	ck_assert_int_eq(file_whole(path), 1);
}
END_TEST

static Suite *
stress_suite(void)
{
	Suite	*s = suite_create("users_edit stress");
	TCase	*tc;

	tc = tcase_create("race");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_race);
	tcase_set_timeout(tc, 180);
	suite_add_tcase(s, tc);

	tc = tcase_create("crash");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_torn_detected);
	tcase_add_test(tc, test_crash);
	tcase_set_timeout(tc, 180);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(stress_suite)
