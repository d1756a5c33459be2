/* store_sqlite.c -- the session store on one host: SQLite in WAL mode */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "log.h"
#include "session.h"
#include "store.h"
#include "store_int.h"
#include "throttle.h"

#define SQ_SCHEMA_VERSION	2
#define SQ_PURGE_EVERY_SEC	1	/* per process, at most */

/*
 * The schema.  Times are Unix seconds, but attempts.at is milliseconds.
 * AUTOINCREMENT: once a purge empties the ended log, a plain INTEGER
 * PRIMARY KEY would start again at 1 and a process whose cursor is past
 * that would never see the new entries; AUTOINCREMENT never reuses a
 * number.  The rotated table's primary key is a safety net: a second
 * winner of one rotation would fail on it rather than issue a token.
 * sessions.pwfp is NULL in a row from before version 2 (sq_upgrade).
 */
static const char sq_schema[] =
"CREATE TABLE IF NOT EXISTS sessions ("
"	sid		TEXT PRIMARY KEY,"
"	user		TEXT NOT NULL,"
"	ver		INTEGER NOT NULL,"
"	scope		TEXT NOT NULL,"
"	created		INTEGER NOT NULL,"
"	last_used	INTEGER NOT NULL,"
"	expires		INTEGER NOT NULL,"
"	abs_expires	INTEGER NOT NULL,"
"	ended		INTEGER NOT NULL DEFAULT 0,"
"	addr		TEXT NOT NULL,"
"	agent		TEXT NOT NULL,"
"	gen		INTEGER NOT NULL DEFAULT 0,"
"	cur		BLOB NOT NULL,"
"	pwfp		TEXT"
") WITHOUT ROWID;"
"CREATE INDEX IF NOT EXISTS sessions_user ON sessions (user, expires);"
"CREATE INDEX IF NOT EXISTS sessions_expires ON sessions (expires);"
"CREATE TABLE IF NOT EXISTS rotated ("
"	sid		TEXT NOT NULL,"
"	hash		BLOB NOT NULL,"
"	PRIMARY KEY (sid, hash)"
") WITHOUT ROWID;"
"CREATE TABLE IF NOT EXISTS ended ("
"	seq		INTEGER PRIMARY KEY AUTOINCREMENT,"
"	sid		TEXT NOT NULL,"
"	until		INTEGER NOT NULL"
");"
"CREATE INDEX IF NOT EXISTS ended_until ON ended (until);"
"CREATE TABLE IF NOT EXISTS attempts ("
"	id		INTEGER PRIMARY KEY,"
"	user		TEXT NOT NULL,"
"	addr		TEXT NOT NULL,"
"	at		INTEGER NOT NULL"
");"
"CREATE INDEX IF NOT EXISTS attempts_pair ON attempts (user, addr, at);"
"CREATE INDEX IF NOT EXISTS attempts_user ON attempts (user, at);"
"CREATE INDEX IF NOT EXISTS attempts_at ON attempts (at);"
"PRAGMA user_version = 2;";

/* Version 1 to 2: the password hash's fingerprint (NULL: none kept). */
static const char sq_upgrade_1[] =
"ALTER TABLE sessions ADD COLUMN pwfp TEXT;"
"PRAGMA user_version = 2;";

/* Every statement, prepared once per connection. */
enum sq_query {
	Q_BEGIN, Q_COMMIT, Q_ROLLBACK,
	Q_CREATE, Q_PEEK, Q_MATCH, Q_ROTATE, Q_ROTATED_ADD,
	Q_END, Q_LOG, Q_END_USER_LOG, Q_END_USER, Q_GET, Q_LIST, Q_SINCE,
	Q_PAIR, Q_ACCOUNT, Q_ATTEMPT, Q_ATTEMPT_DEL, Q_PAIR_CLEAR,
	Q_PURGE_ROTATED, Q_PURGE_SESSIONS, Q_PURGE_ENDED, Q_PURGE_ATTEMPTS,
	Q_COUNT
};

#define SQ_ROW	"user, ver, scope, created, last_used, expires, " \
		"abs_expires, ended, addr, agent, pwfp"

