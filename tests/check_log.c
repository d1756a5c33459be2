/* check_log.c -- log lines: their shape, their bounds, and escaping of untrusted bytes */
#include "config.h"

#include <time.h>

#include "check_common.h"
#include "log.h"

/* The last line handed to the sink, and how many lines came. */
static char	sink_line[2048];
static size_t	sink_len;
static int	sink_calls;

static void
capture(const char *line, size_t len, void *arg)
{
	(void)arg;
	ck_assert_uint_lt(len, sizeof(sink_line));
	memcpy(sink_line, line, len);
	sink_line[len] = '\0';
	sink_len = len;
	sink_calls++;
}

static void
setup(void)
{
	sink_line[0] = '\0';
	sink_len = 0;
	sink_calls = 0;
	ck_assert_int_eq(unsetenv("AUTH_DEBUG"), 0);
	log_init("check_log");
	log_set_sink(capture, NULL);
}

static void
teardown(void)
{
	log_set_sink(NULL, NULL);
}

/*
 * What the line says after "<UTC time> check_log: ", checking that prefix
 * on the way: a stamp of the form 2023-11-14T22:13:20Z.
 */
static const char *
after_prefix(void)
{
	static const char	 name[] = " check_log: ";
	struct tm		 tm;
	const char		*end;

	memset(&tm, 0, sizeof(tm));
	end = strptime(sink_line, "%Y-%m-%dT%H:%M:%SZ", &tm);
	ck_assert_msg(end != NULL, "no time stamp in \"%s\"", sink_line);
	ck_assert_msg(strncmp(end, name, strlen(name)) == 0,
	    "no program name in \"%s\"", sink_line);
	return end + strlen(name);
}

START_TEST(test_line_shape)
{
	log_warnx("refused %s with %d", "bob", 403);
	ck_assert_int_eq(sink_calls, 1);
	ck_assert_uint_eq(sink_len, strlen(sink_line));
	ck_assert_str_eq(after_prefix(), "refused bob with 403\n");

	log_info("%s", "");
	ck_assert_int_eq(sink_calls, 2);
	ck_assert_str_eq(after_prefix(), "\n");
}
END_TEST

/* log_warn names errno's reason and hands errno back unchanged. */
START_TEST(test_warn_errno)
{
	char	 want[256];

	(void)snprintf(want, sizeof(want), "open users: %s\n",
	    strerror(ENOENT));
	errno = ENOENT;
	log_warn("open %s", "users");
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_str_eq(after_prefix(), want);
}
END_TEST

/* An over-long message is cut, still one line ending in a newline. */
START_TEST(test_long_line_cut)
{
	char	 big[4000], name[400];

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	log_warnx("%s", big);
	ck_assert_int_eq(sink_calls, 1);
	ck_assert_uint_lt(sink_len, 1400);
	ck_assert_uint_eq(sink_len, strlen(sink_line));
	ck_assert_int_eq(sink_line[sink_len - 1], '\n');
	ck_assert_ptr_eq(strchr(sink_line, '\n'), sink_line + sink_len - 1);

	/* The errno suffix of a long message does not overflow either. */
	errno = EACCES;
	log_warn("%s", big);
	ck_assert_int_eq(sink_calls, 2);
	ck_assert_uint_eq(sink_len, strlen(sink_line));
	ck_assert_int_eq(sink_line[sink_len - 1], '\n');

	/* A name long enough to push the whole line past its buffer. */
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	log_init(name);
	log_warnx("%s", big);
	ck_assert_int_eq(sink_calls, 3);
	ck_assert_uint_eq(sink_len, strlen(sink_line));
	ck_assert_uint_lt(sink_len, 1400);
	ck_assert_int_eq(sink_line[sink_len - 1], '\n');
	ck_assert_ptr_eq(strchr(sink_line, '\n'), sink_line + sink_len - 1);
}
END_TEST

/* log_debug is silent unless AUTH_DEBUG is exactly "1" at log_init. */
static const struct {
	const char	*value;		/* NULL: unset */
	int		 lines;
} debug_cases[] = {
	{ NULL, 0 },
	{ "", 0 },
	{ "0", 0 },
	{ "yes", 0 },
	{ "11", 0 },
	{ "1", 1 },
};

START_TEST(test_debug_switch)
{
	if (debug_cases[_i].value != NULL)
		ck_assert_int_eq(setenv("AUTH_DEBUG", debug_cases[_i].value,
		    1), 0);
	log_init("check_log");
	log_debug("detail %d", 7);
	ck_assert_int_eq(sink_calls, debug_cases[_i].lines);
	if (debug_cases[_i].lines > 0)
		ck_assert_str_eq(after_prefix(), "detail 7\n");
}
END_TEST

