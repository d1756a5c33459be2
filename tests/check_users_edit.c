/* check_users_edit.c -- the users-file editor: changes, files, locks */
#include "config.h"

#include <limits.h>
#include <time.h>

#include "check_common.h"
#include "clock.h"
#include "log.h"
#include "password.h"
#include "users.h"
#include "users_edit.h"

#define WAIT_MS		60000

static char	 dir[PATH_MAX];		/* this test's own folder */
static char	 path[PATH_MAX + 16];	/* dir/users */
static char	 hash1[PASSWORD_HASH_MAX];
static char	 hash2[PASSWORD_HASH_MAX];
static int	 warnings;		/* log lines seen */
static int	 mixed_warnings;	/* ...of which about mixed hash schemes */

/*
 * hash1 and hash2 differ in scheme, so a file with both is also reported
 * for that (see users_dummy_hash); the tests count those apart.
 */
static void
count_sink(const char *line, size_t len, void *arg)
{
	(void)len;
	(void)arg;
	if (strstr(line, "different schemes or costs") != NULL)
		mixed_warnings++;
	else
		warnings++;
}

/* Two cheap, real hashes for the whole run (unchecked fixture). */
static void
make_hashes(void)
{
	ck_assert_int_eq(password_hash("one", "$6$", 1000, hash1,
	    sizeof(hash1)), 0);
	ck_assert_int_eq(password_hash("two", "$2b$", 4, hash2,
	    sizeof(hash2)), 0);
}

/* Every test gets a fresh folder: lock and temp files, symlinks. */
static void
setup(void)
{
	(void)snprintf(dir, sizeof(dir), "%s", test_fresh_dir("edit"));
	(void)snprintf(path, sizeof(path), "%s/users", dir);
	warnings = 0;
	log_set_sink(count_sink, NULL);
}

static void
teardown(void)
{
	log_set_sink(NULL, NULL);
}


/* A file with every kind of line, the users' hashes filled in. */
static void
sample_text(char *buf, size_t size, const char *bob_role)
{
	ck_assert_int_lt(snprintf(buf, size,
	    "# users -- hand-written\n"
	    "\n"
	    "alice:%s:admin\n"
	    "  # an indented comment\n"
	    "bob:%s:%s:disabled\n"
	    "this line is malformed\n"
	    "carol:%s:user:active:7\n"
	    "alice:%s:shadowed\n"
	    "# the end\n", hash1, hash1, bob_role, hash1, hash2), (int)size);
}

static void
put_sample(void)
{
	char	 text[4096];

	sample_text(text, sizeof(text), "user");
	test_write(path, text, strlen(text));
}

static struct users_edit *
open_rw(void)
{
	struct users_edit	*e;
	char			 err[512];

	e = users_edit_open(path, USERS_EDIT_CREATE, WAIT_MS, err,
	    sizeof(err));
	ck_assert_msg(e != NULL, "open: %s", err);
	return e;
}

static void
commit(struct users_edit *e)
{
	char	 err[512];

	ck_assert_msg(users_edit_commit(e, err, sizeof(err)) == 0,
	    "commit: %s", err);
}

/* Load the file as the services do; fails the test if they would not. */
static struct users *
load(void)
{
	struct users	*u;
	char		 err[512];

	u = users_open(path, err, sizeof(err));
	ck_assert_msg(u != NULL, "users_open: %s", err);
	return u;
}

/* The file at p holds exactly want. */
static void
assert_file(const char *p, const char *want)
{
	char	*got = test_read_file(p);

	ck_assert_str_eq(got, want);
	free(got);
}

static ino_t
inode_of(const char *p)
{
	struct stat	 st;

	ck_assert_int_eq(stat(p, &st), 0);
	return st.st_ino;
}

/*
 * Each change to the sample: the status it comes to, whether it rewrites
 * the file, and the user after it (role NULL: not there).
 */
enum change { ADD, PASSWD, ROLE, DISABLE, ENABLE, REVOKE, DEL };

