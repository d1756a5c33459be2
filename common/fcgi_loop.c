/* fcgi_loop.c -- the thin shell: FastCGI or plain-CGI requests -> a handler */
#include "config.h"

#include <sys/select.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "clock.h"
#include "fcgi_accept.h"
#include "fcgi_loop.h"
#include "log.h"

/* The loop's own settings, read at start with the app's. */
struct loop_cfg {
	int			 read_timeout_sec;	/* REQUEST_READ_TIMEOUT_SEC */
	struct fcgi_accept_cfg	 accept;		/* who may connect */
};

/*
 * One request's plumbing, so the same code serves FastCGI (libfcgi
 * streams and parameters) and CGI (stdin, stdout and the environment).
 */
struct exchange {
	FCGX_Request	*rq;		/* NULL in CGI mode */
	long long	 deadline_ms;	/* CGI: when reading stdin stops */
	int		 timed_out;	/* the deadline cut the request short */
};

static volatile sig_atomic_t	 stop_requested;
/* The connection the deadline shuts (-1: none), and whether it did. */
static volatile sig_atomic_t	 deadline_fd = -1;
static volatile sig_atomic_t	 deadline_hit;

/* Requests' bodies land here; wiped after each, since passwords do. */
static char	 body_buf[HTTP_BODY_MAX_BYTES];

static void	 on_term(int);
static void	 on_deadline(int);
static void	 deadline_start(int, int);
static int	 deadline_stop(void);
static int	 deadline_cut(const FCGX_Request *);
static int	 loop_cfg_load(struct loop_cfg *, int, char *, size_t);
static size_t	 read_body(struct exchange *, char *, size_t);
static void	 write_out(struct exchange *, const char *, size_t);
static void	 fcgi_log_sink(const char *, size_t, void *);
static void	 respond(struct exchange *, const struct http_response *);
static void	 log_outcome(const struct http_request *,
		    const struct http_response *, const struct http_outcome *);
static void	 refuse(struct http_response *, struct http_outcome *, int,
		    const char *, const char *);
static int	 read_request_body(struct exchange *, const char *,
		    struct http_request *, struct http_response *,
		    struct http_outcome *);
static void	 serve_one(struct app *, fcgi_handler_fn *,
		    struct exchange *, int);
static int	 run_cgi(fcgi_handler_fn *, int);
static int	 run_fastcgi(fcgi_handler_fn *, int);
static struct app *loop_app_new(int, char *, size_t);
static int	 wait_for_request(const FCGX_Request *, int, const sigset_t *);

/* Delivered only while waiting for a request (wait_for_request). */
static void
on_term(int sig)
{
	(void)sig;
	stop_requested = 1;
}

/*
 * SIGALRM: a request did not arrive in time.  Shut its connection for
 * reading: the read libfcgi is blocked in, and every later one, returns
 * end-of-file at once, whether the signal came during a read or between
 * two.  Writing still works, so a 408 can go out.  shutdown(2) is
 * async-signal-safe.
 */
static void
on_deadline(int sig)
{
	int	 save_errno = errno;

	(void)sig;
	if (deadline_fd >= 0) {
		(void)shutdown(deadline_fd, SHUT_RD);
		deadline_hit = 1;
	}
	errno = save_errno;
}

/*
 * Give connection fd sec seconds from now to finish what it is sending:
 * a request (its parameters and body), or, after the answer, the bytes
 * libfcgi reads and drops before it closes the connection.
 */
static void
deadline_start(int fd, int sec)
{
	struct itimerval	 it;

	memset(&it, 0, sizeof(it));
	it.it_value.tv_sec = sec;
	deadline_hit = 0;
	deadline_fd = fd;
	if (setitimer(ITIMER_REAL, &it, NULL) == -1)
		fatalx("setitimer: %s", strerror(errno));
}

