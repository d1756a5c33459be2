/* cfg.c -- the environment, read and validated once at start */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "log.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif
#define USERS_FILE_DEFAULT	SYSCONFDIR "/fcgi-auth/users"

int
cfg_parse_long(const char *s, long min, long max, long *out)
{
	char	*end;
	long	 v;

	if (s == NULL || *s == '\0' || (*s != '-' && (*s < '0' || *s > '9')))
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int
cfg_load(struct cfg *cfg, char *err, size_t errlen)
{
	const char	*ttl, *users;
	long		 v;
	int		 n;

	memset(cfg, 0, sizeof(*cfg));

	cfg->ttl_min = CFG_TTL_MIN_DEFAULT;
	ttl = getenv("ACCESS_TOKEN_TTL_MIN");
	if (ttl != NULL && *ttl != '\0') {
		if (cfg_parse_long(ttl, 1, CFG_TTL_MIN_MAX, &v) == -1)
			return log_seterr(err, errlen, "ACCESS_TOKEN_TTL_MIN must "
			    "be a whole number of minutes from 1 to %d",
			    CFG_TTL_MIN_MAX);
		cfg->ttl_min = (int)v;
	}

	users = getenv("USERS_FILE");
	if (users == NULL || *users == '\0')
		users = USERS_FILE_DEFAULT;
	n = snprintf(cfg->users_file, sizeof(cfg->users_file), "%s", users);
	if (n < 0 || (size_t)n >= sizeof(cfg->users_file))
		return log_seterr(err, errlen, "USERS_FILE is too long");

	/* Last: nothing to clear if anything above fails. */
	if ((cfg->keys = keys_load(err, errlen)) == NULL)
		return -1;
	return 0;
}

void
cfg_clear(struct cfg *cfg)
{
	keys_free(cfg->keys);
	cfg->keys = NULL;
}
