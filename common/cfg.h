/* cfg.h -- the environment, read and validated once at start */
#ifndef FCGI_AUTH_CFG_H
#define FCGI_AUTH_CFG_H

#include <limits.h>
#include <stddef.h>

#include "keys.h"

#define CFG_TTL_MIN_DEFAULT		30
#define CFG_TTL_MIN_MAX			1440	/* one day */
/* JWT_AUDIENCE and JWT_ISSUER: a name or a URI, not a document. */
#define CFG_AUDIENCE_MAX		255
#define CFG_ISSUER_MAX			255
/*
 * AUTH_CACHE_SECONDS: how long an allow of the authorizer may be cached
 * (never longer than the token lives); 1 s keeps the users file's promise
 * that a change is seen within a second.
 */
#define CFG_AUTH_CACHE_SEC_DEFAULT	1
#define CFG_AUTH_CACHE_SEC_MAX		60
/*
 * Sessions (SESSION_STORE): where refresh tokens, the ended sessions and
 * the login failures live.  Unset: sessions are off, login answers as the
 * reference app does and throttles in memory.  The URL is the store's to
 * parse (store_open); here only its length and its kind.
 */
#define CFG_STORE_URL_MAX		1024
#define CFG_REFRESH_TTL_DAYS_DEFAULT	14
#define CFG_REFRESH_TTL_DAYS_MAX	365
#define CFG_REFRESH_IDLE_DAYS_DEFAULT	7
/* LOGIN_MAX_FAILURES: per (account, address) in the window; 0 is off. */
#define CFG_LOGIN_MAX_FAILURES_DEFAULT	5
#define CFG_LOGIN_MAX_FAILURES_MAX	1000
#define CFG_LOGIN_WINDOW_MIN_DEFAULT	15
#define CFG_LOGIN_WINDOW_MIN_MAX	1440

struct cfg {
	struct keys	*keys;			/* freed by cfg_clear */
	int		 ttl_min;		/* ACCESS_TOKEN_TTL_MIN, 1..1440 */
	/* JWT_AUDIENCE, JWT_ISSUER; "" when unset. */
	char		 audience[CFG_AUDIENCE_MAX + 1];
	char		 issuer[CFG_ISSUER_MAX + 1];
	char		 users_file[PATH_MAX];
	/* POLICY_FILE, or the default; whether it was set. */
	char		 policy_file[PATH_MAX];
	int		 policy_file_set;
	int		 auth_cache_sec;	/* AUTH_CACHE_SECONDS, 0..60 */
	/* SESSION_STORE ("" when unset: sessions off). */
	char		 store_url[CFG_STORE_URL_MAX + 1];
	/* SESSION_STORE_PASSWORD_FILE ("" when unset); Redis only. */
	char		 store_password_file[PATH_MAX];
	int		 refresh_ttl_days;	/* REFRESH_TOKEN_TTL_DAYS */
	int		 refresh_idle_days;	/* REFRESH_TOKEN_IDLE_DAYS */
	int		 login_max_failures;	/* LOGIN_MAX_FAILURES, 0: off */
	int		 login_window_min;	/* LOGIN_FAILURE_WINDOW_MIN */
};

/*
 * Fill cfg from ACCESS_TOKEN_TTL_MIN, JWT_AUDIENCE, JWT_ISSUER, USERS_FILE,
 * POLICY_FILE, AUTH_CACHE_SECONDS, the session settings (SESSION_STORE,
 * SESSION_STORE_PASSWORD_FILE, REFRESH_TOKEN_TTL_DAYS,
 * REFRESH_TOKEN_IDLE_DAYS, LOGIN_MAX_FAILURES, LOGIN_FAILURE_WINDOW_MIN)
 * and the key set's variables (keys_load: JWT_ALG, JWT_SECRET or
 * JWT_SECRET_FILE, or JWT_KEYS_FILE and JWT_PRIVATE_KEY_FILE).  Returns 0,
 * or -1 with one line in err (and nothing to clear).  cfg_load loads the
 * keys to verify tokens with (KEYS_VERIFY); cfg_load_keys as keys_what
 * says (KEYS_SIGN: the endpoints that mint).
 */
int	cfg_load(struct cfg *cfg, char *err, size_t errlen);
int	cfg_load_keys(struct cfg *cfg, int keys_what, char *err,
	    size_t errlen);

/* Whether sessions are on (SESSION_STORE is set). */
int	cfg_sessions(const struct cfg *cfg);

/* Free the key set (wiping it); safe on a zeroed or already cleared cfg. */
void	cfg_clear(struct cfg *cfg);

/*
 * Parse a decimal integer in [min, max] (strtonum(3) semantics: no sign
 * games, no trailing text).  Returns 0, or -1 if s is not such a number.
 */
int	cfg_parse_long(const char *s, long min, long max, long *out);

#endif /* FCGI_AUTH_CFG_H */
