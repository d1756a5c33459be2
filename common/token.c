/* token.c -- mint and verify JWT access tokens (the only user of libjwt) */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>
#include <jwt.h>

#include "b64url.h"
#include "jwk.h"
#include "token.h"

/*
 * The largest decoded segment: a TOKEN_MAX_BYTES token is mostly one
 * segment, and base64 makes 3 bytes of every 4 characters.
 */
#define SEGMENT_MAX	(TOKEN_MAX_BYTES / 4 * 3 + 3)
#define JSON_DEPTH_MAX	8

static jwt_alg_t	 jwt_alg_of(enum keys_alg);
static json_object	*parse_segment(const char *, size_t);
static int		 get_int(json_object *, const char *, int,
			    long long *);
static int		 get_string(json_object *, const char *, char *,
			    size_t);
static int		 is_string(json_object *, const char *);
static int		 audience_ok(json_object *, const char *);
static int		 issuer_ok(json_object *, const char *);
static int		 copy_name(char *, size_t, const char *);
static int		 sid_decode(const char *, size_t, unsigned char *);
static int		 header_string(json_object *, const char *,
			    const char **, size_t *);
static int		 pair_verify(const struct keys_key *, json_object *,
			    const char *, size_t, const char *);
static int		 add_claims(jwt_t *, const struct token_claims *);
static int		 append_b64(char *, size_t, size_t *, const void *,
			    size_t);
static int		 pair_mint(const struct keys_key *,
			    const struct token_claims *, char **);

/* libjwt's name for one of our algorithms; only this file knows both. */
static jwt_alg_t
jwt_alg_of(enum keys_alg alg)
{
	switch (alg) {
	case KEYS_HS256:
		return JWT_ALG_HS256;
	case KEYS_HS384:
		return JWT_ALG_HS384;
	case KEYS_HS512:
		return JWT_ALG_HS512;
	default:
		/* A key pair never reaches libjwt: jwk.c signs and verifies. */
		break;
	}
	return JWT_ALG_INVAL;
}

/* Decode one base64url segment and parse it as a JSON object, or NULL. */
static json_object *
parse_segment(const char *b64, size_t len)
{
	unsigned char		 buf[SEGMENT_MAX];
	struct json_tokener	*tok;
	json_object		*obj;
	long			 n;

	if ((n = b64url_decode(b64, len, buf, sizeof(buf))) <= 0)
		return NULL;
	if ((tok = json_tokener_new_ex(JSON_DEPTH_MAX)) == NULL)
		return NULL;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	obj = json_tokener_parse_ex(tok, (const char *)buf, (int)n);
	/* One whole object and nothing after it. */
	if (obj != NULL && (json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != (size_t)n ||
	    !json_object_is_type(obj, json_type_object))) {
		json_object_put(obj);
		obj = NULL;
	}
	json_tokener_free(tok);
	explicit_bzero(buf, (size_t)n);
	return obj;
}

/*
 * An integer claim.  Returns 1 and sets *out if present and an integer
 * (not a float, string or boolean), 0 if absent and optional, -1 otherwise.
 */
static int
get_int(json_object *payload, const char *name, int required, long long *out)
{
	json_object	*v;

	if (!json_object_object_get_ex(payload, name, &v))
		return required ? -1 : 0;
	if (!json_object_is_type(v, json_type_int))
		return -1;
	/* json-c clamps what does not fit an int64: refuse it. */
	errno = 0;
	*out = json_object_get_int64(v);
	if (errno != 0 || *out == INT64_MAX || *out == INT64_MIN)
		return -1;
	return 1;
}

/* A non-empty string claim without NUL bytes that fits out; 0 or -1. */
static int
get_string(json_object *payload, const char *name, char *out, size_t outsize)
{
	json_object	*v;
	const char	*s;
	int		 len;

	if (!json_object_object_get_ex(payload, name, &v) ||
	    !json_object_is_type(v, json_type_string))
		return -1;
	s = json_object_get_string(v);
	len = json_object_get_string_len(v);
	if (len <= 0 || (size_t)len >= outsize || memchr(s, '\0', (size_t)len))
		return -1;
	memcpy(out, s, (size_t)len);
	out[len] = '\0';
	return 0;
}

