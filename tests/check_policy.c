/* check_policy.c -- the policy file: parse, normalise, match, scopes, reload */
#include "config.h"

#include "log.h"
#include "policy.h"
#include "watch.h"
#include "check_common.h"

/* The issue's example, and a few rules more for the matching cases. */
#define EXAMPLE \
	"# role ROLE SCOPE...\n" \
	"role admin  reports:read projects:read users:admin\n" \
	"role user   projects:read\n" \
	"# allow METHODS PATH WHO\n" \
	"allow GET,HEAD  /reports/      scope=reports:read\n" \
	"allow *         /projects/     role=admin,user\n" \
	"allow GET       /public/       anyone\n" \
	"allow *         /              authenticated\n"

static struct policy *
load(const char *image)
{
	struct policy	*p;
	char		 err[512];

	p = policy_from_buffer(image, strlen(image), err, sizeof(err));
	ck_assert_msg(p != NULL, "policy_from_buffer: %s", err);
	return p;
}

/* An image of n copies of line (each ending in "\n"), then tail. */
static char *
repeat(const char *line, size_t n, const char *tail)
{
	size_t	 ll = strlen(line), tl = strlen(tail), i;
	char	*s;

	ck_assert((s = malloc(ll * n + tl + 1)) != NULL);
	for (i = 0; i < n; i++)
		memcpy(s + i * ll, line, ll);
	memcpy(s + n * ll, tail, tl + 1);
	return s;
}

/*
 * "role r" and n scopes "s<i>" padded with x to len bytes each, the last
 * longer of them one byte more.
 */
static char *
role_line(size_t n, size_t len, size_t longer)
{
	char	*s, scope[128];
	size_t	 i, o, l;

	ck_assert(len < sizeof(scope) - 2 && len >= 4 && longer <= n);
	ck_assert((s = malloc(8 + n * (len + 2) + 2)) != NULL);
	o = (size_t)snprintf(s, 8, "role r");
	for (i = 0; i < n; i++) {
		l = len + (i >= n - longer);
		(void)snprintf(scope, sizeof(scope), "s%03zu", i);
		memset(scope + 4, 'x', l - 4);
		s[o++] = ' ';
		memcpy(s + o, scope, l);
		o += l;
	}
	s[o++] = '\n';
	s[o] = '\0';
	return s;
}

/*
 * Every malformed form refuses the whole file, with the line number of
 * the first bad line and never the line's text.
 */
