/* fcgi_loop.h -- the thin shell: FastCGI or plain-CGI requests -> a handler */
#ifndef FCGI_AUTH_FCGI_LOOP_H
#define FCGI_AUTH_FCGI_LOOP_H

#include "app.h"
#include "http.h"

/*
 * An endpoint: a function of the app and one request.  It always fills
 * resp, and out with what the log line should say (the user, the
 * reason); -1 means it failed inside and resp holds a 500.  app is the
 * process's own state, which a request may change (see app.h).
 */
typedef int fcgi_handler_fn(struct app *app, const struct http_request *req,
    struct http_response *resp, struct http_outcome *out);

/*
 * How long a request may take to arrive, from its first byte (a new
 * connection, or data on a kept one) to its body's last:
 * REQUEST_READ_TIMEOUT_SEC, 1 to FCGI_LOOP_READ_TIMEOUT_SEC_MAX.
 */
#define FCGI_LOOP_READ_TIMEOUT_SEC	5
#define FCGI_LOOP_READ_TIMEOUT_SEC_MAX	600

/*
 * Serve requests with handler until the server stops us.  Under FastCGI
 * (stdin is a listening socket) a bad configuration exits 1 at start with
 * one line on stderr, and SIGTERM ends the loop after the current request.
 * A request not in by the deadline is answered 408 (its parameters were
 * in) or dropped (they were not), with one log line; so is a CGI body.
 * Run from a shell or as CGI, it answers the one request in the
 * environment, a bad configuration as 500 {"detail":"Server
 * misconfigured"}.  Returns main()'s exit status.
 */
int	fcgi_loop_run(const char *progname, fcgi_handler_fn *handler,
	    int flags);

/*
 * flags: look at the users file before every request, not at most every
 * USERS_CHECK_INTERVAL_MS.  The login endpoint does: a token it issues
 * must carry the version the file has now, or a login just after a
 * revoke would get a token the other endpoints, which saw the revoke
 * first, refuse.  A stat(2) costs nothing next to a password hash.
 */
#define FCGI_LOOP_USERS_EVERY_REQUEST	0x1
/*
 * flags: the policy file (app.h): read it if there is one (login, for
 * the scopes it grants), or it is needed (authorize).
 */
#define FCGI_LOOP_POLICY_IF_ANY		0x2
#define FCGI_LOOP_POLICY		0x4
/*
 * flags: never read a body, whatever CONTENT_LENGTH says, and close each
 * connection after its answer.  An authorizer is sent none: lighttpd and
 * Apache send it no stdin at all (a read would wait for ever, or until
 * Apache gives up), nginx and Caddy an empty one with the client's
 * CONTENT_LENGTH, and lighttpd 1.4.69 may send an HTTP/2 client's body.
 * What comes is left unread (libfcgi drains it as it closes), and the
 * connection is not kept: its next request would find it first.
 */
#define FCGI_LOOP_NO_STDIN		0x8
/*
 * flags: the endpoint mints tokens (login, refresh): with a key pair
 * (JWT_ALG ES*, RS*) it loads JWT_PRIVATE_KEY_FILE (keys_load's
 * KEYS_SIGN); no other endpoint ever reads the private key.
 */
#define FCGI_LOOP_SIGNS			0x10
/*
 * flags: a bad configuration (an unreadable users file, a bad secret) is
 * not fatal: the process starts anyway, hands the handler a NULL app and
 * tries again, at most once a second, before a request.  The health
 * check does, so that it can say 503 where every other endpoint would
 * not start.
 */
#define FCGI_LOOP_HEALTH		0x20

#endif /* FCGI_AUTH_FCGI_LOOP_H */
