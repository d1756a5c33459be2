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
 * cut at its first NUL; http_param finds it in the request's list.  Whatever http_bearer finds goes on to the token
 * verifier, as authz_authenticate does.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cfg	 cfg;
	static int		 ready;
	struct http_request	 req;
	struct token_claims	 claims;
	const char		*token, *params[3];
	char			*param, *hdr;
	size_t			 len, hlen;

	if (!ready) {
		fuzz_quiet();
		fuzz_cfg(&cfg);
		ready = 1;
	}
	/* As libfcgi lists it: "HTTP_AUTHORIZATION=" and the value. */
	if ((param = malloc(sizeof("HTTP_AUTHORIZATION=") + size)) == NULL)
		return 0;
	memcpy(param, "HTTP_AUTHORIZATION=", sizeof("HTTP_AUTHORIZATION=") - 1);
	hdr = param + sizeof("HTTP_AUTHORIZATION=") - 1;
	memcpy(hdr, data, size);
	hdr[size] = '\0';
	hlen = strlen(hdr);

	memset(&req, 0, sizeof(req));
	params[0] = "REQUEST_METHOD=GET";
	params[1] = param;
	params[2] = NULL;
	req.params = params;
	req.method = "GET";
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
	free(param);
	return 0;
}
