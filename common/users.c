/* users.c -- the flat users file: parse, look up, reload when it changes */
#include "config.h"

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

#include "cfg.h"
#include "log.h"
#include "password.h"
#include "users.h"

/*
 * Verified against when a users file has no entry to copy the cost from:
 * a yescrypt hash (libxcrypt's default cost) of a password nobody knows.
 */
#define DUMMY_HASH_FALLBACK \
	"$y$j9T$fir.4AIKCdywBAfiy8qZU/$MmBRJvrLn5IteKQyTjkkBRPEF9d.pqEX.WYY74i0RX9"

/* How many different hash settings (scheme and cost) a file's are counted. */
#define SETTINGS_MAX	8

/* One parsed image of the file.  Every string points into buf. */
struct table {
	char		*buf;
	size_t		 buflen;
	struct user	*entries;
	size_t		 count;
	uint32_t	*slots;		/* entry index + 1; 0 is empty */
	size_t		 nslots;	/* a power of two, > 2 * count */
	/* The first entry of each hash setting, and the setting's length. */
	size_t		 settings[SETTINGS_MAX];
	size_t		 settings_len[SETTINGS_MAX];
	size_t		 nsettings;
	const char	*dummy;		/* the costliest (table_settings) */
};

/* What identifies one version of the file on disk. */
struct file_id {
	dev_t		 dev;
	ino_t		 ino;
	off_t		 size;
	struct timespec	 mtim;
};

struct users {
	char		 path[PATH_MAX];
	struct table	*table;
	struct file_id	 loaded;	/* the version in table */
	struct file_id	 failed;	/* the last version that failed */
	int		 failed_errno;	/* the last stat/open error reported */
	long long	 checked_ms;	/* monotonic time of the last check */
	long long	 edit_seen_ms;	/* an edit in place first seen, or -1 */
};

static uint64_t	hash_name(const char *);
static int	table_insert(struct table *, size_t);
static int	parse_line(char *, size_t, struct user *, const char **);
static struct table *table_parse(char *, size_t, const char *, char *,
		    size_t);
static void	table_settings(struct table *, const char *);
static const char *table_costliest(const struct table *);
static unsigned long long hash_cost(const char *);
static void	table_free(struct table *);
static int	read_file(const char *, char **, size_t *, struct file_id *,
		    char *, size_t);
static void	file_id_of(const struct stat *, struct file_id *);
static int	file_id_eq(const struct file_id *, const struct file_id *);
static long long now_ms(clockid_t);