/* Whether v is a JSON string of exactly the bytes of want (no NUL games). */
static int
is_string(json_object *v, const char *want)
{
	size_t	 len = strlen(want);

	return json_object_is_type(v, json_type_string) &&
	    (size_t)json_object_get_string_len(v) == len &&
	    memcmp(json_object_get_string(v), want, len) == 0;
}

/*
 * RFC 7519 4.1.3: a token that names its audience is for that audience
 * only.  With none configured (want ""), any aud at all is refused, as
 * python-jose does; with one, aud is required (a token for no audience in
 * particular is not for us) and must be the string want or an array of
 * strings holding it.  Anything else (a number, an object, an empty array,
 * an array with a non-string) is refused.  Returns 1 if acceptable.
 */
static int
audience_ok(json_object *payload, const char *want)
{
	json_object	*v;
	size_t		 i, n;
	int		 found = 0;

	if (!json_object_object_get_ex(payload, "aud", &v))
		return want[0] == '\0';
	if (want[0] == '\0')
		return 0;
	if (json_object_is_type(v, json_type_string))
		return is_string(v, want);
	if (!json_object_is_type(v, json_type_array))
		return 0;
	n = json_object_array_length(v);
	for (i = 0; i < n; i++) {
		if (!json_object_is_type(json_object_array_get_idx(v, i),
		    json_type_string))
			return 0;
		if (is_string(json_object_array_get_idx(v, i), want))
			found = 1;
	}
	return found;
}

/*
 * With JWT_ISSUER set (want not ""), iss must be exactly it; unset, iss
 * is not looked at, as in python-jose and PyJWT.  Returns 1 if acceptable.
 */
static int
issuer_ok(json_object *payload, const char *want)
{
	json_object	*v;

	if (want[0] == '\0')
		return 1;
	return json_object_object_get_ex(payload, "iss", &v) &&
	    is_string(v, want);
}

/*
 * A header member that is a JSON string without NUL bytes: 1 (and *s,
 * *len), 0 if absent, -1 if anything else.
 */
static int
header_string(json_object *header, const char *name, const char **s,
    size_t *len)
{
	json_object	*v;

	if (!json_object_object_get_ex(header, name, &v))
		return 0;
	if (!json_object_is_type(v, json_type_string))
		return -1;
	*s = json_object_get_string(v);
	*len = (size_t)json_object_get_string_len(v);
	return memchr(*s, '\0', *len) == NULL ? 1 : -1;
}

/*
 * An ES* or RS* signature, checked in jwk.c on the key parsed once (never
 * by libjwt, which would parse a PEM at every call and, given no key,
 * check nothing).  token is the whole token, dot2 its second dot.  typ,
 * if any, must be "JWT" as libjwt wants it on the HS* path (compared as
 * it does, case-insensitively), so both paths take the same headers.
 * The signature is decoded strictly: one encoding, one length per key.
 * 1 if genuine, else 0.
 */
static int
pair_verify(const struct keys_key *key, json_object *header,
    const char *token, size_t len, const char *dot2)
{
	unsigned char	 sig[JWK_SIG_MAX + 3];
	const char	*typ;
	size_t		 typlen;
	long		 n;
	int		 r;

	if ((r = header_string(header, "typ", &typ, &typlen)) == -1 ||
	    (r == 1 && strcasecmp(typ, "JWT") != 0))
		return 0;
	n = b64url_decode(dot2 + 1, len - (size_t)(dot2 + 1 - token), sig,
	    sizeof(sig));
	if (n <= 0)
		return 0;
	return jwk_verify(key->jwk, token, (size_t)(dot2 - token), sig,
	    (size_t)n) == 1;
}

int
token_claims_current(const struct cfg *cfg, const struct token_claims *c,
    time_t now)
{
	return c->exp > now &&
	    c->exp - now <= (long long)cfg->ttl_min * 60 + TOKEN_LEEWAY_SEC &&
	    c->iat <= now + TOKEN_LEEWAY_SEC && c->nbf <= now;
}

