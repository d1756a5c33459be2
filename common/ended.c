/* ended.c -- the sessions this process knows have ended: a bounded set that forgets */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ended.h"

#define ENDED_MIN_SLOTS	64

/* until == 0 marks an empty slot: no until we keep is that old. */
struct slot {
	unsigned char	 sid[SESSION_SID_BYTES];
	long long	 until;
};

struct ended {
	struct slot	*slots;
	size_t		 size;		/* a power of two */
	size_t		 used;
	size_t		 max;		/* entries, at most */
};

static size_t	 slot_of(const struct ended *, const unsigned char *);
static int	 rebuild(struct ended *, size_t, long long);

struct ended *
ended_new(size_t max)
{
	struct ended	*e;

	if (max == 0)
		max = ENDED_MAX_DEFAULT;
	/* At most half full: the table may reach twice max, a power of 2. */
	if (max > SIZE_MAX / 4 / sizeof(struct slot))
		return NULL;
	if ((e = calloc(1, sizeof(*e))) == NULL)
		return NULL;
	e->max = max;
	e->size = ENDED_MIN_SLOTS;
	if ((e->slots = calloc(e->size, sizeof(*e->slots))) == NULL) {
		free(e);
		return NULL;
	}
	return e;
}

void
ended_free(struct ended *e)
{
	if (e == NULL)
		return;
	free(e->slots);
	free(e);
}

/*
 * The slot holding sid, or the empty one where it would go.  Session ids
 * are 128 random bits we made, and a token's sid is signed: the first 8
 * bytes are as good a hash as any, and nobody can aim at a collision.
 */
static size_t
slot_of(const struct ended *e, const unsigned char *sid)
{
	uint64_t	 h;
	size_t		 i;

	memcpy(&h, sid, sizeof(h));
	i = (size_t)h & (e->size - 1);
	while (e->slots[i].until != 0 &&
	    memcmp(e->slots[i].sid, sid, SESSION_SID_BYTES) != 0)
		i = (i + 1) & (e->size - 1);
	return i;
}

/*
 * Move the entries whose until is not before now into a table of size
 * slots (one that fits them at most half full).  Returns 0, or -1 with
 * errno ENOMEM (then the set is as it was).
 */
static int
rebuild(struct ended *e, size_t size, long long now)
{
	struct slot	*old = e->slots;
	size_t		 osize = e->size, i;

	if ((e->slots = calloc(size, sizeof(*e->slots))) == NULL) {
		e->slots = old;
		errno = ENOMEM;
		return -1;
	}
	e->size = size;
	e->used = 0;
	for (i = 0; i < osize; i++) {
		if (old[i].until == 0 || old[i].until < now)
			continue;
		e->slots[slot_of(e, old[i].sid)] = old[i];
		e->used++;
	}
	free(old);
	return 0;
}

/* The smallest table that holds n entries at most half full. */
static size_t
fit(size_t n)
{
	size_t	 size = ENDED_MIN_SLOTS;

	while (size / 2 < n)
		size *= 2;
	return size;
}

int
ended_add(struct ended *e, const unsigned char sid[SESSION_SID_BYTES],
    long long until, long long now)
{
	struct slot	*s;

	if (until < now || until <= 0)
		return 0;	/* its tokens are dead already */
	s = &e->slots[slot_of(e, sid)];
	if (s->until != 0) {
		if (until > s->until)
			s->until = until;
		return 0;
	}
	if (e->used >= e->max) {
		/* Full: what has expired goes first. */
		if (rebuild(e, fit(e->max), now) == -1)
			return -1;
		if (e->used >= e->max) {
			errno = ENOSPC;
			return -1;
		}
	}
	if ((e->used + 1) > e->size / 2 &&
	    rebuild(e, e->size * 2, LLONG_MIN) == -1)
		return -1;
	s = &e->slots[slot_of(e, sid)];
	memcpy(s->sid, sid, SESSION_SID_BYTES);
	s->until = until;
	e->used++;
	return 0;
}

int
ended_has(const struct ended *e, const unsigned char sid[SESSION_SID_BYTES],
    long long now)
{
	const struct slot	*s = &e->slots[slot_of(e, sid)];

	return s->until != 0 && s->until >= now;
}

size_t
ended_sweep(struct ended *e, long long now)
{
	size_t	 i, live = 0;

	for (i = 0; i < e->size; i++)
		if (e->slots[i].until != 0 && e->slots[i].until >= now)
			live++;
	/* Out of memory: keep the old table; has() checks until anyway. */
	(void)rebuild(e, fit(live), now);
	return e->used;
}

size_t
ended_count(const struct ended *e)
{
	return e->used;
}
