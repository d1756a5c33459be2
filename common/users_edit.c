/* users_edit.c -- change the users file safely: lock, re-read, edit, replace */
#include "config.h"

#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "password.h"
#include "users.h"
#include "users_edit.h"
#include "watch.h"

enum line_kind {
	LINE_TEXT,		/* a comment or a blank line */
	LINE_USER,		/* a user, as the services read it */
	LINE_BAD,		/* malformed: the services skip it */
};

/*
 * One line of the file.  Lines are allocated one by one, so the struct
 * user views handed out stay put when the array of lines grows.
 */
struct eline {
	char		*text;		/* what is written, without "\r\n" */
	size_t		 len;
	int		 cr;		/* the line ended in "\r\n" */
	enum line_kind	 kind;
	int		 shadowed;	/* a user line after one of its name */
	int		 deleted;
	int		 nfields;	/* user lines: 3 to 5 */
	const char	*why;		/* malformed lines: what is wrong */
	char		*parsed;	/* user lines: text split in place */
	struct user	 user;		/* user lines: points into parsed */
};

struct users_edit {
	char		  path[PATH_MAX];	/* a symlink resolved */
	char		  lockpath[PATH_MAX];
	char		  tmppath[PATH_MAX];
	char		  dir[PATH_MAX];
	int		  lockfd;		/* -1: read-only */
	int		  exists;		/* path was there when read */
	uid_t		  uid;			/* ...and its owner and mode */
	gid_t		  gid;
	mode_t		  mode;
	struct eline	**lines;
	size_t		  nlines;
	size_t		  cap;
	int		  dirty;
};

static int	set_paths(struct users_edit *, const char *, char *, size_t);
static int	lock_wait(int, int);
static int	read_image(struct users_edit *, int, char **, size_t *, char *,
		    size_t);
static int	load_image(struct users_edit *, char *, size_t, int, char *,
		    size_t);
static struct eline *line_new(const char *, size_t, int);
static void	line_free(struct eline *);
static int	line_append(struct users_edit *, struct eline *);
static enum users_edit_status line_set(struct eline *, const char *,
		    const char *, const char *, int, long);
static int	cmp_user_lines(const void *, const void *);
static int	mark_shadowed(struct users_edit *);
static struct eline *find(const struct users_edit *, const char *);
static enum users_edit_status change_line(struct users_edit *,
		    struct eline *, const char *, const char *, int, long);
static enum users_edit_status begin_change(struct users_edit *,
		    const char *, struct eline **);
static int	build_image(const struct users_edit *, char **, size_t *,
		    char *, size_t);
static int	write_all(int, const char *, size_t);
static void	sync_dir(const char *);

/*
 * Work on the target of a symbolic link, so the rename replaces the file
 * the services read, not the link; then derive the lock, temp and folder
 * names from it.
 */
static int
set_paths(struct users_edit *e, const char *path, char *err, size_t errlen)
{
	struct stat	 st;
	char		 real[PATH_MAX];
	const char	*slash;
	int		 n;

	if (path[0] == '\0')
		return log_seterr(err, errlen, "empty users file path");
	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
		if (realpath(path, real) == NULL)
			return log_seterr(err, errlen, "%s: %s", path,
			    strerror(errno));
		path = real;
	}
	n = snprintf(e->path, sizeof(e->path), "%s", path);
	if (n < 0 || (size_t)n >= sizeof(e->path))
		return log_seterr(err, errlen, "users file path too long");
	n = snprintf(e->lockpath, sizeof(e->lockpath), "%s.lock", path);
	if (n < 0 || (size_t)n >= sizeof(e->lockpath))
		return log_seterr(err, errlen, "users file path too long");
	n = snprintf(e->tmppath, sizeof(e->tmppath), "%s.tmp", path);
	if (n < 0 || (size_t)n >= sizeof(e->tmppath))
		return log_seterr(err, errlen, "users file path too long");
	if ((slash = strrchr(path, '/')) == NULL)
		memcpy(e->dir, ".", 2);
	else if (slash == path)
		memcpy(e->dir, "/", 2);
	else {
		memcpy(e->dir, path, (size_t)(slash - path));
		e->dir[slash - path] = '\0';
	}
	return 0;
}

/*
 * Take an exclusive flock, polling so that the wait is bounded; the
 * backoff grows to 20 ms with a per-process jitter so that waiters do
 * not wake in step.
 */