enum token_result
token_verify(const struct cfg *cfg, const char *token, size_t len,
    time_t now, struct token_claims *claims)
{
	char			 copy[TOKEN_MAX_BYTES + 1];
	struct token_claims	 c;
	json_object		*header = NULL, *payload = NULL, *v;
	jwt_t			*jwt = NULL;
	const struct keys_key	*key;
	const char		*dot1 = NULL, *dot2 = NULL, *kid = NULL;
	long long		 n;
	size_t			 i, kidlen = 0;
	enum token_result	 ret = TOKEN_INVALID;

	memset(&c, 0, sizeof(c));
	copy[0] = '\0';

	/*
	 * Shape first, before any decoder sees it: bounded length, only the
	 * base64url alphabet and exactly two dots, no empty segment.
	 */
	if (len == 0 || len > TOKEN_MAX_BYTES)
		return TOKEN_INVALID;
	for (i = 0; i < len; i++) {
		if (token[i] == '.') {
			if (dot1 == NULL)
				dot1 = token + i;
			else if (dot2 == NULL)
				dot2 = token + i;
			else
				return TOKEN_INVALID;
		} else if (b64url_value((unsigned char)token[i]) == -1)
			return TOKEN_INVALID;
	}
	if (dot2 == NULL || dot1 == token || dot2 == dot1 + 1 ||
	    dot2 == token + len - 1)
		return TOKEN_INVALID;

	/*
	 * Pin the algorithm on the raw header string (RFC 8725 3.1): libjwt
	 * 1.10 compares alg case-insensitively and takes any HS* it knows.
	 * A "crit" header names extensions we do not implement (RFC 7515
	 * 4.1.11), so such a token is refused.
	 */
	if ((header = parse_segment(token, (size_t)(dot1 - token))) == NULL)
		goto done;
	if (!json_object_object_get_ex(header, "alg", &v) ||
	    !json_object_is_type(v, json_type_string) ||
	    (size_t)json_object_get_string_len(v) !=
	    strlen(json_object_get_string(v)) ||
	    json_object_object_get_ex(header, "crit", NULL))
		goto done;
	/*
	 * kid names the key (RFC 7515 4.1.4): a string of 1 to KEYS_KID_MAX
	 * bytes without NUL, compared as bytes.  jku, x5u, jwk and x5c are
	 * never read: a token does not get to say where its key comes from.
	 */
	switch (header_string(header, "kid", &kid, &kidlen)) {
	case -1:
		goto done;
	case 1:
		if (kidlen == 0 || kidlen > KEYS_KID_MAX)
			goto done;
		break;
	}
	/*
	 * The key set holds a key for this exact name (and kid, for a key
	 * pair), or nothing does: an HS256 token under a key pair's kid
	 * finds nothing, so its public key never becomes an HMAC key.
	 */
	key = keys_find(cfg->keys, keys_alg_from_name(json_object_get_string(v)),
	    kid);
	if (key == NULL)
		goto done;
	if (key->jwk != NULL) {
		if (!pair_verify(key, header, token, len, dot2))
			goto done;
		goto claims;
	}

	/*
	 * The signature, by libjwt, always with a validated key: given an
	 * empty key it would accept a token signed with an empty key.
	 */
	if (key->secret == NULL || key->secret_len == 0 ||
	    key->secret_len > INT_MAX)
		goto done;
	memcpy(copy, token, len);
	copy[len] = '\0';
	if (jwt_decode(&jwt, copy, key->secret, (int)key->secret_len) != 0 ||
	    jwt == NULL || jwt_get_alg(jwt) != jwt_alg_of(key->alg))
		goto done;

	/*
	 * The claims, typed by us: libjwt's getters read a string or a
	 * float exp as 0 and a missing one as -1 without an error.
	 */
claims:
	payload = parse_segment(dot1 + 1, (size_t)(dot2 - dot1 - 1));
	if (payload == NULL)
		goto done;
	if (get_int(payload, "exp", 1, &c.exp) != 1 ||
	    get_int(payload, "iat", 0, &c.iat) == -1 || c.iat < 0 ||
	    c.iat > c.exp || get_int(payload, "nbf", 0, &c.nbf) == -1 ||
	    !token_claims_current(cfg, &c, now))
		goto done;
	switch (get_int(payload, "ver", 0, &n)) {
	case -1:
		goto done;
	case 1:
		if (n < 0 || n > TOKEN_VER_MAX)
			goto done;
		c.ver = (long)n;
		break;
	}
	/* A typed token ("refresh", say) is not an access token. */
	if (json_object_object_get_ex(payload, "typ", &v) &&
	    (!json_object_is_type(v, json_type_string) ||
	    strcmp(json_object_get_string(v), "access") != 0))
		goto done;
	/* RFC 9068 2.2.3: scope, a space-separated string, typed here. */
	if (json_object_object_get_ex(payload, "scope", &v)) {
		if (!json_object_is_type(v, json_type_string) ||
		    !token_scope_valid(json_object_get_string(v),
		    (size_t)json_object_get_string_len(v)))
			goto done;
		memcpy(c.scope, json_object_get_string(v),
		    (size_t)json_object_get_string_len(v) + 1);
	}
	/* The session and the token's id, typed here (sessions: sid). */
	if (json_object_object_get_ex(payload, "sid", &v)) {
		if (!json_object_is_type(v, json_type_string) ||
		    sid_decode(json_object_get_string(v),
		    (size_t)json_object_get_string_len(v), c.sid_raw) == -1)
			goto done;
		memcpy(c.sid, json_object_get_string(v), TOKEN_SID_CHARS + 1);
	}
	if (json_object_object_get_ex(payload, "jti", &v)) {
		if (!json_object_is_type(v, json_type_string) ||
		    !token_jti_valid(json_object_get_string(v),
		    (size_t)json_object_get_string_len(v)))
			goto done;
		memcpy(c.jti, json_object_get_string(v),
		    (size_t)json_object_get_string_len(v) + 1);
	}
	/* Meant for another service, or from another issuer. */
	if (!audience_ok(payload, cfg->audience) ||
	    !issuer_ok(payload, cfg->issuer))
		goto done;
	memcpy(c.aud, cfg->audience, sizeof(c.aud));
	memcpy(c.iss, cfg->issuer, sizeof(c.iss));

	/* Genuine and current: from here on a problem is the payload's. */
	ret = TOKEN_BAD_PAYLOAD;
	if (get_string(payload, "sub", c.sub, sizeof(c.sub)) == -1 ||
	    get_string(payload, "role", c.role, sizeof(c.role)) == -1)
		goto done;
	*claims = c;
	ret = TOKEN_OK;
done:
	jwt_free(jwt);
	json_object_put(header);
	json_object_put(payload);
	/* A bearer token is a credential: wipe what was copied of it. */
	if (copy[0] != '\0')
		explicit_bzero(copy, len + 1);
	return ret;
}

