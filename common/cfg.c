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
static int	load_range(const char *, int, long, long, const char *, int *,
		    char *, size_t);
static int	load_sessions(struct cfg *, char *, size_t);

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

/*
 * A whole number in [min, max] from the variable name, into *out; unset
 * or empty leaves def.  what names the unit, for the error line.
 */
static int
load_range(const char *name, int def, long min, long max, const char *what,
    int *out, char *err, size_t errlen)
{
	const char	*v = getenv(name);
	long		 n;

	*out = def;
	if (v == NULL || *v == '\0')
		return 0;
	if (cfg_parse_long(v, min, max, &n) == -1)
		return log_seterr(err, errlen, "%s must be a whole number of "
		    "%s from %ld to %ld", name, what, min, max);
	*out = (int)n;
	return 0;
}

/*
 * SESSION_STORE and the settings that go with it.  The URL's own syntax
 * is the store's (store_open parses it at start); here what would make
 * it unsafe or pointless whatever the store: a password in it (it would
 * show in every process listing of the web server's environment), a
 * relative SQLite path (relative to whichever folder a process starts
 * in), a password file for SQLite, an idle limit past the lifetime.
 */
static int
load_sessions(struct cfg *cfg, char *err, size_t errlen)
{
	const char	*url = getenv("SESSION_STORE");
	const char	*pw = getenv("SESSION_STORE_PASSWORD_FILE");
	const char	*at, *colon;
	size_t		 i, len;
	int		 n;

	if (load_range("REFRESH_TOKEN_TTL_DAYS", CFG_REFRESH_TTL_DAYS_DEFAULT,
	    1, CFG_REFRESH_TTL_DAYS_MAX, "days", &cfg->refresh_ttl_days, err,
	    errlen) == -1 ||
	    load_range("REFRESH_TOKEN_IDLE_DAYS",
	    CFG_REFRESH_IDLE_DAYS_DEFAULT < cfg->refresh_ttl_days ?
	    CFG_REFRESH_IDLE_DAYS_DEFAULT : cfg->refresh_ttl_days, 1,
	    cfg->refresh_ttl_days, "days (at most REFRESH_TOKEN_TTL_DAYS)",
	    &cfg->refresh_idle_days, err, errlen) == -1 ||
	    load_range("LOGIN_MAX_FAILURES", CFG_LOGIN_MAX_FAILURES_DEFAULT, 0,
	    CFG_LOGIN_MAX_FAILURES_MAX, "failures (0: no throttling)",
	    &cfg->login_max_failures, err, errlen) == -1 ||
	    load_range("LOGIN_FAILURE_WINDOW_MIN", CFG_LOGIN_WINDOW_MIN_DEFAULT,
	    1, CFG_LOGIN_WINDOW_MIN_MAX, "minutes", &cfg->login_window_min,
	    err, errlen) == -1)
		return -1;

	if (url == NULL || *url == '\0') {
		if (pw != NULL && *pw != '\0')
			return log_seterr(err, errlen, "SESSION_STORE_PASSWORD_"
			    "FILE is set but SESSION_STORE is not");
		return 0;
	}
	len = strlen(url);
	for (i = 0; i < len; i++)
		if ((unsigned char)url[i] <= ' ' ||
		    (unsigned char)url[i] >= 0x7f)
			return log_seterr(err, errlen, "SESSION_STORE must be "
			    "printable ASCII without spaces");
	if (len > CFG_STORE_URL_MAX)
		return log_seterr(err, errlen, "SESSION_STORE is longer than "
		    "%d bytes", CFG_STORE_URL_MAX);
	if (strncmp(url, "sqlite:", 7) == 0) {
		if (url[7] != '/')
			return log_seterr(err, errlen, "SESSION_STORE: a "
			    "sqlite: store needs an absolute path "
			    "(sqlite:/var/lib/fcgi-auth/sessions.db)");
		if (pw != NULL && *pw != '\0')
			return log_seterr(err, errlen, "SESSION_STORE_PASSWORD_"
			    "FILE is for a redis:// store, not sqlite:");
	} else if (strncmp(url, "redis://", 8) == 0) {
		/* redis://[USER@]HOST...: a ':' before the '@' is a password. */
		at = strchr(url + 8, '@');
		colon = strchr(url + 8, ':');
		if (at != NULL && colon != NULL && colon < at)
			return log_seterr(err, errlen, "SESSION_STORE: no "
			    "password in the URL; put it in a file named by "
			    "SESSION_STORE_PASSWORD_FILE");
	} else
		return log_seterr(err, errlen, "SESSION_STORE must be "
		    "sqlite:PATH or redis://HOST[:PORT][/DB]");
	memcpy(cfg->store_url, url, len + 1);
	if (pw != NULL && *pw != '\0') {
		n = snprintf(cfg->store_password_file,
		    sizeof(cfg->store_password_file), "%s", pw);
		if (n < 0 || (size_t)n >= sizeof(cfg->store_password_file))
			return log_seterr(err, errlen, "SESSION_STORE_PASSWORD_"
			    "FILE is too long");
	}
	return 0;
}

int
cfg_sessions(const struct cfg *cfg)
{
	return cfg->store_url[0] != '\0';
}

int
cfg_load(struct cfg *cfg, char *err, size_t errlen)
{
	return cfg_load_keys(cfg, KEYS_VERIFY, err, errlen);
}

int
cfg_load_keys(struct cfg *cfg, int keys_what, char *err, size_t errlen)
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

	if (load_sessions(cfg, err, errlen) == -1)
		return -1;

	/* Last: nothing to clear if anything above fails. */
	if ((cfg->keys = keys_load(keys_what, err, errlen)) == NULL)
		return -1;
	return 0;
}

void
cfg_clear(struct cfg *cfg)
{
	keys_free(cfg->keys);
	cfg->keys = NULL;
}