static long long
now_ms(clockid_t clock)
{
	struct timespec	 ts;

	(void)clock_gettime(clock, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* FNV-1a: the keys are the administrator's names, not an attacker's. */
static uint64_t
hash_name(const char *s)
{
	uint64_t	 h = 0xcbf29ce484222325ULL;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h;
}

static int
name_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-' ||
	    c == '@' || c == '+';
}

int
users_valid_name(const char *s, size_t len)
{
	size_t	 i;

	if (len == 0 || len > USERS_NAME_MAX || s[0] == '-' || s[0] == '.')
		return 0;
	for (i = 0; i < len; i++)
		if (!name_char((unsigned char)s[i]))
			return 0;
	return 1;
}

int
users_valid_role(const char *s, size_t len)
{
	size_t	 i;
	int	 c;

	if (len == 0 || len > USERS_ROLE_MAX)
		return 0;
	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

/*
 * Split one line (NUL-terminated, in place) into a user.  Returns 1 for a
 * user, 0 for a comment or blank line, -1 with *why set if malformed.
 */
static int
parse_line(char *line, size_t len, struct user *u, const char **why)
{
	char	*field[5];
	size_t	 nfields = 0, i;
	char	*p;

	if (len > 0 && line[len - 1] == '\r')
		line[--len] = '\0';
	for (i = 0; i < len && (line[i] == ' ' || line[i] == '\t'); i++)
		;
	if (i == len || line[i] == '#')
		return 0;
	if (len > USERS_LINE_MAX) {
		*why = "line too long";
		return -1;
	}

	field[nfields++] = line;
	for (p = line; *p != '\0'; p++) {
		if (*p != ':')
			continue;
		if (nfields == sizeof(field) / sizeof(field[0])) {
			*why = "too many fields";
			return -1;
		}
		*p = '\0';
		field[nfields++] = p + 1;
	}
	if (nfields < 3) {
		*why = "expected name:hash:role[:state[:version]]";
		return -1;
	}
	if (!users_valid_name(field[0], strlen(field[0]))) {
		*why = "invalid user name";
		return -1;
	}
	/*
	 * Only a hash crypt will verify, at a cost within the caps: else
	 * that name would get 500 (or minutes of CPU) where an unknown one
	 * gets 401.  why names the problem, never the hash.
	 */
	if (password_hash_parse(field[1], NULL, why) == -1)
		return -1;
	if (!users_valid_role(field[2], strlen(field[2]))) {
		*why = "invalid role";
		return -1;
	}
	u->name = field[0];
	u->hash = field[1];
	u->role = field[2];
	u->disabled = 0;
	u->version = 0;
	if (nfields > 3) {
		if (strcmp(field[3], "disabled") == 0)
			u->disabled = 1;
		else if (field[3][0] != '\0' && strcmp(field[3], "active") != 0) {
			*why = "state must be active or disabled";
			return -1;
		}
	}
	if (nfields > 4 && field[4][0] != '\0' &&
	    cfg_parse_long(field[4], 0, USERS_VERSION_MAX, &u->version) == -1) {
		*why = "version must be a number from 0 to 2147483647";
		return -1;
	}
	return 1;
}

/* Put entries[i] in the hash table; -1 if the name is already there. */
static int
table_insert(struct table *t, size_t i)
{
	size_t	 mask = t->nslots - 1, s;

	for (s = hash_name(t->entries[i].name) & mask; t->slots[s] != 0;
	    s = (s + 1) & mask)
		if (strcmp(t->entries[t->slots[s] - 1].name,
		    t->entries[i].name) == 0)
			return -1;
	t->slots[s] = (uint32_t)i + 1;
	return 0;
}

/*
 * Parse buf (len bytes, NUL-terminated, taken over by the table) into a
 * table.  Malformed lines and duplicate names are skipped with a warning
 * that names the line, never its text.  A NUL byte in the file, or
 * malformed lines with no good one, fail the whole file.
 */
static struct table *
table_parse(char *buf, size_t len, const char *label, char *err,
    size_t errlen)
{
	struct table	*t;
	char		*line, *nl, *end;
	const char	*why;
	size_t		 lines = 0, bad = 0, maxusers, i, kept;
	int		 r;

	if (memchr(buf, '\0', len) != NULL) {
		log_seterr(err, errlen, "%s: contains a NUL byte", label);
		free(buf);
		return NULL;
	}
	if ((t = calloc(1, sizeof(*t))) == NULL) {
		log_seterr(err, errlen, "out of memory");
		free(buf);
		return NULL;
	}
	t->buf = buf;
	t->buflen = len;

	/* A user needs at least "a:$5$...:r\n"; one per line bounds it. */
	for (maxusers = 1, line = buf; (nl = memchr(line, '\n',
	    len - (size_t)(line - buf))) != NULL; line = nl + 1)
		maxusers++;
	if ((t->entries = calloc(maxusers, sizeof(*t->entries))) == NULL)
		goto oom;

	for (line = buf;; line = nl + 1) {
		nl = memchr(line, '\n', (size_t)(buf + len - line));
		end = nl != NULL ? nl : buf + len;	/* buf[len] is NUL */
		*end = '\0';
		lines++;
		r = parse_line(line, (size_t)(end - line),
		    &t->entries[t->count], &why);
		if (r == -1) {
			log_warnx("%s line %zu: %s; line skipped", label,
			    lines, why);
			bad++;
		} else if (r == 1)
			t->entries[t->count++].lineno = lines;
		if (nl == NULL)
			break;
	}
	if (bad > 0 && t->count == 0) {
		log_seterr(err, errlen, "%s: no valid user line", label);
		table_free(t);
		return NULL;
	}

	for (t->nslots = 16; t->nslots <= 2 * t->count; t->nslots *= 2)
		;
	if ((t->slots = calloc(t->nslots, sizeof(*t->slots))) == NULL)
		goto oom;
	/* Insert in file order, compacting; a repeated name keeps its first. */
	for (i = 0, kept = 0; i < t->count; i++) {
		t->entries[kept] = t->entries[i];
		if (table_insert(t, kept) == -1) {
			log_warnx("%s line %zu: a user of that name is on an "
			    "earlier line; line skipped", label,
			    t->entries[kept].lineno);
			continue;
		}
		kept++;
	}
	t->count = kept;
	table_settings(t, label);
	return t;
oom:
	log_seterr(err, errlen, "out of memory");
	table_free(t);
	return NULL;
}

/*
 * Note the first user of each different hash setting, and choose the
 * dummy hash: the costliest.  A login for an unknown name is verified
 * against it; a file that mixes settings still lets a name with a cheaper
 * hash be told from an unknown one by time, so say so once per load.
 */
static void
table_settings(struct table *t, const char *label)
{
	const char	*hash;
	size_t		 i, k, len;

	for (i = 0; i < t->count && t->nsettings < SETTINGS_MAX; i++) {
		hash = t->entries[i].hash;
		len = password_setting_len(hash);
		for (k = 0; k < t->nsettings; k++)
			if (t->settings_len[k] == len && strncmp(hash,
			    t->entries[t->settings[k]].hash, len) == 0)
				break;
		if (k < t->nsettings)
			continue;
		t->settings[t->nsettings] = i;
		t->settings_len[t->nsettings++] = len;
	}
	t->dummy = t->count > 0 ? table_costliest(t) : DUMMY_HASH_FALLBACK;
	if (t->nsettings > 1)
		log_warnx("%s: the password hashes use %s%zu different schemes "
		    "or costs, so a login for a user with a cheaper hash is "
		    "answered faster than one for an unknown name (rehash "
		    "with authctl passwd)", label,
		    t->nsettings == SETTINGS_MAX ? "at least " : "",
		    t->nsettings);
}

/* The modelled cost of a hash the loader took (password_hash_parse). */
static unsigned long long
hash_cost(const char *hash)
{
	struct password_setting	 ps;

	return password_hash_parse(hash, &ps, NULL) == 0 ? ps.cost_ns : 0;
}

/*
 * The hash that should take longest to verify: the first of the highest
 * modelled cost (password.c), over every user.  Nothing is hashed, so a
 * process that runs once per request (CGI) chooses as a FastCGI worker
 * does, and as fast: timing each setting there cost every unknown-name
 * login all of them.
 */
static const char *
table_costliest(const struct table *t)
{
	const char		*best = t->entries[0].hash;
	unsigned long long	 cost, best_cost = hash_cost(best);
	size_t			 i;

	for (i = 1; i < t->count; i++)
		if ((cost = hash_cost(t->entries[i].hash)) > best_cost) {
			best_cost = cost;
			best = t->entries[i].hash;
		}
	return best;
}

static void
table_free(struct table *t)
{
	if (t == NULL)
		return;
	/* The hashes are not secrets, but they are worth a dictionary run. */
	if (t->buf != NULL) {
		explicit_bzero(t->buf, t->buflen);
		free(t->buf);
	}
	free(t->entries);
	free(t->slots);
	free(t);
}

static void
file_id_of(const struct stat *st, struct file_id *id)
{
	memset(id, 0, sizeof(*id));
	id->dev = st->st_dev;
	id->ino = st->st_ino;
	id->size = st->st_size;
	id->mtim = st->st_mtim;
}

static int
file_id_eq(const struct file_id *a, const struct file_id *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	    a->mtim.tv_sec == b->mtim.tv_sec &&
	    a->mtim.tv_nsec == b->mtim.tv_nsec;
}

/*
 * Read the whole file, at most USERS_FILE_MAX_BYTES, into a NUL-terminated
 * malloc'd buffer.  If the file changes while we read (an in-place edit),
 * fail with EAGAIN: the caller tries again at the next check.
 */
static int
read_file(const char *path, char **out, size_t *outlen, struct file_id *id,
    char *err, size_t errlen)
{
	struct stat	 st;
	struct file_id	 after;
	char		*buf = NULL;
	size_t		 len = 0, size;
	ssize_t		 n;
	int		 fd, ret = -1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return log_seterr(err, errlen, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) == -1) {
		log_seterr(err, errlen, "%s: %s", path, strerror(errno));
		goto done;
	}
	if (!S_ISREG(st.st_mode)) {
		errno = EINVAL;
		log_seterr(err, errlen, "%s: not a regular file", path);
		goto done;
	}
	if (st.st_size < 0 || (unsigned long)st.st_size > USERS_FILE_MAX_BYTES) {
		errno = EFBIG;
		log_seterr(err, errlen, "%s: larger than %lu bytes", path,
		    USERS_FILE_MAX_BYTES);
		goto done;
	}
	file_id_of(&st, id);
	size = (size_t)st.st_size;
	if ((buf = malloc(size + 1)) == NULL) {
		log_seterr(err, errlen, "out of memory");
		goto done;
	}
	while (len < size) {
		n = read(fd, buf + len, size - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			log_seterr(err, errlen, "%s: %s", path, strerror(errno));
			goto done;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (fstat(fd, &st) == -1) {
		log_seterr(err, errlen, "%s: %s", path, strerror(errno));
		goto done;
	}
	file_id_of(&st, &after);
	if (len != size || !file_id_eq(id, &after)) {
		errno = EAGAIN;
		log_seterr(err, errlen, "%s: changed while being read", path);
		goto done;
	}
	buf[len] = '\0';
	*out = buf;
	*outlen = len;
	buf = NULL;
	ret = 0;
done:
	free(buf);
	(void)close(fd);
	return ret;
}

struct users *
users_open(const char *path, char *err, size_t errlen)
{
	struct users	*u;
	char		*buf;
	size_t		 len;
	int		 n;

	if ((u = calloc(1, sizeof(*u))) == NULL) {
		log_seterr(err, errlen, "out of memory");
		return NULL;
	}
	n = snprintf(u->path, sizeof(u->path), "%s", path);
	if (n < 0 || (size_t)n >= sizeof(u->path)) {
		log_seterr(err, errlen, "users file path too long");
		goto fail;
	}
	if (read_file(path, &buf, &len, &u->loaded, err, errlen) == -1)
		goto fail;
	if ((u->table = table_parse(buf, len, path, err, errlen)) == NULL)
		goto fail;
	u->checked_ms = now_ms(CLOCK_MONOTONIC_COARSE);
	u->edit_seen_ms = -1;
	return u;
fail:
	free(u);
	return NULL;
}

struct users *
users_from_buffer(const char *image, size_t len, char *err, size_t errlen)
{
	struct users	*u;
	char		*buf;

	if (len > USERS_FILE_MAX_BYTES) {
		log_seterr(err, errlen, "larger than %lu bytes",
		    USERS_FILE_MAX_BYTES);
		return NULL;
	}
	if ((u = calloc(1, sizeof(*u))) == NULL ||
	    (buf = malloc(len + 1)) == NULL) {
		free(u);
		log_seterr(err, errlen, "out of memory");
		return NULL;
	}
	memcpy(buf, image, len);
	buf[len] = '\0';
	if ((u->table = table_parse(buf, len, "users", err, errlen)) == NULL) {
		free(u);
		return NULL;
	}
	return u;
}

void
users_free(struct users *u)
{
	if (u == NULL)
		return;
	table_free(u->table);
	free(u);
}

int
users_refresh(struct users *u, enum users_refresh_mode mode)
{
	int		 force = mode == USERS_REFRESH_FORCE;
	struct stat	 st;
	struct file_id	 id;
	struct table	*t;
	char		 err[PATH_MAX + 128];
	char		*buf;
	size_t		 len;
	long long	 now, mtime_ms, age_ms;

	if (u->path[0] == '\0')
		return 0;	/* made from a buffer: nothing to watch */
	now = now_ms(CLOCK_MONOTONIC_COARSE);
	if (mode == USERS_REFRESH_DUE &&
	    now - u->checked_ms < USERS_CHECK_INTERVAL_MS)
		return 0;
	u->checked_ms = now;

	if (stat(u->path, &st) == -1) {
		/* Say it once per cause, not once per request. */
		if (errno != u->failed_errno)
			log_warn("%s: keeping the %zu users already loaded",
			    u->path, u->table->count);
		u->failed_errno = errno;
		return 0;
	}
	u->failed_errno = 0;
	file_id_of(&st, &id);
	if (file_id_eq(&id, &u->loaded) || file_id_eq(&id, &u->failed))
		return 0;
	/*
	 * A file replaced by rename (authctl, most editors) is a new inode and
	 * whole: load it at once, however often it is replaced.  An editor
	 * that truncates and rewrites in place shows us an empty or
	 * half-written file for a moment: wait until it has been still for
	 * USERS_SETTLE_MS, but no longer than USERS_SETTLE_MAX_MS after the
	 * edit was first seen, so a stream of edits cannot hold it back.
	 */
	if (!force && id.dev == u->loaded.dev && id.ino == u->loaded.ino) {
		if (u->edit_seen_ms < 0)
			u->edit_seen_ms = now;
		mtime_ms = (long long)st.st_mtim.tv_sec * 1000 +
		    st.st_mtim.tv_nsec / 1000000;
		age_ms = now_ms(CLOCK_REALTIME) - mtime_ms;
		/* A future mtime (a copied file, a clock step) is not new. */
		if (age_ms >= 0 && age_ms < USERS_SETTLE_MS &&
		    now - u->edit_seen_ms < USERS_SETTLE_MAX_MS)
			return 0;
	}
	u->edit_seen_ms = -1;

	if (read_file(u->path, &buf, &len, &id, err, sizeof(err)) == -1) {
		if (errno != EAGAIN) {
			log_warnx("%s; keeping the %zu users already loaded",
			    err, u->table->count);
			u->failed = id;
		}
		return 0;
	}
	if ((t = table_parse(buf, len, u->path, err, sizeof(err))) == NULL) {
		log_warnx("%s; keeping the %zu users already loaded", err,
		    u->table->count);
		u->failed = id;
		return 0;
	}
	table_free(u->table);
	u->table = t;
	u->loaded = id;
	log_info("%s: reloaded, %zu users", u->path, t->count);
	return 1;
}

const struct user *
users_lookup(const struct users *u, const char *name)
{
	const struct table	*t = u->table;
	size_t			 mask = t->nslots - 1, s;

	for (s = hash_name(name) & mask; t->slots[s] != 0; s = (s + 1) & mask)
		if (strcmp(t->entries[t->slots[s] - 1].name, name) == 0)
			return &t->entries[t->slots[s] - 1];
	return NULL;
}

const char *
users_dummy_hash(const struct users *u)
{
	return u->table->dummy;
}

size_t
users_hash_settings(const struct users *u)
{
	return u->table->nsettings;
}

size_t
users_count(const struct users *u)
{
	return u->table->count;
}

int
users_parse_line(char *line, size_t len, struct user *u, const char **why)
{
	return parse_line(line, len, u, why);
}
