/* users_load.c -- how long users_open takes on a big users file */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cfg.h"
#include "log.h"
#include "users.h"

#define ROUNDS_MAX	100

static double	elapsed_ms(const struct timespec *, const struct timespec *);
static int	cmp_double(const void *, const void *);

static double
elapsed_ms(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) * 1e3 +
	    (double)(b->tv_nsec - a->tv_nsec) / 1e6;
}

static int
cmp_double(const void *a, const void *b)
{
	double	 x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * users_load FILE [ROUNDS [NAME]]: open (read, parse, index) and free FILE
 * ROUNDS times; print the count, the best and median times, and the cost
 * of one users_lookup of NAME (an existing user) and of an unknown name.
 */
int
main(int argc, char *argv[])
{
	struct timespec		 t0, t1;
	struct users		*u = NULL;
	double			 ms[ROUNDS_MAX], lookup_ns, miss_ns;
	char			 err[512];
	const char		*name;
	long			 rounds = 5;
	size_t			 count = 0, i, hits = 0;
	const size_t		 lookups = 1000000;

	log_init("users_load");
	if (argc < 2 || argc > 4 || (argc > 2 &&
	    cfg_parse_long(argv[2], 1, ROUNDS_MAX, &rounds) == -1)) {
		fprintf(stderr, "usage: users_load FILE [ROUNDS [NAME]]\n");
		return 2;
	}
	name = argc > 3 ? argv[3] : NULL;
	for (i = 0; i < (size_t)rounds; i++) {
		(void)clock_gettime(CLOCK_MONOTONIC, &t0);
		u = users_open(argv[1], err, sizeof(err));
		(void)clock_gettime(CLOCK_MONOTONIC, &t1);
		if (u == NULL) {
			fprintf(stderr, "users_load: %s\n", err);
			return 1;
		}
		ms[i] = elapsed_ms(&t0, &t1);
		count = users_count(u);
		if (i + 1 < (size_t)rounds)
			users_free(u);
	}
	/* The last table stays open for the lookups. */
	lookup_ns = miss_ns = 0;
	if (name != NULL) {
		(void)clock_gettime(CLOCK_MONOTONIC, &t0);
		for (i = 0; i < lookups; i++)
			hits += users_lookup(u, name) != NULL;
		(void)clock_gettime(CLOCK_MONOTONIC, &t1);
		lookup_ns = elapsed_ms(&t0, &t1) * 1e6 / (double)lookups;
		(void)clock_gettime(CLOCK_MONOTONIC, &t0);
		for (i = 0; i < lookups; i++)
			hits += users_lookup(u, "no-such-user") != NULL;
		(void)clock_gettime(CLOCK_MONOTONIC, &t1);
		miss_ns = elapsed_ms(&t0, &t1) * 1e6 / (double)lookups;
		if (hits != lookups) {
			fprintf(stderr, "users_load: %s not found\n", name);
			users_free(u);
			return 1;
		}
	}
	users_free(u);
	qsort(ms, (size_t)rounds, sizeof(ms[0]), cmp_double);
	printf("users_load: %zu users, %ld rounds: best %.1f ms, median %.1f "
	    "ms, worst %.1f ms; lookup %.0f ns, unknown name %.0f ns\n",
	    count, rounds, ms[0], ms[rounds / 2], ms[rounds - 1], lookup_ns,
	    miss_ns);
	return 0;
}
