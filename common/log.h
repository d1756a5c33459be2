/* log.h -- one-line log messages, to stderr or to the FastCGI stderr stream */
#ifndef FCGI_AUTH_LOG_H
#define FCGI_AUTH_LOG_H

#include <stddef.h>

/*
 * Where finished lines go.  NULL (the default) is plain stderr; the FastCGI
 * loop points it at the current request's error stream, which the web server
 * writes to its error log (fd 2 is often /dev/null under spawn-fcgi).
 */
typedef void log_sink_fn(const char *line, size_t len, void *arg);

/* Set the name every line starts with; AUTH_DEBUG=1 turns on log_debug(). */
void	log_init(const char *progname);
void	log_set_sink(log_sink_fn *sink, void *arg);

/* log_warn appends strerror(errno) and leaves errno as it found it. */
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	fatalx(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

/*
 * Format one error line into err (errlen bytes, always terminated) for a
 * function that hands its reason to its caller; errno is kept.  Returns
 * -1, so "return log_seterr(err, errlen, ...)" reads as the failure it is.
 */
int	log_seterr(char *err, size_t errlen, const char *, ...)
	    __attribute__((format(printf, 3, 4)));

/*
 * Copy untrusted bytes (a username from a login form) into out as printable
 * ASCII without spaces: anything else, and ' ', '=', '"' and '\\', become
 * \xNN, so the value cannot end its field or forge another; longer input
 * ends in "...".  out is always NUL-terminated.  Returns out.
 */
char	*log_escape(const char *in, size_t len, char *out, size_t outsize);

#endif /* FCGI_AUTH_LOG_H */
