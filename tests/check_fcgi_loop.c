/* check_fcgi_loop.c -- the FastCGI loop itself: bodies, deadlines, SIGTERM */
#include "config.h"

#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <poll.h>
#include <signal.h>
#include <time.h>

#include "app.h"
#include "clock.h"
#include "http.h"
#include "check_common.h"
#include "fcgi_loop.h"

/*
 * Each test runs fcgi_loop_run in a child process, as spawn-fcgi or
 * lighttpd would start an endpoint (a listening socket as its stdin), and
 * speaks FastCGI to it over a socket.  The child's handler answers with
 * what the loop gave it.  No test asserts how fast anything happens: an
 * outcome may take up to WAIT_MS, which only a hung process needs.
 */
#define WAIT_MS		10000
#define DEADLINE_SEC	1		/* REQUEST_READ_TIMEOUT_SEC, mostly */

/* FastCGI 1.0 record types and the responder role. */
enum {
	FCGI_BEGIN_REQUEST = 1,
	FCGI_END_REQUEST = 3,
	FCGI_PARAMS = 4,
	FCGI_STDIN = 5,
	FCGI_STDOUT = 6,
	FCGI_STDERR = 7,
};
#define FCGI_RESPONDER	1
#define FCGI_KEEP_CONN	1

/* Bytes to send, built up record by record. */
struct wire {
	unsigned char	*p;
	size_t		 len, cap;
};

/* What came back on one connection. */
struct answer {
	int	 ended;			/* END_REQUEST seen */
	int	 status;		/* from the Status header; 0: none */
	char	 out[HTTP_HEAD_MAX + HTTP_RESPONSE_BODY_MAX];
	size_t	 out_len;
	char	 err[4096];		/* the FastCGI stderr stream: log lines */
	size_t	 err_len;
};

/* One endpoint process. */
struct server {
	pid_t	 pid;
	int	 tcp;
	char	 sock[600];		/* its unix socket */
	int	 port;			/* or its TCP port on 127.0.0.1 */
	char	 errlog[600];		/* its plain stderr */
};

static struct server	 srv;		/* the current test's */
static int		 loop_flags;	/* its fcgi_loop_run flags */

static void	 wire_add(struct wire *, const void *, size_t);
static void	 wire_record(struct wire *, int, const void *, size_t);
static void	 wire_begin(struct wire *, int);
static void	 wire_params(struct wire *, const char *const *);
static void	 wire_stdin(struct wire *, const void *, size_t);
static void	 wire_free(struct wire *);
static int	 send_all(int, const void *, size_t);
static void	 sleep_ms(int);
static int	 read_answer(int, int, struct answer *);
static const char *body_of(const struct answer *);
static int	 echo_handle(struct app *, const struct http_request *,
		    struct http_response *, struct http_outcome *);
static void	 server_start(struct server *, int, const char *const *);
static int	 server_connect(const struct server *, const char *);
static int	 server_wait(struct server *, int);
static void	 server_stop(struct server *);
static char	*errlog_text(const struct server *, char *, size_t);
static int	 exchange(const struct server *, const char *const *,
		    const char *, size_t, struct answer *);
static void	 expect_served(const struct server *, const char *);
static void	 setup(void);
static void	 teardown(void);

static void
wire_add(struct wire *w, const void *p, size_t len)
{
	if (w->len + len > w->cap) {
		w->cap = (w->len + len) * 2;
		ck_assert((w->p = realloc(w->p, w->cap)) != NULL);
	}
	memcpy(w->p + w->len, p, len);
	w->len += len;
}

/* One record: version, type, request id 1, length, padding to 8. */
static void
wire_record(struct wire *w, int type, const void *content, size_t len)
{
	static const unsigned char	 zeros[8];
	unsigned char			 h[8];
	size_t				 pad = (8 - len % 8) % 8;

	ck_assert(len <= 65535);
	h[0] = 1;
	h[1] = (unsigned char)type;
	h[2] = 0;
	h[3] = 1;
	h[4] = (unsigned char)(len >> 8);
	h[5] = (unsigned char)len;
	h[6] = (unsigned char)pad;
	h[7] = 0;
	wire_add(w, h, sizeof(h));
	if (len > 0)
		wire_add(w, content, len);
	wire_add(w, zeros, pad);
}

static void
wire_begin(struct wire *w, int flags)
{
	unsigned char	 body[8] = { 0, FCGI_RESPONDER, 0 };

	body[2] = (unsigned char)flags;
	wire_record(w, FCGI_BEGIN_REQUEST, body, sizeof(body));
}

/* Name-value pairs from "NAME=value" strings, then the empty record. */
static void
wire_params(struct wire *w, const char *const *nv)
{
	struct wire	 c = { NULL, 0, 0 };
	unsigned char	 l[4];
	const char	*eq;
	size_t		 lens[2], i;

	for (; *nv != NULL; nv++) {
		ck_assert((eq = strchr(*nv, '=')) != NULL);
		lens[0] = (size_t)(eq - *nv);
		lens[1] = strlen(eq + 1);
		for (i = 0; i < 2; i++) {
			if (lens[i] < 128) {
				l[0] = (unsigned char)lens[i];
				wire_add(&c, l, 1);
			} else {
				l[0] = (unsigned char)(0x80 | lens[i] >> 24);
				l[1] = (unsigned char)(lens[i] >> 16);
				l[2] = (unsigned char)(lens[i] >> 8);
				l[3] = (unsigned char)lens[i];
				wire_add(&c, l, 4);
			}
		}
		wire_add(&c, *nv, lens[0]);
		wire_add(&c, eq + 1, lens[1]);
	}
	if (c.len > 0)
		wire_record(w, FCGI_PARAMS, c.p, c.len);
	wire_record(w, FCGI_PARAMS, NULL, 0);
	wire_free(&c);
}

/* len bytes of body in records; len 0 is the record that ends it. */
static void
wire_stdin(struct wire *w, const void *data, size_t len)
{
	const unsigned char	*p = data;
	size_t			 n;

	if (len == 0)
		wire_record(w, FCGI_STDIN, NULL, 0);
	for (; len > 0; p += n, len -= n) {
		n = len < 32768 ? len : 32768;
		wire_record(w, FCGI_STDIN, p, n);
	}
}