static const struct {
	const char	*name;
	const char	*image;
	const char	*err;		/* NULL: accepted; else in the error */
} parse_cases[] = {
	{ "the example", EXAMPLE, NULL },
	{ "empty", "", NULL },
	{ "comments and blanks only", "# x\n\n   \n\t# y\n", NULL },
	{ "CRLF", "role a x\r\nallow GET / anyone\r\n", NULL },
	{ "tabs between fields", "allow\tGET\t/\tanyone\n", NULL },
	{ "no newline at the end", "allow GET / anyone", NULL },
	{ "a role granting nothing", "role guest\n", NULL },
	{ "lowercase methods are names too", "allow get,Post / anyone\n",
	    NULL },
	{ "an extension method", "allow PROPFIND,M-SEARCH / anyone\n", NULL },
	{ "raw UTF-8 in a path", "allow GET /caf\xc3\xa9/ anyone\n", NULL },
	{ ";params in a segment", "allow GET /a;b=1/ anyone\n", NULL },
	{ "the same path twice", "allow GET /a anyone\nallow GET /a "
	    "authenticated\n", NULL },
	{ "unknown keyword", "# c\npermit GET / anyone\n", "line 2: " },
	{ "keyword in capitals", "Allow GET / anyone\n", "line 1: " },
	{ "allow, 3 fields", "allow GET /\n", "line 1: " },
	{ "allow, 5 fields", "allow GET / anyone x\n", "line 1: " },
	{ "allow alone", "allow\n", "line 1: " },
	{ "empty method", "allow GET,,HEAD / anyone\n", "line 1: " },
	{ "leading comma", "allow ,GET / anyone\n", "line 1: " },
	{ "trailing comma", "allow GET, / anyone\n", "line 1: " },
	{ "a method with ;", "allow GET; / anyone\n", "line 1: " },
	{ "star in a list", "allow *,GET / anyone\n", "line 1: " },
	{ "two stars", "allow ** / anyone\n", "line 1: " },
	{ "a method of 65 bytes", "allow "
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	    " / anyone\n", "line 1: " },
	{ "relative path", "allow GET reports/ anyone\n", "line 1: " },
	{ "path //", "allow GET /a//b anyone\n", "line 1: " },
	{ "path /./", "allow GET /a/./b anyone\n", "line 1: " },
	{ "path /../", "allow GET /a/../b anyone\n", "line 1: " },
	{ "path ending in /.", "allow GET /a/. anyone\n", "line 1: " },
	{ "path with %-escape", "allow GET /a%20b anyone\n", "line 1: " },
	{ "path with %25", "allow GET /a%25 anyone\n", "line 1: " },
	{ "path with ?", "allow GET /a?x anyone\n", "line 1: " },
	{ "path with #", "allow GET /a#x anyone\n", "line 1: " },
	{ "path with \\", "allow GET /a\\b anyone\n", "line 1: " },
	{ "path with ..;", "allow GET /a/..;/b anyone\n", "line 1: " },
	{ "path absolute-form", "allow GET http://h/a anyone\n", "line 1: " },
	{ "path above the root", "allow GET /.. anyone\n", "line 1: " },
	{ "path *", "allow GET * anyone\n", "line 1: " },
	{ "unknown WHO", "allow GET / anybody\n", "line 1: " },
	{ "WHO in capitals", "allow GET / Anyone\n", "line 1: " },
	{ "role= empty", "allow GET / role=\n", "line 1: " },
	{ "role= empty item", "allow GET / role=a,,b\n", "line 1: " },
	{ "role= trailing comma", "allow GET / role=a,\n", "line 1: " },
	{ "role= bad name", "allow GET / role=a!b\n", "line 1: " },
	{ "role= of 33 bytes", "allow GET / role="
	    "rrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr\n", "line 1: " },
	{ "scope= empty", "allow GET / scope=\n", "line 1: " },
	{ "scope= with a quote", "allow GET / scope=a\"b\n", "line 1: " },
	{ "scope= with a backslash", "allow GET / scope=a\\b\n", "line 1: " },
	{ "scope= with a control byte", "allow GET / scope=a\x01\n",
	    "line 1: " },
	{ "scope= of 65 bytes", "allow GET / scope="
	    "sssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssss"
	    "\n", "line 1: " },
	{ "authenticated=x", "allow GET / authenticated=x\n", "line 1: " },
	{ "role alone", "role\n", "line 1: " },
	{ "role bad name", "role a/b x\n", "line 1: " },
	{ "role name of 33 bytes", "role rrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr "
	    "x\n", "line 1: " },
	{ "role scope with a quote", "role a x\"y\n", "line 1: " },
	{ "role scope with a backslash", "role a x\\y\n", "line 1: " },
	{ "role scope non-ASCII", "role a caf\xc3\xa9\n", "line 1: " },
	{ "role scope of 65 bytes", "role a "
	    "sssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssss"
	    "\n", "line 1: " },
	{ "role scope twice", "role a x y x\n", "line 1: " },
	{ "a role on two lines", "role a x\nallow GET / anyone\nrole a y\n",
	    "line 3: a second line for the role of line 1" },
	{ "NUL byte", "allow GET / anyone\n\0\n", "contains a NUL byte" },
	{ "the first bad line counts", "allow GET / anyone\nbad\nworse\n",
	    "line 2: " },
};

START_TEST(test_parse)
{
	struct policy	*p;
	char		 err[512];
	size_t		 len = strlen(parse_cases[_i].image);

	/* The NUL case: its image goes on past the first NUL. */
	if (strcmp(parse_cases[_i].name, "NUL byte") == 0)
		len = sizeof("allow GET / anyone\n\0\n") - 1;
	err[0] = '\0';
	p = policy_from_buffer(parse_cases[_i].image, len, err, sizeof(err));
	if (parse_cases[_i].err == NULL) {
		ck_assert_msg(p != NULL, "%s: refused: %s", parse_cases[_i].name,
		    err);
		policy_free(p);
		return;
	}
	ck_assert_msg(p == NULL, "%s: accepted", parse_cases[_i].name);
	ck_assert_msg(strstr(err, parse_cases[_i].err) != NULL,
	    "%s: \"%s\", want \"%s\"", parse_cases[_i].name, err,
	    parse_cases[_i].err);
	ck_assert_msg(strncmp(err, "policy", 6) == 0, "%s: %s",
	    parse_cases[_i].name, err);
	/* The line's text never. */
	ck_assert_msg(strstr(err, "x\"y") == NULL && strstr(err, "a!b") ==
	    NULL && strstr(err, "permit") == NULL && strstr(err, "anybody") ==
	    NULL && strstr(err, "/a/..;/b") == NULL, "%s: %s",
	    parse_cases[_i].name, err);
}
END_TEST