static int
lock_wait(int fd, int wait_ms)
{
	struct timespec	 ts;
	long long	 deadline = clock_ms(CLOCK_MONOTONIC) + wait_ms;
	long		 sleep_us = 500;

	for (;;) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return 0;
		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK)
			return -1;
		if (clock_ms(CLOCK_MONOTONIC) >= deadline) {
			errno = ETIMEDOUT;
			return -1;
		}
		ts.tv_sec = 0;
		ts.tv_nsec = (sleep_us + (long)(getpid() % 7) * 100) * 1000;
		(void)nanosleep(&ts, NULL);
		if (sleep_us < 20000)
			sleep_us *= 2;
	}
}

/*
 * Read the whole file into a NUL-terminated malloc'd buffer, bounded by
 * USERS_FILE_MAX_BYTES, and note its owner and mode.  A missing file is
 * an empty image if create is set.  A file that changed while being read
 * (only an edit by hand, which takes no lock, does that) fails: the lines
 * we would write back would not be the file's.
 */
static int
read_image(struct users_edit *e, int create, char **out, size_t *outlen,
    char *err, size_t errlen)
{
	struct stat	 st;

	if (watch_read(e->path, USERS_FILE_MAX_BYTES, out, outlen, &st, err,
	    errlen) == -1) {
		if (errno != ENOENT || !create)
			return -1;
		if ((*out = calloc(1, 1)) == NULL)
			return log_seterr(err, errlen, "out of memory");
		*outlen = 0;
		e->exists = 0;
		return 0;
	}
	e->exists = 1;
	e->uid = st.st_uid;
	e->gid = st.st_gid;
	e->mode = st.st_mode & 07777;
	return 0;
}

/* A line of len bytes at s, classified by the services' own parser. */
static struct eline *
line_new(const char *s, size_t len, int cr)
{
	struct eline	*l;
	const char	*why;
	size_t		 i;
	int		 r;

	if ((l = calloc(1, sizeof(*l))) == NULL)
		return NULL;
	if ((l->text = malloc(len + 1)) == NULL ||
	    (l->parsed = malloc(len + 2)) == NULL) {
		line_free(l);
		return NULL;
	}
	memcpy(l->text, s, len);
	l->text[len] = '\0';
	l->len = len;
	l->cr = cr;
	/*
	 * The parser gets the line's bytes exactly as the services do, its
	 * '\r' included, so that "name:hash:role\r\r" is the same malformed
	 * line to both, not a user to one of them.
	 */
	memcpy(l->parsed, s, len);
	if (cr)
		l->parsed[len] = '\r';
	l->parsed[len + (size_t)cr] = '\0';
	r = users_parse_line(l->parsed, len + (size_t)cr, &l->user, &why);
	if (r == 1) {
		l->kind = LINE_USER;
		l->nfields = 1;
		for (i = 0; i < len; i++)
			if (s[i] == ':')
				l->nfields++;
		return l;
	}
	/* Not a user: only the text is needed. */
	l->kind = r == 0 ? LINE_TEXT : LINE_BAD;
	explicit_bzero(l->parsed, len + 2);
	free(l->parsed);
	l->parsed = NULL;
	memset(&l->user, 0, sizeof(l->user));
	if (r == -1)
		l->why = why;
	return l;
}

static void
line_free(struct eline *l)
{
	if (l == NULL)
		return;
	/* Hashes are no secrets, but they are worth a dictionary run. */
	if (l->text != NULL) {
		explicit_bzero(l->text, l->len);
		free(l->text);
	}
	if (l->parsed != NULL) {
		explicit_bzero(l->parsed, l->len);
		free(l->parsed);
	}
	free(l);
}

static int
line_append(struct users_edit *e, struct eline *l)
{
	struct eline	**p;
	size_t		  cap;

	if (e->nlines == e->cap) {
		cap = e->cap == 0 ? 64 : e->cap * 2;
		if ((p = reallocarray(e->lines, cap, sizeof(*p))) == NULL)
			return -1;
		e->lines = p;
		e->cap = cap;
	}
	l->user.lineno = e->nlines + 1;
	e->lines[e->nlines++] = l;
	return 0;
}

