/* throttle.c -- login throttling on the store, or in this process's memory */
#include "config.h"

#include <sys/random.h>

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "throttle.h"

/*
 * In memory (sessions off), failures live in two tables of the same
 * shape: accounts (key: the account, addr "") and pairs (key: account and
 * address).  Each entry keeps a ring of its newest failure times; one
 * request at a time per process, so a failure is recorded after the hash
 * and never races a count.  Entries sit densely in ent[0..used); idx is
 * an open-addressing index on them (linear probing, twice as many slots
 * as entries, backward-shift deletion, a seeded hash so that names cannot
 * be chosen to collide).  When the table is full the entry whose newest
 * failure is oldest goes.
 */
struct mem_entry {
	char		 user[USERS_NAME_MAX + 1];
	char		 addr[STORE_ADDR_MAX + 1];
	uint64_t	 hash;
	long long	 newest;	/* the newest time in the ring */
	size_t		 head;		/* the oldest time's place */
	size_t		 n;		/* times in the ring */
};

struct mem_table {
	struct mem_entry	*ent;
	long long		*times;		/* ring i: times[i * ring ...] */
	int32_t			*idx;		/* -1: empty */
	size_t			 cap;		/* entries */
	size_t			 used;
	size_t			 ring;		/* times per entry */
	size_t			 mask;		/* idx has mask + 1 slots */
};

struct throttle {
	struct store		*st;		/* NULL: in memory */
	struct store_limits	 lim;
	uint64_t		 seed;
	struct mem_table	 accounts;
	struct mem_table	 pairs;
};

static int	 mem_init(struct mem_table *, size_t, size_t);
static void	 mem_free(struct mem_table *);
static uint64_t	 mem_hash(uint64_t, const char *, const char *);
static long	 mem_find(const struct mem_table *, uint64_t, const char *,
		    const char *, size_t *);
static long	 mem_add(struct mem_table *, uint64_t, const char *,
		    const char *);
static void	 mem_remove(struct mem_table *, size_t);
static void	 mem_push(struct mem_table *, size_t, long long);
static void	 mem_count(const struct mem_table *, long, long long,
		    long long, long long *, long long *, long long *);
static long	 retry_after_sec(long long);

struct throttle *
throttle_new_store(struct store *st)
{
	struct throttle	*t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	t->st = st;
	return t;
}

struct throttle *
throttle_new_memory(const struct store_limits *lim)
{
	struct throttle	*t;
	size_t		 ring;
	long long	 d;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	t->lim = *lim;
	if (t->lim.max_failures <= 0)
		return t;	/* off: no tables */
	if (getrandom(&t->seed, sizeof(t->seed), GRND_NONBLOCK) !=
	    (ssize_t)sizeof(t->seed))
		t->seed = (uint64_t)time(NULL) ^ (uint64_t)(uintptr_t)t;

	/*
	 * A pair's ring must hold every failure its window can hold: M, and
	 * then one per doubling of the delay until it reaches the window (a
	 * failure is recorded only when none is due, one at a time), plus
	 * one.  32 covers M up to about 19 at the longest window; a larger M
	 * gets longer rings and so fewer pairs, for the same memory.  An
	 * account holds at most account_max failures for the same reason.
	 */
	ring = (size_t)t->lim.max_failures + 2;
	d = t->lim.base_delay_ms > 0 ? t->lim.base_delay_ms : 1;
	while (d < t->lim.window_ms) {
		d *= 2;
		ring++;
	}
	if (ring < THROTTLE_MEM_PAIR_RING)
		ring = THROTTLE_MEM_PAIR_RING;
	if (mem_init(&t->pairs, (size_t)THROTTLE_MEM_PAIRS *
	    THROTTLE_MEM_PAIR_RING / ring, ring) == -1)
		goto fail;
	ring = t->lim.account_max > 0 ? (size_t)t->lim.account_max : 1;
	if (mem_init(&t->accounts, (size_t)THROTTLE_MEM_ACCOUNTS *
	    THROTTLE_ACCOUNT_MAX / ring, ring) == -1)
		goto fail;
	return t;
fail:
	throttle_free(t);
	return NULL;
}

void
throttle_free(struct throttle *t)
{
	if (t == NULL)
		return;
	mem_free(&t->pairs);
	mem_free(&t->accounts);
	free(t);
}

