/* fuzz_path.c -- libFuzzer target: the request path normaliser */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "fuzz.h"

/* The issue's example policy: every normalised path is matched on it. */
static const char	 example[] =
	"role admin reports:read projects:read users:admin\n"
	"role user projects:read\n"
	"allow GET,HEAD /reports/ scope=reports:read\n"
	"allow * /projects/ role=admin,user\n"
	"allow GET /public/ anyone\n"
	"allow GET /public/x anyone\n"
	"allow * / authenticated\n";

/* Whether rule path rp covers path p (n bytes), as policy.h says. */
static int
covers(const char *rp, const char *p, size_t n)
{
	size_t	 rl = strlen(rp);

	if (rp[rl - 1] == '/')
		return n >= rl && memcmp(rp, p, rl) == 0;
	return (n == rl || (n == rl + 1 && p[rl] == '/')) &&
	    memcmp(rp, p, rl) == 0;
}

/*
 * policy_normalize on the raw bytes (NULs and all).  What it returns is
 * absolute, without "//", dot segments, ";"-dot segments, control bytes
 * or '\'; no longer than what came in; and, if it holds nothing a second
 * decoding would change, normalised again it is itself.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct policy		*pol;
	char				 out[POLICY_PATH_MAX + 1];
	char				 again[POLICY_PATH_MAX + 1];
	const struct policy_rule	*r;
	const char			*why, *seg, *end;
	char				 err[256];
	long				 n, m;
	size_t				 i, sl;

	if (pol == NULL) {
		fuzz_quiet();
		if ((pol = policy_from_buffer(example, sizeof(example) - 1,
		    err, sizeof(err))) == NULL)
			abort();
	}
	why = NULL;
	n = policy_normalize((const char *)data, size, out, sizeof(out), &why);
	if (n < 0) {
		FUZZ_ASSERT(why != NULL);
		return 0;
	}
	FUZZ_ASSERT((size_t)n == strlen(out) && n >= 1 &&
	    n <= POLICY_PATH_MAX && (size_t)n <= size);
	FUZZ_ASSERT(out[0] == '/');
	FUZZ_ASSERT(strstr(out, "//") == NULL);
	for (i = 0; i < (size_t)n; i++)
		FUZZ_ASSERT((unsigned char)out[i] >= 0x20 &&
		    out[i] != 0x7f && out[i] != '\\');
	/* Each segment: not ".", "..", or either (or nothing) before ';'. */
	for (seg = out + 1; seg < out + n; seg = end + 1) {
		end = strchr(seg, '/');
		if (end == NULL)
			end = out + n;
		sl = (size_t)(end - seg);
		if (sl == 0)
			break;			/* the trailing '/' */
		FUZZ_ASSERT(seg[0] != ';');
		FUZZ_ASSERT(!(seg[0] == '.' && (sl == 1 || seg[1] == ';')));
		FUZZ_ASSERT(!(seg[0] == '.' && seg[1] == '.' &&
		    (sl == 2 || seg[2] == ';')));
	}
	if (strpbrk(out, "%?#") == NULL) {
		m = policy_normalize(out, (size_t)n, again, sizeof(again), &why);
		FUZZ_ASSERT(m == n && memcmp(again, out, (size_t)n + 1) == 0);
	}
	/* A rule that matches covers the path, and lists the method. */
	if ((r = policy_match(pol, "GET", out, (size_t)n, &why)) != NULL) {
		FUZZ_ASSERT(covers(r->path, out, (size_t)n));
		FUZZ_ASSERT(strcmp(r->methods, "*") == 0 ||
		    strstr(r->methods, "GET") != NULL);
	} else
		FUZZ_ASSERT(why != NULL);
	return 0;
}