/* Each limit: at it, accepted; one past, the file is refused. */
START_TEST(test_limits)
{
	struct policy	*p;
	char		 err[512], *img, *line;
	size_t		 len;

	/* A line of 4096 bytes (a comment), then one of 4097. */
	ck_assert((line = malloc(4100)) != NULL);
	memset(line, '#', 4096);
	line[4096] = '\n';
	line[4097] = '\0';
	p = load(line);
	policy_free(p);
	memset(line, '#', 4097);
	line[4097] = '\n';
	line[4098] = '\0';
	ck_assert_ptr_null(policy_from_buffer(line, strlen(line), err,
	    sizeof(err)));
	ck_assert_str_eq(err, "policy line 1: longer than 4096 bytes");
	/* A CR is part of the line as read. */
	memset(line, '#', 4096);
	memcpy(line + 4096, "\r\n", 3);
	ck_assert_ptr_null(policy_from_buffer(line, strlen(line), err,
	    sizeof(err)));
	free(line);

	/* 10000 rules, role and allow lines both counting; then 10001. */
	img = repeat("allow GET /x anyone\n", 9999, "role r\n");
	p = load(img);
	ck_assert_uint_eq(policy_rule_count(p), 9999);
	ck_assert_uint_eq(policy_role_count(p), 1);
	policy_free(p);
	free(img);
	img = repeat("allow GET /x anyone\n", 10000, "# fine\n\nrole r\n");
	ck_assert_ptr_null(policy_from_buffer(img, strlen(img), err,
	    sizeof(err)));
	ck_assert_str_eq(err, "policy line 10003: more than 10000 rules");
	free(img);

	/* 1 MiB of file, then one byte more. */
	img = repeat("#234567\n", POLICY_FILE_MAX_BYTES / 8, "");
	len = strlen(img);
	ck_assert_uint_eq(len, POLICY_FILE_MAX_BYTES);
	p = policy_from_buffer(img, len, err, sizeof(err));
	ck_assert_msg(p != NULL, "%s", err);
	policy_free(p);
	ck_assert_ptr_null(policy_from_buffer(img, len + 1, err,
	    sizeof(err)));	/* the NUL after it is one more byte */
	free(img);

	/* 64 scopes of 31 bytes (2047 bytes), then of 32 (2111 bytes). */
	line = role_line(64, 31, 0);
	p = load(line);
	ck_assert_uint_eq(strlen(policy_role_scopes(p, "r")), 64 * 32 - 1);
	policy_free(p);
	free(line);
	line = role_line(64, 32, 0);
	ck_assert_ptr_null(policy_from_buffer(line, strlen(line), err,
	    sizeof(err)));
	ck_assert_str_eq(err, "policy line 1: a role's scopes may take at "
	    "most 2048 bytes, space-separated");
	free(line);
	/* 2048 bytes: 31 x 63 + 64 + 31 spaces; 2049: 30 x 63 + 2 x 64. */
	line = role_line(32, 63, 1);
	p = load(line);
	ck_assert_uint_eq(strlen(policy_role_scopes(p, "r")), 2048);
	policy_free(p);
	free(line);
	line = role_line(32, 63, 2);
	ck_assert_ptr_null(policy_from_buffer(line, strlen(line), err,
	    sizeof(err)));
	free(line);
	/* 65 scopes. */
	line = role_line(65, 4, 0);
	ck_assert_ptr_null(policy_from_buffer(line, strlen(line), err,
	    sizeof(err)));
	ck_assert_str_eq(err, "policy line 1: a role may grant at most 64 "
	    "scopes");
	free(line);
	/* A scope of 64 bytes is fine. */
	p = load("role a "
	    "ssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssss\n");
	policy_free(p);
}
END_TEST

/*
 * The normaliser, and every classic bypass.  want NULL: refused.  Each
 * refused target must also find no rule: it is never matched.
 */
