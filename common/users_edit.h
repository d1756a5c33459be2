/* users_edit.h -- change the users file safely: lock, re-read, edit, replace */
#ifndef FCGI_AUTH_USERS_EDIT_H
#define FCGI_AUTH_USERS_EDIT_H

#include <stddef.h>

#include "users.h"

/*
 * An edit session on one users file.  Opened for writing, it holds an
 * exclusive flock(2) on "PATH.lock" (never on PATH itself: the rename that
 * ends every edit replaces PATH's inode) from users_edit_open to
 * users_edit_free, and works on the file as read under that lock, so two
 * editors never lose each other's change.  users_edit_commit writes
 * "PATH.tmp" in the same folder, fsyncs it, renames it over PATH and
 * fsyncs the folder: a reader sees the old file or the new one, never
 * part of either.  A run killed midway leaves at most a stale PATH.tmp,
 * which the next commit removes (the name is fixed and only used under
 * the lock).
 *
 * Comments, blank lines, malformed lines and the order of all lines are
 * kept; only the lines of changed users are rewritten.  The file keeps its
 * owner, group and mode; a new one gets mode USERS_EDIT_NEW_MODE.
 */
#define USERS_EDIT_NEW_MODE	0640
/* How long users_edit_open waits for another editor by default. */
#define USERS_EDIT_LOCK_WAIT_MS	10000

/* users_edit_open flags */
#define USERS_EDIT_CREATE	0x01	/* a missing file is an empty one */
#define USERS_EDIT_READONLY	0x02	/* no lock, no commit (list, check) */
#define USERS_EDIT_QUIET	0x04	/* no warnings about skipped lines */

/* What an edit came to; users_edit_status_text says it in words. */
enum users_edit_status {
	USERS_EDIT_OK,		/* done (or nothing to do) */
	USERS_EDIT_INVALID,	/* a name, role or hash the file cannot hold */
	USERS_EDIT_NO_USER,	/* no user of that name */
	USERS_EDIT_EXISTS,	/* a user of that name is already there */
	USERS_EDIT_LIMIT,	/* the version is at USERS_VERSION_MAX */
	USERS_EDIT_ERROR,	/* out of memory, or a read-only session */
};

struct users_edit;

/*
 * Lock (unless USERS_EDIT_READONLY, waiting at most wait_ms for another
 * editor) and read the file at path; a symbolic link is followed and its
 * target edited.  Malformed and duplicate lines are reported with
 * log_warnx, by line number, unless USERS_EDIT_QUIET.  Returns NULL with
 * one line in err if the file cannot be locked or read, or is no users
 * file (too large, NUL bytes).
 * users_edit_free releases the lock and drops uncommitted changes;
 * users_edit_free(NULL) is a no-op.
 */
struct users_edit *users_edit_open(const char *path, int flags, int wait_ms,
		    char *err, size_t errlen);
void		 users_edit_free(struct users_edit *e);

/*
 * The user called name, or NULL: the first line of that name, as the
 * services see it.  Borrowed until the next change or users_edit_free.
 */
const struct user *users_edit_lookup(const struct users_edit *e,
		    const char *name);

/*
 * The users in file order: start with *pos = 0, NULL at the end.
 * Lines the services skip (malformed, duplicates) are not listed.
 */
const struct user *users_edit_next(const struct users_edit *e, size_t *pos);

/*
 * The changes.  Each validates its arguments (users_valid_name,
 * users_valid_role, password_hash_usable) and changes only the session;
 * users_edit_commit writes them.  passwd and revoke raise the user's
 * version by one, which revokes every token issued before; so does
 * disable of an active user, so that enable never brings old tokens back.
 * del removes every line of that name, duplicates included.  A change to
 * what is already so (a role to the same role, enable of an active user)
 * is USERS_EDIT_OK and changes nothing.
 */
enum users_edit_status users_edit_add(struct users_edit *e, const char *name,
		    const char *hash, const char *role);
enum users_edit_status users_edit_passwd(struct users_edit *e,
		    const char *name, const char *hash);
enum users_edit_status users_edit_role(struct users_edit *e, const char *name,
		    const char *role);
enum users_edit_status users_edit_disable(struct users_edit *e,
		    const char *name);
enum users_edit_status users_edit_enable(struct users_edit *e,
		    const char *name);
enum users_edit_status users_edit_revoke(struct users_edit *e,
		    const char *name);
enum users_edit_status users_edit_del(struct users_edit *e, const char *name);

/*
 * Replace the file with the session's image (nothing is written if
 * nothing changed).  Refuses an image the services would not load: one
 * over USERS_FILE_MAX_BYTES, or with malformed lines and no user left.
 * Returns 0, or -1 with one line in err; on -1 the file is untouched.
 */
int		 users_edit_commit(struct users_edit *e, char *err,
		    size_t errlen);

/* "no such user", "user exists", ...; never NULL. */
const char	*users_edit_status_text(enum users_edit_status st);

#endif /* FCGI_AUTH_USERS_EDIT_H */
