/* fuzz_token.c -- libFuzzer target: token_verify on arbitrary bytes */
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
 * as in a request) so ASan sees any read past its end.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cfg	 cfg;
	static int		 ready;
	struct token_claims	 claims;
	char			*tok;

	if (!ready) {
		fuzz_quiet();
		fuzz_cfg(&cfg);
		ready = 1;
	}
	if ((tok = malloc(size > 0 ? size : 1)) == NULL)
		return 0;
	memcpy(tok, data, size);
	if (token_verify(&cfg, tok, size, FUZZ_NOW, &claims) == TOKEN_OK)
		fuzz_check_claims(&cfg, &claims);
	free(tok);
	return 0;
}