static void
wire_free(struct wire *w)
{
	free(w->p);
	w->p = NULL;
	w->len = w->cap = 0;
}

/* 0, or -1 if the peer is gone (no SIGPIPE: MSG_NOSIGNAL). */
static int
send_all(int fd, const void *p, size_t len)
{
	const char	*c = p;
	ssize_t		 n;

	while (len > 0) {
		n = send(fd, c, len, MSG_NOSIGNAL);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		c += n;
		len -= (size_t)n;
	}
	return 0;
}

static void
sleep_ms(int ms)
{
	struct timespec	 ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/*
 * Read records until END_REQUEST, the connection's end, or ms pass.
 * Returns 1 (END_REQUEST), 0 (closed first) or -1 (still waiting).
 */
static int
read_answer(int fd, int ms, struct answer *a)
{
	unsigned char	 buf[HTTP_HEAD_MAX + HTTP_RESPONSE_BODY_MAX + 1024];
	struct pollfd	 pfd;
	size_t		 have = 0, clen, plen;
	long long	 end = clock_ms(CLOCK_MONOTONIC) + ms;
	ssize_t		 n;
	int		 left;
	const char	*st;

	memset(a, 0, sizeof(*a));
	for (;;) {
		/* Whole records first. */
		while (have >= 8) {
			clen = (size_t)buf[4] << 8 | buf[5];
			plen = buf[6];
			if (have < 8 + clen + plen)
				break;
			if (buf[1] == FCGI_STDOUT) {
				ck_assert(a->out_len + clen < sizeof(a->out));
				memcpy(a->out + a->out_len, buf + 8, clen);
				a->out_len += clen;
			} else if (buf[1] == FCGI_STDERR) {
				ck_assert(a->err_len + clen < sizeof(a->err));
				memcpy(a->err + a->err_len, buf + 8, clen);
				a->err_len += clen;
			} else if (buf[1] == FCGI_END_REQUEST)
				a->ended = 1;
			memmove(buf, buf + 8 + clen + plen,
			    have - 8 - clen - plen);
			have -= 8 + clen + plen;
			if (a->ended)
				goto done;
		}
		if ((left = (int)(end - clock_ms(CLOCK_MONOTONIC))) <= 0)
			return -1;
		pfd.fd = fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, left) <= 0)
			continue;
		ck_assert(have < sizeof(buf));
		n = read(fd, buf + have, sizeof(buf) - have);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			goto done;	/* closed (or reset) */
		have += (size_t)n;
	}
done:
	a->out[a->out_len] = '\0';
	a->err[a->err_len] = '\0';
	if ((st = strstr(a->out, "Status: ")) == a->out)
		a->status = atoi(st + 8);
	return a->ended;
}

/* The body of an answer, after the head. */
static const char *
body_of(const struct answer *a)
{
	const char	*p = strstr(a->out, "\r\n\r\n");

	return p != NULL ? p + 4 : "";
}

/*
 * What the loop handed over: method, body (when short), length and
 * the X-Test header, so a test sees what was read.
 */
static int
echo_handle(struct app *app, const struct http_request *req,
    struct http_response *resp, struct http_outcome *out)
{
	const char	*x = http_param(req, "HTTP_X_TEST");

	(void)app;
	out->reason = "echo";
	if (x != NULL && strcmp(x, "now") == 0)
		return http_reply_json(resp, 200, http_json_object(
		    "now", json_object_new_int64((int64_t)req->now), NULL));
	return http_reply_json(resp, 200, http_json_object(
	    "method", json_object_new_string(req->method),
	    "len", json_object_new_int64((int64_t)req->body_len),
	    "body", json_object_new_string_len(req->body_len <= 64 ?
	    req->body : "", req->body_len <= 64 ? (int)req->body_len : 0),
	    "x", json_object_new_string(x != NULL ? x : "(none)"),
	    NULL));
}

/*
 * Start the loop in a child, on a listening unix socket (or TCP on
 * 127.0.0.1) as its stdin, with the cast's users file and env
 * ("NAME=value" strings) added to its environment.  The child dies with
 * this process, whatever happens to the test.
 */