static const struct {
	const char	*in;
	const char	*want;
} norm_cases[] = {
	{ "/", "/" },
	{ "/reports/x", "/reports/x" },
	{ "/reports/", "/reports/" },
	{ "/reports", "/reports" },
	/* dot segments, raw and encoded, any case */
	{ "/public/../reports/x", "/reports/x" },
	{ "/public/%2e%2e/reports/x", "/reports/x" },
	{ "/public/%2E%2E/reports/x", "/reports/x" },
	{ "/public/.%2e/reports/x", "/reports/x" },
	{ "/public/%2e./reports/x", "/reports/x" },
	{ "/./reports/x", "/reports/x" },
	{ "/%2e/reports/x", "/reports/x" },
	{ "/reports/./x", "/reports/x" },
	{ "/a/b/../../reports/x", "/reports/x" },
	{ "/reports/x/..", "/reports/" },
	{ "/reports/x/.", "/reports/x/" },
	{ "/reports/.", "/reports/" },
	{ "/public/..", "/" },
	/* above the root */
	{ "/..", NULL },
	{ "/../etc", NULL },
	{ "/%2e%2e/etc", NULL },
	{ "/reports/../../etc", NULL },
	{ "/reports/%2e%2e/%2e%2e/etc", NULL },
	{ "/a/../..", NULL },
	/* slashes */
	{ "//reports/x", "/reports/x" },
	{ "/reports//x", "/reports/x" },
	{ "///", "/" },
	{ "/reports//", "/reports/" },
	{ "/reports%2Fx", NULL },
	{ "/reports%2fx", NULL },
	{ "/reports/..%2f..%2fetc", NULL },
	{ "/reports%2F", NULL },
	/* backslashes */
	{ "/reports\\x", NULL },
	{ "/reports%5Cx", NULL },
	{ "/reports/%5c..%5c..%5cetc", NULL },
	/* ; parameters */
	{ "/reports;x=1/y", "/reports;x=1/y" },
	{ "/reports/x;jsessionid=1", "/reports/x;jsessionid=1" },
	{ "/public/..;/reports/x", NULL },
	{ "/public/%2e%2e;/reports/x", NULL },
	{ "/public/..;x=1/reports/x", NULL },
	{ "/public/.;/reports/x", NULL },
	{ "/public/.;x=1/reports/x", NULL },
	{ "/public/;x/../reports/x", NULL },
	{ "/;/reports/x", NULL },
	{ "/public/..%3b/reports/x", NULL },
	/* query strings and fragments */
	{ "/reports/x?a=/public/", "/reports/x" },
	{ "/public/?/../reports/x", "/public/" },
	{ "/reports/x#frag", "/reports/x" },
	{ "/public/#/../reports/x", "/public/" },
	{ "/reports/x%3Fa", "/reports/x?a" },
	{ "/reports/x%23a", "/reports/x#a" },
	{ "/reports?", "/reports" },
	{ "/reports/x?a=%zz", "/reports/x" },
	/* case and trailing dots: literal */
	{ "/REPORTS/x", "/REPORTS/x" },
	{ "/Reports/x", "/Reports/x" },
	{ "/reports./x", "/reports./x" },
	{ "/reports../x", "/reports../x" },
	{ "/reports/...", "/reports/..." },
	{ "/%72eports/x", "/reports/x" },
	{ "/reports/%78", "/reports/x" },
	/* NUL, controls, bad escapes */
	{ "/reports/x%00", NULL },
	{ "/reports/%00/x", NULL },
	{ "/reports/x%0a", NULL },
	{ "/reports/x%0D", NULL },
	{ "/reports/x%7f", NULL },
	{ "/reports/x%1b", NULL },
	{ "/reports/x\t", NULL },
	{ "/reports/%zz", NULL },
	{ "/reports/%4", NULL },
	{ "/reports/%", NULL },
	{ "/reports/%%32%65", NULL },
	{ "/reports/%g0", NULL },
	/* decoded once only */
	{ "/reports/%252e%252e/x", "/reports/%2e%2e/x" },
	{ "/public/%252e%252e/reports/x", "/public/%2e%2e/reports/x" },
	{ "/reports%252Fx", "/reports%2Fx" },
	{ "/reports/x%2500", "/reports/x%00" },
	/* other bytes */
	{ "/reports/x%20y", "/reports/x y" },
	{ "/reports/x+y", "/reports/x+y" },
	{ "/caf%C3%A9", "/caf\xc3\xa9" },
	{ "/caf\xc3\xa9", "/caf\xc3\xa9" },
	{ "/reports/%ff", "/reports/\xff" },
	/* not absolute */
	{ "", NULL },
	{ "*", NULL },
	{ "reports/x", NULL },
	{ "?x", NULL },
	{ "#x", NULL },
	{ ".", NULL },
	{ "%2Freports/x", NULL },
	{ "\\reports\\x", NULL },
	/* absolute form: the path only */
	{ "http://localhost/reports/x", "/reports/x" },
	{ "HTTP://localhost:8080/reports/x", "/reports/x" },
	{ "https://user:pw@host/reports/../public/", "/public/" },
	{ "http://host/public/%2e%2e/reports/x", "/reports/x" },
	{ "http://host", NULL },
	{ "http://host?x=/reports/", NULL },
	{ "http://host#/reports/", NULL },
	{ "http:/reports/x", NULL },
	{ "http://host/../etc", NULL },
	{ "1http://host/x", NULL },
	{ "/http://host/x", "/http:/host/x" },
};

START_TEST(test_normalize)
{
	char		 out[POLICY_PATH_MAX + 1];
	const char	*why = NULL;
	long		 n;

	n = policy_normalize(norm_cases[_i].in, strlen(norm_cases[_i].in),
	    out, sizeof(out), &why);
	if (norm_cases[_i].want == NULL) {
		ck_assert_msg(n == -1, "\"%s\": \"%s\", want refused",
		    norm_cases[_i].in, n >= 0 ? out : "");
		ck_assert_ptr_nonnull(why);
		return;
	}
	ck_assert_msg(n >= 0, "\"%s\": refused (%s)", norm_cases[_i].in, why);
	ck_assert_msg(strcmp(out, norm_cases[_i].want) == 0,
	    "\"%s\": \"%s\", want \"%s\"", norm_cases[_i].in, out,
	    norm_cases[_i].want);
	ck_assert_uint_eq((size_t)n, strlen(out));
}
END_TEST

