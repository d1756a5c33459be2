/* fuzz_token_signed.c -- libFuzzer target: validly signed tokens, claims */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jwt.h>

#include "forge.h"
#include "token.h"
#include "fuzz.h"

static const char	 default_header[] = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";

static char	*mint_libjwt(const char *);
static void	 cross_check(const struct cfg *, const char *,
		    const struct token_claims *);

/* libjwt mints a token with the input as its grants, or NULL. */
static char *
mint_libjwt(const char *json)
{
	jwt_t	*jwt = NULL;
	char	*out = NULL;

	if (jwt_new(&jwt) != 0)
		return NULL;
	if (jwt_set_alg(jwt, JWT_ALG_HS256, (const unsigned char *)FUZZ_SECRET,
	    (int)strlen(FUZZ_SECRET)) == 0 &&
	    jwt_add_grants_json(jwt, json) == 0)
		out = jwt_encode_str(jwt);
	jwt_free(jwt);
	return out;
}

/*
 * Two JSON parsers read every token: jansson inside libjwt, json-c in
 * token_verify.  An accepted token must mean the same to both, or an
 * attacker could show each a different subject, or audience.
 */
static void
cross_check(const struct cfg *cfg, const char *token,
    const struct token_claims *c)
{
	jwt_t		*jwt = NULL;
	const char	*sub, *role, *aud, *iss;
	char		*aud_json;
	long		 exp;

	FUZZ_ASSERT(jwt_decode(&jwt, token, (const unsigned char *)FUZZ_SECRET,
	    (int)strlen(FUZZ_SECRET)) == 0 && jwt != NULL);
	sub = jwt_get_grant(jwt, "sub");
	role = jwt_get_grant(jwt, "role");
	errno = 0;
	exp = jwt_get_grant_int(jwt, "exp");
	FUZZ_ASSERT(sub != NULL && strcmp(sub, c->sub) == 0);
	FUZZ_ASSERT(role != NULL && strcmp(role, c->role) == 0);
	FUZZ_ASSERT(errno == 0 && exp == c->exp);
	/*
	 * aud: none at all unless an audience is configured; then ours, or
	 * an array (whose strings only json-c looked at) naming it.
	 */
	aud = jwt_get_grant(jwt, "aud");
	aud_json = jwt_get_grants_json(jwt, "aud");
	if (cfg->audience[0] == '\0')
		FUZZ_ASSERT(aud_json == NULL);
	else
		FUZZ_ASSERT(aud != NULL ? strcmp(aud, cfg->audience) == 0 :
		    aud_json != NULL && aud_json[0] == '[' &&
		    strstr(aud_json, "\"" FUZZ_AUDIENCE "\"") != NULL);
	free(aud_json);
	iss = jwt_get_grant(jwt, "iss");
	if (cfg->issuer[0] != '\0')
		FUZZ_ASSERT(iss != NULL && strcmp(iss, cfg->issuer) == 0);
	jwt_free(jwt);
}

/*
 * The first byte picks how the rest becomes a token signed with the
 * right secret, so the fuzzer spends its time past the signature check:
 *   0  the rest is a payload, taken as given, under the right header
 *   1  "header\npayload", both taken as given
 *   2  the rest is a JSON object that libjwt re-encodes and signs
 * (its value modulo 3), and which configuration verifies it: below 0x80
 * none with an audience or issuer, from 0x80 one with both.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cfg		 plain, aud_iss;
	static struct token_cache	*plain_cache, *aud_iss_cache;
	struct token_cache		*cache;
	struct token_claims		 claims;
	enum token_result		 r;
	const struct cfg	*cfg;
	const char		*rest = (const char *)data + 1, *nl;
	char			*token = NULL, *json;
	size_t			 restlen;

	if (plain_cache == NULL) {
		fuzz_quiet();
		fuzz_cfg(&plain);
		fuzz_cfg_aud_iss(&aud_iss);
		if ((plain_cache = token_cache_new(&plain)) == NULL ||
		    (aud_iss_cache = token_cache_new(&aud_iss)) == NULL)
			abort();
	}
	if (size < 1)
		return 0;
	restlen = size - 1;
	cfg = data[0] < 0x80 ? &plain : &aud_iss;
	cache = data[0] < 0x80 ? plain_cache : aud_iss_cache;
	switch (data[0] % 3) {
	case 0:
		token = forge_token(default_header, sizeof(default_header) - 1,
		    rest, restlen, "HS256", FUZZ_SECRET, strlen(FUZZ_SECRET));
		break;
	case 1:
		if ((nl = memchr(rest, '\n', restlen)) == NULL)
			return 0;
		token = forge_token(rest, (size_t)(nl - rest), nl + 1,
		    restlen - (size_t)(nl - rest) - 1, "HS256", FUZZ_SECRET,
		    strlen(FUZZ_SECRET));
		break;
	default:
		if ((json = malloc(restlen + 1)) == NULL)
			return 0;
		memcpy(json, rest, restlen);
		json[restlen] = '\0';
		token = mint_libjwt(json);
		free(json);
		break;
	}
	if (token == NULL)
		return 0;
	r = token_verify(cfg, token, strlen(token), FUZZ_NOW, &claims);
	if (r == TOKEN_OK) {
		fuzz_check_claims(cfg, &claims);
		cross_check(cfg, token, &claims);
	}
	fuzz_check_cache(cache, token, strlen(token), r, &claims);
	free(token);
	return 0;
}