/* Copy a non-empty name that fits out; 0, or -1. */
static int
copy_name(char *out, size_t outsize, const char *name)
{
	size_t	 len = strlen(name);

	if (len == 0 || len >= outsize)
		return -1;
	memcpy(out, name, len + 1);
	return 0;
}

int
token_claims_init(struct token_claims *c, const char *sub, const char *role,
    long ver)
{
	memset(c, 0, sizeof(*c));
	if (copy_name(c->sub, sizeof(c->sub), sub) == -1 ||
	    copy_name(c->role, sizeof(c->role), role) == -1 ||
	    ver < 0 || ver > TOKEN_VER_MAX)
		return -1;
	c->ver = ver;
	return 0;
}

int
token_scope_valid(const char *s, size_t len)
{
	size_t	 i, n = 1;
	int	 c;

	if (len == 0 || len > TOKEN_SCOPE_MAX)
		return 0;
	/*
	 * RFC 6749 3.3: scope = scope-token *( SP scope-token ), and
	 * scope-token = 1*( %x21 / %x23-5B / %x5D-7E ).
	 */
	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c == ' ') {
			if (i == 0 || i == len - 1 || s[i - 1] == ' ' ||
			    ++n > TOKEN_SCOPES_MAX)
				return 0;
		} else if (c < 0x21 || c > 0x7e || c == '"' || c == '\\')
			return 0;
	}
	return 1;
}