static const struct {
	const char		*name;
	enum change		 op;
	const char		*user;
	const char		*arg;		/* role, or hash: "H2", "bad" */
	enum users_edit_status	 want;
	int			 writes;
	const char		*role;
	int			 disabled;
	long			 version;
} changes[] = {
	{ "add", ADD, "dave", "dev", USERS_EDIT_OK, 1, "dev", 0, 0 },
	{ "add existing", ADD, "alice", "dev", USERS_EDIT_EXISTS, 0,
	    "admin", 0, 0 },
	{ "add bad name", ADD, "-dave", "dev", USERS_EDIT_INVALID, 0,
	    NULL, 0, 0 },
	{ "add bad role", ADD, "dave", "de v", USERS_EDIT_INVALID, 0,
	    NULL, 0, 0 },
	{ "add bad hash", ADD, "dave", "bad", USERS_EDIT_INVALID, 0,
	    NULL, 0, 0 },
	{ "passwd", PASSWD, "alice", "H2", USERS_EDIT_OK, 1, "admin", 0, 1 },
	{ "passwd bad hash", PASSWD, "alice", "bad", USERS_EDIT_INVALID, 0,
	    "admin", 0, 0 },
	{ "passwd no user", PASSWD, "zed", "H2", USERS_EDIT_NO_USER, 0,
	    NULL, 0, 0 },
	{ "passwd disabled", PASSWD, "bob", "H2", USERS_EDIT_OK, 1,
	    "user", 1, 1 },
	{ "role", ROLE, "carol", "auditor", USERS_EDIT_OK, 1,
	    "auditor", 0, 7 },
	{ "role same", ROLE, "carol", "user", USERS_EDIT_OK, 0, "user", 0, 7 },
	{ "role bad", ROLE, "carol", "a:b", USERS_EDIT_INVALID, 0,
	    "user", 0, 7 },
	{ "role no user", ROLE, "zed", "x", USERS_EDIT_NO_USER, 0,
	    NULL, 0, 0 },
	{ "role bad name", ROLE, "a b", "x", USERS_EDIT_INVALID, 0,
	    NULL, 0, 0 },
	{ "disable", DISABLE, "alice", NULL, USERS_EDIT_OK, 1, "admin", 1, 1 },
	{ "disable disabled", DISABLE, "bob", NULL, USERS_EDIT_OK, 0,
	    "user", 1, 0 },
	{ "disable no user", DISABLE, "zed", NULL, USERS_EDIT_NO_USER, 0,
	    NULL, 0, 0 },
	{ "enable", ENABLE, "bob", NULL, USERS_EDIT_OK, 1, "user", 0, 0 },
	{ "enable active", ENABLE, "alice", NULL, USERS_EDIT_OK, 0,
	    "admin", 0, 0 },
	{ "enable no user", ENABLE, "zed", NULL, USERS_EDIT_NO_USER, 0,
	    NULL, 0, 0 },
	{ "revoke", REVOKE, "carol", NULL, USERS_EDIT_OK, 1, "user", 0, 8 },
	{ "revoke no user", REVOKE, "zed", NULL, USERS_EDIT_NO_USER, 0,
	    NULL, 0, 0 },
	{ "del", DEL, "alice", NULL, USERS_EDIT_OK, 1, NULL, 0, 0 },
	{ "del no user", DEL, "zed", NULL, USERS_EDIT_NO_USER, 0,
	    NULL, 0, 0 },
	{ "del bad name", DEL, "", NULL, USERS_EDIT_INVALID, 0, NULL, 0, 0 },
};

