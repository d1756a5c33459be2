/* check_users.c -- the users file: parse, look up, limits, reload */
#include "config.h"

#include <time.h>

#include "watch.h"
#include "check_common.h"
#include "log.h"
#include "password.h"
#include "users.h"
#include "users_edit.h"

/* Real hashes of "pw" (cheap settings: these tests are about parsing). */
#define H_SHA256 "$5$rounds=1000$saltsalt$eNI.02a9Kos9UxzxjTLpNZ6kYHkRe9Z8OsGkDDoW/X2"
#define H_SHA512 "$6$rounds=1000$saltsalt$nII71HJmawaDYdXrUHYtoWV/pe6ZN/eQzrZXdKjhrcMU0onLRg6A5m38udZu.lA6f53rIQturF4FMx1X99KF/0"
#define H_BCRYPT "$2b$04$abcdefghijklmnopqrstuuyvPXIbu7xe6/CED2DzX8z6Si09MlzlW"
/*
 * Salts and checksums of real hashes, to put after any setting: the file
 * is parsed, never verified, so a costly setting costs nothing here.
 */
#define BF_TAIL	"abcdefghijklmnopqrstuuyvPXIbu7xe6/CED2DzX8z6Si09MlzlW"
#define Y_TAIL	"$abcdefghijklmnopqrstu/$9iyfnuB7Ao6NmSt4hxtr9jZ852A5LQVFXlLeCRcfiy1"
#define S7_TAIL	"abcdefghijklmnopqrstuv$DGJsmr55ysyQkD.E/yK423f3shHwKw5KR.r57tOG/6."
#define T43	"eNI.02a9Kos9UxzxjTLpNZ6kYHkRe9Z8OsGkDDoW/X2"
#define T86	"nII71HJmawaDYdXrUHYtoWV/pe6ZN/eQzrZXdKjhrcMU0onLRg6A5m38udZu.lA6f53rIQturF4FMx1X99KF/0"

static const struct {
	const char	*name;
	const char	*image;
	int		 ok;		/* the image as a whole is accepted */
	size_t		 count;		/* users found */
	const char	*lookup;	/* one of them... */
	const char	*role;		/* ...has this role */
	int		 disabled;
	long		 version;
} parse_cases[] = {
	{ "empty file", "", 1, 0, NULL, NULL, 0, 0 },
	{ "comments only", "# users\n\n   \n\t# more\n", 1, 0, NULL, NULL,
	    0, 0 },
	{ "one user", "alice:" H_SHA512 ":admin\n", 1, 1, "alice", "admin",
	    0, 0 },
	{ "no final newline", "alice:" H_SHA512 ":admin", 1, 1, "alice",
	    "admin", 0, 0 },
	{ "crlf", "alice:" H_SHA512 ":admin\r\nbob:" H_SHA256 ":user\r\n", 1,
	    2, "bob", "user", 0, 0 },
	{ "active", "a:" H_SHA512 ":r:active\n", 1, 1, "a", "r", 0, 0 },
	{ "empty state", "a:" H_SHA512 ":r:\n", 1, 1, "a", "r", 0, 0 },
	{ "disabled", "a:" H_SHA512 ":r:disabled\n", 1, 1, "a", "r", 1, 0 },
	{ "version", "a:" H_SHA512 ":r:active:7\n", 1, 1, "a", "r", 0, 7 },
	{ "version max", "a:" H_SHA512 ":r::2147483647\n", 1, 1, "a", "r", 0,
	    2147483647 },
	{ "bcrypt", "b:" H_BCRYPT ":r\n", 1, 1, "b", "r", 0, 0 },
	{ "email-like name", "j.doe+x@example.com:" H_SHA512 ":user\n", 1, 1,
	    "j.doe+x@example.com", "user", 0, 0 },
	{ "bad line skipped", "junk\nalice:" H_SHA512 ":admin\n", 1, 1,
	    "alice", "admin", 0, 0 },
	{ "duplicate keeps first", "a:" H_SHA512 ":first\na:" H_SHA512
	    ":second\n", 1, 1, "a", "first", 0, 0 },
	{ "only bad lines", "junk\nmore junk\n", 0, 0, NULL, NULL, 0, 0 },
	{ "nul byte", "a:" H_SHA512 ":r\n\0\n", 0, 0, NULL, NULL, 0, 0 },
};

