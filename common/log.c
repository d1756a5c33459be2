/* log.c -- one-line log messages, to stderr or to the FastCGI stderr stream */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

#define LOG_LINE_MAX	1024

static const char	*log_progname = "fcgi-auth";
static int		 log_verbose;
static log_sink_fn	*log_sink;
static void		*log_sink_arg;

static void	vlog(const char *, const char *, va_list)
		    __attribute__((format(printf, 2, 0)));

void
log_init(const char *progname)
{
	const char	*debug;

	if (progname != NULL)
		log_progname = progname;
	debug = getenv("AUTH_DEBUG");
	log_verbose = debug != NULL && strcmp(debug, "1") == 0;
}

void
log_set_sink(log_sink_fn *sink, void *arg)
{
	log_sink = sink;
	log_sink_arg = arg;
}

/*
 * Format "<UTC time> <progname>: <message>[: <suffix>]\n" into one buffer and
 * hand it over in one call, so concurrent processes never interleave halves
 * of a line.  Over-long messages are cut, never overflowed.
 */
static void
vlog(const char *suffix, const char *fmt, va_list ap)
{
	char		 msg[LOG_LINE_MAX], line[LOG_LINE_MAX + 256];
	char		 stamp[32] = "";
	struct tm	 tm;
	time_t		 now;
	size_t		 len;
	int		 n;

	now = time(NULL);
	if (gmtime_r(&now, &tm) != NULL)
		(void)strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (vsnprintf(msg, sizeof(msg), fmt, ap) < 0)
		return;
	n = snprintf(line, sizeof(line), "%s %s: %s%s%s\n", stamp,
	    log_progname, msg, suffix != NULL ? ": " : "",
	    suffix != NULL ? suffix : "");
	if (n < 0)
		return;
	len = (size_t)n;
	if (len >= sizeof(line)) {
		/* Cut, but keep the line a line. */
		len = sizeof(line) - 1;
		line[len - 1] = '\n';
	}
	if (log_sink != NULL)
		log_sink(line, len, log_sink_arg);
	else
		(void)write(STDERR_FILENO, line, len);
}

void
log_warn(const char *fmt, ...)
{
	va_list	 ap;
	int	 saved_errno = errno;

	va_start(ap, fmt);
	vlog(strerror(saved_errno), fmt, ap);
	va_end(ap);
	errno = saved_errno;
}

void
log_warnx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(NULL, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(NULL, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	 ap;

	if (!log_verbose)
		return;
	va_start(ap, fmt);
	vlog(NULL, fmt, ap);
	va_end(ap);
}

void
fatalx(const char *fmt, ...)
{
	va_list	 ap;

	/* Startup failures go to plain stderr: no request stream exists. */
	log_sink = NULL;
	va_start(ap, fmt);
	vlog(NULL, fmt, ap);
	va_end(ap);
	exit(1);
}

int
log_seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	 ap;
	int	 saved_errno = errno;

	va_start(ap, fmt);
	(void)vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	errno = saved_errno;
	return -1;
}

char *
log_escape(const char *in, size_t len, char *out, size_t outsize)
{
	static const char	 hex[] = "0123456789abcdef";
	size_t			 i, o = 0, avail;
	unsigned char		 c;

	if (outsize < 8) {
		if (outsize > 0)
			out[0] = '\0';
		return out;
	}
	avail = outsize - 4;	/* room for "..." and the NUL */
	for (i = 0; i < len; i++) {
		c = (unsigned char)in[i];
		/*
		 * A log line is "key=value" fields split at spaces: a space
		 * or '=' let through would let a value forge a field that
		 * a fail2ban-style filter reads (user=x addr=203.0.113.9).
		 */
		if (c > 0x20 && c < 0x7f && c != '"' && c != '\\' &&
		    c != '=') {
			if (o + 1 > avail)
				break;
			out[o++] = (char)c;
		} else {
			if (o + 4 > avail)
				break;
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 0xf];
		}
	}
	if (i < len) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
	return out;
}