static enum users_edit_status
do_change(struct users_edit *e, enum change op, const char *user,
    const char *arg)
{
	const char	*h = arg != NULL && strcmp(arg, "H2") == 0 ? hash2 :
	    arg != NULL && strcmp(arg, "bad") == 0 ? "plain" : hash1;

	switch (op) {
	case ADD:
		return users_edit_add(e, user, h, arg);
	case PASSWD:
		return users_edit_passwd(e, user, h);
	case ROLE:
		return users_edit_role(e, user, arg);
	case DISABLE:
		return users_edit_disable(e, user);
	case ENABLE:
		return users_edit_enable(e, user);
	case REVOKE:
		return users_edit_revoke(e, user);
	case DEL:
		return users_edit_del(e, user);
	}
	return USERS_EDIT_ERROR;
}

/* Every change and every refusal, checked through the services' loader. */
START_TEST(test_change)
{
	struct users_edit	*e;
	struct users		*u;
	const struct user	*x;
	enum users_edit_status	 st;
	char			*before, *after;
	ino_t			 ino;
	int			 deleted;

	put_sample();
	before = test_read_file(path);
	ino = inode_of(path);
	e = open_rw();
	ck_assert_int_eq(warnings, 2);	/* the malformed line, the shadow */
	st = do_change(e, changes[_i].op, changes[_i].user, changes[_i].arg);
	ck_assert_msg(st == changes[_i].want, "%s: status %d (%s), want %d",
	    changes[_i].name, st, users_edit_status_text(st),
	    changes[_i].want);
	commit(e);
	users_edit_free(e);
	after = test_read_file(path);
	/* A refusal, or a change to what already is, writes nothing. */
	ck_assert_msg((strcmp(before, after) != 0) == changes[_i].writes,
	    "%s: the file %s", changes[_i].name, changes[_i].writes ?
	    "did not change" : "changed");
	ck_assert_msg((inode_of(path) != ino) == changes[_i].writes,
	    "%s: the file was%s replaced", changes[_i].name,
	    changes[_i].writes ? " not" : "");

	deleted = changes[_i].op == DEL && st == USERS_EDIT_OK;
	warnings = 0;
	u = load();
	/* del alice takes the shadowed line with it. */
	ck_assert_msg(warnings == 2 - deleted,
	    "%s: %d warnings loading the result", changes[_i].name, warnings);
	x = users_lookup(u, changes[_i].user);
	if (changes[_i].role == NULL)
		ck_assert_msg(x == NULL, "%s: %s is there", changes[_i].name,
		    changes[_i].user);
	else {
		ck_assert_msg(x != NULL, "%s: %s is gone", changes[_i].name,
		    changes[_i].user);
		ck_assert_str_eq(x->role, changes[_i].role);
		ck_assert_int_eq(x->disabled, changes[_i].disabled);
		ck_assert_int_eq(x->version, changes[_i].version);
		ck_assert_str_eq(x->hash, changes[_i].op == PASSWD &&
		    st == USERS_EDIT_OK ? hash2 : hash1);
	}
	/* Nobody else changed. */
	if (strcmp(changes[_i].user, "carol") != 0)
		ck_assert_int_eq(users_lookup(u, "carol")->version, 7);
	ck_assert_uint_eq(users_count(u), 3 - (size_t)deleted +
	    (changes[_i].op == ADD && st == USERS_EDIT_OK));
	users_free(u);
	free(before);
	free(after);
}
END_TEST

/* Comments, blanks, malformed lines and order stay; one line changes. */
START_TEST(test_preserve)
{
	struct users_edit	*e;
	char			 want[4096];
	size_t			 len;
	char			*after;

	put_sample();
	e = open_rw();
	ck_assert_int_eq(users_edit_role(e, "bob", "ops"), USERS_EDIT_OK);
	ck_assert_int_eq(users_edit_add(e, "dave", hash1, "dev"),
	    USERS_EDIT_OK);
	commit(e);
	users_edit_free(e);
	after = test_read_file(path);
	sample_text(want, sizeof(want), "ops");
	len = strlen(want);
	(void)snprintf(want + len, sizeof(want) - len, "dave:%s:dev\n",
	    hash1);
	ck_assert_str_eq(after, want);
	free(after);
}
END_TEST