/* Lines that are each skipped, whatever else the file holds. */
static const struct {
	const char	*name;
	const char	*line;
} bad_lines[] = {
	{ "two fields", "a:" H_SHA512 },
	{ "seven fields", "a:" H_SHA512 ":r:active:1:x" },
	{ "empty name", ":" H_SHA512 ":r" },
	{ "space in name", "a b:" H_SHA512 ":r" },
	{ "name starts with dash", "-a:" H_SHA512 ":r" },
	{ "name starts with dot", ".a:" H_SHA512 ":r" },
	{ "slash in name", "a/b:" H_SHA512 ":r" },
	{ "65-char name", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa:" H_SHA512 ":r" },
	{ "empty role", "a:" H_SHA512 ":" },
	{ "role with space", "a:" H_SHA512 ":ad min" },
	{ "33-char role", "a:" H_SHA512 ":rrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr" },
	{ "bad state", "a:" H_SHA512 ":r:locked" },
	{ "negative version", "a:" H_SHA512 ":r:active:-1" },
	{ "huge version", "a:" H_SHA512 ":r:active:2147483648" },
	{ "word version", "a:" H_SHA512 ":r:active:two" },
	{ "plain password", "a:secret:r" },
	{ "empty hash", "a::r" },
	{ "md5 hash", "a:$1$saltsalt$qjXMvbEw8oaL.CzflDugX/:r" },
	{ "des hash", "a:abJnggxhB/yWI:r" },
	{ "locked hash", "a:!" H_SHA512 ":r" },
	{ "truncated hash", "a:$6$rounds=1000$saltsalt$nII71:r" },
	/* Hashes crypt refuses to verify: 500 for a name, 401 for none. */
	{ "bcrypt cost 99", "a:$2b$99$" BF_TAIL ":r" },
	{ "bcrypt cost 1a", "a:$2b$1a$" BF_TAIL ":r" },
	{ "yescrypt without parameters", "a:$y$" Y_TAIL ":r" },
	{ "sha512crypt rounds=0100", "a:$6$rounds=0100$saltsalt$" T86 ":r" },
	{ "sha512crypt rounds overflowing",
	    "a:$6$rounds=18446744073709551617$saltsalt$" T86 ":r" },
	/* Hashes above the caps: minutes of CPU for one login. */
	{ "bcrypt cost 31", "a:$2b$31$" BF_TAIL ":r" },
	{ "bcrypt cost 15", "a:$2b$15$" BF_TAIL ":r" },
	{ "yescrypt cost 11", "a:$y$jFT" Y_TAIL ":r" },
	{ "sha512crypt 1000001 rounds",
	    "a:$6$rounds=1000001$saltsalt$" T86 ":r" },
};

START_TEST(test_parse)
{
	struct users		*u;
	const struct user	*e;
	char			 err[256] = "";
	size_t			 len;

	/* "nul byte" holds a NUL, so measure it as an array would be. */
	len = strcmp(parse_cases[_i].name, "nul byte") == 0 ?
	    strlen(parse_cases[_i].image) + 2 : strlen(parse_cases[_i].image);
	u = users_from_buffer(parse_cases[_i].image, len, err, sizeof(err));
	ck_assert_msg((u != NULL) == parse_cases[_i].ok, "%s: %s",
	    parse_cases[_i].name, err);
	if (u == NULL)
		return;
	ck_assert_msg(users_count(u) == parse_cases[_i].count, "%s: %zu users",
	    parse_cases[_i].name, users_count(u));
	if (parse_cases[_i].lookup != NULL) {
		e = users_lookup(u, parse_cases[_i].lookup);
		ck_assert_msg(e != NULL, "%s: %s not found",
		    parse_cases[_i].name, parse_cases[_i].lookup);
		ck_assert_str_eq(e->role, parse_cases[_i].role);
		ck_assert_int_eq(e->disabled, parse_cases[_i].disabled);
		ck_assert_int_eq(e->version, parse_cases[_i].version);
	}
	ck_assert_ptr_null(users_lookup(u, "nobody"));
	ck_assert_ptr_null(users_lookup(u, ""));
	users_free(u);
}
END_TEST

START_TEST(test_bad_line)
{
	struct users	*u;
	char		 image[2048], err[256];

	(void)snprintf(image, sizeof(image), "%s\nok:" H_SHA512 ":r\n",
	    bad_lines[_i].line);
	u = users_from_buffer(image, strlen(image), err, sizeof(err));
	ck_assert_msg(u != NULL, "%s: %s", bad_lines[_i].name, err);
	ck_assert_msg(users_count(u) == 1, "%s: line was accepted",
	    bad_lines[_i].name);
	ck_assert_ptr_nonnull(users_lookup(u, "ok"));
	users_free(u);
}
END_TEST

/*
 * A line with a hash the loader refuses is logged with its number and
 * why, and nothing of the hash.
 */
static const struct {
	const char	*line;
	const char	*why;
} hash_logs[] = {
	{ "a:$2b$31$" BF_TAIL ":r", "bcrypt cost above the limit (14)" },
	{ "a:$2b$99$" BF_TAIL ":r", "bcrypt cost above the limit (14)" },
	{ "a:$2b$03$" BF_TAIL ":r", "malformed bcrypt cost (below 4)" },
	{ "a:$y$jFT" Y_TAIL ":r", "yescrypt cost above the limit" },
	{ "a:$y$" Y_TAIL ":r", "malformed or unsupported yescrypt parameters" },
	{ "a:$7$FU..../...." S7_TAIL ":r", "scrypt cost above the limit" },
	{ "a:$6$rounds=2000000$saltsalt$" T86 ":r",
	    "sha-crypt rounds above the limit (1000000)" },
	{ "a:$6$rounds=0100$saltsalt$" T86 ":r", "malformed sha-crypt rounds" },
	{ "a:$1$saltsalt$qjXMvbEw8oaL.CzflDugX/:r",
	    "unsupported password hash scheme" },
};

static char	logged[1024];

static void
keep_log(const char *line, size_t len, void *arg)
{
	(void)arg;
	(void)snprintf(logged, sizeof(logged), "%.*s", (int)len, line);
}

START_TEST(test_hash_logged)
{
	struct users	*u;
	char		 image[2048], err[256], want[300];

	(void)snprintf(image, sizeof(image), "ok:" H_SHA512 ":r\n%s\n",
	    hash_logs[_i].line);
	logged[0] = '\0';
	log_set_sink(keep_log, NULL);
	u = users_from_buffer(image, strlen(image), err, sizeof(err));
	log_set_sink(NULL, NULL);
	ck_assert_msg(u != NULL, "%s", err);
	ck_assert_uint_eq(users_count(u), 1);
	(void)snprintf(want, sizeof(want), "users line 2: %s",
	    hash_logs[_i].why);
	ck_assert_msg(strstr(logged, want) != NULL, "logged \"%s\", want "
	    "\"%s\"", logged, want);
	/* Not even the setting, nor the salts ("salt", "abcdefgh"). */
	ck_assert_msg(strchr(logged, '$') == NULL &&
	    strstr(logged, "salt") == NULL &&
	    strstr(logged, "abcdefgh") == NULL, "the hash is in \"%s\"",
	    logged);
	users_free(u);
}
END_TEST

START_TEST(test_line_limit)
{
	struct users	*u;
	char		 image[4096], err[256];
	int		 n;

	/* A valid line padded past USERS_LINE_MAX with a long version. */
	n = snprintf(image, sizeof(image), "a:" H_SHA512 ":r:active:%0*d\n"
	    "b:" H_SHA512 ":r\n", USERS_LINE_MAX, 1);
	ck_assert_int_lt(n, (int)sizeof(image));
	u = users_from_buffer(image, (size_t)n, err, sizeof(err));
	ck_assert_ptr_nonnull(u);
	ck_assert_ptr_null(users_lookup(u, "a"));
	ck_assert_ptr_nonnull(users_lookup(u, "b"));
	users_free(u);
}
END_TEST

START_TEST(test_name_charset)
{
	ck_assert(users_valid_name("alice", 5));
	ck_assert(users_valid_name("A.b_c-d@e+f", 11));
	ck_assert(!users_valid_name("", 0));
	ck_assert(!users_valid_name("al:ce", 5));
	ck_assert(!users_valid_name("al\0ce", 5));
	ck_assert(!users_valid_name("caf\xc3\xa9", 5));
	ck_assert(users_valid_role("admin", 5));
	ck_assert(!users_valid_role("a@b", 3));
}
END_TEST

/* Many users: every one is found, and a miss stays a miss. */
START_TEST(test_many)
{
	enum { N = 100000 };
	struct users		*u;
	const struct user	*e;
	char			*image, name[32], err[256];
	size_t			 len = 0, cap = (size_t)N * 128;
	int			 i;

	ck_assert_ptr_nonnull(image = malloc(cap));
	for (i = 0; i < N; i++)
		len += (size_t)snprintf(image + len, cap - len,
		    "user%d:" H_SHA256 ":r%d\n", i, i % 7);
	u = users_from_buffer(image, len, err, sizeof(err));
	ck_assert_ptr_nonnull(u);
	ck_assert_uint_eq(users_count(u), N);
	for (i = 0; i < N; i += 997) {
		(void)snprintf(name, sizeof(name), "user%d", i);
		ck_assert_ptr_nonnull(e = users_lookup(u, name));
		ck_assert_str_eq(e->name, name);
	}
	ck_assert_ptr_null(users_lookup(u, "user100000"));
	users_free(u);
	free(image);
}
END_TEST

/*
 * Unknown names are verified against the costliest setting in the file,
 * by the cost model (password.c), chosen at load: want is the index of
 * the line whose hash must be chosen, -1 for the built-in yescrypt one.
 * The CPU times are as measured here for a short password.
 */
#define D_BCRYPT10	"$2b$10$" BF_TAIL		/* 50 ms */
#define D_BCRYPT13	"$2b$13$" BF_TAIL		/* 400 ms */
#define D_BCRYPT14	"$2b$14$" BF_TAIL		/* 800 ms */
#define D_YESCRYPT5	"$y$j9T" Y_TAIL			/* 18 ms */
#define D_YESCRYPT10	"$y$jET" Y_TAIL			/* 600 ms */
#define D_GOST10	"$gy$jET" Y_TAIL		/* 600 ms */
#define D_SCRYPT6	"$7$BU..../...." S7_TAIL	/* 58 ms */
#define D_SCRYPT9	"$7$EU..../...." S7_TAIL	/* 470 ms */
#define D_SHA512_1M	"$6$rounds=1000000$saltsalt$" T86 /* 250 ms */
#define D_SHA256_1M	"$5$rounds=1000000$saltsalt$" T43 /* 210 ms */
#define D_SHA512_100K	"$6$rounds=100000$saltsalt$" T86 /* 25 ms */

static const struct {
	const char	*name;
	const char	*lines[12];
	int		 want;
	int		 warnings;	/* lines logged about mixed settings */
} dummy_cases[] = {
	{ "empty file", { NULL }, -1, 0 },
	{ "one setting: the first user's",
	    { "a:" H_SHA512 ":r", "b:" H_SHA512 ":r", NULL }, 0, 0 },
	{ "costly one first",
	    { "a:" D_BCRYPT10 ":r", "b:" H_SHA256 ":r", NULL }, 0, 1 },
	{ "costly one last", { "a:" H_SHA256 ":r", "b:" H_SHA512 ":r",
	    "c:" D_BCRYPT10 ":r", NULL }, 2, 1 },
	{ "disabled users count too",
	    { "a:" H_SHA256 ":r", "b:" D_BCRYPT10 ":r:disabled", NULL }, 1, 1 },
	{ "the first of equals", { "a:" H_SHA512 ":r", "b:" D_BCRYPT10 ":r",
	    "c:" D_BCRYPT10 ":r", NULL }, 1, 1 },
	{ "across schemes: bcrypt 10 over yescrypt 5",
	    { "a:" D_YESCRYPT5 ":r", "b:" D_BCRYPT10 ":r", NULL }, 1, 1 },
	{ "across schemes: yescrypt 5 over sha512crypt 1000",
	    { "a:" H_SHA512 ":r", "b:" D_YESCRYPT5 ":r", NULL }, 1, 1 },
	{ "across schemes: scrypt 6 over yescrypt 5 and sha 100000",
	    { "a:" D_YESCRYPT5 ":r", "b:" D_SCRYPT6 ":r",
	    "c:" D_SHA512_100K ":r", NULL }, 1, 1 },
	/* Settings no process could afford to time for each login. */
	{ "at the caps: bcrypt 14", { "a:" D_YESCRYPT10 ":r",
	    "b:" D_SCRYPT9 ":r", "c:" D_BCRYPT14 ":r", "d:" D_SHA512_1M ":r",
	    "e:" D_GOST10 ":r", "f:" D_SHA256_1M ":r", "g:" D_BCRYPT13 ":r",
	    NULL }, 2, 1 },
	{ "at the caps: yescrypt 10", { "a:" D_SHA512_1M ":r",
	    "b:" D_BCRYPT13 ":r", "c:" D_YESCRYPT10 ":r", "d:" D_SCRYPT9 ":r",
	    NULL }, 2, 1 },
	/* Past the 8 settings the warning counts, the dearest still wins. */
	{ "the dearest is the ninth setting", { "a:" H_SHA512 ":r",
	    "b:" H_SHA256 ":r", "c:" H_BCRYPT ":r", "d:" D_YESCRYPT5 ":r",
	    "e:" D_SCRYPT6 ":r", "f:" D_SHA512_100K ":r",
	    "g:$6$saltsalt$" T86 ":r", "h:$5$saltsalt$" T43 ":r",
	    "i:" D_BCRYPT13 ":r", NULL }, 8, 1 },
};

static int	warn_lines;

static void
count_warnings(const char *line, size_t len, void *arg)
{
	(void)len;
	(void)arg;
	if (strstr(line, "different schemes or costs") != NULL)
		warn_lines++;
}

/* CPU seconds this process (one Check test: Check forks each) has used. */
static double
cpu_seconds(void)
{
	struct timespec	 ts;

	(void)clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

START_TEST(test_dummy_hash)
{
	struct users	*u;
	char		 err[256], image[4096], want[PASSWORD_HASH_MAX];
	const char	*line;
	size_t		 i, len = 0;
	double		 cpu;

	for (i = 0; (line = dummy_cases[_i].lines[i]) != NULL; i++) {
		len += (size_t)snprintf(image + len, sizeof(image) - len,
		    "%s\n", line);
		ck_assert_uint_lt(len, sizeof(image));
		if ((int)i == dummy_cases[_i].want) {
			/* The hash is the second field. */
			(void)snprintf(want, sizeof(want), "%s",
			    strchr(line, ':') + 1);
			*strchr(want, ':') = '\0';
		}
	}
	if (dummy_cases[_i].want == -1)
		(void)snprintf(want, sizeof(want), "$y$");
	warn_lines = 0;
	cpu = cpu_seconds();
	log_set_sink(count_warnings, NULL);
	u = users_from_buffer(image, len, err, sizeof(err));
	log_set_sink(NULL, NULL);
	ck_assert_ptr_nonnull(u);
	ck_assert_uint_eq(users_count(u), i);
	ck_assert_msg(strncmp(users_dummy_hash(u), want, strlen(want)) == 0,
	    "%s: got %s, want %s", dummy_cases[_i].name, users_dummy_hash(u),
	    want);
	/* Chosen once per load: the same pointer again. */
	ck_assert_ptr_eq(users_dummy_hash(u), users_dummy_hash(u));
	/*
	 * And without hashing anything: timing the settings of "at the
	 * caps" took 3.5 s of CPU; parsing takes well under a millisecond.
	 */
	cpu = cpu_seconds() - cpu;
	ck_assert_msg(cpu < 0.3, "%s: %.3f s of CPU to choose",
	    dummy_cases[_i].name, cpu);
	ck_assert_int_eq(warn_lines, dummy_cases[_i].warnings);
	users_free(u);
}
END_TEST

START_TEST(test_open_errors)
{
	char	 err[512] = "";

	ck_assert_ptr_null(users_open(test_path("missing"), err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "No such file"));
	ck_assert_ptr_null(users_open(test_tmpdir(), err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "not a regular file"));
	users_free(NULL);
}
END_TEST

/* Reloading: each step rewrites the file one way, then refreshes. */
START_TEST(test_reload)
{
	const char		*path = test_path("users");
	struct users		*u;
	const struct user	*e;
	char			 err[512];

	test_replace(path, "alice:" H_SHA512 ":admin\n");
	ck_assert_ptr_nonnull(u = users_open(path, err, sizeof(err)));
	ck_assert_ptr_nonnull(users_lookup(u, "alice"));

	/* Nothing changed: nothing loaded. */
	ck_assert_int_eq(users_refresh(u, USERS_REFRESH_FORCE), 0);

	/* Replaced by rename: a new inode. */
	test_replace(path, "alice:" H_SHA512 ":user\nbob:" H_SHA512 ":user\n");
	ck_assert_int_eq(users_refresh(u, USERS_REFRESH_FORCE), 1);
	ck_assert_ptr_nonnull(e = users_lookup(u, "alice"));
	ck_assert_str_eq(e->role, "user");
	ck_assert_ptr_nonnull(users_lookup(u, "bob"));

	/* Edited in place: same inode, new size. */
	test_write(path, "bob:" H_SHA512 ":user:disabled\n",
	    strlen("bob:" H_SHA512 ":user:disabled\n"));
	users_refresh(u, USERS_REFRESH_FORCE);
	ck_assert_ptr_null(users_lookup(u, "alice"));
	ck_assert_int_eq(users_lookup(u, "bob")->disabled, 1);

	/* Unparsable: the last good copy stays. */
	test_replace(path, "garbage\n");
	ck_assert_int_eq(users_refresh(u, USERS_REFRESH_FORCE), 0);
	ck_assert_ptr_nonnull(users_lookup(u, "bob"));

	/* Missing: the last good copy stays. */
	ck_assert_int_eq(unlink(path), 0);
	users_refresh(u, USERS_REFRESH_FORCE);
	users_refresh(u, USERS_REFRESH_FORCE);
	ck_assert_ptr_nonnull(users_lookup(u, "bob"));

	/* Back again, and good: picked up. */
	test_replace(path, "carol:" H_SHA512 ":admin\n");
	users_refresh(u, USERS_REFRESH_FORCE);
	ck_assert_ptr_null(users_lookup(u, "bob"));
	ck_assert_ptr_nonnull(users_lookup(u, "carol"));
	users_free(u);
}
END_TEST

static int	log_lines;

static void
count_lines(const char *line, size_t len, void *arg)
{
	(void)line;
	(void)len;
	(void)arg;
	log_lines++;
}

/*
 * A running service refreshes on every request: a file that stays missing
 * or unparsable is reported once, not once per request.
 */
START_TEST(test_reload_logs_once)
{
	const char	*path = test_path("users4");
	struct users	*u;
	char		 err[512];
	int		 i;

	test_replace(path, "alice:" H_SHA512 ":admin\n");
	ck_assert_ptr_nonnull(u = users_open(path, err, sizeof(err)));
	log_set_sink(count_lines, NULL);

	ck_assert_int_eq(unlink(path), 0);
	for (i = 0; i < 20; i++)
		users_refresh(u, USERS_REFRESH_FORCE);
	ck_assert_int_eq(log_lines, 1);

	/* One line for the bad line, one for keeping the old copy. */
	log_lines = 0;
	test_replace(path, "garbage\n");
	for (i = 0; i < 20; i++)
		users_refresh(u, USERS_REFRESH_FORCE);
	ck_assert_int_eq(log_lines, 2);
	ck_assert_ptr_nonnull(users_lookup(u, "alice"));

	/* Fixed: one line to say so. */
	log_lines = 0;
	test_replace(path, "bob:" H_SHA512 ":admin\n");
	for (i = 0; i < 20; i++)
		users_refresh(u, USERS_REFRESH_FORCE);
	ck_assert_int_eq(log_lines, 1);
	ck_assert_ptr_nonnull(users_lookup(u, "bob"));
	log_set_sink(NULL, NULL);
	users_free(u);
}
END_TEST

/* The clock users_refresh goes by in the tests below: test_clk, stepped. */
static struct watch_clock	 clk;

static void
clock_setup(void)
{
	clk = test_clock_reset();
}

/* Without force: a change is seen once the check interval has passed. */
START_TEST(test_reload_unforced)
{
	const char	*path = test_path("users2");
	struct users	*u;
	char		 err[512];

	test_replace_now(path, "alice:" H_SHA512 ":admin\n");
	test_set_mtime(path, test_clk.real - 10000);
	ck_assert_ptr_nonnull(u = users_open_clock(path, &clk, err,
	    sizeof(err)));
	test_replace_now(path, "bob:" H_SHA512 ":admin\n");
	test_clock_step(USERS_CHECK_INTERVAL_MS - 1);
	users_refresh(u, USERS_REFRESH_DUE);	/* too soon: no look */
	ck_assert_ptr_nonnull(users_lookup(u, "alice"));
	test_clock_step(1);
	ck_assert_int_eq(users_refresh(u, USERS_REFRESH_DUE), 1);
	ck_assert_ptr_nonnull(users_lookup(u, "bob"));
	ck_assert_ptr_null(users_lookup(u, "alice"));

	/* Replaced by rename a moment ago: whole, so read at once. */
	test_clock_step(USERS_CHECK_INTERVAL_MS);
	test_replace_now(path, "carol:" H_SHA512 ":admin\n");
	users_refresh(u, USERS_REFRESH_DUE);
	ck_assert_ptr_nonnull(users_lookup(u, "carol"));

	/* Edited in place a moment ago: left alone until it has settled. */
	test_clock_step(USERS_CHECK_INTERVAL_MS);
	test_write_now(path, "dave:" H_SHA512 ":admin\n");
	users_refresh(u, USERS_REFRESH_DUE);
	ck_assert_ptr_nonnull(users_lookup(u, "carol"));
	test_clock_step(USERS_CHECK_INTERVAL_MS);
	users_refresh(u, USERS_REFRESH_DUE);
	ck_assert_ptr_nonnull(users_lookup(u, "dave"));

	/* An mtime in the future does not hold the file back for ever. */
	test_write(path, "erin:" H_SHA512 ":admin\n",
	    strlen("erin:" H_SHA512 ":admin\n"));
	test_set_mtime(path, test_clk.real + 3600 * 1000);
	test_clock_step(USERS_CHECK_INTERVAL_MS);
	users_refresh(u, USERS_REFRESH_DUE);
	ck_assert_ptr_nonnull(users_lookup(u, "erin"));
	users_free(u);
}
END_TEST

/*
 * A file changed every 100 ms, as a script of authctl runs does, with a
 * request every 100 ms: each change is seen within a second, whether the
 * file is replaced by rename or edited in place (which never settles).
 */
static const struct {
	const char	*name;
	int		 in_place;
} stream_cases[] = {
	{ "replaced by rename", 0 },
	{ "edited in place", 1 },
};

START_TEST(test_reload_stream)
{
	const char	*path = test_path("users3");
	struct users	*u;
	char		 err[512], line[128], name[16];
	int		 i, k, seen;

	test_replace_now(path, "u0:" H_SHA512 ":admin\n");
	ck_assert_ptr_nonnull(u = users_open_clock(path, &clk, err,
	    sizeof(err)));
	for (i = 1; i <= 25; i++) {
		(void)snprintf(line, sizeof(line), "u%d:%s:admin\n", i,
		    H_SHA512);
		if (stream_cases[_i].in_place)
			test_write_now(path, line);
		else
			test_replace_now(path, line);
		test_clock_step(100);
		users_refresh(u, USERS_REFRESH_DUE);
		/* Changes u(i-9)..u(i) are at most a second old. */
		for (seen = 0, k = i < 9 ? 0 : i - 9; k <= i && !seen; k++) {
			(void)snprintf(name, sizeof(name), "u%d", k);
			seen = users_lookup(u, name) != NULL;
		}
		ck_assert_msg(seen, "%s: after change %d, nothing from the "
		    "last second is loaded", stream_cases[_i].name, i);
	}
	users_free(u);
}
END_TEST

/*
 * Review finding: a file with 1 s timestamps, version B written in place
 * at A's size within A's second (here: A's mtime put back with
 * utimensat), so device, inode, size and mtime are A's.  Requests every
 * 100 ms: B is loaded within a second.
 */
START_TEST(test_reload_same_tick)
{
	const char	*path = test_path("users-tick");
	struct users	*u;
	const struct user *e;
	char		 err[512];
	long long	 a_mtime;
	int		 t;

	test_replace_now(path, "alice:" H_SHA512 ":admin:active:1\n");
	a_mtime = test_mtime_ms(path);
	ck_assert_ptr_nonnull(u = users_open_clock(path, &clk, err,
	    sizeof(err)));
	test_clock_step(100);
	test_write_now(path, "alice:" H_SHA512 ":admin:active:2\n");
	test_set_mtime(path, a_mtime);
	for (t = 100; t < 1000; t += 100) {
		test_clock_step(100);
		users_refresh(u, USERS_REFRESH_DUE);
	}
	ck_assert_ptr_nonnull(e = users_lookup(u, "alice"));
	ck_assert_msg(e->version == 2, "alice at version %ld a second after "
	    "her revoke", e->version);
	users_free(u);
}
END_TEST

/* One authctl change (users_edit), then its mtime set to tick. */
static void
edit(const char *path, const char *what, const char *name,
    const char *hash, long long tick)
{
	struct users_edit	*e;
	enum users_edit_status	 st;
	char			 err[512];

	e = users_edit_open(path, USERS_EDIT_QUIET, 1000, err, sizeof(err));
	ck_assert_msg(e != NULL, "users_edit_open: %s", err);
	if (strcmp(what, "revoke") == 0)
		st = users_edit_revoke(e, name);
	else
		st = users_edit_passwd(e, name, hash);
	ck_assert_int_eq(st, USERS_EDIT_OK);
	ck_assert_msg(users_edit_commit(e, err, sizeof(err)) == 0, "%s", err);
	users_edit_free(e);
	test_set_mtime(path, tick);
}

static int
verifies(const struct user *e, const char *password)
{
	int	 match = 0;

	ck_assert_int_eq(password_verify(password, e->hash, &match), 0);
	return match;
}

/*
 * Review finding, as observed on a file system with 1 s timestamps:
 * "authctl revoke alice", a login, "authctl revoke bob", "authctl passwd
 * carol", all within one second and at the same sizes.  authctl renames
 * PATH.tmp over PATH, so inode numbers alternate and come back; here the
 * last version certainly lands on the inode of the version the login
 * loaded (a hard link keeps that inode for it), with the same size and
 * mtime.  Token checks every 100 ms must see bob revoked and carol's new
 * password within the second.
 */
START_TEST(test_reload_revoke_burst)
{
	char			 path[512], keep[512], image[1024];
	char			 old_pw[PASSWORD_HASH_MAX];
	char			 new_pw[PASSWORD_HASH_MAX];
	char			*buf, err[512];
	struct users		*u;
	const struct user	*e;
	struct stat		 loaded, now;
	size_t			 len;
	long long		 tick;
	int			 t;

	(void)snprintf(path, sizeof(path), "%s", test_path("users-burst"));
	(void)snprintf(keep, sizeof(keep), "%s", test_path("users-burst.k"));
	ck_assert_int_eq(password_hash("carolpass", "$5$", 1000, old_pw,
	    sizeof(old_pw)), 0);
	ck_assert_int_eq(password_hash("carolnew", "$5$", 1000, new_pw,
	    sizeof(new_pw)), 0);
	ck_assert_uint_eq(strlen(old_pw), strlen(new_pw));
	(void)snprintf(image, sizeof(image), "alice:%s:admin:active:1\n"
	    "bob:%s:user:active:1\ncarol:%s:admin:active:1\n", H_SHA512,
	    H_SHA512, old_pw);
	tick = test_clk.real;	/* a whole second: every version's mtime */
	test_replace_now(path, image);
	ck_assert_ptr_nonnull(u = users_open_clock(path, &clk, err,
	    sizeof(err)));

	test_clock_step(100);
	edit(path, "revoke", "alice", NULL, tick);
	ck_assert_int_eq(link(path, keep), 0);
	test_clock_step(100);
	ck_assert_int_eq(users_refresh(u, USERS_REFRESH_NOW), 1); /* login */
	ck_assert_int_eq(users_lookup(u, "alice")->version, 2);
	ck_assert_int_eq(stat(path, &loaded), 0);

	test_clock_step(100);
	edit(path, "revoke", "bob", NULL, tick);
	test_clock_step(100);
	edit(path, "passwd", "carol", new_pw, tick);
	/* The new file, on the inode the login loaded. */
	ck_assert_int_eq(watch_read(path, USERS_FILE_MAX_BYTES, &buf, &len,
	    NULL, err, sizeof(err)), 0);
	test_write(keep, buf, len);
	free(buf);
	test_set_mtime(keep, tick);
	ck_assert_int_eq(rename(keep, path), 0);
	ck_assert_int_eq(stat(path, &now), 0);
	ck_assert(now.st_dev == loaded.st_dev && now.st_ino == loaded.st_ino &&
	    now.st_size == loaded.st_size &&
	    now.st_mtim.tv_sec == loaded.st_mtim.tv_sec &&
	    now.st_mtim.tv_nsec == loaded.st_mtim.tv_nsec);

	for (t = 400; t < 1000; t += 100) {
		test_clock_step(100);
		users_refresh(u, USERS_REFRESH_DUE);	/* token checks */
	}
	ck_assert_ptr_nonnull(e = users_lookup(u, "bob"));
	ck_assert_msg(e->version == 2, "bob's revoke not seen");
	ck_assert_ptr_nonnull(e = users_lookup(u, "carol"));
	ck_assert_int_eq(e->version, 2);
	ck_assert_msg(verifies(e, "carolnew") && !verifies(e, "carolpass"),
	    "carol's old password still in use");
	users_free(u);
}
END_TEST

static Suite *
users_suite(void)
{
	Suite	*s = suite_create("users");
	TCase	*tc;

	tc = tcase_create("parse");
	tcase_add_loop_test(tc, test_parse, 0, ARRAY_SIZE(parse_cases));
	tcase_add_loop_test(tc, test_bad_line, 0, ARRAY_SIZE(bad_lines));
	tcase_add_test(tc, test_name_charset);
	tcase_add_loop_test(tc, test_dummy_hash, 0, ARRAY_SIZE(dummy_cases));
	tcase_add_loop_test(tc, test_hash_logged, 0, ARRAY_SIZE(hash_logs));
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	tcase_add_test(tc, test_line_limit);
	tcase_add_test(tc, test_many);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);

	tc = tcase_create("reload");
	tcase_add_test(tc, test_open_errors);
	tcase_add_test(tc, test_reload);
	tcase_add_test(tc, test_reload_logs_once);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);

	/* On a stepped clock (watch.h): nothing here sleeps. */
	tc = tcase_create("reload clock");
	tcase_add_checked_fixture(tc, clock_setup, NULL);
	tcase_add_test(tc, test_reload_unforced);
	tcase_add_loop_test(tc, test_reload_stream, 0, ARRAY_SIZE(stream_cases));
	tcase_add_test(tc, test_reload_same_tick);
	tcase_add_test(tc, test_reload_revoke_burst);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(users_suite)
