/* app.h -- what a running endpoint holds: its config and the users file */
#ifndef FCGI_AUTH_APP_H
#define FCGI_AUTH_APP_H

#include <stddef.h>

#include "cfg.h"
#include "users.h"

struct app;
struct token_cache;

/*
 * Read and validate the environment and load the users file, once, before
 * any request.  Returns NULL with one line in err on failure.
 * app_free(NULL) is a no-op; app_free wipes the secret.
 */
struct app	*app_new(char *err, size_t errlen);
void		 app_free(struct app *app);

/*
 * Pick up a changed users file (cheap; called before each request), when
 * mode says to look (users_refresh).  Returns 1 if it loaded a new copy.
 */
int		 app_refresh(struct app *app, enum users_refresh_mode mode);

const struct cfg	*app_cfg(const struct app *app);
const struct users	*app_users(const struct app *app);
/* The tokens already verified: a cache, so a const app may still fill it. */
struct token_cache	*app_tokens(const struct app *app);

#endif /* FCGI_AUTH_APP_H */