/* A rewritten line keeps its field count and its CRLF; new lines follow. */
START_TEST(test_line_shape)
{
	struct users_edit	*e;
	char			 text[2048], want[2048];
	char			*after;

	(void)snprintf(text, sizeof(text), "a:%s:r:active\r\nb:%s:r\r\n"
	    "c:%s:r", hash1, hash1, hash1);
	test_write(path, text, strlen(text));
	e = open_rw();
	ck_assert_int_eq(users_edit_role(e, "a", "s"), USERS_EDIT_OK);
	ck_assert_int_eq(users_edit_role(e, "b", "s"), USERS_EDIT_OK);
	ck_assert_int_eq(users_edit_disable(e, "c"), USERS_EDIT_OK);
	ck_assert_int_eq(users_edit_add(e, "d", hash1, "r"), USERS_EDIT_OK);
	commit(e);
	users_edit_free(e);
	after = test_read_file(path);
	/* c had no newline: it gets one, and its own (LF) ending. */
	(void)snprintf(want, sizeof(want), "a:%s:s:active\r\nb:%s:s\r\n"
	    "c:%s:r:disabled:1\nd:%s:r\n", hash1, hash1, hash1, hash1);
	ck_assert_str_eq(after, want);
	free(after);
}
END_TEST

/* del takes every line of the name: a duplicate must not take over. */
START_TEST(test_del_duplicates)
{
	struct users_edit	*e;
	struct users		*u;
	char			*after;

	put_sample();
	e = open_rw();
	ck_assert_int_eq(users_edit_del(e, "alice"), USERS_EDIT_OK);
	ck_assert_ptr_null(users_edit_lookup(e, "alice"));
	ck_assert_int_eq(users_edit_add(e, "alice", hash2, "new"),
	    USERS_EDIT_OK);
	commit(e);
	users_edit_free(e);
	after = test_read_file(path);
	ck_assert_ptr_null(strstr(after, ":admin"));
	ck_assert_ptr_null(strstr(after, ":shadowed"));
	free(after);
	u = load();
	ck_assert_str_eq(users_lookup(u, "alice")->role, "new");
	users_free(u);
}
END_TEST

/* Versions stop at the maximum, refused rather than wrapped. */
START_TEST(test_version_limit)
{
	struct users_edit	*e;
	char			 text[1024];

	(void)snprintf(text, sizeof(text), "a:%s:r:active:2147483647\n",
	    hash1);
	test_write(path, text, strlen(text));
	e = open_rw();
	ck_assert_int_eq(users_edit_revoke(e, "a"), USERS_EDIT_LIMIT);
	ck_assert_int_eq(users_edit_passwd(e, "a", hash2), USERS_EDIT_LIMIT);
	ck_assert_int_eq(users_edit_disable(e, "a"), USERS_EDIT_LIMIT);
	ck_assert_int_eq(users_edit_role(e, "a", "s"), USERS_EDIT_OK);
	commit(e);
	users_edit_free(e);
	(void)snprintf(text, sizeof(text), "a:%s:s:active:2147483647\n",
	    hash1);
	assert_file(path, text);
}
END_TEST

/* Read-only sessions take no lock and change nothing; the iterator. */
START_TEST(test_readonly)
{
	struct users_edit	*e;
	const struct user	*u;
	char			 err[512], lock[PATH_MAX + 32];
	size_t			 pos = 0, n = 0;
	const char		*want[] = { "alice", "bob", "carol" };

	put_sample();
	e = users_edit_open(path, USERS_EDIT_READONLY | USERS_EDIT_QUIET, 0,
	    err, sizeof(err));
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(warnings, 0);
	while ((u = users_edit_next(e, &pos)) != NULL) {
		ck_assert_uint_lt(n, ARRAY_SIZE(want));
		ck_assert_str_eq(u->name, want[n]);
		n++;
	}
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(users_edit_lookup(e, "alice")->role, "admin");
	ck_assert_int_eq(users_edit_role(e, "alice", "x"), USERS_EDIT_ERROR);
	ck_assert_int_eq(users_edit_add(e, "x", hash1, "x"),
	    USERS_EDIT_ERROR);
	ck_assert_int_eq(users_edit_commit(e, err, sizeof(err)), -1);
	users_edit_free(e);
	/* No lock file was made. */
	(void)snprintf(lock, sizeof(lock), "%s.lock", path);
	ck_assert_int_eq(access(lock, F_OK), -1);
}
END_TEST