int
token_sid_valid(const char *s, size_t len)
{
	return sid_decode(s, len, NULL) == 0;
}

/* A sid's TOKEN_SID_BYTES into raw (NULL: only check).  0 or -1. */
static int
sid_decode(const char *s, size_t len, unsigned char *raw)
{
	unsigned char	 buf[TOKEN_SID_BYTES + 3];

	if (len != TOKEN_SID_CHARS || b64url_decode(s, len, buf,
	    sizeof(buf)) != TOKEN_SID_BYTES)
		return -1;
	if (raw != NULL)
		memcpy(raw, buf, TOKEN_SID_BYTES);
	return 0;
}

int
token_jti_valid(const char *s, size_t len)
{
	size_t	 i;

	if (len == 0 || len > TOKEN_JTI_MAX)
		return 0;
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7e)
			return 0;
	return 1;
}

int
token_claims_session(struct token_claims *c, const char *sid,
    const char *jti)
{
	unsigned char	 raw[TOKEN_SID_BYTES];
	size_t		 slen = strlen(sid), jlen = strlen(jti);

	memset(raw, 0, sizeof(raw));
	if ((slen > 0 && sid_decode(sid, slen, raw) == -1) ||
	    (jlen > 0 && !token_jti_valid(jti, jlen)))
		return -1;
	memcpy(c->sid_raw, raw, sizeof(raw));
	memcpy(c->sid, sid, slen + 1);
	memcpy(c->jti, jti, jlen + 1);
	return 0;
}

int
token_claims_scope(struct token_claims *c, const char *scope)
{
	size_t	 len = strlen(scope);

	if (len > 0 && !token_scope_valid(scope, len))
		return -1;
	memcpy(c->scope, scope, len + 1);
	return 0;
}

int
token_mint(const struct cfg *cfg, struct token_claims *c, time_t now,
    char **out)
{
	const struct keys_key	*key = keys_signing(cfg->keys);
	jwt_t			*jwt = NULL;
	jwt_alg_t		 alg = JWT_ALG_INVAL;
	int			 ret = -1;

	*out = NULL;
	/* What token_verify would refuse is never minted. */
	if (key == NULL || (key->jwk == NULL &&
	    ((alg = jwt_alg_of(key->alg)) == JWT_ALG_INVAL ||
	    key->secret == NULL || key->secret_len == 0 ||
	    key->secret_len > INT_MAX)) || c->sub[0] == '\0' ||
	    c->role[0] == '\0' || c->ver < 0 || c->ver > TOKEN_VER_MAX ||
	    memchr(c->sub, '\0', sizeof(c->sub)) == NULL ||
	    memchr(c->role, '\0', sizeof(c->role)) == NULL ||
	    memchr(c->scope, '\0', sizeof(c->scope)) == NULL ||
	    (c->scope[0] != '\0' && !token_scope_valid(c->scope,
	    strlen(c->scope))) ||
	    memchr(c->sid, '\0', sizeof(c->sid)) == NULL ||
	    memchr(c->jti, '\0', sizeof(c->jti)) == NULL ||
	    (c->sid[0] != '\0' && !token_sid_valid(c->sid, strlen(c->sid))) ||
	    (c->jti[0] != '\0' && !token_jti_valid(c->jti, strlen(c->jti))))
		return -1;
	c->iat = now;
	c->exp = (long long)now + (long long)cfg->ttl_min * 60;
	c->nbf = 0;
	memcpy(c->iss, cfg->issuer, sizeof(c->iss));
	memcpy(c->aud, cfg->audience, sizeof(c->aud));

	if (key->jwk != NULL)
		return pair_mint(key, c, out);
	if (jwt_new(&jwt) != 0)
		return -1;
	if (jwt_set_alg(jwt, alg, key->secret, (int)key->secret_len) != 0 ||
	    add_claims(jwt, c) == -1)
		goto done;
	if ((*out = jwt_encode_str(jwt)) == NULL)
		goto done;
	ret = 0;
done:
	/* jwt_free scrubs libjwt's copy of the key. */
	jwt_free(jwt);
	return ret;
}