static const char *const sq_sql[Q_COUNT] = {
	/*
	 * IMMEDIATE: the write lock before the read.  A deferred transaction
	 * that reads and then writes fails at once with SQLITE_BUSY(_SNAPSHOT)
	 * when another process committed in between, without the busy
	 * handler: two racing refreshes would get a 503 instead of queueing.
	 */
	[Q_BEGIN] = "BEGIN IMMEDIATE",
	[Q_COMMIT] = "COMMIT",
	[Q_ROLLBACK] = "ROLLBACK",
	[Q_CREATE] = "INSERT INTO sessions (sid, user, ver, scope, created, "
	    "last_used, expires, abs_expires, addr, agent, cur, pwfp) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
	/* ?2 the token presented, ?3 the one it would become. */
	[Q_PEEK] = "SELECT " SQ_ROW ", cur = ?2, EXISTS (SELECT 1 FROM "
	    "rotated WHERE sid = ?1 AND hash = ?2), cur = ?3 "
	    "FROM sessions WHERE sid = ?1",
	[Q_MATCH] = "SELECT cur = ?2 OR EXISTS (SELECT 1 FROM rotated "
	    "WHERE sid = ?1 AND hash = ?2) FROM sessions WHERE sid = ?1",
	[Q_ROTATE] = "UPDATE sessions SET cur = ?2, last_used = ?3, "
	    "expires = min(abs_expires, ?3 + ?4), gen = gen + 1 "
	    "WHERE sid = ?1",
	[Q_ROTATED_ADD] = "INSERT INTO rotated (sid, hash) VALUES (?1, ?2)",
	[Q_END] = "UPDATE sessions SET ended = ?2 WHERE sid = ?1 AND "
	    "ended = 0",
	[Q_LOG] = "INSERT INTO ended (sid, until) VALUES (?1, ?2)",
	/* Log first: the UPDATE after it is what makes them not live. */
	[Q_END_USER_LOG] = "INSERT INTO ended (sid, until) SELECT sid, ?3 "
	    "FROM sessions WHERE user = ?1 AND ended = 0 AND expires > ?2 "
	    "ORDER BY created",
	[Q_END_USER] = "UPDATE sessions SET ended = ?2 WHERE user = ?1 AND "
	    "ended = 0 AND expires > ?2",
	[Q_GET] = "SELECT " SQ_ROW " FROM sessions WHERE sid = ?1",
	[Q_LIST] = "SELECT " SQ_ROW ", sid FROM sessions WHERE user = ?1 "
	    "AND expires > ?2 AND ended = 0 ORDER BY created, sid LIMIT ?3",
	[Q_SINCE] = "SELECT seq, sid, until FROM ended WHERE seq > ?1 "
	    "ORDER BY seq LIMIT ?2",
	[Q_PAIR] = "SELECT count(*), max(at) FROM attempts "
	    "WHERE user = ?1 AND addr = ?2 AND at > ?3",
	[Q_ACCOUNT] = "SELECT count(*), min(at) FROM attempts "
	    "WHERE user = ?1 AND at > ?2",
	[Q_ATTEMPT] = "INSERT INTO attempts (user, addr, at) "
	    "VALUES (?1, ?2, ?3)",
	[Q_ATTEMPT_DEL] = "DELETE FROM attempts WHERE id = ?1",
	/* The pair's failures leave the pair, but count for the account. */
	[Q_PAIR_CLEAR] = "UPDATE attempts SET addr = '' WHERE user = ?1 AND "
	    "addr = ?2",
	/*
	 * Bounded batches, by subquery: DELETE ... LIMIT needs a compile-time
	 * option that not every build of SQLite has.
	 */
	[Q_PURGE_ROTATED] = "DELETE FROM rotated WHERE sid IN (SELECT sid "
	    "FROM sessions WHERE expires <= ?1 ORDER BY expires LIMIT 256)",
	[Q_PURGE_SESSIONS] = "DELETE FROM sessions WHERE sid IN (SELECT sid "
	    "FROM sessions WHERE expires <= ?1 ORDER BY expires LIMIT 256)",
	[Q_PURGE_ENDED] = "DELETE FROM ended WHERE seq IN (SELECT seq FROM "
	    "ended WHERE until < ?1 ORDER BY until LIMIT 256)",
	[Q_PURGE_ATTEMPTS] = "DELETE FROM attempts WHERE id IN (SELECT id "
	    "FROM attempts WHERE at < ?1 ORDER BY at LIMIT 256)",
};

/* A connection and its statements. */
struct sq_conn {
	sqlite3			*db;
	sqlite3_stmt		*q[Q_COUNT];
};

/* A parent's connection that a child process let go of (sq_free). */
static struct sq_conn	 sq_orphan;

struct sq {
	sqlite3			*db;
	sqlite3_stmt		*q[Q_COUNT];
	struct sq_conn		 inherited;	/* the parent's, left alone */
	int			 ready;		/* schema and statements */
	pid_t			 pid;		/* the process that opened db */
	long long		 next_purge;	/* Unix seconds */
	const struct store_limits *lim;
	char			 path[STORE_URL_MAX + 1];
	char			 err[256];	/* why the last STORE_DOWN */
	int			 said_version;	/* a newer schema, logged */
};

/* What a peek at a session says about one presented token. */
struct sq_peek {
	int		 found;
	int		 is_cur;	/* the token is the current one */
	int		 is_rotated;	/* ... or one used up before */
	int		 is_new;	/* the current one is new_hash */
};

static void	*sq_open(const struct store_url *, const char *,
		    const struct store_limits *, const struct watch_clock *,
		    char *, size_t);
static void	 sq_free(void *);
static const char *sq_errstr(const void *);
static int	 sq_connect(struct sq *, char *, size_t);
static void	 sq_disconnect(struct sq *);
static int	 sq_ready(struct sq *);
static int	 sq_user_version(struct sq *, int *);
static int	 sq_upgrade(struct sq *, int *);
static enum store_status sq_down(struct sq *, int, const char *);
static int	 step_done(sqlite3_stmt *);
static int	 sq_begin(struct sq *);
static void	 sq_rollback(struct sq *);
static int	 sq_purge(struct sq *, long long);
static void	 bind_text(sqlite3_stmt *, int, const char *);
static void	 bind_hash(sqlite3_stmt *, int, const unsigned char *);
static void	 read_row(sqlite3_stmt *, const char *, struct store_session *);
static int	 sq_peek(struct sq *, const char *, const unsigned char *,
		    const unsigned char *, long long, struct store_session *,
		    struct sq_peek *);
static int	 end_locked(struct sq *, const char *, long long, int *);