/* Owner and mode survive the rename; new files are 0640. */
START_TEST(test_owner_mode)
{
	struct users_edit	*e;
	struct stat		 st;
	char			 text[1024];

	e = open_rw();
	ck_assert_int_eq(users_edit_add(e, "a", hash1, "r"), USERS_EDIT_OK);
	commit(e);
	users_edit_free(e);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0640);

	ck_assert_int_eq(chmod(path, 0604), 0);
	if (geteuid() == 0)
		ck_assert_int_eq(chown(path, 12345, 23456), 0);
	else
		fprintf(stderr, "owner_mode: not root, owner not checked\n");
	e = open_rw();
	ck_assert_int_eq(users_edit_role(e, "a", "s"), USERS_EDIT_OK);
	commit(e);
	users_edit_free(e);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0604);
	if (geteuid() == 0) {
		ck_assert_int_eq(st.st_uid, 12345);
		ck_assert_int_eq(st.st_gid, 23456);
	}
	(void)snprintf(text, sizeof(text), "a:%s:s\n", hash1);
	assert_file(path, text);
}
END_TEST

/* A symlink is followed: the target changes, the link stays a link. */
START_TEST(test_symlink)
{
	struct users_edit	*e;
	struct stat		 st;
	char			 target[PATH_MAX + 32], text[1024];

	(void)snprintf(target, sizeof(target), "%s/real", dir);
	(void)snprintf(text, sizeof(text), "a:%s:r\n", hash1);
	test_write(target, text, strlen(text));
	ck_assert_int_eq(symlink("real", path), 0);
	e = open_rw();
	ck_assert_int_eq(users_edit_role(e, "a", "s"), USERS_EDIT_OK);
	commit(e);
	users_edit_free(e);
	ck_assert_int_eq(lstat(path, &st), 0);
	ck_assert(S_ISLNK(st.st_mode));
	(void)snprintf(text, sizeof(text), "a:%s:s\n", hash1);
	assert_file(target, text);
}
END_TEST

/* What a killed run leaves (PATH.tmp) is removed by the next commit. */
START_TEST(test_stale_temp)
{
	struct users_edit	*e;
	char			 tmp[PATH_MAX + 32];

	put_sample();
	(void)snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	test_write(tmp, "half a fi", 9);
	e = open_rw();
	ck_assert_int_eq(users_edit_revoke(e, "alice"), USERS_EDIT_OK);
	commit(e);
	users_edit_free(e);
	ck_assert_int_eq(access(tmp, F_OK), -1);
	ck_assert_int_eq(errno, ENOENT);
}
END_TEST

