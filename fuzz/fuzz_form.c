/* fuzz_form.c -- libFuzzer target: the urlencoded form decoder */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "fuzz.h"

/*
 * The body is copied to a heap block of exactly its size, so ASan sees a
 * read one byte too far.  The fields' buffers are the sizes login.c uses,
 * plus some tiny ones to exercise the "does not fit" path at every length.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char			 grant[256], user[256], pass[1025];
	char			 one[1], two[2], eight[8];
	char			*body, *ct;
	struct http_form_field	 f[] = {
		{ "grant_type", grant, sizeof(grant), 0, 0, 0 },
		{ "username", user, sizeof(user), 0, 0, 0 },
		{ "password", pass, sizeof(pass), 0, 0, 0 },
		{ "a", one, sizeof(one), 0, 0, 0 },
		{ "b", two, sizeof(two), 0, 0, 0 },
		{ "c d", eight, sizeof(eight), 0, 0, 0 },
	};
	size_t			 i;

	if ((body = malloc(size > 0 ? size : 1)) == NULL)
		return 0;
	memcpy(body, data, size);
	/* An empty body may come as NULL, as in a hand-built request. */
	http_form_parse(size > 0 ? body : NULL, size, f,
	    sizeof(f) / sizeof(f[0]));
	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		FUZZ_ASSERT(f[i].len < f[i].size);
		FUZZ_ASSERT(f[i].value[f[i].len] == '\0');
		if (f[i].too_long)
			FUZZ_ASSERT(f[i].present && f[i].len == 0);
		if (!f[i].present)
			FUZZ_ASSERT(f[i].len == 0 && !f[i].too_long &&
			    f[i].value[0] == '\0');
	}
	explicit_bzero(pass, sizeof(pass));
	free(body);

	/* The same bytes as a CONTENT_TYPE, which arrives NUL-terminated. */
	if ((ct = malloc(size + 1)) == NULL)
		return 0;
	memcpy(ct, data, size);
	ct[size] = '\0';
	(void)http_is_form(ct);
	free(ct);
	return 0;
}