static const char *
sq_errstr(const void *impl)
{
	const struct sq	*s = impl;

	return s->err;
}

/*
 * The errors that make the store down for this request (busy past the
 * timeout, locked, full, I/O, read-only, out of memory, corrupt): 503.
 * Anything else (a constraint, misuse, an SQL error) is a bug: logged,
 * and also STORE_DOWN, never a 200.  A transaction left open is rolled
 * back, but only if it still is: after SQLITE_FULL SQLite has already
 * done it, and a second ROLLBACK fails.
 */
static enum store_status
sq_down(struct sq *s, int rc, const char *what)
{
	const char	*msg;

	msg = s->db != NULL && sqlite3_errcode(s->db) == rc ?
	    sqlite3_errmsg(s->db) : sqlite3_errstr(rc);
	(void)snprintf(s->err, sizeof(s->err), "sqlite: %s (%d, %s)", msg, rc,
	    what);
	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
	case SQLITE_FULL:
	case SQLITE_IOERR:
	case SQLITE_CANTOPEN:
	case SQLITE_READONLY:
	case SQLITE_NOMEM:
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
	case SQLITE_PROTOCOL:
		break;
	default:
		/* (A newer schema is no bug: said once, in sq_ready.) */
		if (!s->said_version)
			log_warnx("session store: unexpected %s", s->err);
		break;
	}
	if (s->db != NULL && !sqlite3_get_autocommit(s->db))
		sq_rollback(s);
	return STORE_DOWN;
}

static int
step_done(sqlite3_stmt *q)
{
	int	 rc;

	rc = sqlite3_step(q);
	(void)sqlite3_reset(q);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
}

/*
 * Open the file, 0600 if it is new (SQLite gives -wal and -shm the
 * database's mode), with extended result codes for the log, no mutexes
 * (one thread per process).
 */
static int
sq_connect(struct sq *s, char *err, size_t errlen)
{
	mode_t	 mask;
	int	 rc;

	s->pid = getpid();
	s->ready = 0;
	mask = umask(077);
	rc = sqlite3_open_v2(s->path, &s->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE,
	    NULL);
	(void)umask(mask);
	if (rc != SQLITE_OK) {
		(void)log_seterr(err, errlen, "SESSION_STORE sqlite:%s: %s",
		    s->path, s->db != NULL ? sqlite3_errmsg(s->db) :
		    sqlite3_errstr(rc));
		(void)sqlite3_close(s->db);
		s->db = NULL;
		return -1;
	}
	(void)sqlite3_busy_timeout(s->db, s->lim->timeout_ms > 0 ?
	    s->lim->timeout_ms : STORE_SQLITE_BUSY_MS);
	/* Locked or full now is no reason to stop: tried again later. */
	(void)sq_ready(s);
	return 0;
}

static void
sq_disconnect(struct sq *s)
{
	int	 i;

	for (i = 0; i < Q_COUNT; i++) {
		(void)sqlite3_finalize(s->q[i]);
		s->q[i] = NULL;
	}
	(void)sqlite3_close(s->db);
	s->db = NULL;
	s->ready = 0;
}

/*
 * WAL, the schema and the statements, once per connection, each step
 * idempotent so that several processes starting at once agree.  WAL is
 * kept in the file; synchronous=FULL is per connection: a logout lost at
 * a power failure would bring a session back.  Returns SQLITE_OK or the
 * error (s->err says it).
 */
static int
sq_ready(struct sq *s)
{
	int		 rc, i, ver = -1;

	if (s->ready)
		return SQLITE_OK;
	if ((rc = sqlite3_exec(s->db, "PRAGMA journal_mode=WAL", NULL, NULL,
	    NULL)) != SQLITE_OK) {
		(void)sq_down(s, rc, "journal_mode");
		return rc;
	}
	if ((rc = sqlite3_exec(s->db, "PRAGMA synchronous=FULL; "
	    "PRAGMA journal_size_limit=4194304", NULL, NULL, NULL)) !=
	    SQLITE_OK) {
		(void)sq_down(s, rc, "synchronous");
		return rc;
	}
	if ((rc = sq_user_version(s, &ver)) != SQLITE_OK) {
		(void)sq_down(s, rc, "user_version");
		return rc;
	}
	/*
	 * Only what sq_upgrade can make or upgrade takes its write lock: a
	 * version it would leave alone costs no lock on every request.
	 */
	if ((ver == 0 || ver == 1) && (rc = sq_upgrade(s, &ver)) !=
	    SQLITE_OK) {
		(void)sq_down(s, rc, "schema");
		return rc;
	}
	if (ver != SQ_SCHEMA_VERSION) {
		/* Said once here: the caller's STORE_DOWN line is generic. */
		if (!s->said_version)
			log_warnx("session store %s: schema version %d, not "
			    "%d (made by a newer fcgi-auth?): refused",
			    s->path, ver, SQ_SCHEMA_VERSION);
		s->said_version = 1;
		return SQLITE_ERROR;
	}
	for (i = 0; i < Q_COUNT; i++) {
		if (s->q[i] != NULL)
			continue;
		if ((rc = sqlite3_prepare_v3(s->db, sq_sql[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &s->q[i], NULL)) != SQLITE_OK) {
			(void)sq_down(s, rc, "prepare");
			return rc;
		}
	}
	s->ready = 1;
	return SQLITE_OK;
}

/* PRAGMA user_version into *ver.  Returns SQLITE_OK or the error. */
static int
sq_user_version(struct sq *s, int *ver)
{
	sqlite3_stmt	*q = NULL;
	int		 rc;

	if ((rc = sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &q,
	    NULL)) == SQLITE_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
		*ver = sqlite3_column_int(q, 0);
		rc = SQLITE_OK;
	}
	(void)sqlite3_finalize(q);
	return rc;
}