/* Files the services refuse, the editor refuses too. */
START_TEST(test_bad_files)
{
	struct users_edit	*e;
	char			 err[512], text[1024];

	/* Missing, without USERS_EDIT_CREATE. */
	ck_assert_ptr_null(users_edit_open(path, 0, WAIT_MS, err,
	    sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "No such file"));
	/* A NUL byte. */
	test_write(path, "a\0b\n", 4);
	ck_assert_ptr_null(users_edit_open(path, 0, WAIT_MS, err,
	    sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "NUL"));
	/* Over the size cap (sparse: nothing is read). */
	ck_assert_int_eq(truncate(path, (off_t)USERS_FILE_MAX_BYTES + 1), 0);
	ck_assert_ptr_null(users_edit_open(path, 0, WAIT_MS, err,
	    sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "larger"));
	/* A folder. */
	ck_assert_ptr_null(users_edit_open(dir, USERS_EDIT_READONLY, 0, err,
	    sizeof(err)));

	/* Deleting the only user next to a malformed line: refused. */
	(void)snprintf(text, sizeof(text), "garbage\na:%s:r\n", hash1);
	test_write(path, text, strlen(text));
	e = open_rw();
	ck_assert_int_eq(users_edit_del(e, "a"), USERS_EDIT_OK);
	ck_assert_int_eq(users_edit_commit(e, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "malformed"));
	users_edit_free(e);
	assert_file(path, text);
	/* Without the malformed line, an empty file is fine. */
	(void)snprintf(text, sizeof(text), "# only\na:%s:r\n", hash1);
	test_write(path, text, strlen(text));
	e = open_rw();
	ck_assert_int_eq(users_edit_del(e, "a"), USERS_EDIT_OK);
	commit(e);
	users_edit_free(e);
	assert_file(path, "# only\n# authctl del a: a new a starts at version "
	    "1, so the old tokens stay refused\n");
}
END_TEST

/*
 * A name deleted and added again must not accept the old user's tokens:
 * del leaves a tombstone comment with the next version, add starts there
 * and takes it away; a second del keeps one tombstone, never lower.
 */
START_TEST(test_del_readd)
{
	struct users_edit	*e;
	struct users		*u;
	char			 text[2048], want[4096];

	(void)snprintf(text, sizeof(text), "# users\nbob:%s:user:active:3\n"
	    "carol:%s:user\nbob:%s:admin:active:7\n", hash1, hash1, hash2);
	test_write(path, text, strlen(text));
	e = open_rw();
	ck_assert_int_eq(users_edit_del(e, "bob"), USERS_EDIT_OK);
	commit(e);
	users_edit_free(e);
	(void)snprintf(want, sizeof(want), "# users\n# authctl del bob: a new "
	    "bob starts at version 8, so the old tokens stay refused\n"
	    "carol:%s:user\n", hash1);
	assert_file(path, want);
	u = load();
	ck_assert_ptr_null(users_lookup(u, "bob"));
	users_free(u);

	/* Added again: above both old lines' versions, tombstone gone. */
	e = open_rw();
	ck_assert_int_eq(users_edit_add(e, "bob", hash2, "x"), USERS_EDIT_OK);
	commit(e);
	users_edit_free(e);
	(void)snprintf(want, sizeof(want), "# users\ncarol:%s:user\n"
	    "bob:%s:x:active:8\n", hash1, hash2);
	assert_file(path, want);
	u = load();
	ck_assert_int_eq(users_lookup(u, "bob")->version, 8);
	users_free(u);

	/* A stale tombstone (bob added back by hand) is never gone below. */
	(void)snprintf(text, sizeof(text), "# authctl del bob: a new bob "
	    "starts at version 20, so the old tokens stay refused\n"
	    "bob:%s:x\n", hash1);
	test_write(path, text, strlen(text));
	e = open_rw();
	ck_assert_int_eq(users_edit_del(e, "bob"), USERS_EDIT_OK);
	ck_assert_int_eq(users_edit_add(e, "bob", hash1, "y"), USERS_EDIT_OK);
	commit(e);
	users_edit_free(e);
	(void)snprintf(want, sizeof(want), "bob:%s:y:active:20\n", hash1);
	assert_file(path, want);

	/* Another name's tombstone, or a comment like one, is not bob's. */
	(void)snprintf(text, sizeof(text), "# authctl del bobby: a new bobby "
	    "starts at version 5, so the old tokens stay refused\n"
	    "# authctl del bob: at version 9x, so\n");
	test_write(path, text, strlen(text));
	e = open_rw();
	ck_assert_int_eq(users_edit_add(e, "bob", hash1, "y"), USERS_EDIT_OK);
	commit(e);
	users_edit_free(e);
	(void)snprintf(want, sizeof(want), "%sbob:%s:y\n", text, hash1);
	assert_file(path, want);
}
END_TEST

