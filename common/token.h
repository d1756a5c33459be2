/* token.h -- mint and verify JWT access tokens (the only user of libjwt) */
#ifndef FCGI_AUTH_TOKEN_H
#define FCGI_AUTH_TOKEN_H

#include <stddef.h>
#include <time.h>

#include "cfg.h"

/* Longer tokens are refused before decoding (libjwt 1.10 allocas them). */
#define TOKEN_MAX_BYTES		8192
/* Clock skew allowed on iat and on how far ahead exp may be. */
#define TOKEN_LEEWAY_SEC	60
/*
 * The claims' own limits; a longer sub or role is refused, never cut.
 * They match the users file's (authz.c checks that they do).
 */
#define TOKEN_SUB_MAX		64
#define TOKEN_ROLE_MAX		32
#define TOKEN_VER_MAX		2147483647L
/*
 * scope (RFC 9068 2.2.3, RFC 6749 3.3): scope-tokens separated by single
 * spaces, at most TOKEN_SCOPES_MAX of them in TOKEN_SCOPE_MAX bytes.
 */
#define TOKEN_SCOPE_MAX		2048
#define TOKEN_SCOPES_MAX	64
/*
 * sid (OpenID Connect Front-Channel Logout 3): the session a token was
 * minted for, 16 random bytes as unpadded base64url.  jti (RFC 7519
 * 4.1.7): the token's own id; ours are 22 characters, a token's may be
 * 1 to TOKEN_JTI_MAX printable ASCII characters.
 */
#define TOKEN_SID_BYTES		16
#define TOKEN_SID_CHARS		22
#define TOKEN_JTI_MAX		64

/*
 * What an access token says.  sub, role, ver, scope, sid and jti are the
 * minter's; iat, exp, nbf, iss and aud are the registered claims (RFC
 * 7519 4.1) that token_mint sets from the clock and the configuration.
 */
struct token_claims {
	char		 sub[TOKEN_SUB_MAX + 1];
	char		 role[TOKEN_ROLE_MAX + 1];
	long		 ver;		/* 0 when absent (reference app tokens) */
	long long	 iat;		/* 0 when absent */
	long long	 exp;
	long long	 nbf;		/* 0 when absent */
	/* The configured JWT_ISSUER and JWT_AUDIENCE; "" when unset. */
	char		 iss[CFG_ISSUER_MAX + 1];
	char		 aud[CFG_AUDIENCE_MAX + 1];
	/* The scopes granted, space-separated; "" when none (no claim). */
	char		 scope[TOKEN_SCOPE_MAX + 1];
	/* The session and the token's id; "" when none (no claim). */
	char		 sid[TOKEN_SID_CHARS + 1];
	/*
	 * sid decoded, when sid is not "": the token check asks the
	 * ended-session set by these bytes, decoded once per token (the
	 * cache keeps them), not once per request.
	 */
	unsigned char	 sid_raw[TOKEN_SID_BYTES];
	char		 jti[TOKEN_JTI_MAX + 1];
};

enum token_result {
	TOKEN_OK,		/* signature, algorithm and claims all good */
	TOKEN_INVALID,		/* malformed, forged, wrong alg, expired... */
	TOKEN_BAD_PAYLOAD,	/* genuine, but sub or role missing or bad */
};

/*
 * Verify a token of len bytes (not NUL-terminated) at time now.  The
 * header's alg must name exactly a key in cfg's key set, which must
 * verify the signature; exp must be an integer in the future and no
 * further ahead than the configured lifetime; iat, nbf and ver, when
 * present, integers that make sense; aud refused unless JWT_AUDIENCE is
 * set, then required and matching (the string, or an array of strings
 * holding it); iss, when JWT_ISSUER is set, exactly it (else ignored);
 * scope, when present, a string token_scope_valid accepts; sid, when
 * present, a string token_sid_valid accepts; jti, when present, 1 to
 * TOKEN_JTI_MAX printable ASCII characters; sub and role non-empty
 * strings that fit the claims struct.  Fills
 * *claims only on TOKEN_OK.
 */
enum token_result token_verify(const struct cfg *cfg, const char *token,
		    size_t len, time_t now, struct token_claims *claims);

/*
 * Whether claims that verified are still current at now: exp ahead (and
 * no further than the configured lifetime), iat not ahead, nbf passed.
 * token_verify applies it; a cache of verified tokens applies it again at
 * each use, so a remembered token ages exactly as a fresh one would.
 */
int		 token_claims_current(const struct cfg *cfg,
		    const struct token_claims *claims, time_t now);

/*
 * Clear *claims and set sub, role and ver, for token_mint.  Returns 0, or
 * -1 if sub or role is empty or too long, or ver is out of range.
 */
int		 token_claims_init(struct token_claims *claims, const char *sub,
		    const char *role, long ver);

/*
 * Set the scopes claims grant (space-separated; "" for none).  Returns 0,
 * or -1 with claims unchanged if scope is not "" and not a valid list.
 */
int		 token_claims_scope(struct token_claims *claims,
		    const char *scope);

/*
 * Set the session and token id claims carries (both "" for none: a token
 * minted while sessions are off).  Returns 0, or -1 with claims
 * unchanged if sid is not "" and not a valid sid, or jti is not "" and
 * not a valid jti.
 */
int		 token_claims_session(struct token_claims *claims,
		    const char *sid, const char *jti);

/*
 * Whether s (len bytes) is a sid: exactly TOKEN_SID_CHARS base64url
 * characters that decode to TOKEN_SID_BYTES bytes (so one spelling per
 * session).
 */
int		 token_sid_valid(const char *s, size_t len);

/* Whether s (len bytes) is a jti: 1 to TOKEN_JTI_MAX of 0x21-0x7e. */
int		 token_jti_valid(const char *s, size_t len);

/*
 * Whether s (len bytes) is a scope claim's value: 1 to TOKEN_SCOPES_MAX
 * RFC 6749 scope-tokens separated by single spaces, TOKEN_SCOPE_MAX bytes
 * at most.
 */
int		 token_scope_valid(const char *s, size_t len);

/*
 * Mint an access token for claims' sub, role, ver, and scope, sid and jti
 * (each when not ""), signed with the key set's signing key: iat now, exp the configured
 * lifetime later, iss and aud as configured (omitted when unset); *claims
 * is updated to say exactly that.  *out is malloc'd for the caller to free.  Returns 0, or
 * -1 on failure.
 */
int		 token_mint(const struct cfg *cfg, struct token_claims *claims,
		    time_t now, char **out);

#endif /* FCGI_AUTH_TOKEN_H */
