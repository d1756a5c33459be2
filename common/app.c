/* app.c -- what a running endpoint holds: its config, the users and policy files */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "log.h"
#include "policy.h"
#include "store.h"
#include "throttle.h"
#include "token_cache.h"

static int	default_policy_there(const struct cfg *);
static int	open_sessions(struct app *, const struct app_opts *, char *,
		    size_t);

struct app {
	struct cfg		 cfg;
	struct users		*users;
	struct policy		*policy;	/* NULL: none */
	struct token_cache	*tokens;	/* verified under cfg */
	struct store		*store;		/* NULL: sessions off */
	struct throttle		*throttle;	/* NULL: no throttling */
};

struct app *
app_new(char *err, size_t errlen)
{
	return app_new_policy(APP_POLICY_NONE, err, errlen);
}

/*
 * Whether an endpoint that reads a policy only if there is one (login,
 * for the scopes it grants) has one: POLICY_FILE set, or a file at the
 * default path.  No file there is no policy (tokens without scopes, as
 * before policies); a file we cannot even look for, behind a folder
 * closed to us, is none we could read either: said once, and no policy.
 * Anything else that is there must load.
 */
static int
default_policy_there(const struct cfg *cfg)
{
	struct stat	 st;

	if (cfg->policy_file_set || stat(cfg->policy_file, &st) == 0)
		return 1;
	if (errno == EACCES)
		log_warn("%s: cannot look for a policy there; without one, "
		    "tokens carry no scope", cfg->policy_file);
	return errno != ENOENT && errno != EACCES && errno != ENOTDIR;
}

/*
 * The session store (sessions on) and login throttling, with the limits
 * the configuration sets.  Returns 0, or -1 with one line in err.
 */
static int
open_sessions(struct app *app, const struct app_opts *opts, char *err,
    size_t errlen)
{
	const struct cfg	*cfg = &app->cfg;
	struct store_limits	 lim;

	store_limits_init(&lim);
	lim.ttl_sec = cfg->refresh_ttl_days * 86400L;
	lim.idle_sec = cfg->refresh_idle_days * 86400L;
	lim.keep_sec = cfg->ttl_min * 60L + TOKEN_LEEWAY_SEC;
	lim.max_failures = cfg->login_max_failures;
	lim.window_ms = cfg->login_window_min * 60000L;
	lim.timeout_ms = opts->store_timeout_ms;
	if (cfg_sessions(cfg)) {
		app->store = store_open(cfg->store_url,
		    cfg->store_password_file[0] != '\0' ?
		    cfg->store_password_file : NULL, &lim, opts->clock, err,
		    errlen);
		if (app->store == NULL)
			return -1;
		/* Down now is no reason not to start: it is tried again. */
		(void)store_ended_load(app->store);
	}
	if (cfg->login_max_failures == 0)
		return 0;
	app->throttle = app->store != NULL ?
	    throttle_new_store(app->store) : throttle_new_memory(&lim);
	if (app->throttle == NULL) {
		(void)snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

struct app *
app_new_policy(enum app_policy need, char *err, size_t errlen)
{
	return app_new_opts(need, NULL, err, errlen);
}

struct app *
app_new_opts(enum app_policy need, const struct app_opts *opts, char *err,
    size_t errlen)
{
	static const struct app_opts	 defaults;
	struct app	*app;
	char		 why[PATH_MAX + 256];

	if ((app = calloc(1, sizeof(*app))) == NULL) {
		(void)snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (opts == NULL)
		opts = &defaults;
	if (cfg_load_keys(&app->cfg, opts->keys != 0 ? opts->keys :
	    KEYS_VERIFY, err, errlen) == -1)
		goto fail;
	app->users = users_open(app->cfg.users_file, err, errlen);
	if (app->users == NULL)
		goto fail;
	if (need == APP_POLICY_REQUIRED || (need == APP_POLICY_IF_ANY &&
	    default_policy_there(&app->cfg))) {
		app->policy = policy_open(app->cfg.policy_file, NULL, why,
		    sizeof(why));
		if (app->policy == NULL) {
			(void)snprintf(err, errlen, "POLICY_FILE %s", why);
			goto fail;
		}
	}
	if ((app->tokens = token_cache_new(&app->cfg)) == NULL) {
		(void)snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if (open_sessions(app, opts, err, errlen) == -1)
		goto fail;
	return app;
fail:
	app_free(app);
	return NULL;
}

void
app_free(struct app *app)
{
	if (app == NULL)
		return;
	throttle_free(app->throttle);
	store_free(app->store);
	token_cache_free(app->tokens);
	cfg_clear(&app->cfg);
	users_free(app->users);
	policy_free(app->policy);
	free(app);
}

int
app_refresh(struct app *app, enum users_refresh_mode mode)
{
	enum watch_mode	 wm = mode == USERS_REFRESH_DUE ? WATCH_DUE :
	    mode == USERS_REFRESH_NOW ? WATCH_NOW : WATCH_FORCE;

	if (app->policy != NULL)
		(void)policy_refresh(app->policy, wm);
	/* The token cache sees the new generation itself (token_cache.c). */
	(void)keys_poll(app->cfg.keys, wm);
	return users_refresh(app->users, mode);
}

const struct cfg *
app_cfg(const struct app *app)
{
	return &app->cfg;
}

const struct users *
app_users(const struct app *app)
{
	return app->users;
}

const struct policy *
app_policy(const struct app *app)
{
	return app->policy;
}

struct token_cache *
app_tokens(struct app *app)
{
	return app->tokens;
}

struct store *
app_store(struct app *app)
{
	return app->store;
}

struct throttle *
app_throttle(struct app *app)
{
	return app->throttle;
}