/* Lengths, raw NUL bytes, and what the output buffer must hold. */
START_TEST(test_normalize_bounds)
{
	char		 in[POLICY_PATH_MAX + 64], out[POLICY_PATH_MAX + 1];
	char		 small[POLICY_PATH_MAX];
	const char	*why;
	size_t		 i;

	/* 4096 bytes of path: fine, and as long as it can come out. */
	in[0] = '/';
	for (i = 1; i < POLICY_PATH_MAX; i++)
		in[i] = (char)('a' + i % 26);
	ck_assert_int_eq(policy_normalize(in, POLICY_PATH_MAX, out,
	    sizeof(out), &why), POLICY_PATH_MAX);
	ck_assert(memcmp(in, out, POLICY_PATH_MAX) == 0 &&
	    out[POLICY_PATH_MAX] == '\0');
	/* 4097: refused, however it would shrink. */
	in[POLICY_PATH_MAX] = 'z';
	ck_assert_int_eq(policy_normalize(in, POLICY_PATH_MAX + 1, out,
	    sizeof(out), &why), -1);
	in[1] = '.';
	in[2] = '/';
	ck_assert_int_eq(policy_normalize(in, POLICY_PATH_MAX + 1, out,
	    sizeof(out), &why), -1);
	/* The query does not count: it is cut first. */
	memcpy(in + POLICY_PATH_MAX, "?q=1", 4);
	ck_assert_int_gt(policy_normalize(in, POLICY_PATH_MAX + 4, out,
	    sizeof(out), &why), 0);
	/* A 4 KiB path whose every segment is kept, and a trailing '/'. */
	in[0] = '/';
	for (i = 1; i < POLICY_PATH_MAX; i += 3)
		memcpy(in + i, "ab/", 3);
	ck_assert_int_eq(policy_normalize(in, POLICY_PATH_MAX, out,
	    sizeof(out), &why), POLICY_PATH_MAX);
	ck_assert(memcmp(in, out, POLICY_PATH_MAX) == 0);
	/* A raw NUL byte is a control byte, not an end. */
	ck_assert_int_eq(policy_normalize("/a\0/../b", 8, out, sizeof(out),
	    &why), -1);
	/* Too small an output buffer is refused, never overrun. */
	ck_assert_int_eq(policy_normalize("/a", 2, small, sizeof(small),
	    &why), -1);
}
END_TEST

/*
 * Matching on the example: the line that decides, or 0 for no rule.
 * The paths are as policy_normalize leaves them.
 */
static const struct {
	const char	*method, *path;
	size_t		 line;
} match_cases[] = {
	{ "GET", "/reports/x", 5 },
	{ "HEAD", "/reports/x", 5 },
	{ "GET", "/reports/", 5 },
	{ "GET", "/reports/a/b/c", 5 },
	/* the longest PATH wins, whatever the method: no falling back */
	{ "POST", "/reports/x", 0 },
	{ "DELETE", "/reports/", 0 },
	{ "get", "/reports/x", 0 },
	/* "/reports" is not under "/reports/": the root rule */
	{ "GET", "/reports", 8 },
	{ "POST", "/reports", 8 },
	{ "GET", "/reportsx", 8 },
	{ "GET", "/reports./x", 8 },
	{ "GET", "/REPORTS/x", 8 },
	{ "PUT", "/projects/a", 6 },
	{ "PROPFIND", "/projects/", 6 },
	{ "GET", "/public/x", 7 },
	{ "HEAD", "/public/x", 0 },
	{ "POST", "/public/x", 0 },
	{ "GET", "/", 8 },
	{ "BREW", "/x", 8 },
};

START_TEST(test_match)
{
	struct policy			*p = load(EXAMPLE);
	const struct policy_rule	*r;
	const char			*why = NULL;

	r = policy_match(p, match_cases[_i].method, match_cases[_i].path,
	    strlen(match_cases[_i].path), &why);
	if (match_cases[_i].line == 0)
		ck_assert_msg(r == NULL && why != NULL, "%s %s: line %zu",
		    match_cases[_i].method, match_cases[_i].path,
		    r != NULL ? r->lineno : 0);
	else
		ck_assert_msg(r != NULL && r->lineno == match_cases[_i].line,
		    "%s %s: line %zu, want %zu (%s)", match_cases[_i].method,
		    match_cases[_i].path, r != NULL ? r->lineno : 0,
		    match_cases[_i].line, r == NULL ? why : "");
	policy_free(p);
}
END_TEST

/*
 * Exact paths, subtrees, trailing slashes, first-listed order, and deny
 * by default.
 */