/* A held lock makes the next editor wait, then give up, not barge in. */
START_TEST(test_lock_wait)
{
	struct users_edit	*e, *e2;
	char			 err[512];
	long long		 ms;

	put_sample();
	e = open_rw();
	ms = clock_ms(CLOCK_MONOTONIC);
	e2 = users_edit_open(path, 0, 300, err, sizeof(err));
	ms = clock_ms(CLOCK_MONOTONIC) - ms;
	ck_assert_ptr_null(e2);
	ck_assert_ptr_nonnull(strstr(err, "locked"));
	/* It waited (1 ms of rounding); how much longer is load, not ours. */
	ck_assert_msg(ms >= 299, "waited %lld ms", ms);
	/* Read-only sessions are not held up. */
	e2 = users_edit_open(path, USERS_EDIT_READONLY, 0, err, sizeof(err));
	ck_assert_ptr_nonnull(e2);
	users_edit_free(e2);
	users_edit_free(e);
	e2 = users_edit_open(path, 0, 300, err, sizeof(err));
	ck_assert_ptr_nonnull(e2);
	users_edit_free(e2);
}
END_TEST

/*
 * Line endings: authctl and the services must see the same users in the
 * same bytes, or a change meant for one line lands on another.  "%1" is
 * hash1, "%2" hash2; want lists "name role" of each user both see.
 */
static const struct {
	const char	*name;
	const char	*image;
	const char	*want;
} ending_cases[] = {
	{ "LF", "a:%1:r\nb:%2:s\n", "a r,b s," },
	{ "CRLF", "a:%1:r\r\nb:%2:s\r\n", "a r,b s," },
	{ "CR CR LF: malformed to both, the next bob wins",
	    "b:%1:admin\r\r\nb:%2:user\n", "b user," },
	{ "a CR inside a line", "a:%1:r\rb:%2:s\n", "" },
	{ "a lone CR line", "\r\na:%1:r\n", "a r," },
	{ "no final newline, CR", "a:%1:r\r", "a r," },
};

/* Expand %1 and %2. */
static void
expand(const char *image, char *out, size_t size)
{
	size_t		 o = 0;
	const char	*add;
	int		 n;

	for (; *image != '\0'; image++) {
		if (image[0] == '%' && (image[1] == '1' || image[1] == '2')) {
			add = *++image == '1' ? hash1 : hash2;
			n = snprintf(out + o, size - o, "%s", add);
		} else
			n = snprintf(out + o, size - o, "%c", *image);
		ck_assert(n >= 0 && (size_t)n < size - o);
		o += (size_t)n;
	}
}

START_TEST(test_line_endings)
{
	struct users_edit	*e;
	struct users		*u;
	const struct user	*x, *y;
	char			 image[2048], seen[256] = "", err[512];
	size_t			 pos = 0, o = 0;
	int			 n;

	expand(ending_cases[_i].image, image, sizeof(image));
	test_write(path, image, strlen(image));
	u = users_open(path, err, sizeof(err));
	e = users_edit_open(path, USERS_EDIT_READONLY, 0, err, sizeof(err));
	ck_assert_msg(e != NULL, "%s", err);
	while ((x = users_edit_next(e, &pos)) != NULL) {
		/* Each user authctl sees is the one the services serve. */
		ck_assert_msg(u != NULL && (y = users_lookup(u, x->name)) !=
		    NULL && strcmp(x->hash, y->hash) == 0 &&
		    strcmp(x->role, y->role) == 0, "%s: authctl sees %s as %s, "
		    "the services do not", ending_cases[_i].name, x->name,
		    x->role);
		n = snprintf(seen + o, sizeof(seen) - o, "%s %s,", x->name,
		    x->role);
		ck_assert(n >= 0 && (size_t)n < sizeof(seen) - o);
		o += (size_t)n;
	}
	ck_assert_msg(strcmp(seen, ending_cases[_i].want) == 0,
	    "%s: authctl sees \"%s\", want \"%s\"", ending_cases[_i].name,
	    seen, ending_cases[_i].want);
	/* And the services have no user authctl does not see. */
	for (o = 0, n = 0; seen[o] != '\0'; o++)
		n += seen[o] == ',';
	ck_assert_uint_eq(u != NULL ? users_count(u) : 0, (size_t)n);
	users_edit_free(e);
	users_free(u);
}
END_TEST