/*
 * Make the schema, or bring a file of an older version up to this one,
 * under the write lock, where the version is read again: of several
 * processes starting at once, the first does it and the others find it
 * done (ALTER TABLE, unlike CREATE ... IF NOT EXISTS, fails twice).
 * Rows of version 1 keep working: their pwfp is NULL.  Returns SQLITE_OK
 * with *ver the version now (any other, as a newer fcgi-auth or a hand
 * left it, is left alone for the caller to refuse), or the error, rolled
 * back by the caller's sq_down.
 */
static int
sq_upgrade(struct sq *s, int *ver)
{
	int	 rc, was = -1;

	if ((rc = sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL,
	    NULL)) != SQLITE_OK ||
	    (rc = sq_user_version(s, &was)) != SQLITE_OK)
		return rc;
	if (was == 0)
		rc = sqlite3_exec(s->db, sq_schema, NULL, NULL, NULL);
	else if (was == 1)
		rc = sqlite3_exec(s->db, sq_upgrade_1, NULL, NULL, NULL);
	if (rc != SQLITE_OK ||
	    (rc = sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL)) !=
	    SQLITE_OK)
		return rc;
	/* Any other version (newer, or one no release wrote) stays as is. */
	*ver = was == 0 || was == 1 ? SQ_SCHEMA_VERSION : was;
	if (was == 1)
		log_info("session store %s: schema upgraded from version 1 "
		    "to %d", s->path, SQ_SCHEMA_VERSION);
	return SQLITE_OK;
}

static void *
sq_open(const struct store_url *u, const char *password,
    const struct store_limits *lim, const struct watch_clock *clock,
    char *err, size_t errlen)
{
	struct sq	*s;

	(void)clock;
	if (password != NULL) {
		(void)log_seterr(err, errlen, "a SQLite store has no password");
		return NULL;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		(void)log_seterr(err, errlen, "out of memory");
		return NULL;
	}
	s->lim = lim;
	(void)snprintf(s->path, sizeof(s->path), "%s", u->path);
	if (sq_connect(s, err, errlen) == -1) {
		free(s);
		return NULL;
	}
	return s;
}

static void
sq_free(void *impl)
{
	struct sq	*s = impl;

	if (s == NULL)
		return;
	/*
	 * A connection inherited from a parent is the parent's: never
	 * closed here, and kept where a leak checker sees it is meant.
	 */
	if (s->inherited.db != NULL)
		sq_orphan = s->inherited;
	if (s->pid == getpid())
		sq_disconnect(s);
	else {
		sq_orphan.db = s->db;
		memcpy(sq_orphan.q, s->q, sizeof(s->q));
	}
	free(s);
}

/*
 * Every operation starts here: a connection of this process (a child
 * after fork(2) must not use its parent's: SQLite's "How To Corrupt"
 * 2.6), ready.  The parent's connection is not closed in the child:
 * closing it could checkpoint or unlink files under the parent.
 */
static int
sq_use(struct sq *s)
{
	if (s->pid != getpid()) {
		if (s->inherited.db == NULL) {
			s->inherited.db = s->db;
			memcpy(s->inherited.q, s->q, sizeof(s->q));
		}
		memset(s->q, 0, sizeof(s->q));
		s->db = NULL;
		if (sq_connect(s, s->err, sizeof(s->err)) == -1)
			return SQLITE_CANTOPEN;
	}
	return sq_ready(s);
}

static int
sq_begin(struct sq *s)
{
	int	 rc;

	if ((rc = sq_use(s)) != SQLITE_OK)
		return rc;
	return step_done(s->q[Q_BEGIN]);
}

