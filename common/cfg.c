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
#define POLICY_FILE_DEFAULT	SYSCONFDIR "/fcgi-auth/policy"

static int	load_claim_value(const char *, char *, size_t, char *, size_t);

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

/*
 * A value every token will carry and be compared with byte for byte
 * (JWT_AUDIENCE, JWT_ISSUER), into out (outsize bytes); unset or empty
 * leaves out "".  Printable ASCII without spaces: a stray newline or
 * space from an environment file would make every token fail to match,
 * with nothing to see in the log.
 */
static int
load_claim_value(const char *name, char *out, size_t outsize, char *err,
    size_t errlen)
{
	const char	*v = getenv(name);
	size_t		 i, len;

	out[0] = '\0';
	if (v == NULL || *v == '\0')
		return 0;
	len = strlen(v);
	for (i = 0; i < len; i++)
		if ((unsigned char)v[i] <= ' ' || (unsigned char)v[i] >= 0x7f)
			break;
	if (len >= outsize || i < len)
		return log_seterr(err, errlen, "%s must be 1 to %zu printable "
		    "ASCII characters without spaces (a name or a URI)", name,
		    outsize - 1);
	memcpy(out, v, len + 1);
	return 0;
}

int
cfg_load(struct cfg *cfg, char *err, size_t errlen)
{
	const char	*ttl, *users, *policy, *cache;
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

	if (load_claim_value("JWT_AUDIENCE", cfg->audience,
	    sizeof(cfg->audience), err, errlen) == -1 ||
	    load_claim_value("JWT_ISSUER", cfg->issuer, sizeof(cfg->issuer),
	    err, errlen) == -1)
		return -1;

	users = getenv("USERS_FILE");
	if (users == NULL || *users == '\0')
		users = USERS_FILE_DEFAULT;
	n = snprintf(cfg->users_file, sizeof(cfg->users_file), "%s", users);
	if (n < 0 || (size_t)n >= sizeof(cfg->users_file))
		return log_seterr(err, errlen, "USERS_FILE is too long");

	policy = getenv("POLICY_FILE");
	cfg->policy_file_set = policy != NULL && *policy != '\0';
	if (!cfg->policy_file_set)
		policy = POLICY_FILE_DEFAULT;
	n = snprintf(cfg->policy_file, sizeof(cfg->policy_file), "%s", policy);
	if (n < 0 || (size_t)n >= sizeof(cfg->policy_file))
		return log_seterr(err, errlen, "POLICY_FILE is too long");

	cfg->auth_cache_sec = CFG_AUTH_CACHE_SEC_DEFAULT;
	cache = getenv("AUTH_CACHE_SECONDS");
	if (cache != NULL && *cache != '\0') {
		if (cfg_parse_long(cache, 0, CFG_AUTH_CACHE_SEC_MAX, &v) == -1)
			return log_seterr(err, errlen, "AUTH_CACHE_SECONDS must "
			    "be a whole number of seconds from 0 to %d",
			    CFG_AUTH_CACHE_SEC_MAX);
		cfg->auth_cache_sec = (int)v;
	}

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