#define PATHS \
	"allow GET /a/b anyone\n"		/* 1 */ \
	"allow POST /a/b authenticated\n"	/* 2 */ \
	"allow GET /a/ role=admin\n"		/* 3 */ \
	"allow GET /a/b/ role=user\n"		/* 4 */ \
	"allow GET /x/y anyone\n"		/* 5 */ \
	"allow * /x/y role=admin\n"		/* 6 */ \
	"allow GET,HEAD /x/y scope=s\n"		/* 7 */ \
	"allow GET /f anyone\n"			/* 8 */ \
	"allow DELETE /d/ anyone\n"		/* 9 */

static const struct {
	const char	*method, *path;
	size_t		 line;
} path_cases[] = {
	{ "GET", "/a/b", 1 },
	{ "POST", "/a/b", 2 },
	/* "/a/b/" is under the subtree rule /a/b/: longer than /a/b */
	{ "GET", "/a/b/", 4 },
	{ "POST", "/a/b/", 0 },
	{ "GET", "/a/b/c", 4 },
	{ "GET", "/a/bc", 3 },
	{ "GET", "/a/", 3 },
	{ "GET", "/a", 0 },
	/* the first rule listing the method, in file order */
	{ "GET", "/x/y", 5 },
	{ "PUT", "/x/y", 6 },
	{ "HEAD", "/x/y", 6 },
	/* an exact rule covers its path and one trailing '/' */
	{ "GET", "/f", 8 },
	{ "GET", "/f/", 8 },
	{ "GET", "/f/g", 0 },
	{ "GET", "/fg", 0 },
	/* no rule at all */
	{ "GET", "/", 0 },
	{ "GET", "/zzz", 0 },
	{ "DELETE", "/d/x", 9 },
	{ "DELETE", "/d", 0 },
};

START_TEST(test_match_paths)
{
	struct policy			*p = load(PATHS);
	const struct policy_rule	*r;
	const char			*why = NULL;

	r = policy_match(p, path_cases[_i].method, path_cases[_i].path,
	    strlen(path_cases[_i].path), &why);
	ck_assert_msg((r != NULL ? r->lineno : 0) == path_cases[_i].line,
	    "%s %s: line %zu, want %zu", path_cases[_i].method,
	    path_cases[_i].path, r != NULL ? r->lineno : 0,
	    path_cases[_i].line);
	policy_free(p);
}
END_TEST

/* An empty policy refuses everything; a rule's fields as written. */
START_TEST(test_match_fields)
{
	struct policy			*p = load("");
	const struct policy_rule	*r;
	const char			*why = NULL;

	ck_assert_ptr_null(policy_match(p, "GET", "/", 1, &why));
	ck_assert_str_eq(why, "no rule for the path");
	policy_free(p);

	p = load(EXAMPLE);
	ck_assert_ptr_null(policy_match(p, "POST", "/reports/x", 10, &why));
	ck_assert_str_eq(why, "no rule for the method");
	ck_assert_ptr_nonnull(r = policy_match(p, "GET", "/reports/x", 10,
	    &why));
	ck_assert_str_eq(r->methods, "GET,HEAD");
	ck_assert_str_eq(r->path, "/reports/");
	ck_assert_int_eq(r->who, POLICY_SCOPE);
	ck_assert_str_eq(r->names, "reports:read");
	ck_assert_ptr_nonnull(r = policy_match(p, "GET", "/projects/", 10,
	    &why));
	ck_assert_int_eq(r->who, POLICY_ROLE);
	ck_assert(policy_rule_has_role(r, "admin"));
	ck_assert(policy_rule_has_role(r, "user"));
	ck_assert(!policy_rule_has_role(r, "use"));
	ck_assert(!policy_rule_has_role(r, "admin,user"));
	ck_assert(!policy_rule_has_role(r, ""));
	ck_assert_ptr_nonnull(r = policy_match(p, "GET", "/public/", 8,
	    &why));
	ck_assert_int_eq(r->who, POLICY_ANYONE);
	ck_assert_str_eq(r->names, "");
	ck_assert_ptr_nonnull(r = policy_match(p, "GET", "/x", 2, &why));
	ck_assert_int_eq(r->who, POLICY_AUTHENTICATED);
	ck_assert(!policy_rule_has_role(r, "admin"));
	policy_free(p);
}
END_TEST