static void
sq_rollback(struct sq *s)
{
	if (s->q[Q_ROLLBACK] != NULL)
		(void)step_done(s->q[Q_ROLLBACK]);
	else
		(void)sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

static void
bind_text(sqlite3_stmt *q, int i, const char *t)
{
	(void)sqlite3_bind_text(q, i, t, -1, SQLITE_STATIC);
}

static void
bind_hash(sqlite3_stmt *q, int i, const unsigned char *h)
{
	(void)sqlite3_bind_blob(q, i, h, SESSION_HASH_BYTES, SQLITE_STATIC);
}

static void
copy_col(sqlite3_stmt *q, int col, char *dst, size_t size)
{
	const unsigned char	*t = sqlite3_column_text(q, col);

	(void)snprintf(dst, size, "%s", t != NULL ? (const char *)t : "");
}

/* The columns of SQ_ROW, from col 0, into *out for session sid. */
static void
read_row(sqlite3_stmt *q, const char *sid, struct store_session *out)
{
	(void)snprintf(out->sid, sizeof(out->sid), "%s", sid);
	copy_col(q, 0, out->user, sizeof(out->user));
	out->ver = (long)sqlite3_column_int64(q, 1);
	copy_col(q, 2, out->scope, sizeof(out->scope));
	out->created = sqlite3_column_int64(q, 3);
	out->last_used = sqlite3_column_int64(q, 4);
	out->expires = sqlite3_column_int64(q, 5);
	out->abs_expires = sqlite3_column_int64(q, 6);
	out->ended = sqlite3_column_int64(q, 7);
	copy_col(q, 8, out->addr, sizeof(out->addr));
	copy_col(q, 9, out->agent, sizeof(out->agent));
	copy_col(q, 10, out->pwfp, sizeof(out->pwfp));
}

/*
 * Expired rows go as a side effect of writes, at most once a second per
 * process, a bounded batch of each, inside the caller's transaction
 * (which commits anyway).  A session's rows stay keep_sec past its
 * expiry: a logout can still end the access token its last refresh
 * issued.  Attempts stay as long as the longer window counts them.
 */
static int
sq_purge(struct sq *s, long long now)
{
	long long	 win;
	int		 rc;

	if (now < s->next_purge)
		return SQLITE_OK;
	(void)sqlite3_bind_int64(s->q[Q_PURGE_ROTATED], 1,
	    now - s->lim->keep_sec);
	(void)sqlite3_bind_int64(s->q[Q_PURGE_SESSIONS], 1,
	    now - s->lim->keep_sec);
	(void)sqlite3_bind_int64(s->q[Q_PURGE_ENDED], 1, now);
	win = s->lim->window_ms > s->lim->account_window_ms ?
	    s->lim->window_ms : s->lim->account_window_ms;
	(void)sqlite3_bind_int64(s->q[Q_PURGE_ATTEMPTS], 1, now * 1000 - win);
	if ((rc = step_done(s->q[Q_PURGE_ROTATED])) != SQLITE_OK ||
	    (rc = step_done(s->q[Q_PURGE_SESSIONS])) != SQLITE_OK ||
	    (rc = step_done(s->q[Q_PURGE_ENDED])) != SQLITE_OK ||
	    (rc = step_done(s->q[Q_PURGE_ATTEMPTS])) != SQLITE_OK)
		return rc;
	s->next_purge = now + SQ_PURGE_EVERY_SEC;
	return SQLITE_OK;
}

static enum store_status
sq_create(void *impl, struct store_session *ss,
    const unsigned char hash[SESSION_HASH_BYTES])
{
	struct sq	*s = impl;
	sqlite3_stmt	*q;
	int		 rc;

	if ((rc = sq_begin(s)) != SQLITE_OK)
		return sq_down(s, rc, "create");
	q = s->q[Q_CREATE];
	bind_text(q, 1, ss->sid);
	bind_text(q, 2, ss->user);
	(void)sqlite3_bind_int64(q, 3, ss->ver);
	bind_text(q, 4, ss->scope);
	(void)sqlite3_bind_int64(q, 5, ss->created);
	(void)sqlite3_bind_int64(q, 6, ss->expires);
	(void)sqlite3_bind_int64(q, 7, ss->abs_expires);
	bind_text(q, 8, ss->addr);
	bind_text(q, 9, ss->agent);
	bind_hash(q, 10, hash);
	if (ss->pwfp[0] != '\0')
		bind_text(q, 11, ss->pwfp);
	else
		(void)sqlite3_bind_null(q, 11);
	if ((rc = step_done(q)) != SQLITE_OK ||
	    (rc = sq_purge(s, ss->created)) != SQLITE_OK ||
	    (rc = step_done(s->q[Q_COMMIT])) != SQLITE_OK)
		return sq_down(s, rc, "create");
	return STORE_OK;
}

/*
 * Read session sid and what old (and new_hash, if not NULL) are to it,
 * into *out and *p.  Returns SQLITE_OK or the error.
 */
static int
sq_peek(struct sq *s, const char *sid, const unsigned char *old,
    const unsigned char *new_hash, long long now, struct store_session *out,
    struct sq_peek *p)
{
	sqlite3_stmt	*q = s->q[Q_PEEK];
	int		 rc;

	(void)now;
	memset(p, 0, sizeof(*p));
	bind_text(q, 1, sid);
	bind_hash(q, 2, old);
	if (new_hash != NULL)
		bind_hash(q, 3, new_hash);
	else
		(void)sqlite3_bind_null(q, 3);
	if ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		p->found = 1;
		read_row(q, sid, out);
		p->is_cur = sqlite3_column_int(q, 11);
		p->is_rotated = sqlite3_column_int(q, 12);
		p->is_new = sqlite3_column_int(q, 13);
	}
	(void)sqlite3_reset(q);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* What a rotation does, given what a peek saw. */
enum sq_move {
	MOVE_ROTATE,	/* the current token, live: rotate it */
	MOVE_REPLAY,	/* already rotated to new_hash, live: OK again */
	MOVE_ENDED,	/* the current token, ended or expired */
	MOVE_REUSE,	/* a used-up token: end the family */
	MOVE_NONE,	/* no such session, or a guess */
};

static enum sq_move
decide(const struct sq_peek *p, const struct store_session *ss,
    long long now)
{
	int	 live;

	if (!p->found)
		return MOVE_NONE;
	live = ss->ended == 0 && ss->expires > now;
	if (p->is_cur)
		return live ? MOVE_ROTATE : MOVE_ENDED;
	if (p->is_new && live)
		return MOVE_REPLAY;
	return p->is_rotated ? MOVE_REUSE : MOVE_NONE;
}

/* Log sid as ended now, inside a write transaction. */
static int
log_ended(struct sq *s, const char *sid, long long now)
{
	bind_text(s->q[Q_LOG], 1, sid);
	(void)sqlite3_bind_int64(s->q[Q_LOG], 2, now + s->lim->keep_sec);
	return step_done(s->q[Q_LOG]);
}

/* End sid inside a write transaction: mark it and, if it was live, log. */
static int
end_locked(struct sq *s, const char *sid, long long now, int *did)
{
	int	 rc;

	bind_text(s->q[Q_END], 1, sid);
	(void)sqlite3_bind_int64(s->q[Q_END], 2, now);
	if ((rc = step_done(s->q[Q_END])) != SQLITE_OK)
		return rc;
	*did = sqlite3_changes(s->db) == 1;
	return *did ? log_ended(s, sid, now) : SQLITE_OK;
}

static enum store_status
sq_rotate(void *impl, const char *sid,
    const unsigned char old[SESSION_HASH_BYTES],
    const unsigned char new_hash[SESSION_HASH_BYTES], long long now,
    struct store_session *out)
{
	struct sq	*s = impl;
	struct sq_peek	 p;
	sqlite3_stmt	*q;
	int		 rc, did;

	/*
	 * First without the write lock: an unknown sid, a guess, an ended
	 * or expired session and a replay need nothing more, so a flood of
	 * bad tokens never queues for the lock.  What writes is decided
	 * again under the lock.
	 */
	if ((rc = sq_use(s)) != SQLITE_OK ||
	    (rc = sq_peek(s, sid, old, new_hash, now, out, &p)) != SQLITE_OK)
		return sq_down(s, rc, "rotate");
	switch (decide(&p, out, now)) {
	case MOVE_NONE:
		return STORE_NOT_FOUND;
	case MOVE_ENDED:
		return STORE_ENDED;	/* an expiry is no revocation */
	case MOVE_REPLAY:
		return STORE_OK;
	default:
		break;
	}
	if ((rc = sq_begin(s)) != SQLITE_OK ||
	    (rc = sq_peek(s, sid, old, new_hash, now, out, &p)) != SQLITE_OK)
		return sq_down(s, rc, "rotate");
	switch (decide(&p, out, now)) {
	case MOVE_ROTATE:
		q = s->q[Q_ROTATE];
		bind_text(q, 1, sid);
		bind_hash(q, 2, new_hash);
		(void)sqlite3_bind_int64(q, 3, now);
		(void)sqlite3_bind_int64(q, 4, s->lim->idle_sec);
		if ((rc = step_done(q)) != SQLITE_OK)
			return sq_down(s, rc, "rotate");
		q = s->q[Q_ROTATED_ADD];
		bind_text(q, 1, sid);
		bind_hash(q, 2, old);
		if ((rc = step_done(q)) != SQLITE_OK ||
		    (rc = sq_purge(s, now)) != SQLITE_OK ||
		    (rc = step_done(s->q[Q_COMMIT])) != SQLITE_OK)
			return sq_down(s, rc, "rotate");
		out->last_used = now;
		out->expires = now + s->lim->idle_sec < out->abs_expires ?
		    now + s->lim->idle_sec : out->abs_expires;
		return STORE_OK;
	case MOVE_REUSE:
		if ((rc = end_locked(s, sid, now, &did)) != SQLITE_OK ||
		    (rc = step_done(s->q[Q_COMMIT])) != SQLITE_OK)
			return sq_down(s, rc, "rotate");
		if (did)
			out->ended = now;
		return STORE_REUSED;
	case MOVE_REPLAY:
		sq_rollback(s);
		return STORE_OK;
	case MOVE_ENDED:
		sq_rollback(s);
		return STORE_ENDED;
	case MOVE_NONE:
		break;
	}
	sq_rollback(s);
	return STORE_NOT_FOUND;
}

static enum store_status
sq_get(void *impl, const char *sid, struct store_session *out)
{
	struct sq	*s = impl;
	sqlite3_stmt	*q;
	int		 rc;

	if ((rc = sq_use(s)) != SQLITE_OK)
		return sq_down(s, rc, "get");
	q = s->q[Q_GET];
	bind_text(q, 1, sid);
	if ((rc = sqlite3_step(q)) == SQLITE_ROW)
		read_row(q, sid, out);
	(void)sqlite3_reset(q);
	if (rc == SQLITE_DONE)
		return STORE_NOT_FOUND;
	if (rc != SQLITE_ROW)
		return sq_down(s, rc, "get");
	return STORE_OK;
}

static enum store_status
sq_end(void *impl, const char *sid, long long now)
{
	struct sq	*s = impl;
	int		 rc, did = 0;

	if ((rc = sq_begin(s)) != SQLITE_OK ||
	    (rc = end_locked(s, sid, now, &did)) != SQLITE_OK ||
	    (rc = sq_purge(s, now)) != SQLITE_OK ||
	    (rc = step_done(s->q[Q_COMMIT])) != SQLITE_OK)
		return sq_down(s, rc, "end");
	return did ? STORE_OK : STORE_NOT_FOUND;
}

/* Whether hash is sid's current or a rotated refresh token: 1, 0, or -rc. */
static int
sq_match(struct sq *s, const char *sid, const unsigned char *hash)
{
	sqlite3_stmt	*q = s->q[Q_MATCH];
	int		 rc, match = 0;

	bind_text(q, 1, sid);
	bind_hash(q, 2, hash);
	if ((rc = sqlite3_step(q)) == SQLITE_ROW)
		match = sqlite3_column_int(q, 0) != 0;
	(void)sqlite3_reset(q);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -rc;
	return match;
}

static enum store_status
sq_end_token(void *impl, const char *sid,
    const unsigned char hash[SESSION_HASH_BYTES], long long now)
{
	struct sq	*s = impl;
	int		 rc, m, did = 0;

	/* A guess never takes the write lock. */
	if ((rc = sq_use(s)) != SQLITE_OK)
		return sq_down(s, rc, "end_token");
	if ((m = sq_match(s, sid, hash)) < 0)
		return sq_down(s, -m, "end_token");
	if (m == 0)
		return STORE_NOT_FOUND;
	if ((rc = sq_begin(s)) != SQLITE_OK)
		return sq_down(s, rc, "end_token");
	if ((m = sq_match(s, sid, hash)) < 0)
		return sq_down(s, -m, "end_token");
	if (m == 0) {
		sq_rollback(s);
		return STORE_NOT_FOUND;
	}
	if ((rc = end_locked(s, sid, now, &did)) != SQLITE_OK ||
	    (rc = sq_purge(s, now)) != SQLITE_OK ||
	    (rc = step_done(s->q[Q_COMMIT])) != SQLITE_OK)
		return sq_down(s, rc, "end_token");
	return did ? STORE_OK : STORE_NOT_FOUND;
}

static enum store_status
sq_end_user(void *impl, const char *user, long long now, long *n)
{
	struct sq	*s = impl;
	sqlite3_stmt	*q;
	int		 rc;
	long		 changed;

	if ((rc = sq_begin(s)) != SQLITE_OK)
		return sq_down(s, rc, "end_user");
	q = s->q[Q_END_USER_LOG];
	bind_text(q, 1, user);
	(void)sqlite3_bind_int64(q, 2, now);
	(void)sqlite3_bind_int64(q, 3, now + s->lim->keep_sec);
	if ((rc = step_done(q)) != SQLITE_OK)
		return sq_down(s, rc, "end_user");
	q = s->q[Q_END_USER];
	bind_text(q, 1, user);
	(void)sqlite3_bind_int64(q, 2, now);
	if ((rc = step_done(q)) != SQLITE_OK)
		return sq_down(s, rc, "end_user");
	changed = sqlite3_changes(s->db);
	if ((rc = sq_purge(s, now)) != SQLITE_OK ||
	    (rc = step_done(s->q[Q_COMMIT])) != SQLITE_OK)
		return sq_down(s, rc, "end_user");
	*n = changed;
	return STORE_OK;
}

static enum store_status
sq_list(void *impl, const char *user, long long now,
    struct store_session *out, size_t max, size_t *n)
{
	struct sq	*s = impl;
	sqlite3_stmt	*q;
	int		 rc;
	char		 sid[SESSION_SID_CHARS + 1];

	if ((rc = sq_use(s)) != SQLITE_OK)
		return sq_down(s, rc, "list");
	q = s->q[Q_LIST];
	bind_text(q, 1, user);
	(void)sqlite3_bind_int64(q, 2, now);
	(void)sqlite3_bind_int64(q, 3, (sqlite3_int64)max);
	while (*n < max && (rc = sqlite3_step(q)) == SQLITE_ROW) {
		copy_col(q, 11, sid, sizeof(sid));
		read_row(q, sid, &out[(*n)++]);
	}
	(void)sqlite3_reset(q);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		*n = 0;
		return sq_down(s, rc, "list");
	}
	return STORE_OK;
}