/*
 * etc/users.example loads with no warning but the one about its mix of
 * hash schemes (it shows each on purpose), once, and every hash in it is
 * real: the password of each is "example".
 */
START_TEST(test_example)
{
	struct users_edit	*e;
	struct users		*u;
	const struct user	*x;
	char			 err[512];
	size_t			 pos = 0, n = 0, disabled = 0, versioned = 0;
	int			 match;
	int			 schemes[4] = { 0, 0, 0, 0 };

	warnings = mixed_warnings = 0;
	u = users_open(ETCDIR "/users.example", err, sizeof(err));
	ck_assert_msg(u != NULL, "%s", err);
	ck_assert_int_eq(warnings, 0);
	ck_assert_int_eq(mixed_warnings, 1);
	e = users_edit_open(ETCDIR "/users.example", USERS_EDIT_READONLY, 0,
	    err, sizeof(err));
	ck_assert_msg(e != NULL, "%s", err);
	ck_assert_int_eq(warnings, 0);
	while ((x = users_edit_next(e, &pos)) != NULL) {
		n++;
		ck_assert_int_eq(password_verify("example", x->hash, &match),
		    0);
		ck_assert_msg(match, "%s: the password is not \"example\"",
		    x->name);
		ck_assert_int_eq(password_verify("Example", x->hash, &match),
		    0);
		ck_assert_int_eq(match, 0);
		disabled += x->disabled;
		versioned += x->version > 0;
		if (strcmp(password_scheme_name(x->hash), "yescrypt") == 0)
			schemes[0]++;
		else if (strncmp(x->hash, "$2b$12$", 7) == 0)
			schemes[1]++;
		else if (strcmp(password_scheme_name(x->hash),
		    "sha512crypt") == 0)
			schemes[2]++;
		else
			schemes[3]++;
	}
	ck_assert_uint_eq(n, users_count(u));
	ck_assert_uint_ge(disabled, 1);
	ck_assert_uint_ge(versioned, 1);
	ck_assert_int_ge(schemes[0], 1);
	ck_assert_int_ge(schemes[1], 1);
	ck_assert_int_ge(schemes[2], 1);
	users_edit_free(e);
	users_free(u);
}
END_TEST

static Suite *
users_edit_suite(void)
{
	Suite	*s = suite_create("users_edit");
	TCase	*tc;

	tc = tcase_create("change");
	tcase_add_unchecked_fixture(tc, make_hashes, NULL);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_change, 0, ARRAY_SIZE(changes));
	tcase_add_test(tc, test_del_duplicates);
	tcase_add_test(tc, test_del_readd);
	tcase_add_test(tc, test_version_limit);
	tcase_add_test(tc, test_readonly);
	tcase_add_loop_test(tc, test_line_endings, 0, ARRAY_SIZE(ending_cases));
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);

	tc = tcase_create("preserve");
	tcase_add_unchecked_fixture(tc, make_hashes, NULL);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_preserve);
	tcase_add_test(tc, test_line_shape);
	tcase_add_test(tc, test_owner_mode);
	tcase_add_test(tc, test_symlink);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);

	tc = tcase_create("files");
	tcase_add_unchecked_fixture(tc, make_hashes, NULL);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_stale_temp);
	tcase_add_test(tc, test_bad_files);
	tcase_add_test(tc, test_lock_wait);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);

	tc = tcase_create("example");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_example);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(users_edit_suite)