static void
server_start(struct server *s, int tcp, const char *const *env)
{
	static int		 n;
	struct sockaddr_un	 sun;
	struct sockaddr_in	 sin;
	socklen_t		 slen = sizeof(sin);
	const char		*eq;
	char			 name[128];
	pid_t			 parent = getpid();
	int			 lsock, fd;

	memset(s, 0, sizeof(*s));
	s->tcp = tcp;
	n++;
	(void)snprintf(s->errlog, sizeof(s->errlog), "%s-%ld-%d.stderr",
	    test_path("loop"), (long)parent, n);
	if (tcp) {
		ck_assert((lsock = socket(AF_INET, SOCK_STREAM, 0)) != -1);
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		ck_assert(bind(lsock, (struct sockaddr *)&sin,
		    sizeof(sin)) == 0);
		ck_assert(getsockname(lsock, (struct sockaddr *)&sin,
		    &slen) == 0);
		s->port = ntohs(sin.sin_port);
	} else {
		(void)snprintf(s->sock, sizeof(s->sock), "%s-%ld-%d.sock",
		    test_path("loop"), (long)parent, n);
		(void)unlink(s->sock);
		ck_assert((lsock = socket(AF_UNIX, SOCK_STREAM, 0)) != -1);
		memset(&sun, 0, sizeof(sun));
		sun.sun_family = AF_UNIX;
		ck_assert(strlen(s->sock) < sizeof(sun.sun_path));
		memcpy(sun.sun_path, s->sock, strlen(s->sock) + 1);
		ck_assert(bind(lsock, (struct sockaddr *)&sun,
		    sizeof(sun)) == 0);
	}
	ck_assert(listen(lsock, 16) == 0);
	test_write_users(test_path("users"));

	ck_assert((s->pid = fork()) != -1);
	if (s->pid == 0) {
		(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(99);
		if (dup2(lsock, 0) == -1 ||
		    (fd = open(s->errlog, O_WRONLY | O_CREAT | O_TRUNC,
		    0600)) == -1 || dup2(fd, 2) == -1)
			_exit(98);
		(void)close(lsock);
		(void)close(fd);
		(void)unsetenv("JWT_SECRET_FILE");
		(void)unsetenv("REQUEST_READ_TIMEOUT_SEC");
		(void)unsetenv("FCGI_WEB_SERVER_ADDRS");
		(void)setenv("JWT_SECRET", TEST_SECRET_32, 1);
		(void)setenv("USERS_FILE", test_path("users"), 1);
		for (; env != NULL && *env != NULL; env++) {
			eq = strchr(*env, '=');
			(void)snprintf(name, sizeof(name), "%.*s",
			    (int)(eq - *env), *env);
			(void)setenv(name, eq + 1, 1);
		}
		_exit(fcgi_loop_run("check_fcgi_loop", echo_handle,
		    loop_flags));
	}
	(void)close(lsock);
}

/* A connection to the server, from the address from (TCP; NULL: any). */
static int
server_connect(const struct server *s, const char *from)
{
	struct sockaddr_un	 sun;
	struct sockaddr_in	 sin;
	int			 fd;

	if (s->tcp) {
		ck_assert((fd = socket(AF_INET, SOCK_STREAM, 0)) != -1);
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		if (from != NULL) {
			ck_assert(inet_pton(AF_INET, from, &sin.sin_addr) == 1);
			ck_assert(bind(fd, (struct sockaddr *)&sin,
			    sizeof(sin)) == 0);
		}
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		sin.sin_port = htons((uint16_t)s->port);
		ck_assert_msg(connect(fd, (struct sockaddr *)&sin,
		    sizeof(sin)) == 0, "connect: %s", strerror(errno));
		return fd;
	}
	ck_assert((fd = socket(AF_UNIX, SOCK_STREAM, 0)) != -1);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, s->sock, strlen(s->sock) + 1);
	ck_assert_msg(connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0,
	    "connect %s: %s", s->sock, strerror(errno));
	return fd;
}

/* Its exit status once it exited, or -1 if it has not within ms. */
static int
server_wait(struct server *s, int ms)
{
	long long	 end = clock_ms(CLOCK_MONOTONIC) + ms;
	int		 status;
	pid_t		 r;

	for (;;) {
		r = waitpid(s->pid, &status, WNOHANG);
		if (r == s->pid) {
			s->pid = 0;
			return WIFEXITED(status) ? WEXITSTATUS(status) :
			    128 + WTERMSIG(status);
		}
		if (clock_ms(CLOCK_MONOTONIC) >= end)
			return -1;
		sleep_ms(10);
	}
}

static void
server_stop(struct server *s)
{
	if (s->pid > 0) {
		(void)kill(s->pid, SIGKILL);
		(void)waitpid(s->pid, NULL, 0);
		s->pid = 0;
	}
}