/*
 * The poll: one autocommit read (in WAL it never waits for a writer and
 * never blocks one), by sequence number, which is commit order: entries
 * are inserted under the one write lock.
 */
static enum store_status
sq_ended_since(void *impl, struct store_cursor *cur, size_t max,
    store_ended_fn *fn, void *arg, size_t *n)
{
	struct sq	*s = impl;
	sqlite3_stmt	*q;
	unsigned char	 raw[SESSION_SID_BYTES];
	const char	*t;
	int		 rc;

	if ((rc = sq_use(s)) != SQLITE_OK)
		return sq_down(s, rc, "ended_since");
	q = s->q[Q_SINCE];
	(void)sqlite3_bind_int64(q, 1, (sqlite3_int64)cur->lo);
	(void)sqlite3_bind_int64(q, 2, (sqlite3_int64)max);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		t = (const char *)sqlite3_column_text(q, 1);
		if (t != NULL && session_sid_decode(t, strlen(t), raw) == 0)
			fn(raw, sqlite3_column_int64(q, 2), arg);
		cur->hi = 0;
		cur->lo = (unsigned long long)sqlite3_column_int64(q, 0);
		(*n)++;
	}
	(void)sqlite3_reset(q);
	if (rc != SQLITE_DONE)
		return sq_down(s, rc, "ended_since");
	return STORE_OK;
}