/* The claims of c, as every token carries them; 0, or -1. */
static int
add_claims(jwt_t *jwt, const struct token_claims *c)
{
	if (jwt_add_grant(jwt, "sub", c->sub) != 0 ||
	    jwt_add_grant(jwt, "role", c->role) != 0 ||
	    jwt_add_grant_int(jwt, "iat", (long)c->iat) != 0 ||
	    jwt_add_grant_int(jwt, "exp", (long)c->exp) != 0 ||
	    jwt_add_grant_int(jwt, "ver", c->ver) != 0 ||
	    (c->iss[0] != '\0' && jwt_add_grant(jwt, "iss", c->iss) != 0) ||
	    (c->aud[0] != '\0' && jwt_add_grant(jwt, "aud", c->aud) != 0) ||
	    (c->scope[0] != '\0' &&
	    jwt_add_grant(jwt, "scope", c->scope) != 0) ||
	    (c->sid[0] != '\0' && jwt_add_grant(jwt, "sid", c->sid) != 0) ||
	    (c->jti[0] != '\0' && jwt_add_grant(jwt, "jti", c->jti) != 0))
		return -1;
	return 0;
}

/* Append the base64url of len bytes of data to buf (size) at *off. */
static int
append_b64(char *buf, size_t size, size_t *off, const void *data, size_t len)
{
	long	 n;

	if ((n = b64url_encode(data, len, buf + *off, size - *off)) == -1)
		return -1;
	*off += (size_t)n;
	return 0;
}

/*
 * An ES* or RS* token: libjwt holds and serializes the header and claims
 * as for HS* (sorted, compact), but jwt_set_alg is never called, so it
 * never sees a key; the JWS signing input is made here and signed in
 * jwk.c with the key parsed once.  The header: alg, kid (the key's
 * RFC 7638 thumbprint) and typ.
 */
static int
pair_mint(const struct keys_key *key, const struct token_claims *c,
    char **out)
{
	unsigned char	 sig[JWK_SIG_MAX];
	jwt_t		*jwt = NULL;
	char		*head = NULL, *body = NULL, *buf = NULL;
	size_t		 hlen, blen, size, off = 0, siglen;
	int		 ret = -1;

	if (jwt_new(&jwt) != 0)
		return -1;
	if (jwt_add_header(jwt, "alg", keys_alg_name(key->alg)) != 0 ||
	    jwt_add_header(jwt, "kid", key->kid) != 0 ||
	    jwt_add_header(jwt, "typ", "JWT") != 0 ||
	    add_claims(jwt, c) == -1 ||
	    (head = jwt_get_headers_json(jwt, NULL)) == NULL ||
	    (body = jwt_get_grants_json(jwt, NULL)) == NULL)
		goto done;
	hlen = strlen(head);
	blen = strlen(body);
	if (hlen > TOKEN_MAX_BYTES || blen > TOKEN_MAX_BYTES)
		goto done;
	size = (hlen + blen + JWK_SIG_MAX) / 3 * 4 + 16;
	if ((buf = malloc(size)) == NULL ||
	    append_b64(buf, size, &off, head, hlen) == -1)
		goto done;
	buf[off++] = '.';
	if (append_b64(buf, size, &off, body, blen) == -1 ||
	    jwk_sign(key->jwk, buf, off, sig, sizeof(sig), &siglen) == -1)
		goto done;
	buf[off++] = '.';
	if (append_b64(buf, size, &off, sig, siglen) == -1 ||
	    off > TOKEN_MAX_BYTES)
		goto done;
	*out = buf;
	buf = NULL;
	ret = 0;
done:
	free(head);
	free(body);
	free(buf);
	jwt_free(jwt);
	return ret;
}