/*
 * Rewrite a user line from its values, keeping as many fields as it had,
 * and check the result with the services' parser: what it cannot read
 * (too long, say) is refused here rather than written.  The arguments may
 * point into the line's current text.
 */
static enum users_edit_status
line_set(struct eline *l, const char *name, const char *hash,
    const char *role, int disabled, long version)
{
	char		 buf[USERS_LINE_MAX + 2];
	char		*text = NULL, *parsed = NULL;
	const char	*state = disabled ? "disabled" : "active";
	const char	*why;
	struct user	 u;
	size_t		 len;
	int		 nf = l->nfields, n;
	enum users_edit_status ret = USERS_EDIT_INVALID;

	if (version > 0 && nf < 5)
		nf = 5;
	else if (disabled && nf < 4)
		nf = 4;
	if (nf >= 5)
		n = snprintf(buf, sizeof(buf), "%s:%s:%s:%s:%ld", name, hash,
		    role, state, version);
	else if (nf == 4)
		n = snprintf(buf, sizeof(buf), "%s:%s:%s:%s", name, hash,
		    role, state);
	else
		n = snprintf(buf, sizeof(buf), "%s:%s:%s", name, hash, role);
	if (n < 0 || (size_t)n > USERS_LINE_MAX)
		goto done;
	len = (size_t)n;
	ret = USERS_EDIT_ERROR;
	if ((text = strdup(buf)) == NULL || (parsed = strdup(buf)) == NULL)
		goto done;
	ret = USERS_EDIT_INVALID;
	if (users_parse_line(parsed, len, &u, &why) != 1 ||
	    u.disabled != disabled || u.version != version)
		goto done;

	u.lineno = l->user.lineno;
	if (l->text != NULL) {
		explicit_bzero(l->text, l->len);
		free(l->text);
	}
	if (l->parsed != NULL) {
		explicit_bzero(l->parsed, l->len);
		free(l->parsed);
	}
	l->text = text;
	l->parsed = parsed;
	l->len = len;
	l->nfields = nf;
	l->kind = LINE_USER;
	l->user = u;
	text = parsed = NULL;
	ret = USERS_EDIT_OK;
done:
	explicit_bzero(buf, sizeof(buf));
	free(text);
	free(parsed);
	return ret;
}

static int
cmp_user_lines(const void *a, const void *b)
{
	const struct eline	*la = *(const struct eline *const *)a;
	const struct eline	*lb = *(const struct eline *const *)b;
	int			 c;

	if ((c = strcmp(la->user.name, lb->user.name)) != 0)
		return c;
	return la->user.lineno < lb->user.lineno ? -1 :
	    la->user.lineno > lb->user.lineno;
}

/*
 * The services keep the first line of a name and skip the others; mark
 * those.  Sorting by name, then line, makes it O(n log n).
 */
static int
mark_shadowed(struct users_edit *e)
{
	struct eline	**v;
	size_t		  i, n = 0;

	if ((v = calloc(e->nlines + 1, sizeof(*v))) == NULL)
		return -1;
	for (i = 0; i < e->nlines; i++)
		if (e->lines[i]->kind == LINE_USER)
			v[n++] = e->lines[i];
	qsort(v, n, sizeof(*v), cmp_user_lines);
	for (i = 1; i < n; i++)
		if (strcmp(v[i - 1]->user.name, v[i]->user.name) == 0)
			v[i]->shadowed = 1;
	free(v);
	return 0;
}

/* Split the image into lines; warn about those the services skip. */
static int
load_image(struct users_edit *e, char *buf, size_t len, int quiet,
    char *err, size_t errlen)
{
	struct eline	*l;
	char		*line, *nl, *end;
	size_t		 i, n;
	int		 cr;

	if (memchr(buf, '\0', len) != NULL)
		return log_seterr(err, errlen, "%s: contains a NUL byte; the "
		    "services refuse it, and so does authctl", e->path);
	for (line = buf; line < buf + len; line = nl + 1) {
		nl = memchr(line, '\n', (size_t)(buf + len - line));
		end = nl != NULL ? nl : buf + len;
		n = (size_t)(end - line);
		cr = n > 0 && line[n - 1] == '\r';
		if (cr)
			n--;
		if ((l = line_new(line, n, cr)) == NULL ||
		    line_append(e, l) == -1) {
			line_free(l);
			return log_seterr(err, errlen, "out of memory");
		}
		if (nl == NULL)
			break;
	}
	if (mark_shadowed(e) == -1)
		return log_seterr(err, errlen, "out of memory");
	for (i = 0; i < e->nlines && !quiet; i++) {
		l = e->lines[i];
		if (l->kind == LINE_BAD) {
			log_warnx("%s line %zu: %s; the services skip it, "
			    "authctl keeps it as it is", e->path, i + 1,
			    l->why);
		} else if (l->kind == LINE_USER && l->shadowed)
			log_warnx("%s line %zu: a user of that name is on an "
			    "earlier line; the services skip it", e->path,
			    i + 1);
	}
	return 0;
}