/* The two counts the rule reads; inside a transaction or not. */
static int
sq_counts(struct sq *s, const char *user, const char *addr, long long now_ms,
    struct throttle_counts *c)
{
	sqlite3_stmt	*q;
	int		 rc;

	memset(c, 0, sizeof(*c));
	q = s->q[Q_PAIR];
	bind_text(q, 1, user);
	bind_text(q, 2, addr);
	(void)sqlite3_bind_int64(q, 3, now_ms - s->lim->window_ms);
	if ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		c->np = sqlite3_column_int64(q, 0);
		c->last = sqlite3_column_int64(q, 1);
	}
	(void)sqlite3_reset(q);
	if (rc != SQLITE_ROW)
		return rc;
	q = s->q[Q_ACCOUNT];
	bind_text(q, 1, user);
	(void)sqlite3_bind_int64(q, 2, now_ms - s->lim->account_window_ms);
	if ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		c->na = sqlite3_column_int64(q, 0);
		c->oldest = sqlite3_column_int64(q, 1);
	}
	(void)sqlite3_reset(q);
	return rc == SQLITE_ROW ? SQLITE_OK : rc;
}

/* Seconds to wait, from ms, rounded up; at least 1. */
static long
secs_up(long long ms)
{
	long long	 s = (ms + 999) / 1000;

	return s < 1 ? 1 : s > LONG_MAX ? LONG_MAX : (long)s;
}