/* Stop the clock.  Returns whether the deadline passed. */
static int
deadline_stop(void)
{
	struct itimerval	 off;

	/* First: a SIGALRM from here on touches no descriptor. */
	deadline_fd = -1;
	memset(&off, 0, sizeof(off));
	(void)setitimer(ITIMER_REAL, &off, NULL);
	return deadline_hit;
}

/*
 * Whether the request's stdin stream ended because the deadline shut
 * the connection: a stream that ended on its own has no error, one cut
 * by shutdown(2) saw a read return 0 inside a record.
 */
static int
deadline_cut(const FCGX_Request *rq)
{
	return deadline_hit && FCGX_GetError(rq->in) != 0;
}

/*
 * The loop's settings, from the environment, before the first request:
 * REQUEST_READ_TIMEOUT_SEC and, under FastCGI, who may connect.  Returns
 * 0, or -1 with one line in err.
 */
static int
loop_cfg_load(struct loop_cfg *lc, int fastcgi, char *err, size_t errlen)
{
	const char	*v;
	long		 sec;

	memset(lc, 0, sizeof(*lc));
	lc->read_timeout_sec = FCGI_LOOP_READ_TIMEOUT_SEC;
	v = getenv("REQUEST_READ_TIMEOUT_SEC");
	if (v != NULL && *v != '\0') {
		if (cfg_parse_long(v, 1, FCGI_LOOP_READ_TIMEOUT_SEC_MAX,
		    &sec) == -1)
			return log_seterr(err, errlen, "REQUEST_READ_TIMEOUT_SEC "
			    "must be a whole number of seconds from 1 to %d",
			    FCGI_LOOP_READ_TIMEOUT_SEC_MAX);
		lc->read_timeout_sec = (int)sec;
	}
	if (fastcgi)
		return fcgi_accept_cfg_load(&lc->accept, err, errlen);
	return 0;
}

/*
 * Up to len bytes of body into buf; fewer if the stream ends first or
 * the deadline cuts it (then ex->timed_out is set).
 */