struct users_edit *
users_edit_open(const char *path, int flags, int wait_ms, char *err,
    size_t errlen)
{
	struct users_edit	*e;
	char			*buf = NULL;
	size_t			 len = 0;

	if ((e = calloc(1, sizeof(*e))) == NULL) {
		log_seterr(err, errlen, "out of memory");
		return NULL;
	}
	e->lockfd = -1;
	if (set_paths(e, path, err, errlen) == -1)
		goto fail;
	if (!(flags & USERS_EDIT_READONLY)) {
		/*
		 * A separate, stable lock file: PATH's inode changes with
		 * every rename, so a lock on it would not exclude a writer
		 * that opened the new one.  Read-only is enough for flock.
		 */
		e->lockfd = open(e->lockpath, O_RDONLY | O_CREAT | O_CLOEXEC |
		    O_NOFOLLOW, 0600);
		if (e->lockfd == -1) {
			log_seterr(err, errlen, "%s: %s", e->lockpath,
			    strerror(errno));
			goto fail;
		}
		if (lock_wait(e->lockfd, wait_ms) == -1) {
			if (errno == ETIMEDOUT)
				log_seterr(err, errlen, "%s: still locked by "
				    "another editor after %d ms", e->lockpath,
				    wait_ms);
			else
				log_seterr(err, errlen, "%s: %s", e->lockpath,
				    strerror(errno));
			goto fail;
		}
	}
	/* Under the lock: the file as the last editor left it. */
	if (read_image(e, flags & USERS_EDIT_CREATE, &buf, &len, err,
	    errlen) == -1)
		goto fail;
	if (load_image(e, buf, len, flags & USERS_EDIT_QUIET, err,
	    errlen) == -1)
		goto fail;
	explicit_bzero(buf, len);
	free(buf);
	return e;
fail:
	if (buf != NULL) {
		explicit_bzero(buf, len);
		free(buf);
	}
	users_edit_free(e);
	return NULL;
}

void
users_edit_free(struct users_edit *e)
{
	size_t	 i;

	if (e == NULL)
		return;
	for (i = 0; i < e->nlines; i++)
		line_free(e->lines[i]);
	free(e->lines);
	/* Closing the last descriptor releases the flock. */
	if (e->lockfd != -1)
		(void)close(e->lockfd);
	free(e);
}

static struct eline *
find(const struct users_edit *e, const char *name)
{
	size_t	 i;

	for (i = 0; i < e->nlines; i++)
		if (e->lines[i]->kind == LINE_USER &&
		    !e->lines[i]->shadowed && !e->lines[i]->deleted &&
		    strcmp(e->lines[i]->user.name, name) == 0)
			return e->lines[i];
	return NULL;
}

const struct user *
users_edit_lookup(const struct users_edit *e, const char *name)
{
	const struct eline	*l = find(e, name);

	return l != NULL ? &l->user : NULL;
}

const struct user *
users_edit_next(const struct users_edit *e, size_t *pos)
{
	const struct eline	*l;

	while (*pos < e->nlines) {
		l = e->lines[(*pos)++];
		if (l->kind == LINE_USER && !l->shadowed && !l->deleted)
			return &l->user;
	}
	return NULL;
}

/* Rewrite an existing user's line (same name) and mark the file changed. */
static enum users_edit_status
change_line(struct users_edit *e, struct eline *l, const char *hash,
    const char *role, int disabled, long version)
{
	enum users_edit_status	 st;

	st = line_set(l, l->user.name, hash, role, disabled, version);
	if (st == USERS_EDIT_OK)
		e->dirty = 1;
	return st;
}