static enum store_status
sq_throttle_begin(void *impl, const char *user, const char *addr,
    long long now_ms, struct store_attempt *att, long *retry_after)
{
	struct sq		*s = impl;
	struct throttle_counts	 c;
	sqlite3_stmt		*q;
	long long		 wait;
	int			 rc;

	/*
	 * Counted twice: without the write lock (a throttled guess never
	 * queues for it, nor waits for an fsync), then under it, where the
	 * attempt is recorded atomically with the count.
	 */
	if ((rc = sq_use(s)) != SQLITE_OK ||
	    (rc = sq_counts(s, user, addr, now_ms, &c)) != SQLITE_OK)
		return sq_down(s, rc, "throttle");
	if ((wait = throttle_wait_ms(s->lim, &c, now_ms)) > 0) {
		*retry_after = secs_up(wait);
		return STORE_THROTTLED;
	}
	if ((rc = sq_begin(s)) != SQLITE_OK ||
	    (rc = sq_counts(s, user, addr, now_ms, &c)) != SQLITE_OK)
		return sq_down(s, rc, "throttle");
	if ((wait = throttle_wait_ms(s->lim, &c, now_ms)) > 0) {
		sq_rollback(s);
		*retry_after = secs_up(wait);
		return STORE_THROTTLED;
	}
	q = s->q[Q_ATTEMPT];
	bind_text(q, 1, user);
	bind_text(q, 2, addr);
	(void)sqlite3_bind_int64(q, 3, now_ms);
	if ((rc = step_done(q)) != SQLITE_OK)
		return sq_down(s, rc, "throttle");
	(void)snprintf(att->id, sizeof(att->id), "%lld",
	    (long long)sqlite3_last_insert_rowid(s->db));
	if ((rc = sq_purge(s, now_ms / 1000)) != SQLITE_OK ||
	    (rc = step_done(s->q[Q_COMMIT])) != SQLITE_OK) {
		memset(att, 0, sizeof(*att));
		return sq_down(s, rc, "throttle");
	}
	(void)snprintf(att->user, sizeof(att->user), "%s", user);
	(void)snprintf(att->addr, sizeof(att->addr), "%s", addr);
	return STORE_OK;
}

static enum store_status
sq_throttle_end(void *impl, const struct store_attempt *att, int success)
{
	struct sq	*s = impl;
	sqlite3_stmt	*q;
	long long	 id;
	char		*end;
	int		 rc;

	if (!success)
		return STORE_OK;	/* the attempt is the failure's record */
	errno = 0;
	id = strtoll(att->id, &end, 10);
	if (errno != 0 || end == att->id || *end != '\0' || id <= 0) {
		(void)snprintf(s->err, sizeof(s->err), "sqlite: not an "
		    "attempt of this store");
		return STORE_DOWN;
	}
	if ((rc = sq_begin(s)) != SQLITE_OK)
		return sq_down(s, rc, "throttle_end");
	q = s->q[Q_ATTEMPT_DEL];
	(void)sqlite3_bind_int64(q, 1, id);
	if ((rc = step_done(q)) != SQLITE_OK)
		return sq_down(s, rc, "throttle_end");
	q = s->q[Q_PAIR_CLEAR];
	bind_text(q, 1, att->user);
	bind_text(q, 2, att->addr);
	if ((rc = step_done(q)) != SQLITE_OK ||
	    (rc = step_done(s->q[Q_COMMIT])) != SQLITE_OK)
		return sq_down(s, rc, "throttle_end");
	return STORE_OK;
}

int
store_sqlite_test_exec(struct store *st, const char *sql)
{
	struct sq	*s;

	if ((s = store_impl(st, &store_sqlite_ops)) == NULL ||
	    sq_use(s) != SQLITE_OK)
		return -1;
	return sqlite3_exec(s->db, sql, NULL, NULL, NULL) == SQLITE_OK ?
	    0 : -1;
}

const struct store_ops store_sqlite_ops = {
	.kind = "sqlite",
	.open = sq_open,
	.free = sq_free,
	.errstr = sq_errstr,
	.create = sq_create,
	.rotate = sq_rotate,
	.get = sq_get,
	.end = sq_end,
	.end_token = sq_end_token,
	.end_user = sq_end_user,
	.list = sq_list,
	.ended_since = sq_ended_since,
	.throttle_begin = sq_throttle_begin,
	.throttle_end = sq_throttle_end,
};