/* What the server wrote on its plain stderr (outside any request). */
static char *
errlog_text(const struct server *s, char *buf, size_t size)
{
	ssize_t	 n = 0;
	int	 fd;

	buf[0] = '\0';
	if ((fd = open(s->errlog, O_RDONLY)) == -1)
		return buf;
	n = read(fd, buf, size - 1);
	(void)close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

/* One whole request on a new connection; read_answer's result. */
static int
exchange(const struct server *s, const char *const *params,
    const char *body, size_t len, struct answer *a)
{
	struct wire	 w = { NULL, 0, 0 };
	int		 fd, r;

	wire_begin(&w, 0);
	wire_params(&w, params);
	wire_stdin(&w, body, len);
	if (len > 0)
		wire_stdin(&w, NULL, 0);
	fd = server_connect(s, NULL);
	ck_assert(send_all(fd, w.p, w.len) == 0);
	r = read_answer(fd, WAIT_MS, a);
	(void)close(fd);
	wire_free(&w);
	return r;
}

/* The server still answers a plain request in full. */
static void
expect_served(const struct server *s, const char *what)
{
	static const char *const params[] = { "REQUEST_METHOD=POST",
	    "CONTENT_LENGTH=5", "HTTP_X_TEST=next", NULL };
	struct answer	 a;

	ck_assert_msg(exchange(s, params, "hello", 5, &a) == 1,
	    "%s: the next request got no answer", what);
	ck_assert_msg(a.status == 200, "%s: the next request: %s", what,
	    a.out);
	ck_assert_str_eq(body_of(&a),
	    "{\"method\":\"POST\",\"len\":5,\"body\":\"hello\",\"x\":\"next\"}");
}

static void
setup(void)
{
	memset(&srv, 0, sizeof(srv));
	loop_flags = 0;
}

static void
teardown(void)
{
	server_stop(&srv);
}

static const char *const deadline_env[] = {
	"REQUEST_READ_TIMEOUT_SEC=1", NULL
};
/* For tests of something else: a deadline no loaded machine reaches. */
static const char *const relaxed_env[] = {
	"REQUEST_READ_TIMEOUT_SEC=5", NULL
};

/* A request as a web server sends it: every parameter reaches the handler. */
START_TEST(test_serve)
{
	static const char *const params[] = { "REQUEST_METHOD=PUT",
	    "CONTENT_LENGTH=11", "HTTP_X_TEST=a b=c", "REMOTE_ADDR=192.0.2.7",
	    NULL };
	struct answer	 a;

	server_start(&srv, 0, relaxed_env);
	ck_assert_int_eq(exchange(&srv, params, "hello world", 11, &a), 1);
	ck_assert_int_eq(a.status, 200);
	ck_assert_str_eq(body_of(&a), "{\"method\":\"PUT\",\"len\":11,"
	    "\"body\":\"hello world\",\"x\":\"a b=c\"}");
	/* The log line travels on the request's FastCGI stderr stream. */
	ck_assert_msg(strstr(a.err, "check_fcgi_loop: 200 \"echo\" user=- "
	    "addr=192.0.2.7\n") != NULL, "log: %s", a.err);
}
END_TEST

/*
 * The request's time is the wall clock every other program reads
 * (CLOCK_REALTIME, as Python's time.time() and date do).  time() is the
 * kernel's tick-updated copy and stays a second behind for up to a
 * tick after each second begins: a token PyJWT stamped nbf = now and
 * sent at once was refused now and then.  Sent just after a second
 * begins, a request must see that second.
 */
START_TEST(test_clock)
{
	static const char *const params[] = { "REQUEST_METHOD=GET",
	    "HTTP_X_TEST=now", NULL };
	struct answer	 a;
	struct timespec	 ts;
	time_t		 second;
	long long	 seen;
	int		 round;

	server_start(&srv, 0, relaxed_env);
	for (round = 0; round < 3; round++) {
		(void)clock_gettime(CLOCK_REALTIME, &ts);
		second = ts.tv_sec;
		while (ts.tv_sec == second)
			(void)clock_gettime(CLOCK_REALTIME, &ts);
		ck_assert_int_eq(exchange(&srv, params, NULL, 0, &a), 1);
		ck_assert_int_eq(a.status, 200);
		ck_assert_msg(sscanf(body_of(&a), "{\"now\":%lld}", &seen) == 1,
		    "body: %s", body_of(&a));
		ck_assert_msg(seen >= (long long)ts.tv_sec, "round %d: the "
		    "request saw %lld, sent in %lld", round, seen,
		    (long long)ts.tv_sec);
	}
}
END_TEST

/*
 * A request whose records arrive in pieces, well within the deadline,
 * is served: parameters split across reads and records, a body in three
 * records.  (The pauses only make the loop read more than once.)
 */
START_TEST(test_pieces)
{
	static const char *const params[] = { "REQUEST_METHOD=POST",
	    "CONTENT_LENGTH=10", "HTTP_X_TEST=pieces", NULL };
	struct wire	 w = { NULL, 0, 0 };
	struct answer	 a;
	size_t		 off, step;
	int		 fd;

	server_start(&srv, 0, relaxed_env);
	wire_begin(&w, 0);
	wire_params(&w, params);
	wire_stdin(&w, "abc", 3);
	wire_stdin(&w, "defg", 4);
	wire_stdin(&w, "hij", 3);
	wire_stdin(&w, NULL, 0);
	fd = server_connect(&srv, NULL);
	step = w.len / 8 + 1;
	for (off = 0; off < w.len; off += step) {
		ck_assert(send_all(fd, w.p + off, off + step < w.len ? step :
		    w.len - off) == 0);
		sleep_ms(20);
	}
	ck_assert_int_eq(read_answer(fd, WAIT_MS, &a), 1);
	ck_assert_int_eq(a.status, 200);
	ck_assert_str_eq(body_of(&a), "{\"method\":\"POST\",\"len\":10,"
	    "\"body\":\"abcdefghij\",\"x\":\"pieces\"}");
	(void)close(fd);
	wire_free(&w);
}
END_TEST

/*
 * Finding 3 of the review: a peer that sends the parameters with
 * CONTENT_LENGTH=30, 14 bytes of body, then nothing, held the process
 * (the only login process, say) for ever.  At the deadline it gets a
 * JSON 408 and one log line, and the next request is served.
 */
START_TEST(test_stalled_body)
{
	static const char *const params[] = { "REQUEST_METHOD=POST",
	    "CONTENT_LENGTH=30", "REMOTE_ADDR=192.0.2.9", NULL };
	struct wire	 w = { NULL, 0, 0 };
	struct answer	 a;
	int		 fd, r;

	server_start(&srv, 0, deadline_env);
	wire_begin(&w, 0);
	wire_params(&w, params);
	wire_stdin(&w, "username=alice", 14);
	fd = server_connect(&srv, NULL);
	ck_assert(send_all(fd, w.p, w.len) == 0);
	r = read_answer(fd, WAIT_MS, &a);
	ck_assert_msg(r != -1, "no answer %d s after a stalled body",
	    WAIT_MS / 1000);
	ck_assert_msg(r == 1 && a.status == 408, "answer: %s", a.out);
	ck_assert_str_eq(body_of(&a), "{\"detail\":\"Request Timeout\"}");
	ck_assert_msg(strstr(a.out, "Content-Type: application/json\r\n") !=
	    NULL, "head: %s", a.out);
	ck_assert_msg(strstr(a.err, "check_fcgi_loop: 408 \"request not "
	    "read in time\" user=- addr=192.0.2.9\n") != NULL, "log: %s",
	    a.err);
	(void)close(fd);
	wire_free(&w);
	expect_served(&srv, "after a stalled body");
}
END_TEST

/*
 * A body trickled a byte at a time, each byte well within any per-read
 * timeout: the deadline is for the whole request, so it is cut before
 * the 30 bytes are in.
 */
START_TEST(test_trickle)
{
	static const char *const params[] = { "REQUEST_METHOD=POST",
	    "CONTENT_LENGTH=30", NULL };
	struct wire	 w = { NULL, 0, 0 };
	struct answer	 a;
	size_t		 sent;
	int		 fd, r = -1;

	server_start(&srv, 0, deadline_env);
	wire_begin(&w, 0);
	wire_params(&w, params);
	fd = server_connect(&srv, NULL);
	ck_assert(send_all(fd, w.p, w.len) == 0);
	for (sent = 0; sent < 30 && r == -1; sent++) {
		wire_free(&w);
		wire_stdin(&w, "x", 1);
		if (send_all(fd, w.p, w.len) == -1)
			break;		/* cut: the answer is waiting */
		r = read_answer(fd, 300, &a);
	}
	if (r == -1)
		r = read_answer(fd, WAIT_MS, &a);
	ck_assert_msg(r == 0 || (r == 1 && a.status == 408),
	    "a 30-byte body sent over %zu x 300 ms: %s", sent, a.out);
	ck_assert_msg(sent < 30, "all 30 bytes were read");
	(void)close(fd);
	wire_free(&w);
	expect_served(&srv, "after a trickled body");
}
END_TEST

/*
 * Parameters that stop halfway: no request to answer yet, so the
 * connection is dropped at the deadline, with one line on the process's
 * stderr, and the next request is served.
 */
START_TEST(test_stalled_params)
{
	static const char *const params[] = { "REQUEST_METHOD=GET",
	    "HTTP_X_TEST=a-long-enough-value-to-cut-in-half", NULL };
	struct wire	 w = { NULL, 0, 0 };
	struct answer	 a;
	char		 log[4096];
	int		 fd;

	server_start(&srv, 0, deadline_env);
	wire_begin(&w, 0);
	wire_params(&w, params);
	fd = server_connect(&srv, NULL);
	ck_assert(send_all(fd, w.p, w.len / 2) == 0);
	ck_assert_msg(read_answer(fd, WAIT_MS, &a) == 0,
	    "half the parameters: still open, or answered: %s", a.out);
	ck_assert_uint_eq(a.out_len, 0);
	(void)close(fd);
	wire_free(&w);
	expect_served(&srv, "after stalled parameters");
	ck_assert_msg(strstr(errlog_text(&srv, log, sizeof(log)),
	    "check_fcgi_loop: no whole request within 1 s: connection "
	    "dropped\n") != NULL, "stderr: %s", log);
}
END_TEST

/*
 * A TCP connection that sends nothing at all (libfcgi drops a silent
 * unix-socket one after 2 s, but waits on TCP for ever).
 */
START_TEST(test_silent)
{
	struct answer	 a;
	int		 fd;

	server_start(&srv, 1, deadline_env);
	fd = server_connect(&srv, NULL);
	ck_assert_msg(read_answer(fd, WAIT_MS, &a) == 0,
	    "a silent connection is still open");
	(void)close(fd);
	expect_served(&srv, "after a silent connection");
}
END_TEST

/*
 * SIGTERM while a request is stuck: the process used to wait with it
 * for ever.  It ends the read at the deadline at the latest, then
 * exits 0.
 */
START_TEST(test_sigterm_stalled)
{
	static const char *const params[] = { "REQUEST_METHOD=POST",
	    "CONTENT_LENGTH=30", NULL };
	static const char *const env[] = { "REQUEST_READ_TIMEOUT_SEC=3",
	    NULL };
	struct wire	 w = { NULL, 0, 0 };
	struct answer	 a;
	int		 fd, r;

	server_start(&srv, 0, env);
	wire_begin(&w, 0);
	wire_params(&w, params);
	wire_stdin(&w, "username=alice", 14);
	fd = server_connect(&srv, NULL);
	ck_assert(send_all(fd, w.p, w.len) == 0);
	sleep_ms(300);		/* so it has the connection, usually */
	ck_assert(kill(srv.pid, SIGTERM) == 0);
	r = server_wait(&srv, WAIT_MS);
	ck_assert_msg(r != -1, "still running %d s after SIGTERM",
	    WAIT_MS / 1000);
	ck_assert_int_eq(r, 0);
	r = read_answer(fd, WAIT_MS, &a);
	ck_assert_msg(r == 0 || (r == 1 && a.status == 408), "answer: %s",
	    a.out);
	(void)close(fd);
	wire_free(&w);
}
END_TEST

/*
 * SIGTERM while parameters are arriving at a normal pace: the request
 * is not cut off, but answered, and then the process exits.
 */
START_TEST(test_sigterm_arriving)
{
	static const char *const params[] = { "REQUEST_METHOD=POST",
	    "CONTENT_LENGTH=5", "HTTP_X_TEST=finished", NULL };
	struct wire	 w = { NULL, 0, 0 };
	struct answer	 a;
	size_t		 half;
	int		 fd;

	server_start(&srv, 0, relaxed_env);
	wire_begin(&w, 0);
	wire_params(&w, params);
	wire_stdin(&w, "hello", 5);
	wire_stdin(&w, NULL, 0);
	half = w.len / 3;
	fd = server_connect(&srv, NULL);
	ck_assert(send_all(fd, w.p, half) == 0);
	sleep_ms(200);
	ck_assert(kill(srv.pid, SIGTERM) == 0);
	sleep_ms(200);
	ck_assert(send_all(fd, w.p + half, w.len - half) == 0);
	ck_assert_int_eq(read_answer(fd, WAIT_MS, &a), 1);
	ck_assert_msg(a.status == 200, "answer: %s", a.out);
	ck_assert_str_eq(body_of(&a), "{\"method\":\"POST\",\"len\":5,"
	    "\"body\":\"hello\",\"x\":\"finished\"}");
	ck_assert_int_eq(server_wait(&srv, WAIT_MS), 0);
	(void)close(fd);
	wire_free(&w);
}
END_TEST

/*
 * Idle, it stops at once on SIGTERM, SIGINT or SIGUSR1 (libfcgi's own
 * "stop", which only its accept obeyed, and the loop accepts instead).
 */
static const int	 stop_signals[] = { SIGTERM, SIGINT, SIGUSR1 };

START_TEST(test_stop_idle)
{
	server_start(&srv, 0, deadline_env);
	expect_served(&srv, "first");
	ck_assert(kill(srv.pid, stop_signals[_i]) == 0);
	ck_assert_int_eq(server_wait(&srv, WAIT_MS), 0);
}
END_TEST

/*
 * A connection the web server keeps open between requests
 * (FCGI_KEEP_CONN) may sit idle past the deadline: the deadline starts
 * when a request does.
 */
START_TEST(test_keep_conn_idle)
{
	static const char *const params[] = { "REQUEST_METHOD=GET",
	    "HTTP_X_TEST=kept", NULL };
	struct wire	 w = { NULL, 0, 0 };
	struct answer	 a;
	int		 fd, i;

	server_start(&srv, 0, deadline_env);
	wire_begin(&w, FCGI_KEEP_CONN);
	wire_params(&w, params);
	wire_stdin(&w, NULL, 0);
	fd = server_connect(&srv, NULL);
	for (i = 0; i < 2; i++) {
		ck_assert(send_all(fd, w.p, w.len) == 0);
		ck_assert_msg(read_answer(fd, WAIT_MS, &a) == 1,
		    "request %d on the kept connection: no answer", i + 1);
		ck_assert_int_eq(a.status, 200);
		ck_assert_str_eq(body_of(&a), "{\"method\":\"GET\",\"len\":0,"
		    "\"body\":\"\",\"x\":\"kept\"}");
		/* Idle for longer than the deadline. */
		if (i == 0)
			sleep_ms(DEADLINE_SEC * 1500);
	}
	(void)close(fd);
	wire_free(&w);
}
END_TEST

/*
 * After the answer, libfcgi reads what the peer still sends until it
 * stops for 2 s (so a TCP reset cannot destroy the answer).  A peer
 * that keeps sending a byte every 300 ms held the process there for
 * ever; the deadline bounds that too, and a second request is served
 * while the first peer still trickles.
 */
START_TEST(test_trickle_after_answer)
{
	static const char *const params[] = { "REQUEST_METHOD=GET", NULL };
	struct wire	 w = { NULL, 0, 0 };
	struct answer	 a;
	long long	 end;
	int		 fd, fd2, r = -1;

	server_start(&srv, 0, deadline_env);
	wire_begin(&w, 0);
	wire_params(&w, params);
	wire_stdin(&w, NULL, 0);
	fd = server_connect(&srv, NULL);
	ck_assert(send_all(fd, w.p, w.len) == 0);
	ck_assert_int_eq(read_answer(fd, WAIT_MS, &a), 1);
	ck_assert_int_eq(a.status, 200);

	fd2 = server_connect(&srv, NULL);
	ck_assert(send_all(fd2, w.p, w.len) == 0);
	end = clock_ms(CLOCK_MONOTONIC) + WAIT_MS;
	while (r == -1 && clock_ms(CLOCK_MONOTONIC) < end) {
		(void)send_all(fd, "x", 1);	/* fails once cut: fine */
		r = read_answer(fd2, 300, &a);
	}
	ck_assert_msg(r == 1, "no answer to a second request while the "
	    "first peer trickled for %d s", WAIT_MS / 1000);
	ck_assert_int_eq(a.status, 200);
	(void)close(fd);
	(void)close(fd2);
	wire_free(&w);
}
END_TEST

/*
 * CONTENT_LENGTH as a server might pass it, right or wrong: RFC 3875
 * 4.1.2 makes it 1*digit.  body is what is sent (NULL: no stdin
 * records at all; with no CONTENT_LENGTH, the stream's end is the
 * body's end).
 */
static const struct {
	const char	*name;
	const char	*cl;		/* NULL: none */
	size_t		 len;		/* bytes of body sent */
	int		 end;		/* then the empty STDIN record */
	int		 status;
	const char	*want;		/* the answer's body, or NULL */
} cl_cases[] = {
	{ "exact", "30", 30, 1, 200, NULL },
	{ "none", "0", 0, 0, 200, "{\"method\":\"POST\",\"len\":0,"
	    "\"body\":\"\",\"x\":\"(none)\"}" },
	{ "body longer: read no more", "5", 30, 1, 200,
	    "{\"method\":\"POST\",\"len\":5,\"body\":\"aaaaa\","
	    "\"x\":\"(none)\"}" },
	{ "body shorter", "31", 30, 1, 400,
	    "{\"detail\":\"Incomplete request body\"}" },
	{ "the limit", "65536", 65536, 1, 200, NULL },
	{ "over the limit, unread", "65537", 0, 0, 413,
	    "{\"detail\":\"Request body too large\"}" },
	{ "too big to count", "99999999999999999999", 0, 0, 413,
	    "{\"detail\":\"Request body too large\"}" },
	{ "plus sign", "+5", 5, 1, 400,
	    "{\"detail\":\"Invalid Content-Length\"}" },
	{ "hex", "0x10", 16, 1, 400, "{\"detail\":\"Invalid Content-Length\"}" },
	{ "leading blank", " 5", 5, 1, 400,
	    "{\"detail\":\"Invalid Content-Length\"}" },
	{ "minus zero", "-0", 0, 1, 400,
	    "{\"detail\":\"Invalid Content-Length\"}" },
	{ "no length: to the stream's end", NULL, 7, 1, 200,
	    "{\"method\":\"POST\",\"len\":7,\"body\":\"aaaaaaa\","
	    "\"x\":\"(none)\"}" },
	{ "no length: the limit", NULL, 65536, 1, 200, NULL },
	{ "no length: one byte more", NULL, 65537, 1, 413,
	    "{\"detail\":\"Request body too large\"}" },
};

START_TEST(test_content_length)
{
	const char	*params[3] = { "REQUEST_METHOD=POST", NULL, NULL };
	struct wire	 w = { NULL, 0, 0 };
	struct answer	 a;
	char		 cl[64], *body;
	int		 fd;

	if (cl_cases[_i].cl != NULL) {
		(void)snprintf(cl, sizeof(cl), "CONTENT_LENGTH=%s",
		    cl_cases[_i].cl);
		params[1] = cl;
	}
	ck_assert((body = malloc(cl_cases[_i].len + 1)) != NULL);
	memset(body, 'a', cl_cases[_i].len);
	server_start(&srv, 0, relaxed_env);
	wire_begin(&w, 0);
	wire_params(&w, params);
	if (cl_cases[_i].len > 0)
		wire_stdin(&w, body, cl_cases[_i].len);
	if (cl_cases[_i].end)
		wire_stdin(&w, NULL, 0);
	fd = server_connect(&srv, NULL);
	/* The server may answer, and close, before reading it all. */
	(void)send_all(fd, w.p, w.len);
	ck_assert_msg(read_answer(fd, WAIT_MS, &a) == 1, "%s: no answer",
	    cl_cases[_i].name);
	ck_assert_msg(a.status == cl_cases[_i].status, "%s: %s",
	    cl_cases[_i].name, a.out);
	if (cl_cases[_i].want != NULL)
		ck_assert_str_eq(body_of(&a), cl_cases[_i].want);
	else
		ck_assert_msg(strstr(body_of(&a), "\"len\":") != NULL &&
		    atoi(strstr(body_of(&a), "\"len\":") + 6) ==
		    (int)cl_cases[_i].len, "%s: %s", cl_cases[_i].name,
		    body_of(&a));
	(void)close(fd);
	wire_free(&w);
	free(body);
	expect_served(&srv, cl_cases[_i].name);
}
END_TEST

/* REQUEST_READ_TIMEOUT_SEC is checked at start, like the rest. */
static const struct {
	const char	*value;
	int		 ok;
} timeout_cases[] = {
	{ "1", 1 }, { "600", 1 }, { "", 1 }, { "0", 0 }, { "601", 0 },
	{ "-1", 0 }, { "abc", 0 }, { "1.5", 0 }, { " 1", 0 }, { "5s", 0 },
	{ "99999999999999999999", 0 },
};

START_TEST(test_timeout_setting)
{
	char		 env0[64], log[4096];
	const char	*env[2] = { env0, NULL };
	int		 r;

	(void)snprintf(env0, sizeof(env0), "REQUEST_READ_TIMEOUT_SEC=%s",
	    timeout_cases[_i].value);
	server_start(&srv, 0, env);
	if (timeout_cases[_i].ok) {
		expect_served(&srv, timeout_cases[_i].value);
		return;
	}
	r = server_wait(&srv, WAIT_MS);
	ck_assert_msg(r == 1, "REQUEST_READ_TIMEOUT_SEC=\"%s\": exit %d",
	    timeout_cases[_i].value, r);
	/* One line, after the time stamp. */
	(void)errlog_text(&srv, log, sizeof(log));
	ck_assert_str_eq(log + strcspn(log, " ") + 1, "check_fcgi_loop: "
	    "REQUEST_READ_TIMEOUT_SEC must be a whole number of seconds from "
	    "1 to 600\n");
}
END_TEST

/*
 * FCGI_WEB_SERVER_ADDRS, which libfcgi honours: only those addresses
 * may connect over TCP.  127.0.0.2 is loopback too, so both ends run
 * here.
 */
START_TEST(test_web_server_addrs)
{
	static const char *const env[] = { "REQUEST_READ_TIMEOUT_SEC=1",
	    "FCGI_WEB_SERVER_ADDRS=127.0.0.2,::1", NULL };
	static const char *const bad[] = {
	    "FCGI_WEB_SERVER_ADDRS=127.0.0.1,localhost", NULL };
	static const char *const params[] = { "REQUEST_METHOD=GET", NULL };
	struct wire	 w = { NULL, 0, 0 };
	struct answer	 a;
	char		 log[4096];
	int		 fd;

	server_start(&srv, 1, env);
	wire_begin(&w, 0);
	wire_params(&w, params);
	wire_stdin(&w, NULL, 0);
	fd = server_connect(&srv, "127.0.0.1");
	(void)send_all(fd, w.p, w.len);
	ck_assert_msg(read_answer(fd, WAIT_MS, &a) == 0,
	    "127.0.0.1, not listed: %s", a.out);
	(void)close(fd);
	fd = server_connect(&srv, "127.0.0.2");
	ck_assert(send_all(fd, w.p, w.len) == 0);
	ck_assert_int_eq(read_answer(fd, WAIT_MS, &a), 1);
	ck_assert_int_eq(a.status, 200);
	(void)close(fd);
	server_stop(&srv);

	/* A list with a name in it is a mistake, said at start. */
	server_start(&srv, 1, bad);
	ck_assert_int_eq(server_wait(&srv, WAIT_MS), 1);
	ck_assert_msg(strstr(errlog_text(&srv, log, sizeof(log)),
	    "FCGI_WEB_SERVER_ADDRS: \"localhost\" is not an IP address") !=
	    NULL, "stderr: %s", log);
	wire_free(&w);
}
END_TEST

/*
 * FCGI_LOOP_NO_STDIN (authorize.fcgi): whatever CONTENT_LENGTH says, and
 * whatever stdin brings (nothing at all, as lighttpd and Apache send an
 * authorizer; the empty record of nginx and Caddy; a body, as lighttpd
 * 1.4.69 may over HTTP/2), the request is answered at once with no body,
 * never 400, 408 or 413, and the connection is closed after it, even
 * one the server asked to keep.  The deadline is far off: reading would
 * leave the request unanswered for longer than the test waits.
 */
static const struct {
	const char	*name;
	const char	*cl;
	const char	*body;		/* NULL: no STDIN record at all */
	int		 keep;
} no_stdin_cases[] = {
	{ "no stdin record, CONTENT_LENGTH=11", "11", NULL, 0 },
	{ "an empty stdin record, CONTENT_LENGTH=11", "11", "", 0 },
	{ "the 11-byte body itself", "11", "hello world", 0 },
	{ "a length over the limit", "99999999", NULL, 0 },
	{ "a broken length", "12abc", NULL, 0 },
	{ "no length, no stdin", NULL, NULL, 0 },
	{ "kept connection, empty stdin record", "11", "", 1 },
	{ "kept connection, no stdin record", "11", NULL, 1 },
};

START_TEST(test_no_stdin)
{
	static const char *const env[] = { "REQUEST_READ_TIMEOUT_SEC=60",
	    NULL };
	const char	*params[4] = { "REQUEST_METHOD=POST",
	    "HTTP_X_TEST=authorizer", NULL, NULL };
	struct wire	 w = { NULL, 0, 0 };
	struct answer	 a;
	struct pollfd	 pfd;
	char		 cl[64], c;
	int		 fd;

	if (no_stdin_cases[_i].cl != NULL) {
		(void)snprintf(cl, sizeof(cl), "CONTENT_LENGTH=%s",
		    no_stdin_cases[_i].cl);
		params[2] = cl;
	}
	loop_flags = FCGI_LOOP_NO_STDIN;
	server_start(&srv, 0, env);
	wire_begin(&w, no_stdin_cases[_i].keep ? FCGI_KEEP_CONN : 0);
	wire_params(&w, params);
	if (no_stdin_cases[_i].body != NULL) {
		wire_stdin(&w, no_stdin_cases[_i].body,
		    strlen(no_stdin_cases[_i].body));
		if (no_stdin_cases[_i].body[0] != '\0')
			wire_stdin(&w, NULL, 0);
	}
	fd = server_connect(&srv, NULL);
	ck_assert(send_all(fd, w.p, w.len) == 0);
	ck_assert_msg(read_answer(fd, WAIT_MS, &a) == 1, "%s: no answer in "
	    "%d s", no_stdin_cases[_i].name, WAIT_MS / 1000);
	ck_assert_msg(a.status == 200, "%s: %s", no_stdin_cases[_i].name,
	    a.out);
	ck_assert_str_eq(body_of(&a), "{\"method\":\"POST\",\"len\":0,"
	    "\"body\":\"\",\"x\":\"authorizer\"}");
	/* Closed after the answer: nothing of this request is left on it. */
	pfd.fd = fd;
	pfd.events = POLLIN;
	ck_assert_msg(poll(&pfd, 1, WAIT_MS) == 1 && recv(fd, &c, 1, 0) == 0,
	    "%s: the connection stays open", no_stdin_cases[_i].name);
	(void)close(fd);
	wire_free(&w);
	/* And the process takes the next connection. */
	ck_assert_msg(exchange(&srv, params, NULL, 0, &a) == 1 &&
	    a.status == 200, "%s: the next request: %s",
	    no_stdin_cases[_i].name, a.out);
}
END_TEST

/*
 * Run as CGI (stdin a pipe, not a socket), it reads the body from stdin
 * under the same deadline: 14 of 30 bytes and a pipe left open get a 408
 * on stdout, and the process ends.
 */
static const struct {
	const char	*name;
	size_t		 sent;
	int		 status;
	int		 flags;
	const char	*len;		/* in the answer's body */
} cgi_cases[] = {
	{ "whole body", 30, 200, 0, "\"len\":30," },
	{ "14 of 30 bytes, then nothing", 14, 408, 0, NULL },
	/* authorize.fcgi: CONTENT_LENGTH=30, and stdin is not read. */
	{ "never read: nothing sent", 0, 200, FCGI_LOOP_NO_STDIN,
	    "\"len\":0," },
	{ "never read: 14 bytes sent", 14, 200, FCGI_LOOP_NO_STDIN,
	    "\"len\":0," },
};

START_TEST(test_cgi)
{
	char		 out[8192];
	int		 in[2], outp[2], devnull;
	size_t		 len = 0;
	ssize_t		 n;
	pid_t		 pid, parent = getpid();
	long long	 end;
	int		 status;

	ck_assert(pipe(in) == 0 && pipe(outp) == 0);
	test_write_users(test_path("users"));
	/*
	 * The body is in the pipe before the process starts: written after,
	 * it could find a process that never reads stdin gone already, and
	 * the write would kill this test with SIGPIPE.
	 */
	if (cgi_cases[_i].sent > 0)
		ck_assert(write(in[1], "username=alice&password=secret",
		    cgi_cases[_i].sent) == (ssize_t)cgi_cases[_i].sent);
	ck_assert((pid = fork()) != -1);
	if (pid == 0) {
		(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent ||
		    (devnull = open("/dev/null", O_WRONLY)) == -1 ||
		    dup2(in[0], 0) == -1 || dup2(outp[1], 1) == -1 ||
		    dup2(devnull, 2) == -1)
			_exit(99);
		(void)close(in[1]);
		(void)close(outp[0]);
		(void)setenv("JWT_SECRET", TEST_SECRET_32, 1);
		(void)setenv("USERS_FILE", test_path("users"), 1);
		(void)setenv("REQUEST_READ_TIMEOUT_SEC", "1", 1);
		(void)setenv("REQUEST_METHOD", "POST", 1);
		(void)setenv("CONTENT_LENGTH", "30", 1);
		_exit(fcgi_loop_run("check_fcgi_loop", echo_handle,
		    cgi_cases[_i].flags));
	}
	srv.pid = pid;		/* killed at teardown if it hangs */
	(void)close(in[0]);
	(void)close(outp[1]);
	/* The pipe stays open: a client that went quiet. */
	end = clock_ms(CLOCK_MONOTONIC) + WAIT_MS;
	while (clock_ms(CLOCK_MONOTONIC) < end) {
		struct pollfd	 pfd = { outp[0], POLLIN, 0 };

		if (poll(&pfd, 1, 100) <= 0)
			continue;
		n = read(outp[0], out + len, sizeof(out) - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	out[len] = '\0';
	ck_assert_msg(len > 0, "%s: no answer on stdout", cgi_cases[_i].name);
	ck_assert_msg(strncmp(out, "Status: ", 8) == 0 &&
	    atoi(out + 8) == cgi_cases[_i].status, "%s: %s",
	    cgi_cases[_i].name, out);
	if (cgi_cases[_i].len != NULL)
		ck_assert_msg(strstr(out, cgi_cases[_i].len) != NULL, "%s: %s",
		    cgi_cases[_i].name, out);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	srv.pid = 0;
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	(void)close(in[1]);
	(void)close(outp[0]);
}
END_TEST

static Suite *
fcgi_loop_suite(void)
{
	Suite	*s = suite_create("fcgi_loop");
	TCase	*tc;

	tc = tcase_create("serve");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_serve);
	tcase_add_test(tc, test_clock);
	tcase_add_test(tc, test_pieces);
	tcase_add_loop_test(tc, test_content_length, 0, ARRAY_SIZE(cl_cases));
	tcase_add_test(tc, test_keep_conn_idle);
	tcase_add_loop_test(tc, test_no_stdin, 0, ARRAY_SIZE(no_stdin_cases));
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	tc = tcase_create("deadline");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_stalled_body);
	tcase_add_test(tc, test_trickle);
	tcase_add_test(tc, test_stalled_params);
	tcase_add_test(tc, test_silent);
	tcase_add_test(tc, test_trickle_after_answer);
	tcase_add_loop_test(tc, test_cgi, 0, ARRAY_SIZE(cgi_cases));
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	tc = tcase_create("signals");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_stop_idle, 0, ARRAY_SIZE(stop_signals));
	tcase_add_test(tc, test_sigterm_arriving);
	tcase_add_test(tc, test_sigterm_stalled);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	tc = tcase_create("config");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_timeout_setting, 0,
	    ARRAY_SIZE(timeout_cases));
	tcase_add_test(tc, test_web_server_addrs);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(fcgi_loop_suite)