/* What a role grants, what a token keeps of it, what a login may ask. */
START_TEST(test_scopes)
{
	struct policy			*p;
	const struct policy_rule	*r;
	char				 out[POLICY_SCOPES_MAX_BYTES + 1];
	const char			*why;
	size_t				 n;

	p = load(EXAMPLE "role guest\nallow GET /s/ scope=a,b\n"
	    "role other a b c\n");
	ck_assert_str_eq(policy_role_scopes(p, "admin"),
	    "reports:read projects:read users:admin");
	ck_assert_str_eq(policy_role_scopes(p, "user"), "projects:read");
	ck_assert_str_eq(policy_role_scopes(p, "guest"), "");
	ck_assert_str_eq(policy_role_scopes(p, "nobody"), "");
	ck_assert_str_eq(policy_role_scopes(p, "Admin"), "");

	/* The role's order, once each; only what both have. */
	n = policy_scopes_granted(p, "admin", "users:admin reports:read x "
	    "reports:read", 39, out, sizeof(out));
	ck_assert_str_eq(out, "reports:read users:admin");
	ck_assert_uint_eq(n, strlen(out));
	ck_assert_uint_eq(policy_scopes_granted(p, "user", "reports:read",
	    12, out, sizeof(out)), 0);
	ck_assert_str_eq(out, "");
	ck_assert_uint_eq(policy_scopes_granted(p, "nobody", "reports:read",
	    12, out, sizeof(out)), 0);
	(void)policy_scopes_granted(p, "admin", "  projects:read  ", 17,
	    out, sizeof(out));
	ck_assert_str_eq(out, "projects:read");
	/* A prefix or a longer name is another scope. */
	(void)policy_scopes_granted(p, "admin", "reports:rea reports:readx",
	    25, out, sizeof(out));
	ck_assert_str_eq(out, "");
	/* len counts, not the NUL. */
	(void)policy_scopes_granted(p, "admin", "reports:read", 7, out,
	    sizeof(out));
	ck_assert_str_eq(out, "");

	ck_assert(policy_scopes_known(p, "", 0));
	ck_assert(policy_scopes_known(p, "reports:read", 12));
	ck_assert(policy_scopes_known(p, "a c  projects:read ", 19));
	/* Known to some role, if not this user's: known. */
	ck_assert(policy_scopes_known(p, "users:admin", 11));
	ck_assert(!policy_scopes_known(p, "nope", 4));
	ck_assert(!policy_scopes_known(p, "a nope", 6));
	ck_assert(!policy_scopes_known(p, "a\tb", 3));
	ck_assert(!policy_scopes_known(p, "a\"", 2));
	ck_assert(!policy_scopes_known(p, "reports:rea", 11));

	/* A scope= rule wants every scope it names. */
	ck_assert_ptr_nonnull(r = policy_match(p, "GET", "/s/", 3, &why));
	ck_assert(policy_rule_has_scopes(r, "a b"));
	ck_assert(policy_rule_has_scopes(r, "c b x a"));
	ck_assert(!policy_rule_has_scopes(r, "a"));
	ck_assert(!policy_rule_has_scopes(r, "ab"));
	ck_assert(!policy_rule_has_scopes(r, ""));
	ck_assert(!policy_rule_has_role(r, "a"));
	policy_free(p);

	ck_assert(policy_valid_scope("x", 1));
	ck_assert(policy_valid_scope("!#[]~", 5));
	ck_assert(!policy_valid_scope("", 0));
	ck_assert(!policy_valid_scope("a b", 3));
	ck_assert(!policy_valid_scope("a\"", 2));
	ck_assert(!policy_valid_scope("a\\", 2));
	ck_assert(!policy_valid_scope("\x7f", 1));
}
END_TEST

static int	log_lines;
static char	last_line[1024];

static void
keep_lines(const char *line, size_t len, void *arg)
{
	(void)arg;
	log_lines++;
	(void)snprintf(last_line, sizeof(last_line), "%.*s", (int)len, line);
}

/*
 * Re-read through watch.c on a stepped clock: a new version is taken, a
 * broken one keeps the last good copy with one log line naming the line
 * (not the text), a fixed one is taken again; a missing file too; and,
 * unforced, a change once the watch interval has passed.
 */
