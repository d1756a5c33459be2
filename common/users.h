/* users.h -- the flat users file: parse, look up, reload when it changes */
#ifndef FCGI_AUTH_USERS_H
#define FCGI_AUTH_USERS_H

#include <stddef.h>

/*
 * One user a line: name:hash:role[:state[:version]]
 *   name     1..64 of A-Z a-z 0-9 . _ @ + -  (not starting with - or .)
 *   hash     a crypt(5) hash: $y$, $gy$, $7$, $2b$/$2y$/$2a$, $6$ or $5$,
 *            one libxcrypt verifies (password_hash_parse), at a cost of
 *            around a second of CPU or less (password.h measures them):
 *              bcrypt       cost 4..14
 *              sha512crypt, sha256crypt   rounds 1000..1000000
 *              yescrypt, gost-yescrypt    flavor j (libxcrypt's), N and r
 *                           only, N <= 2^18, N * r <= 2^22 (cost <= 10)
 *              scrypt       N <= 2^18, N * r * p <= 2^21 (cost <= 9)
 *            A dearer hash would let one login for its name, or for any
 *            unknown name (see users_dummy_hash), take minutes.
 *   role     1..32 of A-Z a-z 0-9 . _ -
 *   state    "active" (also when empty or absent) or "disabled"
 *   version  0..2147483647, default 0: tokens minted under a lower one
 *            are revoked
 * '#' starts a comment line; blank lines are ignored.  A line that breaks
 * these rules is skipped with a warning that gives its number and what is
 * wrong, never its text.
 */
#define USERS_NAME_MAX		64
#define USERS_ROLE_MAX		32
#define USERS_LINE_MAX		1024
#define USERS_FILE_MAX_BYTES	(64UL * 1024 * 1024)
#define USERS_VERSION_MAX	2147483647L
/*
 * Look at the file's stat at most this often (watch.h: an edit in place
 * is read once it has settled, a version with a recent mtime is compared
 * by content).  So a change is seen within a second.
 */
#define USERS_CHECK_INTERVAL_MS	250

struct user {
	const char	*name;
	const char	*hash;
	const char	*role;
	int		 disabled;
	long		 version;
	size_t		 lineno;	/* where it is in the file */
};

struct users;
struct watch_clock;

/*
 * Load the users file at path.  Malformed lines are skipped with a warning
 * naming the line number; an unreadable or oversized file fails.  Returns
 * NULL with one line in err on failure.  users_free(NULL) is a no-op.
 * users_open_clock takes the clock users_refresh goes by (tests step
 * one); users_open uses the system's.
 */
struct users	*users_open(const char *path, char *err, size_t errlen);
struct users	*users_open_clock(const char *path,
		    const struct watch_clock *clock, char *err, size_t errlen);
void		 users_free(struct users *users);

/*
 * Parse an in-memory image of a users file (tests, fuzzing).  The buffer
 * is copied.  Returns NULL with err set if the image is not acceptable.
 */
struct users	*users_from_buffer(const char *buf, size_t len,
		    char *err, size_t errlen);

/* When users_refresh looks at the file. */
enum users_refresh_mode {
	USERS_REFRESH_DUE,	/* at most every USERS_CHECK_INTERVAL_MS */
	USERS_REFRESH_FORCE,	/* now, and read any change at once (tests) */
	USERS_REFRESH_NOW,	/* now; an edit in place must still settle */
};

/*
 * Re-read the file if it changed (device, inode, size or mtime; by content
 * while the mtime is too recent to tell, see watch.h), when mode says to
 * look, and when edited in place only once it has settled.  A file that
 * cannot be read or parsed keeps the last good copy and is reported once;
 * a broken file fixed later is loaded, even at the same size within the
 * same second.  Returns 1 if it loaded a new copy (which invalidates every
 * struct user handed out), else 0.
 */
int		 users_refresh(struct users *users,
		    enum users_refresh_mode mode);

/* The user called name, or NULL; borrowed until the next users_refresh. */
const struct user *users_lookup(const struct users *users, const char *name);

/*
 * A hash to verify against when the user is unknown, so that costs a
 * wrong password's time: one of the file's own, the first of the setting
 * (scheme and cost) that a cost model says takes longest (password.c:
 * within 10 to 30% here, see docs/design.md),
 * or a yescrypt one at libxcrypt's default cost for a file of no users.
 * Chosen once per load, without hashing anything: a CGI process (one
 * request each) chooses as a FastCGI one does.  Borrowed until the next
 * users_refresh.
 */
const char	*users_dummy_hash(const struct users *users);

/*
 * How many different hash settings (scheme and cost) the file uses, up to
 * 8; more than 1 is logged at load, as names with a cheaper hash can be
 * told from unknown ones by time.
 */
size_t		 users_hash_settings(const struct users *users);

size_t		 users_count(const struct users *users);

/* Whether a string is a valid name or role (see the format above). */
int		 users_valid_name(const char *s, size_t len);
int		 users_valid_role(const char *s, size_t len);

/*
 * Parse one line (NUL-terminated, len bytes, no newline) in place, as the
 * loader does: 1 and *u filled (pointing into line; lineno untouched) for
 * a user, 0 for a comment or blank line, -1 with *why set if malformed.
 * Shared with the editor so that both judge every line alike.
 */
int		 users_parse_line(char *line, size_t len, struct user *u,
		    const char **why);

#endif /* FCGI_AUTH_USERS_H */