/* The common start of a change to an existing user. */
static enum users_edit_status
begin_change(struct users_edit *e, const char *name, struct eline **l)
{
	if (e->lockfd == -1)
		return USERS_EDIT_ERROR;
	if (!users_valid_name(name, strlen(name)))
		return USERS_EDIT_INVALID;
	if ((*l = find(e, name)) == NULL)
		return USERS_EDIT_NO_USER;
	return USERS_EDIT_OK;
}

/*
 * Tombstones.  Tokens name a user, not a line: a user deleted and added
 * again would start at version 0 and accept every token the old one still
 * had.  So del leaves a comment, which the services skip, naming the
 * version above every token the old user was given, and add starts there.
 */
#define TOMBSTONE_FMT	"# authctl del %s: a new %s starts at version %ld, " \
			"so the old tokens stay refused"

/* The line's tombstone version for name, or -1 if it is not one. */
static long
tombstone_version(const struct eline *l, const char *name)
{
	char		 prefix[USERS_NAME_MAX + 32];
	const char	*v;
	char		*end;
	long		 version;
	int		 n;

	if (l->kind != LINE_TEXT || l->deleted)
		return -1;
	n = snprintf(prefix, sizeof(prefix), "# authctl del %s: ", name);
	if (n < 0 || (size_t)n >= sizeof(prefix) ||
	    strncmp(l->text, prefix, (size_t)n) != 0 ||
	    (v = strstr(l->text, " at version ")) == NULL)
		return -1;
	v += strlen(" at version ");
	errno = 0;
	version = strtol(v, &end, 10);
	if (errno != 0 || end == v || *end != ',' || version < 0 ||
	    version > USERS_VERSION_MAX)
		return -1;
	return version;
}

/* The first tombstone of name, if any, and its version (else 0). */
static long
find_tombstone(const struct users_edit *e, const char *name, size_t *at)
{
	size_t	 i;
	long	 v;

	for (i = 0; i < e->nlines; i++)
		if ((v = tombstone_version(e->lines[i], name)) != -1) {
			*at = i;
			return v;
		}
	return 0;
}

enum users_edit_status
users_edit_add(struct users_edit *e, const char *name, const char *hash,
    const char *role)
{
	struct eline		*l;
	enum users_edit_status	 st;
	size_t			 at = SIZE_MAX;
	long			 version;

	if (e->lockfd == -1)
		return USERS_EDIT_ERROR;
	if (!users_valid_name(name, strlen(name)) ||
	    !users_valid_role(role, strlen(role)) ||
	    !password_hash_usable(hash))
		return USERS_EDIT_INVALID;
	if (find(e, name) != NULL)
		return USERS_EDIT_EXISTS;
	version = find_tombstone(e, name, &at);
	if ((l = calloc(1, sizeof(*l))) == NULL)
		return USERS_EDIT_ERROR;
	l->nfields = 3;
	/* A file written with CRLF gets CRLF on the new line too. */
	l->cr = e->nlines > 0 && e->lines[e->nlines - 1]->cr;
	if ((st = line_set(l, name, hash, role, 0, version)) !=
	    USERS_EDIT_OK) {
		line_free(l);
		return st;
	}
	if (line_append(e, l) == -1) {
		line_free(l);
		return USERS_EDIT_ERROR;
	}
	if (at != SIZE_MAX)
		e->lines[at]->deleted = 1;	/* the tombstone served */
	e->dirty = 1;
	return USERS_EDIT_OK;
}

enum users_edit_status
users_edit_passwd(struct users_edit *e, const char *name, const char *hash)
{
	struct eline		*l;
	enum users_edit_status	 st;

	if ((st = begin_change(e, name, &l)) != USERS_EDIT_OK)
		return st;
	if (!password_hash_usable(hash))
		return USERS_EDIT_INVALID;
	if (l->user.version >= USERS_VERSION_MAX)
		return USERS_EDIT_LIMIT;
	return change_line(e, l, hash, l->user.role, l->user.disabled,
	    l->user.version + 1);
}

enum users_edit_status
users_edit_role(struct users_edit *e, const char *name, const char *role)
{
	struct eline		*l;
	enum users_edit_status	 st;

	if ((st = begin_change(e, name, &l)) != USERS_EDIT_OK)
		return st;
	if (!users_valid_role(role, strlen(role)))
		return USERS_EDIT_INVALID;
	if (strcmp(l->user.role, role) == 0)
		return USERS_EDIT_OK;
	return change_line(e, l, l->user.hash, role, l->user.disabled,
	    l->user.version);
}

