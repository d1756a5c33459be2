/* fuzz_policy.c -- libFuzzer target: the policy file's parser and matcher */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "token.h"
#include "fuzz.h"

#define PROBES_MAX	64
#define RULES_MAX	256

/* An allow line as the fuzzer reads it back from the text. */
struct line_rule {
	char	 methods[POLICY_LINE_MAX + 1];
	char	 path[POLICY_LINE_MAX + 1];
	size_t	 lineno;
};

static struct line_rule	 rules[RULES_MAX];
static size_t		 nrules;

static int
blank(int c)
{
	return c == ' ' || c == '\t';
}

/*
 * The file was accepted, so each line is a comment, blank, a role line
 * or a good allow line: take the allow lines' METHODS and PATH, in order
 * (up to RULES_MAX).
 */
static void
read_rules(const char *p, size_t size)
{
	const char	*end = p + size, *nl, *f[4];
	size_t		 fl[4], n, lineno = 0, len;

	nrules = 0;
	for (; p < end && nrules < RULES_MAX; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		lineno++;
		len = (size_t)(nl - p);
		if (len > 0 && p[len - 1] == '\r')
			len--;
		for (n = 0; n < 4;) {
			while (len > 0 && blank((unsigned char)*p)) {
				p++;
				len--;
			}
			if (len == 0)
				break;
			f[n] = p;
			while (len > 0 && !blank((unsigned char)*p)) {
				p++;
				len--;
			}
			fl[n] = (size_t)(p - f[n]);
			n++;
		}
		if (n == 4 && fl[0] == 5 && memcmp(f[0], "allow", 5) == 0) {
			memcpy(rules[nrules].methods, f[1], fl[1]);
			rules[nrules].methods[fl[1]] = '\0';
			memcpy(rules[nrules].path, f[2], fl[2]);
			rules[nrules].path[fl[2]] = '\0';
			rules[nrules++].lineno = lineno;
		}
	}
}

static int
covers(const char *rp, const char *p, size_t n)
{
	size_t	 rl = strlen(rp);

	if (rp[rl - 1] == '/')
		return n >= rl && memcmp(rp, p, rl) == 0;
	return (n == rl || (n == rl + 1 && p[rl] == '/')) &&
	    memcmp(rp, p, rl) == 0;
}

static int
lists(const char *methods, const char *m)
{
	const char	*p = methods, *e;
	size_t		 ml = strlen(m);

	if (strcmp(methods, "*") == 0)
		return 1;
	for (;; p = e + 1) {
		e = p + strcspn(p, ",");
		if ((size_t)(e - p) == ml && memcmp(p, m, ml) == 0)
			return 1;
		if (*e == '\0')
			return 0;
	}
}

/*
 * The rule the policy should pick for method on path, by brute force:
 * the longest covering PATH, then the first of its rules listing the
 * method.  Its line number, or 0.
 */
static size_t
expected(const char *method, const char *path, size_t n)
{
	size_t	 i, best = 0, bl = 0, l;

	for (i = 0; i < nrules; i++) {
		l = strlen(rules[i].path);
		if (covers(rules[i].path, path, n) && l > bl) {
			bl = l;
			best = i + 1;
		}
	}
	if (best == 0)
		return 0;
	for (i = 0; i < nrules; i++)
		if (strcmp(rules[i].path, rules[best - 1].path) == 0 &&
		    lists(rules[i].methods, method))
			return rules[i].lineno;
	return 0;
}

static void
probe(const struct policy *p, const char *method, const char *path)
{
	const struct policy_rule	*r;
	const char			*why;
	char				 norm[POLICY_PATH_MAX + 1];
	size_t				 n = strlen(path);

	/* The matcher is asked only about normalised paths. */
	if (policy_normalize(path, n, norm, sizeof(norm), &why) != (long)n ||
	    strcmp(norm, path) != 0)
		return;
	r = policy_match(p, method, path, n, &why);
	/* Only the first RULES_MAX allow lines were read back. */
	if (nrules == RULES_MAX)
		return;
	FUZZ_ASSERT((r != NULL ? r->lineno : 0) == expected(method, path, n));
	if (r != NULL) {
		FUZZ_ASSERT(covers(r->path, path, n));
		FUZZ_ASSERT(lists(r->methods, method));
		FUZZ_ASSERT(r->who != POLICY_ROLE || r->names[0] != '\0');
		FUZZ_ASSERT(r->who != POLICY_SCOPE || r->names[0] != '\0');
	}
}

/*
 * Parse the input as a policy file.  If accepted: every allow line's
 * PATH, and paths near it, are matched and checked against the brute
 * force above; the scopes of each role (named in the role lines, found by
 * looking the input's words up) are a valid scope claim, and what a
 * token or a login gets of them is a part of them.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const methods[] = { "GET", "HEAD", "POST", "get",
	    "DELETE", "X" };
	static int	 ready;
	struct policy	*p;
	char		 err[512], path[POLICY_LINE_MAX + 8], out[2100];
	char		 word[64];
	const char	*s, *grants, *w, *end = (const char *)data + size;
	size_t		 i, m, l, n;

	if (!ready) {
		fuzz_quiet();
		ready = 1;
	}
	if ((p = policy_from_buffer((const char *)data, size, err,
	    sizeof(err))) == NULL) {
		FUZZ_ASSERT(memchr(err, '\0', sizeof(err)) != NULL);
		return 0;
	}
	read_rules((const char *)data, size);
	for (i = 0; i < nrules && i < PROBES_MAX; i++) {
		l = strlen(rules[i].path);
		for (m = 0; m < sizeof(methods) / sizeof(methods[0]); m++) {
			probe(p, methods[m], rules[i].path);
			(void)snprintf(path, sizeof(path), "%s/", rules[i].path);
			probe(p, methods[m], path);
			(void)snprintf(path, sizeof(path), "%sx", rules[i].path);
			probe(p, methods[m], path);
			if (l > 1) {
				(void)snprintf(path, sizeof(path), "%.*s",
				    (int)l - 1, rules[i].path);
				probe(p, methods[m], path);
			}
		}
		probe(p, rules[i].methods, rules[i].path);
	}
	probe(p, "GET", "/");

	/* Every word of the input, as a role name. */
	for (w = (const char *)data; w < end; w += n + 1) {
		for (n = 0; w + n < end && w[n] != ' ' && w[n] != '\n' &&
		    w[n] != '\t' && w[n] != '\r'; n++)
			;
		if (n == 0 || n >= sizeof(word) || memchr(w, '\0', n) != NULL)
			continue;
		memcpy(word, w, n);
		word[n] = '\0';
		grants = policy_role_scopes(p, word);
		l = strlen(grants);
		FUZZ_ASSERT(l <= POLICY_SCOPES_MAX_BYTES);
		FUZZ_ASSERT(l == 0 || token_scope_valid(grants, l));
		FUZZ_ASSERT(policy_scopes_known(p, grants, l));
		/* All asked: all granted; some: a part, in the role's order. */
		FUZZ_ASSERT(policy_scopes_granted(p, word, grants, l, out,
		    sizeof(out)) == l && strcmp(out, grants) == 0);
		s = (const char *)data;
		l = policy_scopes_granted(p, word, s, (size_t)(end - s) < 512 ?
		    (size_t)(end - s) : 512, out, sizeof(out));
		FUZZ_ASSERT(l == strlen(out));
		FUZZ_ASSERT(l == 0 || token_scope_valid(out, l));
	}
	policy_free(p);
	return 0;
}
