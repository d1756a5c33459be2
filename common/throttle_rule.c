/* throttle_rule.c -- login throttling's rule and keys: pure functions, no storage */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <string.h>

#include "throttle.h"
#include "users.h"

/*
 * These live apart from throttle.c, which drives the store: libfcgiauth
 * is a static archive, so anything that links one of these (the store's
 * back-ends, the Check suites) does not drag in the whole store with it.
 */

long long
throttle_delay_ms(const struct store_limits *lim, long long np)
{
	long long	 d, w, i;

	if (lim->max_failures <= 0 || np < lim->max_failures)
		return 0;
	w = lim->window_ms;
	d = lim->base_delay_ms;
	/*
	 * B * 2^(np - M), doubling only while below W: no overflow whatever
	 * np is, and the same steps as store_redis.c's Lua.
	 */
	for (i = lim->max_failures + 1; i <= np && d < w; i++)
		d *= 2;
	return d > w ? w : d;
}

long long
throttle_wait_ms(const struct store_limits *lim,
    const struct throttle_counts *c, long long now_ms)
{
	long long	 wait = 0, w;

	if (lim->max_failures <= 0)
		return 0;
	if (c->np >= lim->max_failures) {
		w = c->last + throttle_delay_ms(lim, c->np) - now_ms;
		if (w > wait)
			wait = w;
	}
	if (lim->account_max > 0 && c->na >= lim->account_max) {
		w = c->oldest + lim->account_window_ms - now_ms;
		if (w > wait)
			wait = w;
	}
	return wait;
}

void
throttle_account_key(const char *name, size_t len,
    char out[USERS_NAME_MAX + 1])
{
	if (name == NULL || !users_valid_name(name, len)) {
		memcpy(out, THROTTLE_INVALID_NAME,
		    sizeof(THROTTLE_INVALID_NAME));
		return;
	}
	memcpy(out, name, len);
	out[len] = '\0';
}

void
throttle_addr_key(const char *remote_addr, char out[STORE_ADDR_MAX + 1])
{
	struct in_addr	 a4;
	struct in6_addr	 a6;
	char		 text[INET6_ADDRSTRLEN];
	int		 n;

	out[0] = '-';
	out[1] = '\0';
	if (remote_addr == NULL ||
	    strnlen(remote_addr, STORE_ADDR_MAX + 1) > STORE_ADDR_MAX)
		return;
	/* Printed again by inet_ntop: one spelling per address. */
	if (inet_pton(AF_INET, remote_addr, &a4) == 1) {
		if (inet_ntop(AF_INET, &a4, out, STORE_ADDR_MAX + 1) == NULL)
			(void)snprintf(out, STORE_ADDR_MAX + 1, "-");
		return;
	}
	if (inet_pton(AF_INET6, remote_addr, &a6) != 1)
		return;
	if (IN6_IS_ADDR_V4MAPPED(&a6)) {
		memcpy(&a4, &a6.s6_addr[12], sizeof(a4));
		if (inet_ntop(AF_INET, &a4, out, STORE_ADDR_MAX + 1) == NULL)
			(void)snprintf(out, STORE_ADDR_MAX + 1, "-");
		return;
	}
	/* A client is given a whole /64: counting per /128 is free to evade. */
	memset(&a6.s6_addr[8], 0, 8);
	if (inet_ntop(AF_INET6, &a6, text, sizeof(text)) == NULL)
		return;
	n = snprintf(out, STORE_ADDR_MAX + 1, "%s/64", text);
	if (n < 0 || n > STORE_ADDR_MAX)
		(void)snprintf(out, STORE_ADDR_MAX + 1, "-");
}
