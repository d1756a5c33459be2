/* fuzz_bearer.c -- libFuzzer target: Authorization header -> token_verify */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "token.h"
#include "fuzz.h"

/*
 * The header arrives as a NUL-terminated CGI parameter, so the input is
 * cut at its first NUL.  Whatever http_bearer finds goes on to the token
 * verifier, as authz_authenticate does.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cfg	 cfg;
	static int		 ready;
	struct http_request	 req;
	struct token_claims	 claims;
	const char		*token;
	char			*hdr;
	size_t			 len, hlen;

	if (!ready) {
		fuzz_quiet();
		fuzz_cfg(&cfg);
		ready = 1;
	}
	if ((hdr = malloc(size + 1)) == NULL)
		return 0;
	memcpy(hdr, data, size);
	hdr[size] = '\0';
	hlen = strlen(hdr);

	memset(&req, 0, sizeof(req));
	req.method = "GET";
	req.authorization = hdr;
	req.now = FUZZ_NOW;
	if (http_bearer(&req, &token, &len) == 0) {
		/* The token is the header's tail, after "Bearer" and a space. */
		FUZZ_ASSERT(token >= hdr + 6 && token <= hdr + hlen);
		FUZZ_ASSERT(token + len == hdr + hlen);
		FUZZ_ASSERT(strncasecmp(hdr, "Bearer", 6) == 0);
		if (token_verify(&cfg, token, len, FUZZ_NOW, &claims) ==
		    TOKEN_OK)
			fuzz_check_claims(&cfg, &claims);
	} else
		FUZZ_ASSERT(hlen < 6 || strncasecmp(hdr, "Bearer", 6) != 0 ||
		    (hdr[6] != ' ' && hdr[6] != '\0'));
	free(hdr);
	return 0;
}
