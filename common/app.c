/* app.c -- what a running endpoint holds: its config and the users file */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "token_cache.h"

struct app {
	struct cfg		 cfg;
	struct users		*users;
	struct token_cache	*tokens;	/* verified under cfg */
};

struct app *
app_new(char *err, size_t errlen)
{
	struct app	*app;

	if ((app = calloc(1, sizeof(*app))) == NULL) {
		(void)snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (cfg_load(&app->cfg, err, errlen) == -1)
		goto fail;
	app->users = users_open(app->cfg.users_file, err, errlen);
	if (app->users == NULL)
		goto fail;
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
	free(app);
}

int
app_refresh(struct app *app, enum users_refresh_mode mode)
{
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

struct token_cache *
app_tokens(struct app *app)
{
	return app->tokens;
}
