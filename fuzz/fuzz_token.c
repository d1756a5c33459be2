/* fuzz_token.c -- libFuzzer target: token_verify and its cache on arbitrary bytes */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "token.h"
#include "fuzz.h"

/*
 * The whole verifier with a fixed HS256 config and clock.  The token is
 * copied to a heap block of exactly its size (it is not NUL-terminated,
 * as in a request) so ASan sees any read past its end.  The cache of
 * verified tokens, which the endpoints go through, must give the same
 * verdict and claims, the first time and when it answers from memory.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cfg		 cfg;
	static struct token_cache	*cache;
	struct token_claims		 claims;
	enum token_result		 r;
	char				*tok;

	if (cache == NULL) {
		fuzz_quiet();
		fuzz_cfg(&cfg);
		if ((cache = token_cache_new(&cfg)) == NULL)
			abort();
	}
	if ((tok = malloc(size > 0 ? size : 1)) == NULL)
		return 0;
	memcpy(tok, data, size);
	r = token_verify(&cfg, tok, size, FUZZ_NOW, &claims);
	if (r == TOKEN_OK)
		fuzz_check_claims(&cfg, &claims);
	fuzz_check_cache(cache, tok, size, r, &claims);
	free(tok);
	return 0;
}
