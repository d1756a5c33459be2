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
#include "watch.h"

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

struct users {
	struct watch	*watch;		/* NULL: made from a buffer */
	struct table	*table;
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

struct users *
users_open(const char *path, char *err, size_t errlen)
{
	return users_open_clock(path, NULL, err, errlen);
}

struct users *
users_open_clock(const char *path, const struct watch_clock *clock,
    char *err, size_t errlen)
{
	struct users	*u;
	char		*buf;
	size_t		 len;

	if ((u = calloc(1, sizeof(*u))) == NULL) {
		log_seterr(err, errlen, "out of memory");
		return NULL;
	}
	u->watch = watch_open(path, USERS_FILE_MAX_BYTES,
	    USERS_CHECK_INTERVAL_MS, clock, &buf, &len, err, errlen);
	if (u->watch == NULL)
		goto fail;
	if ((u->table = table_parse(buf, len, path, err, errlen)) == NULL)
		goto fail;
	return u;
fail:
	watch_free(u->watch);
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
	watch_free(u->watch);
	free(u);
}

/*
 * Look at the file (watch.c decides when, and whether a version is new);
 * parse a new version, and keep the last good copy if it does not parse.
 * Each problem is logged once, not per request.
 */
int
users_refresh(struct users *u, enum users_refresh_mode mode)
{
	struct table	*t;
	char		 err[PATH_MAX + 128];
	char		*buf;
	size_t		 len;
	enum watch_mode	 wm;
	int		 r;

	if (u->watch == NULL)
		return 0;	/* made from a buffer: nothing to watch */
	switch (mode) {
	case USERS_REFRESH_FORCE:
		wm = WATCH_FORCE;
		break;
	case USERS_REFRESH_NOW:
		wm = WATCH_NOW;
		break;
	case USERS_REFRESH_DUE:
	default:
		wm = WATCH_DUE;
		break;
	}
	if ((r = watch_poll(u->watch, wm, &buf, &len, err, sizeof(err))) <= 0) {
		if (r == -1)
			log_warnx("%s; keeping the %zu users already loaded",
			    err, u->table->count);
		return 0;
	}
	t = table_parse(buf, len, watch_path(u->watch), err, sizeof(err));
	watch_done(u->watch);
	if (t == NULL) {
		log_warnx("%s; keeping the %zu users already loaded", err,
		    u->table->count);
		return 0;
	}
	table_free(u->table);
	u->table = t;
	log_info("%s: reloaded, %zu users", watch_path(u->watch), t->count);
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
