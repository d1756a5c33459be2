/* fuzz_jwks.c -- libFuzzer target: the JWK Set parser, keys_find and the set served */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "keys.h"
#include "fuzz.h"

static const enum keys_alg	 all_algs[] = {
	KEYS_HS256, KEYS_RS256, KEYS_RS384, KEYS_RS512, KEYS_ES256, KEYS_ES384,
};

/*
 * The input as a JWT_KEYS_FILE (copied to a heap block of exactly its
 * size, not NUL-terminated).  A set it accepts is served as JSON that
 * parses back to the same set, byte for byte the same when served again;
 * each key served is found by its kid under its own alg only, and what
 * keys_find returns is that key.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int		 ready;
	const struct keys_key	*k;
	struct keys		*keys, *again;
	json_object		*doc, *arr, *key, *v;
	const char		*served, *served2, *kid;
	char			 err[512], *buf;
	size_t			 len, len2, i, a, n;
	enum keys_alg		 alg;

	if (!ready) {
		fuzz_quiet();
		ready = 1;
	}
	if ((buf = malloc(size > 0 ? size : 1)) == NULL)
		return 0;
	memcpy(buf, data, size);
	keys = keys_new_jwks(buf, size, NULL, err, sizeof(err));
	free(buf);
	if (keys == NULL) {
		FUZZ_ASSERT(err[0] != '\0' && strchr(err, '\n') == NULL);
		return 0;
	}
	FUZZ_ASSERT(keys_signing(keys) == NULL);
	served = keys_jwks_json(keys, &len);
	FUZZ_ASSERT(served != NULL && strlen(served) == len);
	again = keys_new_jwks(served, len, NULL, err, sizeof(err));
	FUZZ_ASSERT(again != NULL);
	served2 = keys_jwks_json(again, &len2);
	FUZZ_ASSERT(len2 == len && memcmp(served, served2, len) == 0);

	doc = json_tokener_parse(served);
	FUZZ_ASSERT(doc != NULL);
	FUZZ_ASSERT(json_object_object_get_ex(doc, "keys", &arr));
	n = json_object_array_length(arr);
	FUZZ_ASSERT(n >= 1 && n <= KEYS_JWKS_MAX);
	for (i = 0; i < n; i++) {
		key = json_object_array_get_idx(arr, i);
		FUZZ_ASSERT(!json_object_object_get_ex(key, "d", NULL));
		FUZZ_ASSERT(json_object_object_get_ex(key, "kid", &v));
		kid = json_object_get_string(v);
		FUZZ_ASSERT(strlen(kid) >= 1 && strlen(kid) <= KEYS_KID_MAX);
		FUZZ_ASSERT(json_object_object_get_ex(key, "alg", &v));
		alg = keys_alg_from_name(json_object_get_string(v));
		FUZZ_ASSERT(keys_alg_is_pair(alg));
		for (a = 0; a < sizeof(all_algs) / sizeof(all_algs[0]); a++) {
			k = keys_find(keys, all_algs[a], kid);
			if (all_algs[a] != alg) {
				FUZZ_ASSERT(k == NULL);
				continue;
			}
			FUZZ_ASSERT(k != NULL && k->alg == alg &&
			    strcmp(k->kid, kid) == 0 && k->jwk != NULL &&
			    k->secret == NULL);
		}
	}
	FUZZ_ASSERT(keys_find(keys, KEYS_ES256, NULL) == NULL);
	json_object_put(doc);
	keys_free(again);
	keys_free(keys);
	return 0;
}
