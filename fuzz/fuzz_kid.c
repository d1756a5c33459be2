/* fuzz_kid.c -- libFuzzer target: a token's header (alg, kid, typ) against a key set */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "b64url.h"
#include "jwk.h"
#include "keys.h"
#include "token.h"
#include "fuzz.h"

#define PAYLOAD	"{\"sub\":\"alice\",\"role\":\"admin\",\"exp\":1700000600}"

static struct cfg		 cfg;
static struct token_cache	*cache;
static struct jwk		*es, *rs;

/* An ES256 and an RS256 key, and a set of their public halves. */
static void
setup(void)
{
	json_object	*a, *b;
	char		 err[256], *set;
	size_t		 n;

	fuzz_quiet();
	es = jwk_generate(KEYS_ES256, 0, err, sizeof(err));
	rs = jwk_generate(KEYS_RS256, 0, err, sizeof(err));
	FUZZ_ASSERT(es != NULL && rs != NULL);
	a = jwk_public_json(es);
	b = jwk_public_json(rs);
	FUZZ_ASSERT(a != NULL && b != NULL);
	n = 4096;
	FUZZ_ASSERT((set = malloc(n)) != NULL);
	(void)snprintf(set, n, "{\"keys\":[%s,%s]}",
	    json_object_to_json_string(a), json_object_to_json_string(b));
	json_object_put(a);
	json_object_put(b);
	memset(&cfg, 0, sizeof(cfg));
	cfg.ttl_min = FUZZ_TTL_MIN;
	cfg.keys = keys_new_jwks(set, strlen(set), NULL, err, sizeof(err));
	FUZZ_ASSERT(cfg.keys != NULL);
	free(set);
	FUZZ_ASSERT((cache = token_cache_new(&cfg)) != NULL);
}

/*
 * The header: the input after its first byte, with each "@E" replaced by
 * the ES256 key's kid and each "@R" by the RS256 key's (the keys are made
 * per process, so seeds name them so).  Returns a malloc'd string.
 */
static char *
expand(const char *in, size_t len)
{
	const char	*ek = jwk_kid(es), *rk = jwk_kid(rs);
	char		*out;
	size_t		 i, o = 0;

	if ((out = malloc(len * JWK_KID_MAX + 1)) == NULL)
		return NULL;
	for (i = 0; i < len; i++) {
		if (in[i] == '@' && i + 1 < len && (in[i + 1] == 'E' ||
		    in[i + 1] == 'R')) {
			memcpy(out + o, in[i + 1] == 'E' ? ek : rk,
			    strlen(ek));
			o += strlen(ek);
			i++;
		} else
			out[o++] = in[i];
	}
	out[o] = '\0';
	return out;
}

/*
 * Byte 0 picks the signer (even: the ES256 key, odd: the RS256 key); the
 * rest is the header, signed with a valid payload.  A token is accepted
 * only if its header's alg names the signer's algorithm exactly and its
 * kid is the signer's (parsed here as token.c parses it); and the cache
 * agrees.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char		 sig[JWK_SIG_MAX];
	struct token_claims	 claims;
	const struct jwk	*signer;
	json_object		*h, *v;
	char			*header, *tok;
	size_t			 hlen, n, off, siglen;
	enum token_result	 r;

	if (cache == NULL)
		setup();
	if (size < 1 || size > 2048)
		return 0;
	signer = (data[0] & 1) ? rs : es;
	if ((header = expand((const char *)data + 1, size - 1)) == NULL)
		return 0;
	hlen = strlen(header);
	n = (hlen + sizeof(PAYLOAD) + JWK_SIG_MAX) / 3 * 4 + 16;
	if ((tok = malloc(n)) == NULL) {
		free(header);
		return 0;
	}
	off = 0;
	if (hlen > 0 && (off = (size_t)b64url_encode((unsigned char *)header,
	    hlen, tok, n)) == (size_t)-1)
		abort();
	tok[off++] = '.';
	off += (size_t)b64url_encode((const unsigned char *)PAYLOAD,
	    sizeof(PAYLOAD) - 1, tok + off, n - off);
	FUZZ_ASSERT(jwk_sign(signer, tok, off, sig, sizeof(sig), &siglen) ==
	    0);
	tok[off++] = '.';
	off += (size_t)b64url_encode(sig, siglen, tok + off, n - off);

	r = token_verify(&cfg, tok, off, FUZZ_NOW, &claims);
	if (r == TOKEN_OK) {
		fuzz_check_claims(&cfg, &claims);
		h = json_tokener_parse(header);
		FUZZ_ASSERT(h != NULL);
		FUZZ_ASSERT(json_object_object_get_ex(h, "alg", &v) &&
		    strcmp(json_object_get_string(v),
		    keys_alg_name(jwk_alg(signer))) == 0);
		FUZZ_ASSERT(json_object_object_get_ex(h, "kid", &v) &&
		    (size_t)json_object_get_string_len(v) ==
		    strlen(jwk_kid(signer)) &&
		    strcmp(json_object_get_string(v), jwk_kid(signer)) == 0);
		FUZZ_ASSERT(!json_object_object_get_ex(h, "crit", NULL));
		json_object_put(h);
	}
	fuzz_check_cache(cache, tok, off, r, &claims);
	free(tok);
	free(header);
	return 0;
}
