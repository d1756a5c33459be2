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
#include "token_cache.h"

static int	default_policy_there(const struct cfg *);

struct app {
	struct cfg		 cfg;
	struct users		*users;
	struct policy		*policy;	/* NULL: none */
	struct token_cache	*tokens;	/* verified under cfg */
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

struct app *
app_new_policy(enum app_policy need, char *err, size_t errlen)
{
	struct app	*app;
	char		 why[PATH_MAX + 256];

	if ((app = calloc(1, sizeof(*app))) == NULL) {
		(void)snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (cfg_load(&app->cfg, err, errlen) == -1)
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
	token_cache_free(app->tokens);
	cfg_clear(&app->cfg);
	users_free(app->users);
	policy_free(app->policy);
	free(app);
}

int
app_refresh(struct app *app, enum users_refresh_mode mode)
{
	if (app->policy != NULL)
		(void)policy_refresh(app->policy, mode == USERS_REFRESH_DUE ?
		    WATCH_DUE : mode == USERS_REFRESH_NOW ? WATCH_NOW :
		    WATCH_FORCE);
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
