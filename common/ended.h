/* ended.h -- the sessions this process knows have ended: a bounded set that forgets */
#ifndef FCGI_AUTH_ENDED_H
#define FCGI_AUTH_ENDED_H

#include <stddef.h>

#include "session.h"

/*
 * A token check asks whether its session has ended without asking the
 * store: each process keeps the ended sessions it has read from the
 * store's log (store.c polls it) in this set.  An entry is a session id
 * and "until", the time (Unix seconds) after which no access token of
 * that session can still be valid; it is forgotten then.  So the set
 * holds the sessions ended in the last access-token lifetime (about half
 * an hour), whatever the store's size.
 *
 * Open addressing with linear probing, a power-of-two table at most half
 * full, 24 bytes an entry: 10,000 entries take about half a megabyte.
 * The hash is the id's first 8 bytes: ids are 128 random bits we made,
 * and a token's sid is signed, so nobody can aim at a collision.
 */
#define ENDED_MAX_DEFAULT	(1 << 18)	/* entries; a 12 MiB table */

struct ended;

/*
 * An empty set that holds at most max entries (0: ENDED_MAX_DEFAULT).
 * Returns NULL if out of memory.  ended_free(NULL) is a no-op.
 */
struct ended	*ended_new(size_t max);
void		 ended_free(struct ended *e);

/*
 * Remember that session sid has ended, until then (a later until for an
 * id already there wins).  An entry whose until is before now is not
 * added.  When the set is full, the entries past their until are dropped
 * first.  Returns 0, or -1 with errno ENOSPC (still full: the entry is
 * not kept, and that session's tokens are not refused here) or ENOMEM.
 */
int		 ended_add(struct ended *e,
		    const unsigned char sid[SESSION_SID_BYTES], long long until,
		    long long now);

/* Whether sid has ended and its until is not before now: 1 or 0. */
int		 ended_has(const struct ended *e,
		    const unsigned char sid[SESSION_SID_BYTES], long long now);

/*
 * Drop the entries whose until is before now, and shrink the table to
 * fit what is left.  Returns how many are left.
 */
size_t		 ended_sweep(struct ended *e, long long now);

/* How many entries there are (some may be past their until). */
size_t		 ended_count(const struct ended *e);

#endif /* FCGI_AUTH_ENDED_H */