START_TEST(test_reload)
{
	const char			*path = test_path("policy");
	struct watch_clock		 clk = test_clock_reset();
	struct policy			*p;
	const struct policy_rule	*r;
	const char			*why;
	char				 err[512];
	int				 i;

	test_replace_now(path, "allow GET /a anyone\n");
	test_clock_step(WATCH_RACY_MS + 1000);
	ck_assert_ptr_nonnull(p = policy_open(path, &clk, err, sizeof(err)));
	ck_assert_ptr_nonnull(policy_match(p, "GET", "/a", 2, &why));
	ck_assert_int_eq(policy_refresh(p, WATCH_FORCE), 0);

	test_replace_now(path, "allow GET /b anyone\nrole r x\n");
	ck_assert_int_eq(policy_refresh(p, WATCH_FORCE), 1);
	ck_assert_ptr_null(policy_match(p, "GET", "/a", 2, &why));
	ck_assert_ptr_nonnull(r = policy_match(p, "GET", "/b", 2, &why));
	ck_assert_uint_eq(r->lineno, 1);

	log_lines = 0;
	log_set_sink(keep_lines, NULL);
	test_clock_step(1000);
	test_replace_now(path, "allow GET /c anyone\nallow GET /c "
	    "role=secret!name\n");
	for (i = 0; i < 20; i++) {
		ck_assert_int_eq(policy_refresh(p, WATCH_FORCE), 0);
		test_clock_step(300);
	}
	log_set_sink(NULL, NULL);
	ck_assert_int_eq(log_lines, 1);
	ck_assert_msg(strstr(last_line, " line 2: ") != NULL &&
	    strstr(last_line, "keeping the policy already loaded") != NULL,
	    "%s", last_line);
	ck_assert_msg(strstr(last_line, "secret") == NULL, "%s", last_line);
	ck_assert_ptr_nonnull(policy_match(p, "GET", "/b", 2, &why));
	ck_assert_ptr_null(policy_match(p, "GET", "/c", 2, &why));

	/* Fixed, at the same size: taken. */
	test_replace_now(path, "allow GET /c anyone\nallow GET /c "
	    "role=secretXname\n");
	ck_assert_int_eq(policy_refresh(p, WATCH_FORCE), 1);
	ck_assert_ptr_nonnull(policy_match(p, "GET", "/c", 2, &why));

	/* Gone: the last good copy stays; back: taken. */
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(policy_refresh(p, WATCH_FORCE), 0);
	ck_assert_ptr_nonnull(policy_match(p, "GET", "/c", 2, &why));
	test_replace_now(path, "allow GET /d anyone\n");
	ck_assert_int_eq(policy_refresh(p, WATCH_FORCE), 1);
	ck_assert_ptr_nonnull(policy_match(p, "GET", "/d", 2, &why));

	/*
	 * Unforced, as each request asks (WATCH_DUE): a change is not
	 * looked for before the watch interval has passed, and is taken as
	 * soon as it has, well within the second the issue promises.
	 */
	ck_assert_int_le(POLICY_CHECK_INTERVAL_MS, 1000);
	test_clock_step(POLICY_CHECK_INTERVAL_MS);
	ck_assert_int_eq(policy_refresh(p, WATCH_DUE), 0);
	test_replace_now(path, "allow GET /e anyone\n");
	test_clock_step(POLICY_CHECK_INTERVAL_MS - 1);
	ck_assert_int_eq(policy_refresh(p, WATCH_DUE), 0);
	ck_assert_ptr_nonnull(policy_match(p, "GET", "/d", 2, &why));
	ck_assert_ptr_null(policy_match(p, "GET", "/e", 2, &why));
	test_clock_step(1);
	ck_assert_int_eq(policy_refresh(p, WATCH_DUE), 1);
	ck_assert_ptr_nonnull(policy_match(p, "GET", "/e", 2, &why));
	ck_assert_ptr_null(policy_match(p, "GET", "/d", 2, &why));
	policy_free(p);
}
END_TEST

/* At start: a bad file or none is an error naming the file and line. */
START_TEST(test_open_errors)
{
	const char	*path = test_path("policy-bad");
	char		 err[1024], want[1024];

	(void)unlink(path);
	ck_assert_ptr_null(policy_open(path, NULL, err, sizeof(err)));
	(void)snprintf(want, sizeof(want), "%s: No such file or directory",
	    path);
	ck_assert_str_eq(err, want);
	test_replace(path, "# a policy\n\nallow GET / everyone\n");
	ck_assert_ptr_null(policy_open(path, NULL, err, sizeof(err)));
	(void)snprintf(want, sizeof(want), "%s line 3: WHO must be anyone, "
	    "authenticated, role=... or scope=...", path);
	ck_assert_str_eq(err, want);
	policy_free(NULL);
}
END_TEST

static Suite *
policy_suite(void)
{
	Suite	*s = suite_create("policy");
	TCase	*tc;

	tc = tcase_create("parse");
	tcase_add_loop_test(tc, test_parse, 0, ARRAY_SIZE(parse_cases));
	tcase_add_test(tc, test_limits);
	tcase_add_test(tc, test_open_errors);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);

	tc = tcase_create("normalize");
	tcase_add_loop_test(tc, test_normalize, 0, ARRAY_SIZE(norm_cases));
	tcase_add_test(tc, test_normalize_bounds);
	suite_add_tcase(s, tc);

	tc = tcase_create("match");
	tcase_add_loop_test(tc, test_match, 0, ARRAY_SIZE(match_cases));
	tcase_add_loop_test(tc, test_match_paths, 0, ARRAY_SIZE(path_cases));
	tcase_add_test(tc, test_match_fields);
	tcase_add_test(tc, test_scopes);
	suite_add_tcase(s, tc);

	tc = tcase_create("reload");
	tcase_add_test(tc, test_reload);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(policy_suite)