enum users_edit_status
users_edit_disable(struct users_edit *e, const char *name)
{
	struct eline		*l;
	enum users_edit_status	 st;

	if ((st = begin_change(e, name, &l)) != USERS_EDIT_OK)
		return st;
	if (l->user.disabled)
		return USERS_EDIT_OK;
	if (l->user.version >= USERS_VERSION_MAX)
		return USERS_EDIT_LIMIT;
	return change_line(e, l, l->user.hash, l->user.role, 1,
	    l->user.version + 1);
}

enum users_edit_status
users_edit_enable(struct users_edit *e, const char *name)
{
	struct eline		*l;
	enum users_edit_status	 st;

	if ((st = begin_change(e, name, &l)) != USERS_EDIT_OK)
		return st;
	if (!l->user.disabled)
		return USERS_EDIT_OK;
	return change_line(e, l, l->user.hash, l->user.role, 0,
	    l->user.version);
}

enum users_edit_status
users_edit_revoke(struct users_edit *e, const char *name)
{
	struct eline		*l;
	enum users_edit_status	 st;

	if ((st = begin_change(e, name, &l)) != USERS_EDIT_OK)
		return st;
	if (l->user.version >= USERS_VERSION_MAX)
		return USERS_EDIT_LIMIT;
	return change_line(e, l, l->user.hash, l->user.role,
	    l->user.disabled, l->user.version + 1);
}

enum users_edit_status
users_edit_del(struct users_edit *e, const char *name)
{
	struct eline		*l, *stone;
	enum users_edit_status	 st;
	char			 text[USERS_LINE_MAX];
	size_t			 i, first = SIZE_MAX, at = SIZE_MAX;
	long			 next;
	int			 n;

	if ((st = begin_change(e, name, &l)) != USERS_EDIT_OK)
		return st;
	/* Above every version the name had, a tombstone's included. */
	next = find_tombstone(e, name, &at);
	/*
	 * Every line of the name: a skipped duplicate left behind would
	 * become the user, with its own password, once the first is gone.
	 */
	for (i = 0; i < e->nlines; i++) {
		l = e->lines[i];
		if (l->kind != LINE_USER || l->deleted ||
		    strcmp(l->user.name, name) != 0)
			continue;
		if (l->user.version >= next)
			next = l->user.version < USERS_VERSION_MAX ?
			    l->user.version + 1 : USERS_VERSION_MAX;
		if (first == SIZE_MAX)
			first = i;
		l->deleted = 1;
	}
	/* The tombstone takes the first line's place. */
	n = snprintf(text, sizeof(text), TOMBSTONE_FMT, name, name, next);
	if (n < 0 || (size_t)n >= sizeof(text))
		return USERS_EDIT_ERROR;
	if ((stone = line_new(text, (size_t)n, e->lines[first]->cr)) == NULL)
		return USERS_EDIT_ERROR;
	line_free(e->lines[first]);
	e->lines[first] = stone;
	if (at != SIZE_MAX)
		e->lines[at]->deleted = 1;
	e->dirty = 1;
	return USERS_EDIT_OK;
}

/*
 * The new file, or -1 if the services would not load it: larger than
 * they read, or malformed lines with no user (they would keep the old
 * file and its users, which is worse than refusing here).
 */
static int
build_image(const struct users_edit *e, char **out, size_t *outlen,
    char *err, size_t errlen)
{
	const struct eline	*l;
	char			*buf;
	size_t			 i, len = 0, users = 0, bad = 0;

	for (i = 0; i < e->nlines; i++) {
		l = e->lines[i];
		if (l->deleted)
			continue;
		if (l->kind == LINE_USER)
			users++;
		else if (l->kind == LINE_BAD)
			bad++;
		/* Each line is at most the file cap: no overflow. */
		len += l->len + (size_t)l->cr + 1;
		if (len > USERS_FILE_MAX_BYTES)
			return log_seterr(err, errlen, "%s: would be larger than "
			    "%lu bytes", e->path, USERS_FILE_MAX_BYTES);
	}
	if (bad > 0 && users == 0)
		return log_seterr(err, errlen, "%s: would hold malformed lines "
		    "and no user, which the services refuse to load; remove "
		    "or fix the malformed lines first", e->path);
	if ((buf = malloc(len + 1)) == NULL)
		return log_seterr(err, errlen, "out of memory");
	for (i = 0, len = 0; i < e->nlines; i++) {
		l = e->lines[i];
		if (l->deleted)
			continue;
		memcpy(buf + len, l->text, l->len);
		len += l->len;
		if (l->cr)
			buf[len++] = '\r';
		buf[len++] = '\n';
	}
	buf[len] = '\0';
	*out = buf;
	*outlen = len;
	return 0;
}