/* log_seterr: always terminated, cut to fit, -1, errno kept. */
START_TEST(test_seterr)
{
	char	 err[8];

	memset(err, 'z', sizeof(err));
	errno = EPERM;
	ck_assert_int_eq(log_seterr(err, sizeof(err), "line %d: %s", 12,
	    "bad role"), -1);
	ck_assert_int_eq(errno, EPERM);
	ck_assert_str_eq(err, "line 12");
	ck_assert_int_eq(log_seterr(err, sizeof(err), "%s", "ok"), -1);
	ck_assert_str_eq(err, "ok");
	ck_assert_int_eq(sink_calls, 0);	/* it only formats */
}
END_TEST

/*
 * log_escape on what a login form may carry: the output is printable ASCII
 * without ' ', '=', '"' or '\\' unescaped, so a username cannot forge a log
 * line or a field; longer input ends in "...".
 */
static const struct {
	const char	*name;
	const char	*in;
	size_t		 len;
	size_t		 outsize;
	const char	*want;
} escape_cases[] = {
	{ "plain", "alice", 5, 64, "alice" },
	{ "empty", "", 0, 64, "" },
	{ "newline forges a line", "bob\n2026 login: 200", 19, 64,
	    "bob\\x0a2026\\x20login:\\x20200" },
	{ "space and = forge a field", "x addr=203.0.113.9", 18, 64,
	    "x\\x20addr\\x3d203.0.113.9" },
	{ "form-decoded +", "x+addr%3D1", 10, 64, "x+addr%3D1" },
	{ "tab", "a\tb", 3, 64, "a\\x09b" },
	{ "carriage return", "a\rb", 3, 64, "a\\x0db" },
	{ "quote", "a\"b", 3, 64, "a\\x22b" },
	{ "backslash", "a\\b", 3, 64, "a\\x5cb" },
	{ "NUL inside", "a\0b", 3, 64, "a\\x00b" },
	{ "DEL", "\x7f", 1, 64, "\\x7f" },
	{ "UTF-8 bytes", "\xc3\xa9", 2, 64, "\\xc3\\xa9" },
	{ "invalid UTF-8", "\xff\xfe", 2, 64, "\\xff\\xfe" },
	{ "escape codes", "\x1b[2J", 4, 64, "\\x1b[2J" },
	{ "format string", "%s%n%x", 6, 64, "%s%n%x" },
	{ "fits exactly", "abcd", 4, 8, "abcd" },
	{ "cut", "abcde", 5, 8, "abcd..." },
	{ "escape does not fit", "abc\n", 4, 8, "abc..." },
	{ "escape fits exactly", "\n", 1, 8, "\\x0a" },
	{ "too small for anything", "abc", 3, 7, "" },
};

START_TEST(test_escape)
{
	char		 out[64];
	const char	*in = escape_cases[_i].in;
	size_t		 i;

	memset(out, 'z', sizeof(out));
	ck_assert_ptr_eq(log_escape(in, escape_cases[_i].len, out,
	    escape_cases[_i].outsize), out);
	ck_assert_msg(strcmp(out, escape_cases[_i].want) == 0,
	    "%s: got \"%s\", want \"%s\"", escape_cases[_i].name, out,
	    escape_cases[_i].want);
	ck_assert_uint_lt(strlen(out), escape_cases[_i].outsize);
	for (i = 0; out[i] != '\0'; i++)
		ck_assert_msg(out[i] > 0x20 && out[i] < 0x7f && out[i] != '"' &&
		    out[i] != '=',
		    "%s: byte %zu is 0x%02x", escape_cases[_i].name, i,
		    (unsigned char)out[i]);
	/* Nothing written past the size given. */
	for (i = escape_cases[_i].outsize; i < sizeof(out); i++)
		ck_assert_int_eq(out[i], 'z');
}
END_TEST

START_TEST(test_escape_zero_size)
{
	char	 out[1] = { 'z' };

	ck_assert_ptr_eq(log_escape("abc", 3, out, 0), out);
	ck_assert_int_eq(out[0], 'z');
	ck_assert_ptr_eq(log_escape("abc", 3, out, 1), out);
	ck_assert_int_eq(out[0], '\0');
}
END_TEST

static Suite *
log_suite(void)
{
	Suite	*s = suite_create("log");
	TCase	*tc;

	tc = tcase_create("lines");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_line_shape);
	tcase_add_test(tc, test_warn_errno);
	tcase_add_test(tc, test_long_line_cut);
	tcase_add_loop_test(tc, test_debug_switch, 0, ARRAY_SIZE(debug_cases));
	tcase_add_test(tc, test_seterr);
	suite_add_tcase(s, tc);

	tc = tcase_create("escape");
	tcase_add_loop_test(tc, test_escape, 0, ARRAY_SIZE(escape_cases));
	tcase_add_test(tc, test_escape_zero_size);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(log_suite)