enum throttle_verdict
throttle_begin(struct throttle *t, const char *name, size_t len,
    const char *remote_addr, long long now_ms, struct store_attempt *att,
    long *retry_after)
{
	struct throttle_counts	 c;
	char			 user[USERS_NAME_MAX + 1];
	char			 addr[STORE_ADDR_MAX + 1];
	long long		 wait;
	size_t			 slot;
	long			 i;
	uint64_t		 h;
	int			 n;

	memset(att, 0, sizeof(*att));
	*retry_after = 0;
	throttle_account_key(name, len, user);
	throttle_addr_key(remote_addr, addr);

	if (t->st != NULL) {
		/* Our own copies: the store fills att in from scratch. */
		switch (store_throttle_begin(t->st, user, addr, now_ms, att,
		    retry_after)) {
		case STORE_OK:
			return THROTTLE_ALLOW;
		case STORE_THROTTLED:
			if (*retry_after < 1)
				*retry_after = 1;
			return THROTTLE_WAIT;
		default:
			/* Fail closed: an attempt not recorded is not allowed. */
			return THROTTLE_DOWN;
		}
	}

	memcpy(att->user, user, sizeof(att->user));
	memcpy(att->addr, addr, sizeof(att->addr));
	if (t->lim.max_failures <= 0)
		return THROTTLE_ALLOW;	/* att->id "": nothing to record */
	memset(&c, 0, sizeof(c));
	h = mem_hash(t->seed, att->user, att->addr);
	if ((i = mem_find(&t->pairs, h, att->user, att->addr, &slot)) != -1)
		mem_count(&t->pairs, i, now_ms, t->lim.window_ms, &c.np,
		    &c.last, NULL);
	h = mem_hash(t->seed, att->user, "");
	if ((i = mem_find(&t->accounts, h, att->user, "", &slot)) != -1)
		mem_count(&t->accounts, i, now_ms, t->lim.account_window_ms,
		    &c.na, NULL, &c.oldest);
	if ((wait = throttle_wait_ms(&t->lim, &c, now_ms)) > 0) {
		*retry_after = retry_after_sec(wait);
		return THROTTLE_WAIT;
	}
	/* The attempt's time, for throttle_end to record a failure at. */
	n = snprintf(att->id, sizeof(att->id), "%lld", now_ms);
	if (n < 0 || (size_t)n >= sizeof(att->id))
		att->id[0] = '\0';
	return THROTTLE_ALLOW;
}

int
throttle_end(struct throttle *t, const struct store_attempt *att,
    int success)
{
	long long	 at;
	char		*end;
	size_t		 slot;
	long		 i;
	uint64_t	 h;

	if (t->st != NULL)
		return store_throttle_end(t->st, att, success) == STORE_OK ?
		    0 : -1;
	if (t->lim.max_failures <= 0 || att->id[0] == '\0')
		return 0;
	h = mem_hash(t->seed, att->user, att->addr);
	if (success) {
		/* The pair starts afresh; the account keeps its count. */
		if ((i = mem_find(&t->pairs, h, att->user, att->addr,
		    &slot)) != -1)
			mem_remove(&t->pairs, (size_t)i);
		return 0;
	}
	errno = 0;
	at = strtoll(att->id, &end, 10);
	if (errno != 0 || *end != '\0')
		return 0;	/* not one throttle_begin made */
	if ((i = mem_add(&t->pairs, h, att->user, att->addr)) != -1)
		mem_push(&t->pairs, (size_t)i, at);
	h = mem_hash(t->seed, att->user, "");
	if ((i = mem_add(&t->accounts, h, att->user, "")) != -1)
		mem_push(&t->accounts, (size_t)i, at);
	return 0;
}

/* Retry-After: the wait in seconds, rounded up, at least 1. */
static long
retry_after_sec(long long wait_ms)
{
	long long	 s;

	s = wait_ms / 1000 + (wait_ms % 1000 != 0);
	if (s < 1)
		s = 1;
	return s > LONG_MAX ? LONG_MAX : (long)s;
}

static int
mem_init(struct mem_table *m, size_t cap, size_t ring)
{
	size_t	 slots, i;

	memset(m, 0, sizeof(*m));
	if (cap < 1)
		cap = 1;
	if (cap > INT32_MAX / 2)
		cap = INT32_MAX / 2;
	for (slots = 2; slots < cap * 2; slots *= 2)
		;
	m->cap = cap;
	m->ring = ring;
	m->mask = slots - 1;
	if (cap > SIZE_MAX / ring)
		return -1;
	/*
	 * calloc: the pages of entries never used are never touched, so a
	 * process that sees few failures does not pay for the whole table.
	 */
	if ((m->ent = calloc(cap, sizeof(*m->ent))) == NULL ||
	    (m->times = calloc(cap * ring, sizeof(*m->times))) == NULL ||
	    (m->idx = reallocarray(NULL, slots, sizeof(*m->idx))) == NULL) {
		mem_free(m);
		return -1;
	}
	for (i = 0; i < slots; i++)
		m->idx[i] = -1;
	return 0;
}

static void
mem_free(struct mem_table *m)
{
	free(m->ent);
	free(m->times);
	free(m->idx);
	memset(m, 0, sizeof(*m));
}

