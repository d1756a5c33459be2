/* fcgi_loop.c -- the thin shell: FastCGI or plain-CGI requests -> a handler */
#include "config.h"

#include <sys/select.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "fcgi_loop.h"
#include "log.h"

/*
 * One request's plumbing, so the same code serves FastCGI (libfcgi
 * streams and parameters) and CGI (stdin, stdout and the environment).
 */
struct exchange {
	FCGX_Request	*rq;		/* NULL in CGI mode */
};

static volatile sig_atomic_t	 stop_requested;

/* Requests' bodies land here; wiped after each, since passwords do. */
static char	 body_buf[HTTP_BODY_MAX_BYTES];

static void	 on_term(int);
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
		    struct exchange *);
static int	 run_cgi(fcgi_handler_fn *);
static int	 run_fastcgi(fcgi_handler_fn *, int);
static int	 wait_for_request(const FCGX_Request *, const sigset_t *);

/* Delivered only while waiting for a request (wait_for_request). */
static void
on_term(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static size_t
read_body(struct exchange *ex, char *buf, size_t len)
{
	size_t	 got = 0;
	int	 n;

	if (ex->rq != NULL) {
		/* len <= HTTP_BODY_MAX_BYTES, so it fits an int. */
		n = FCGX_GetStr(buf, (int)len, ex->rq->in);
		return n > 0 ? (size_t)n : 0;
	}
	/*
	 * CGI: unbuffered, so the body (a password) goes straight into buf,
	 * which is wiped, and leaves no copy in stdio's buffer.
	 */
	(void)setvbuf(stdin, NULL, _IONBF, 0);
	while (got < len) {
		n = (int)fread(buf + got, 1, len - got, stdin);
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
	char		 addr[64];

	(void)log_escape(ra != NULL ? ra : "-", ra != NULL ? strlen(ra) : 1,
	    addr, sizeof(addr));
	if (resp->status < 400 && out->reason == NULL) {
		/* Token checks that pass: only with AUTH_DEBUG=1. */
		log_debug("%d user=%s addr=%s", resp->status,
		    out->user[0] != '\0' ? out->user : "-", addr);
		return;
	}
	log_info("%d \"%s\" user=%s addr=%s", resp->status,
	    out->reason != NULL ? out->reason : http_status_text(resp->status),
	    out->user[0] != '\0' ? out->user : "-", addr);
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
 * Returns 0, or -1 with resp filled (400 or 413).
 */
static int
read_request_body(struct exchange *ex, const char *cl,
    struct http_request *req, struct http_response *resp,
    struct http_outcome *out)
{
	long	 clen = 0;

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
		if (req->body_len == sizeof(body_buf) &&
		    FCGX_GetChar(ex->rq->in) != EOF) {
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
		refuse(resp, out, 400, "Incomplete request body",
		    "body shorter than CONTENT_LENGTH");
		return -1;
	}
	return 0;
}

static void
serve_one(struct app *app, fcgi_handler_fn *handler,
    struct exchange *ex)
{
	struct http_request	 req;
	struct http_response	 resp;
	struct http_outcome	 out;

	memset(&req, 0, sizeof(req));
	http_response_init(&resp);
	http_outcome_init(&out);
	req.now = time(NULL);
	/* FCGX's envp and environ are both "NAME=value" lists. */
	req.params = ex->rq != NULL ? (const char *const *)ex->rq->envp :
	    (const char *const *)environ;
	req.method = http_param(&req, "REQUEST_METHOD");

	if (req.method == NULL || req.method[0] == '\0')
		refuse(&resp, &out, 400, "REQUEST_METHOD is not set",
		    "no REQUEST_METHOD");
	else if (read_request_body(ex, http_param(&req, "CONTENT_LENGTH"),
	    &req, &resp, &out) == 0 &&
	    handler(app, &req, &resp, &out) == -1)
		out.reason = "could not build the response body";
	respond(ex, &resp);
	log_outcome(&req, &resp, &out);
	/* The password went in, a token may have come out. */
	explicit_bzero(body_buf, req.body_len);
	explicit_bzero(resp.body, sizeof(resp.body));
	explicit_bzero(resp.hbuf, resp.hbuf_len);
}

static int
run_cgi(fcgi_handler_fn *handler)
{
	struct exchange		 ex = { NULL };
	struct http_response	 resp;
	struct app		*app;
	char			 err[512];

	if ((app = app_new(err, sizeof(err))) == NULL) {
		log_warnx("%s", err);
		http_response_init(&resp);
		(void)http_reply_detail(&resp, 500, "Server misconfigured");
		respond(&ex, &resp);
		return 1;
	}
	serve_one(app, handler, &ex);
	app_free(app);
	return 0;
}

/*
 * Wait until the next request can be read, with SIGTERM and SIGINT let
 * in (by pselect's mask) only here: a request already accepted, its
 * parameters still being read, is never cut off by them.  The next
 * request comes on the connection the web server kept open, if it did
 * (FCGI_KEEP_CONN), else on the listening socket.  Returns 0 when there
 * is one, -1 when told to stop.
 */
static int
wait_for_request(const FCGX_Request *rq, const sigset_t *open_mask)
{
	fd_set	 fds;
	int	 fd = rq->ipcFd >= 0 ? rq->ipcFd : rq->listen_sock;

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
	struct exchange		 ex = { &rq };
	struct sigaction	 sa;
	sigset_t		 stop_signals, open_mask;
	struct app		*app;
	char			 err[512];
	int			 fl, r;

	/*
	 * All configuration is read here, before the first accept: mod_fcgid
	 * starts us with almost no environment, and each request's
	 * parameters are not ours to configure from.
	 */
	if ((app = app_new(err, sizeof(err))) == NULL)
		fatalx("%s", err);
	if (FCGX_Init() != 0 ||
	    FCGX_InitRequest(&rq, 0, 0) != 0)
		fatalx("cannot initialise libfcgi");
	/*
	 * Processes started by spawn-fcgi -F share one listening socket: the
	 * one whose wait saw a connection may find another took it.  Not
	 * blocking, its accept then fails with EAGAIN and it waits again,
	 * where a SIGTERM can reach it.  (Connections accepted from it are
	 * blocking: Linux does not pass O_NONBLOCK on.)
	 */
	if ((fl = fcntl(rq.listen_sock, F_GETFL)) == -1 ||
	    fcntl(rq.listen_sock, F_SETFL, fl | O_NONBLOCK) == -1)
		fatalx("the FastCGI listening socket: %s", strerror(errno));

	/*
	 * SIGTERM and SIGINT stay blocked but while waiting for a request:
	 * idle, a process leaves at once; busy, it finishes the request,
	 * then leaves.
	 */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	(void)sigemptyset(&sa.sa_mask);
	(void)sigaction(SIGTERM, &sa, NULL);
	(void)sigaction(SIGINT, &sa, NULL);
	(void)sigemptyset(&stop_signals);
	(void)sigaddset(&stop_signals, SIGTERM);
	(void)sigaddset(&stop_signals, SIGINT);
	(void)sigprocmask(SIG_BLOCK, &stop_signals, &open_mask);
	(void)sigdelset(&open_mask, SIGTERM);
	(void)sigdelset(&open_mask, SIGINT);

	while (wait_for_request(&rq, &open_mask) == 0) {
		if ((r = FCGX_Accept_r(&rq)) == -EAGAIN || r == -EWOULDBLOCK)
			continue;	/* another process took it */
		if (r < 0)
			break;
		log_set_sink(fcgi_log_sink, &rq);
		app_refresh(app, flags & FCGI_LOOP_USERS_EVERY_REQUEST ?
		    USERS_REFRESH_NOW : USERS_REFRESH_DUE);
		serve_one(app, handler, &ex);
		log_set_sink(NULL, NULL);
		FCGX_Finish_r(&rq);
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
		return run_cgi(handler);
	return run_fastcgi(handler, flags);
}