static int
write_all(int fd, const char *buf, size_t len)
{
	ssize_t	 n;

	while (len > 0) {
		if ((n = write(fd, buf, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Make the rename itself durable (fsync(2): the folder entry is apart). */
static void
sync_dir(const char *dir)
{
	int	 fd;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		log_warn("%s: cannot sync the folder", dir);
		return;
	}
	if (fsync(fd) == -1)
		log_warn("%s: cannot sync the folder", dir);
	(void)close(fd);
}

int
users_edit_commit(struct users_edit *e, char *err, size_t errlen)
{
	struct stat	 st;
	char		*img = NULL;
	size_t		 len = 0;
	mode_t		 mode;
	int		 fd = -1, ret = -1;

	if (e->lockfd == -1)
		return log_seterr(err, errlen, "%s: opened read-only", e->path);
	if (!e->dirty)
		return 0;
	if (build_image(e, &img, &len, err, errlen) == -1)
		return -1;

	/*
	 * The temp name is fixed and used only under the lock, so whatever
	 * is there is a leftover of a run that was killed: remove it.
	 */
	if (unlink(e->tmppath) == -1 && errno != ENOENT) {
		log_seterr(err, errlen, "%s: %s", e->tmppath, strerror(errno));
		goto done;
	}
	fd = open(e->tmppath, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600);
	if (fd == -1) {
		log_seterr(err, errlen, "%s: %s", e->tmppath, strerror(errno));
		goto done;
	}
	if (write_all(fd, img, len) == -1 || fstat(fd, &st) == -1) {
		log_seterr(err, errlen, "%s: %s", e->tmppath, strerror(errno));
		goto fail;
	}
	/* Owner before mode: chown may clear the set-id bits. */
	if (e->exists && (st.st_uid != e->uid || st.st_gid != e->gid) &&
	    fchown(fd, e->uid, e->gid) == -1) {
		log_seterr(err, errlen, "%s: cannot keep its owner %lu:%lu: %s",
		    e->path, (unsigned long)e->uid, (unsigned long)e->gid,
		    strerror(errno));
		goto fail;
	}
	mode = e->exists ? e->mode : USERS_EDIT_NEW_MODE;
	if (fchmod(fd, mode) == -1 || fsync(fd) == -1) {
		log_seterr(err, errlen, "%s: %s", e->tmppath, strerror(errno));
		goto fail;
	}
	if (close(fd) == -1) {
		fd = -1;
		log_seterr(err, errlen, "%s: %s", e->tmppath, strerror(errno));
		goto fail;
	}
	fd = -1;
	if (rename(e->tmppath, e->path) == -1) {
		log_seterr(err, errlen, "cannot replace %s: %s", e->path,
		    strerror(errno));
		goto fail;
	}
	/* Done either way: a failed folder sync is only reported. */
	sync_dir(e->dir);
	if (!e->exists) {
		e->exists = 1;
		e->uid = st.st_uid;
		e->gid = st.st_gid;
		e->mode = mode;
	}
	e->dirty = 0;
	ret = 0;
	goto done;
fail:
	if (fd != -1)
		(void)close(fd);
	(void)unlink(e->tmppath);
done:
	if (img != NULL) {
		explicit_bzero(img, len);
		free(img);
	}
	return ret;
}

const char *
users_edit_status_text(enum users_edit_status st)
{
	switch (st) {
	case USERS_EDIT_OK:
		return "done";
	case USERS_EDIT_INVALID:
		return "invalid name, role or hash";
	case USERS_EDIT_NO_USER:
		return "no such user";
	case USERS_EDIT_EXISTS:
		return "user already exists";
	case USERS_EDIT_LIMIT:
		return "version already at its maximum";
	case USERS_EDIT_ERROR:
		break;
	}
	return "out of memory, or read-only";
}