/* FNV-1a over the seed, user, a NUL and addr. */
static uint64_t
mem_hash(uint64_t seed, const char *user, const char *addr)
{
	uint64_t	 h = 0xcbf29ce484222325ULL;
	size_t		 i;

	for (i = 0; i < sizeof(seed); i++) {
		h ^= (seed >> (i * 8)) & 0xff;
		h *= 0x100000001b3ULL;
	}
	for (; *user != '\0'; user++) {
		h ^= (unsigned char)*user;
		h *= 0x100000001b3ULL;
	}
	h *= 0x100000001b3ULL;		/* the NUL between the two */
	for (; *addr != '\0'; addr++) {
		h ^= (unsigned char)*addr;
		h *= 0x100000001b3ULL;
	}
	return h;
}

/*
 * The entry of (user, addr): its number, and *slot its place in idx; or
 * -1 and *slot the empty place where it would go.
 */
static long
mem_find(const struct mem_table *m, uint64_t h, const char *user,
    const char *addr, size_t *slot)
{
	const struct mem_entry	*e;
	size_t			 s;

	if (m->ent == NULL) {
		*slot = 0;
		return -1;
	}
	for (s = h & m->mask; m->idx[s] != -1; s = (s + 1) & m->mask) {
		e = &m->ent[m->idx[s]];
		if (e->hash == h && strcmp(e->user, user) == 0 &&
		    strcmp(e->addr, addr) == 0) {
			*slot = s;
			return m->idx[s];
		}
	}
	*slot = s;
	return -1;
}

/* The entry of (user, addr), made if new (the oldest goes if full). */
static long
mem_add(struct mem_table *m, uint64_t h, const char *user, const char *addr)
{
	struct mem_entry	*e;
	size_t			 slot, i, oldest;
	long			 found;

	if (m->ent == NULL)
		return -1;
	if ((found = mem_find(m, h, user, addr, &slot)) != -1)
		return found;
	if (m->used == m->cap) {
		oldest = 0;
		for (i = 1; i < m->used; i++)
			if (m->ent[i].newest < m->ent[oldest].newest)
				oldest = i;
		mem_remove(m, oldest);
		/* The removal moved entries in idx: look for the place again. */
		(void)mem_find(m, h, user, addr, &slot);
	}
	i = m->used++;
	e = &m->ent[i];
	memset(e, 0, sizeof(*e));
	(void)snprintf(e->user, sizeof(e->user), "%s", user);
	(void)snprintf(e->addr, sizeof(e->addr), "%s", addr);
	e->hash = h;
	m->idx[slot] = (int32_t)i;
	return (long)i;
}

/* Take entry i out: its idx slot by backward shift, the last entry to i. */
static void
mem_remove(struct mem_table *m, size_t i)
{
	struct mem_entry	*e = &m->ent[i];
	size_t			 s, j, home, last, slot;

	(void)mem_find(m, e->hash, e->user, e->addr, &s);
	for (j = (s + 1) & m->mask; m->idx[j] != -1; j = (j + 1) & m->mask) {
		home = m->ent[m->idx[j]].hash & m->mask;
		/* Move idx[j] back to s unless its home lies in (s, j]. */
		if (s <= j ? (home <= s || home > j) : (home <= s && home > j)) {
			m->idx[s] = m->idx[j];
			s = j;
		}
	}
	m->idx[s] = -1;

	last = m->used - 1;
	if (i != last) {
		(void)mem_find(m, m->ent[last].hash, m->ent[last].user,
		    m->ent[last].addr, &slot);
		m->ent[i] = m->ent[last];
		memcpy(&m->times[i * m->ring], &m->times[last * m->ring],
		    m->ring * sizeof(*m->times));
		m->idx[slot] = (int32_t)i;
	}
	memset(&m->ent[last], 0, sizeof(m->ent[last]));
	m->used--;
}

/* Record a failure at at in entry i's ring (the oldest goes if full). */
static void
mem_push(struct mem_table *m, size_t i, long long at)
{
	struct mem_entry	*e = &m->ent[i];
	long long		*ring = &m->times[i * m->ring];

	if (e->n < m->ring)
		ring[(e->head + e->n++) % m->ring] = at;
	else {
		ring[e->head] = at;
		e->head = (e->head + 1) % m->ring;
	}
	if (e->n == 1 || at > e->newest)
		e->newest = at;
}

/*
 * Entry i's failures after now - window_ms: how many, the newest and the
 * oldest of them (each pointer may be NULL).  Clocks can step back, so
 * neither is taken from the ring's order.
 */
static void
mem_count(const struct mem_table *m, long i, long long now,
    long long window_ms, long long *n, long long *newest, long long *oldest)
{
	const struct mem_entry	*e = &m->ent[i];
	const long long		*ring = &m->times[(size_t)i * m->ring];
	long long		 k = 0, hi = 0, lo = 0, at;
	size_t			 j;

	for (j = 0; j < e->n; j++) {
		at = ring[(e->head + j) % m->ring];
		if (at <= now - window_ms)
			continue;
		if (k == 0 || at > hi)
			hi = at;
		if (k == 0 || at < lo)
			lo = at;
		k++;
	}
	*n = k;
	if (newest != NULL)
		*newest = hi;
	if (oldest != NULL)
		*oldest = lo;
}
