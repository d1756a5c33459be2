/* authz.c -- who is calling (token or password) and may they */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "authz.h"
#include "log.h"
#include "password.h"
#include "token.h"
#include "token_cache.h"

/* A token carries any name, role and version the users file can hold. */
_Static_assert(TOKEN_SUB_MAX == USERS_NAME_MAX, "token sub vs users name");
_Static_assert(TOKEN_ROLE_MAX == USERS_ROLE_MAX, "token role vs users role");
_Static_assert(TOKEN_VER_MAX == USERS_VERSION_MAX, "token ver vs users");

static const struct {
	int		 status;
	const char	*detail;
} refusals[] = {
	[AUTH_OK] =		{ 200, "OK" },
	[AUTH_NO_CREDS] =	{ 401, "Not authenticated" },
	[AUTH_BAD_TOKEN] =	{ 401, "Invalid or expired token" },
	[AUTH_BAD_PAYLOAD] =	{ 401, "Invalid token payload" },
	[AUTH_NO_USER] =	{ 401, "User not found" },
	[AUTH_DISABLED] =	{ 401, "User disabled" },
	[AUTH_REVOKED] =	{ 401, "Token revoked" },
	[AUTH_BAD_LOGIN] =	{ 401, "Invalid username or password" },
	[AUTH_FORBIDDEN] =	{ 403, "Requires role: " },
	[AUTH_INTERNAL] =	{ 500, "Internal server error" },
};

static void	fill_user(struct auth_user *, const struct user *);

static void
fill_user(struct auth_user *out, const struct user *u)
{
	/* The users file bounds both lengths, so these never truncate. */
	(void)snprintf(out->name, sizeof(out->name), "%s", u->name);
	(void)snprintf(out->role, sizeof(out->role), "%s", u->role);
	out->version = u->version;
}

enum auth_status
authz_authenticate(struct app *app, const struct http_request *req,
    struct auth_user *user)
{
	struct token_claims	 claims;
	const struct user	*u;
	const char		*token;
	size_t			 len;

	memset(user, 0, sizeof(*user));
	if (http_bearer(req, &token, &len) == -1)
		return AUTH_NO_CREDS;
	switch (token_cache_verify(app_tokens(app), token, len, req->now,
	    &claims)) {
	case TOKEN_OK:
		break;
	case TOKEN_BAD_PAYLOAD:
		return AUTH_BAD_PAYLOAD;
	default:
		return AUTH_BAD_TOKEN;
	}
	(void)snprintf(user->name, sizeof(user->name), "%s", claims.sub);

	/* Identity and role come from the file now, not from the token. */
	u = users_lookup(app_users(app), claims.sub);
	/*
	 * Unknown or disabled in our copy, which may be older than the
	 * token: a user added a moment ago logs in at once through the
	 * login endpoint, which always looks first.  Look now, and if the
	 * file changed, ask it again.  Only these refusals pay the stat(2).
	 */
	if ((u == NULL || u->disabled) &&
	    app_refresh(app, USERS_REFRESH_NOW))
		u = users_lookup(app_users(app), claims.sub);
	if (u == NULL)
		return AUTH_NO_USER;
	if (u->disabled)
		return AUTH_DISABLED;
	if (claims.ver < u->version)
		return AUTH_REVOKED;
	fill_user(user, u);
	return AUTH_OK;
}

enum auth_status
authz_require_role(const struct auth_user *user, const char *const *roles)
{
	if (roles == NULL)
		return AUTH_OK;
	for (; *roles != NULL; roles++)
		if (strcmp(user->role, *roles) == 0)
			return AUTH_OK;
	return AUTH_FORBIDDEN;
}

enum auth_status
authz_login(const struct app *app, const char *name, const char *password,
    struct auth_user *user, const char **why)
{
	const struct user	*u;
	int			 match = 0;

	memset(user, 0, sizeof(*user));
	if (strlen(password) > PASSWORD_MAX_BYTES) {
		/* Refused before hashing; the length is no secret. */
		*why = "password too long";
		return AUTH_BAD_LOGIN;
	}
	u = users_valid_name(name, strlen(name)) ?
	    users_lookup(app_users(app), name) : NULL;
	if (u == NULL) {
		/* Spend what a wrong password costs, then say the same. */
		(void)password_verify(password,
		    users_dummy_hash(app_users(app)), &match);
		*why = "unknown user";
		return AUTH_BAD_LOGIN;
	}
	if (password_verify(password, u->hash, &match) == -1) {
		log_warnx("user %s: the password hash in the users file is "
		    "unusable", u->name);
		*why = "unusable hash";
		return AUTH_INTERNAL;
	}
	if (u->disabled) {
		*why = "user disabled";
		return AUTH_BAD_LOGIN;
	}
	if (!match) {
		*why = "wrong password";
		return AUTH_BAD_LOGIN;
	}
	fill_user(user, u);
	*why = NULL;
	return AUTH_OK;
}

int
authz_refuse(struct http_response *resp, struct http_outcome *out,
    enum auth_status st, const char *const *roles)
{
	char	 detail[256];
	size_t	 len;
	int	 n;

	if ((size_t)st >= sizeof(refusals) / sizeof(refusals[0]) ||
	    st == AUTH_OK)
		st = AUTH_INTERNAL;
	/* RFC 6750 3: every 401 names the scheme it wants. */
	if (refusals[st].status == 401 &&
	    http_header_add(resp, "WWW-Authenticate", "Bearer") == -1)
		return http_reply_json(resp, 500, NULL);
	if (out->reason == NULL)
		out->reason = st == AUTH_FORBIDDEN ? "role not allowed" :
		    refusals[st].detail;
	if (st != AUTH_FORBIDDEN)
		return http_reply_detail(resp, refusals[st].status,
		    refusals[st].detail);

	/* "Requires role: admin, user", as the reference app words it. */
	n = snprintf(detail, sizeof(detail), "%s", refusals[st].detail);
	len = n > 0 ? (size_t)n : 0;
	for (; roles != NULL && *roles != NULL && len < sizeof(detail);
	    roles++) {
		n = snprintf(detail + len, sizeof(detail) - len, "%s%s",
		    len > strlen(refusals[st].detail) ? ", " : "", *roles);
		if (n < 0 || (size_t)n >= sizeof(detail) - len)
			return http_reply_detail(resp, 500,
			    refusals[AUTH_INTERNAL].detail);
		len += (size_t)n;
	}
	return http_reply_detail(resp, 403, detail);
}

enum auth_status
authz_check(struct app *app, const struct http_request *req,
    const char *const *roles, struct auth_user *user,
    struct http_response *resp, struct http_outcome *out)
{
	enum auth_status	 st;

	st = authz_authenticate(app, req, user);
	if (st == AUTH_OK)
		st = authz_require_role(user, roles);
	(void)log_escape(user->name, strlen(user->name), out->user,
	    sizeof(out->user));
	if (st != AUTH_OK)
		(void)authz_refuse(resp, out, st, roles);
	return st;
}
