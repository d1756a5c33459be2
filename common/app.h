/* app.h -- what a running endpoint holds: its config, the users and policy files */
#ifndef FCGI_AUTH_APP_H
#define FCGI_AUTH_APP_H

#include <stddef.h>

#include "cfg.h"
#include "users.h"

/*
 * One per process, made before the first request.  Requests change it:
 * the users file is re-read when it changed, and tokens that verified
 * are remembered.  So the loop hands handlers a struct app *, not a const
 * one, and the functions that change it say so by taking it non-const
 * (app_refresh, app_tokens, authz_authenticate); what never changes
 * after app_new (the config) is handed out const.  A process serves one
 * request at a time, so nothing here is shared between threads.
 */
struct app;
struct policy;
struct store;
struct throttle;
struct token_cache;
struct watch_clock;

/* What an endpoint needs of the policy file (POLICY_FILE). */
enum app_policy {
	APP_POLICY_NONE,	/* nothing: it is not read */
	APP_POLICY_IF_ANY,	/* read if POLICY_FILE is set or the default
				   file exists; else there is none */
	APP_POLICY_REQUIRED,	/* read; none is a bad configuration */
};

/*
 * Read and validate the environment and load the users file, once, before
 * any request.  Returns NULL with one line in err on failure.
 * app_free(NULL) is a no-op; app_free wipes the secret.
 */
struct app	*app_new(char *err, size_t errlen);
void		 app_free(struct app *app);

/*
 * The same, and the policy file as need says: a policy that is needed
 * and cannot be read or is refused fails it (err names the file and, for
 * a bad line, its number).
 */
struct app	*app_new_policy(enum app_policy need, char *err,
		    size_t errlen);

/*
 * What a test may set of an app: the clock its session store goes by
 * (NULL: the system's) and how long the store waits for a lock or an
 * answer (0: the store's own).
 */
struct app_opts {
	const struct watch_clock	*clock;
	int				 store_timeout_ms;
	int				 keys;	/* keys_load's what; 0:
						   KEYS_VERIFY */
};

/*
 * app_new_policy with opts (NULL: the defaults).  With sessions on
 * (SESSION_STORE), the process opens its store here, after it started
 * (never before a fork: a handle is its opener's), and reads the ended
 * sessions; a store that is down is not fatal (store.h).  Throttling is
 * on the store, or in memory when sessions are off, unless
 * LOGIN_MAX_FAILURES is 0.
 */
struct app	*app_new_opts(enum app_policy need, const struct app_opts *opts,
		    char *err, size_t errlen);

/*
 * Pick up a changed users file, and policy file and key files if there
 * are any (cheap; called before each request), when mode says to look
 * (users_refresh, policy_refresh, keys_poll; new verifying keys empty the
 * token cache).  Returns 1 if it loaded a new copy of the users file.
 */
int		 app_refresh(struct app *app, enum users_refresh_mode mode);

const struct cfg	*app_cfg(const struct app *app);
const struct users	*app_users(const struct app *app);
/* The policy, or NULL if there is none; borrowed until app_refresh. */
const struct policy	*app_policy(const struct app *app);
/* The tokens already verified; requests fill it (token_cache_verify). */
struct token_cache	*app_tokens(struct app *app);
/* The session store, or NULL when sessions are off. */
struct store		*app_store(struct app *app);
/* Login throttling, or NULL when it is off (LOGIN_MAX_FAILURES=0). */
struct throttle		*app_throttle(struct app *app);

#endif /* FCGI_AUTH_APP_H */