static size_t
read_body(struct exchange *ex, char *buf, size_t len)
{
	struct pollfd	 pfd;
	long long	 left;
	size_t		 got = 0;
	ssize_t		 n;
	int		 r;

	if (ex->rq != NULL) {
		/* len <= HTTP_BODY_MAX_BYTES, so it fits an int. */
		r = FCGX_GetStr(buf, (int)len, ex->rq->in);
		got = r > 0 ? (size_t)r : 0;
		if (got < len && deadline_cut(ex->rq))
			ex->timed_out = 1;
		return got;
	}
	/*
	 * CGI: read(2) straight into buf, so the body (a password) leaves
	 * no copy in a stdio buffer; and poll(2) first, so a client that
	 * stops sending meets the deadline here too.
	 */
	while (got < len) {
		if ((left = ex->deadline_ms - clock_ms(CLOCK_MONOTONIC)) <= 0) {
			ex->timed_out = 1;
			break;
		}
		pfd.fd = STDIN_FILENO;
		pfd.events = POLLIN;
		r = poll(&pfd, 1, left > INT_MAX ? INT_MAX : (int)left);
		if (r == 0 || (r == -1 && errno == EINTR))
			continue;
		if (r == -1)
			break;
		n = read(STDIN_FILENO, buf + got, len - got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	return got;
}

static void
write_out(struct exchange *ex, const char *buf, size_t len)
{
	/*
	 * A client that went away makes these fail; SIGPIPE is ignored,
	 * so that costs this one response, never the process.
	 */
	if (ex->rq != NULL)
		(void)FCGX_PutStr(buf, (int)len, ex->rq->out);
	else
		(void)fwrite(buf, 1, len, stdout);
}

static void
fcgi_log_sink(const char *line, size_t len, void *arg)
{
	FCGX_Request	*rq = arg;

	(void)FCGX_PutStr(line, (int)len, rq->err);
}

static void
respond(struct exchange *ex, const struct http_response *resp)
{
	static char	 head[HTTP_HEAD_MAX];
	long		 n;

	if ((n = http_format_head(resp, head, sizeof(head))) < 0)
		return;
	write_out(ex, head, (size_t)n);
	write_out(ex, resp->body, resp->body_len);
	if (ex->rq == NULL)
		(void)fflush(stdout);
}

/*
 * One line per refusal, and per login: status, why, who, from where.
 * Never a password, a token or the Authorization header.
 */
static void
log_outcome(const struct http_request *req, const struct http_response *resp,
    const struct http_outcome *out)
{
	const char	*ra = http_param(req, "REMOTE_ADDR");
	const char	*asked = out->method[0] != '\0' ? " method=" : "";
	const char	*at = out->path[0] != '\0' ? " path=" : "";
	char		 addr[64];

	(void)log_escape(ra != NULL ? ra : "-", ra != NULL ? strlen(ra) : 1,
	    addr, sizeof(addr));
	if (resp->status < 400 && out->reason == NULL) {
		/* Token checks that pass: only with AUTH_DEBUG=1. */
		log_debug("%d user=%s addr=%s%s%s%s%s", resp->status,
		    out->user[0] != '\0' ? out->user : "-", addr, asked,
		    out->method, at, out->path);
		return;
	}
	log_info("%d \"%s\" user=%s addr=%s%s%s%s%s", resp->status,
	    out->reason != NULL ? out->reason : http_status_text(resp->status),
	    out->user[0] != '\0' ? out->user : "-", addr, asked, out->method,
	    at, out->path);
}

/* A refusal made here, before any handler: status, detail, log reason. */
static void
refuse(struct http_response *resp, struct http_outcome *out, int status,
    const char *detail, const char *reason)
{
	(void)http_reply_detail(resp, status, detail);
	out->reason = reason;
}

/*
 * Read the body into body_buf, never more than HTTP_BODY_MAX_BYTES.
 * Returns 0, or -1 with resp filled (400, 408 or 413).
 */
static int
read_request_body(struct exchange *ex, const char *cl,
    struct http_request *req, struct http_response *resp,
    struct http_outcome *out)
{
	long	 clen = 0;
	int	 over;

	req->body = body_buf;
	req->body_len = 0;
	if (cl == NULL || cl[0] == '\0') {
		/*
		 * No length: a chunked body passed on as it came (mod_proxy_fcgi
		 * does this).  A FastCGI stdin stream has an end, so read to it,
		 * one byte past the limit to tell.  In CGI mode there is no
		 * body: stdin may be a terminal.
		 */
		if (ex->rq == NULL)
			return 0;
		req->body_len = read_body(ex, body_buf, sizeof(body_buf));
		over = req->body_len == sizeof(body_buf) &&
		    FCGX_GetChar(ex->rq->in) != EOF;
		if (ex->timed_out || deadline_cut(ex->rq)) {
			refuse(resp, out, 408, "Request Timeout",
			    "request not read in time");
			return -1;
		}
		if (over) {
			refuse(resp, out, 413, "Request body too large",
			    "body too large");
			return -1;
		}
		return 0;
	}
	/* Digits only (RFC 3875 4.1.2): no sign, not even "-0". */
	if (strspn(cl, "0123456789") != strlen(cl)) {
		refuse(resp, out, 400, "Invalid Content-Length",
		    "invalid CONTENT_LENGTH");
		return -1;
	}
	if (cfg_parse_long(cl, 0, LONG_MAX, &clen) == -1)
		clen = LONG_MAX;	/* all digits: too big to count */
	if (clen > HTTP_BODY_MAX_BYTES) {
		/* Not a byte of it is read. */
		refuse(resp, out, 413, "Request body too large",
		    "body too large");
		return -1;
	}
	req->body_len = read_body(ex, body_buf, (size_t)clen);
	if (req->body_len != (size_t)clen) {
		if (ex->timed_out)
			refuse(resp, out, 408, "Request Timeout",
			    "request not read in time");
		else
			refuse(resp, out, 400, "Incomplete request body",
			    "body shorter than CONTENT_LENGTH");
		return -1;
	}
	return 0;
}

/*
 * One request whose parameters are in: read its body (under FastCGI the
 * deadline started by run_fastcgi is still running; it stops here), then
 * look at the users file, run the handler, answer and log.
 */
static void
serve_one(struct app *app, fcgi_handler_fn *handler, struct exchange *ex,
    int flags)
{
	struct http_request	 req;
	struct http_response	 resp;
	struct http_outcome	 out;
	struct timespec		 ts;
	int			 ok;

	memset(&req, 0, sizeof(req));
	http_response_init(&resp);
	http_outcome_init(&out);
	/*
	 * The wall clock as every other program reads it: time() is the
	 * kernel's tick-updated copy, a second behind for up to a tick
	 * after each second begins, so a token stamped nbf = now by PyJWT
	 * (CLOCK_REALTIME) and sent at once looked early now and then.
	 */
	(void)clock_gettime(CLOCK_REALTIME, &ts);
	req.now = ts.tv_sec;
	/* FCGX's envp and environ are both "NAME=value" lists. */
	req.params = ex->rq != NULL ? (const char *const *)ex->rq->envp :
	    (const char *const *)environ;
	req.method = http_param(&req, "REQUEST_METHOD");

	if (req.method == NULL || req.method[0] == '\0') {
		refuse(&resp, &out, 400, "REQUEST_METHOD is not set",
		    "no REQUEST_METHOD");
		ok = 0;
	} else if (flags & FCGI_LOOP_NO_STDIN) {
		req.body = body_buf;
		req.body_len = 0;
		ok = 1;
	} else
		ok = read_request_body(ex, http_param(&req, "CONTENT_LENGTH"),
		    &req, &resp, &out) == 0;
	if (ex->rq != NULL)
		(void)deadline_stop();
	if (ok) {
		if (ex->rq != NULL && app != NULL)
			app_refresh(app, flags & FCGI_LOOP_USERS_EVERY_REQUEST ?
			    USERS_REFRESH_NOW : USERS_REFRESH_DUE);
		if (handler(app, &req, &resp, &out) == -1)
			out.reason = "could not build the response body";
	}
	respond(ex, &resp);
	log_outcome(&req, &resp, &out);
	/* The password went in, a token may have come out. */
	explicit_bzero(body_buf, req.body_len);
	explicit_bzero(resp.body, resp.body_len);	/* see http_reply */
	explicit_bzero(resp.hbuf, resp.hbuf_len);
}

/* The app, with the policy file as flags say the endpoint needs it. */
static struct app *
loop_app_new(int flags, char *err, size_t errlen)
{
	struct app_opts	 opts;

	memset(&opts, 0, sizeof(opts));
	opts.keys = flags & FCGI_LOOP_SIGNS ? KEYS_SIGN : KEYS_VERIFY;
	return app_new_opts(flags & FCGI_LOOP_POLICY ? APP_POLICY_REQUIRED :
	    flags & FCGI_LOOP_POLICY_IF_ANY ? APP_POLICY_IF_ANY :
	    APP_POLICY_NONE, &opts, err, errlen);
}

static int
run_cgi(fcgi_handler_fn *handler, int flags)
{
	struct exchange		 ex;
	struct http_response	 resp;
	struct loop_cfg		 lc;
	struct app		*app;
	char			 err[PATH_MAX + 512];

	memset(&ex, 0, sizeof(ex));
	if ((app = loop_app_new(flags, err, sizeof(err))) == NULL &&
	    (flags & FCGI_LOOP_HEALTH))
		log_warnx("%s", err);	/* the handler says 503 */
	if ((app == NULL && !(flags & FCGI_LOOP_HEALTH)) ||
	    loop_cfg_load(&lc, 0, err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		app_free(app);
		http_response_init(&resp);
		(void)http_reply_detail(&resp, 500, "Server misconfigured");
		respond(&ex, &resp);
		return 1;
	}
	/* The request started when we did. */
	ex.deadline_ms = clock_ms(CLOCK_MONOTONIC) +
	    lc.read_timeout_sec * 1000LL;
	serve_one(app, handler, &ex, flags & FCGI_LOOP_NO_STDIN);
	app_free(app);
	return 0;
}

/*
 * FCGI_LOOP_HEALTH with no good configuration yet: try again, at most
 * once a second (a load balancer asks that often, and a users file is
 * parsed, never hashed).  Returns the app, or NULL.
 */
static struct app *
loop_app_retry(int flags, long long *last_ms)
{
	struct app	*app;
	char		 err[PATH_MAX + 512];
	long long	 now = clock_ms(CLOCK_MONOTONIC);

	if (*last_ms != 0 && now - *last_ms < 1000)
		return NULL;
	*last_ms = now;
	if ((app = loop_app_new(flags, err, sizeof(err))) != NULL)
		log_warnx("the configuration is good now");
	return app;
}

/*
 * Wait until the next request can be read, with SIGTERM and SIGINT let
 * in (by pselect's mask) only here: a request already accepted, its
 * parameters still being read, is never cut off by them (the deadline
 * bounds how long that takes).  The next request comes on the
 * connection the web server kept open, if it did (FCGI_KEEP_CONN), else
 * on the listening socket lfd.  Returns 0 when there is one, -1 when
 * told to stop.
 */
static int
wait_for_request(const FCGX_Request *rq, int lfd, const sigset_t *open_mask)
{
	fd_set	 fds;
	int	 fd = rq->ipcFd >= 0 ? rq->ipcFd : lfd;

	/*
	 * An fd_set holds FD_SETSIZE descriptors; past that, FD_SET would
	 * write out of bounds.  Ours are among the lowest; make sure.
	 */
	if (fd < 0 || fd >= FD_SETSIZE)
		fatalx("descriptor %d is out of select's range", fd);
	while (!stop_requested) {
		FD_ZERO(&fds);
		FD_SET(fd, &fds);
		if (pselect(fd + 1, &fds, NULL, NULL, NULL, open_mask) > 0)
			return 0;
		if (errno != EINTR)
			fatalx("waiting for a request: %s", strerror(errno));
	}
	return -1;
}

static int
run_fastcgi(fcgi_handler_fn *handler, int flags)
{
	FCGX_Request		 rq;
	struct exchange		 ex;
	struct loop_cfg		 lc;
	struct sigaction	 sa;
	sigset_t		 stop_signals, open_mask;
	struct app		*app;
	char			 err[PATH_MAX + 512];
	int			 fl, fd;
	int			 lfd = STDIN_FILENO;	/* FastCGI's listener */
	long long		 tried_ms = 0;

	/*
	 * All configuration is read here, before the first accept: mod_fcgid
	 * starts us with almost no environment, and each request's
	 * parameters are not ours to configure from.
	 */
	if ((app = loop_app_new(flags, err, sizeof(err))) == NULL) {
		if (!(flags & FCGI_LOOP_HEALTH))
			fatalx("%s", err);
		log_warnx("%s; answering 503 until it is good", err);
		tried_ms = clock_ms(CLOCK_MONOTONIC);
	}
	if (loop_cfg_load(&lc, 1, err, sizeof(err)) == -1)
		fatalx("%s", err);
	/*
	 * libfcgi reads a request's parameters inside the call that
	 * accepts its connection, in blocking reads with no time limit, and
	 * after a connection that brought no request it accepts the next one
	 * within the same call.  So it gets no listening socket (-1): the
	 * loop accepts each connection itself, starts the deadline on it,
	 * and hands it to FCGX_Accept_r in rq.ipcFd, as a connection the
	 * web server kept open.  When that connection brings no request,
	 * libfcgi closes it and its own accept fails (EBADF) at once.
	 */
	if (FCGX_Init() != 0 ||
	    FCGX_InitRequest(&rq, -1, 0) != 0)
		fatalx("cannot initialise libfcgi");
	memset(&ex, 0, sizeof(ex));
	ex.rq = &rq;
	/*
	 * Processes started by spawn-fcgi -F share one listening socket: the
	 * one whose wait saw a connection may find another took it.  Not
	 * blocking, its accept then fails with EAGAIN and it waits again,
	 * where a SIGTERM can reach it.  (Connections accepted from it are
	 * blocking: Linux does not pass O_NONBLOCK on.)
	 */
	if ((fl = fcntl(lfd, F_GETFL)) == -1 ||
	    fcntl(lfd, F_SETFL, fl | O_NONBLOCK) == -1)
		fatalx("the FastCGI listening socket: %s", strerror(errno));

	/*
	 * SIGTERM and SIGINT stay blocked but while waiting for a request:
	 * idle, a process leaves at once; busy, it finishes the request
	 * (within the deadline, if it is stuck), then leaves.  SIGUSR1,
	 * libfcgi's "stop after this request", which only its own accept
	 * obeyed, is one more of them.
	 */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	(void)sigemptyset(&sa.sa_mask);
	(void)sigaction(SIGTERM, &sa, NULL);
	(void)sigaction(SIGINT, &sa, NULL);
	(void)sigaction(SIGUSR1, &sa, NULL);
	/* Restarted, a read the deadline interrupts sees the shutdown. */
	sa.sa_handler = on_deadline;
	sa.sa_flags = SA_RESTART;
	(void)sigaction(SIGALRM, &sa, NULL);
	(void)sigemptyset(&stop_signals);
	(void)sigaddset(&stop_signals, SIGTERM);
	(void)sigaddset(&stop_signals, SIGINT);
	(void)sigaddset(&stop_signals, SIGUSR1);
	(void)sigprocmask(SIG_BLOCK, &stop_signals, &open_mask);
	(void)sigdelset(&open_mask, SIGTERM);
	(void)sigdelset(&open_mask, SIGINT);
	(void)sigdelset(&open_mask, SIGUSR1);

	while (wait_for_request(&rq, lfd, &open_mask) == 0) {
		if (rq.ipcFd < 0) {
			if ((fd = fcgi_accept(lfd, &lc.accept)) == -2)
				break;
			if (fd == -1)
				continue;	/* another process took it */
			rq.ipcFd = fd;
			/* Or FCGX_Accept_r's first FCGX_Finish_r closes it. */
			rq.keepConnection = 1;
		}
		/*
		 * A request started (a new connection, or bytes on a kept
		 * one, which may idle as long as the server likes): its
		 * parameters and body must be in within the deadline.
		 */
		deadline_start(rq.ipcFd, lc.read_timeout_sec);
		ex.timed_out = 0;
		if (FCGX_Accept_r(&rq) != 0) {
			/* No request came; libfcgi closed the connection. */
			if (deadline_stop())
				log_warnx("no whole request within %d s: "
				    "connection dropped", lc.read_timeout_sec);
			continue;
		}
		/* Its next request would find what this one left unread. */
		if (flags & FCGI_LOOP_NO_STDIN)
			rq.keepConnection = 0;
		log_set_sink(fcgi_log_sink, &rq);
		if (app == NULL)
			app = loop_app_retry(flags, &tried_ms);
		serve_one(app, handler, &ex, flags);
		log_set_sink(NULL, NULL);
		/*
		 * Closing, libfcgi reads and drops what the peer still sends
		 * until it pauses for 2 s, so that a TCP reset cannot destroy
		 * the answer: a peer that never pauses would keep us here.
		 */
		deadline_start(rq.ipcFd, lc.read_timeout_sec);
		FCGX_Finish_r(&rq);
		(void)deadline_stop();
	}
	app_free(app);
	return 0;
}

int
fcgi_loop_run(const char *progname, fcgi_handler_fn *handler, int flags)
{
	log_init(progname);
	/* A client gone mid-response must not kill the process. */
	(void)signal(SIGPIPE, SIG_IGN);
	if (FCGX_IsCGI())
		return run_cgi(handler, flags);
	return run_fastcgi(handler, flags);
}
