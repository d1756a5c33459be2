#!/usr/bin/python3
"""fcgi_checks.py -- the endpoints as FastCGI processes, with no web server.

  fcgi_checks.py BINDIR WORKDIR SECRET_FILE USERS_FILE

Starts each process as lighttpd or spawn-fcgi does (a listening unix socket
as its stdin), speaks FastCGI to it directly, and checks what no HTTP
client can see: how it starts, stops and survives.  WORKDIR is a private
directory for the sockets and stderr files.  Output like contract.py's;
exit status 0 if every check passed.  Standard library only.
"""

import os
import signal
import socket
import subprocess
import sys
import time
import traceback

import fcgi_wire
from fcgi_wire import STDIN, body_records, record, request_head, status_of

PASS_ENV = ("PATH", "ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS")


class CheckFailed(Exception):
    pass


def expect(what, expected, got):
    if expected != got:
        raise CheckFailed("%s\n    expected: %r\n         got: %r" %
                          (what, expected, got))


def read_response(sock, timeout=10):
    """(stdout bytes, stderr bytes) up to END_REQUEST."""
    try:
        out, err, _ = fcgi_wire.read_response(sock, timeout)
    except EOFError as e:
        raise CheckFailed(str(e))
    return out, err


class Proc:
    """One endpoint process on its own listening unix socket."""

    def __init__(self, ctx, name, env):
        self.sockpath = os.path.join(ctx.workdir, "%s-%d.sock" %
                                     (name, ctx.next_id()))
        self.errpath = self.sockpath + ".stderr"
        lsock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        lsock.bind(self.sockpath)
        lsock.listen(64)
        with open(self.errpath, "wb") as err:
            self.p = subprocess.Popen(
                [os.path.join(ctx.bindir, name + ".fcgi")],
                stdin=lsock.fileno(), stdout=subprocess.DEVNULL, stderr=err,
                env=env, close_fds=True)
        lsock.close()

    def connect(self):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(self.sockpath)
        return s

    def exchange(self, env, body=b""):
        s = self.connect()
        try:
            s.sendall(request_head(env) + body_records(body))
            return read_response(s)
        finally:
            s.close()

    def stderr(self):
        with open(self.errpath, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def stop(self):
        if self.p.poll() is None:
            self.p.kill()
            self.p.wait()


class Ctx:
    def __init__(self, bindir, workdir, secret_file, users_file):
        self.bindir, self.workdir = bindir, workdir
        self.base_env = {k: os.environ[k] for k in PASS_ENV
                         if k in os.environ}
        self.good_env = dict(self.base_env, JWT_SECRET_FILE=secret_file,
                             USERS_FILE=users_file)
        self.users_file = users_file
        self.procs = []
        self.ids = 0

    def next_id(self):
        self.ids += 1
        return self.ids

    def start(self, name, env=None):
        p = Proc(self, name, env if env is not None else self.good_env)
        self.procs.append(p)
        return p

    def cleanup(self):
        for p in self.procs:
            p.stop()


GET_ME = {"REQUEST_METHOD": "GET", "SCRIPT_NAME": "/me",
          "REQUEST_URI": "/me", "SERVER_PROTOCOL": "HTTP/1.1",
          "REMOTE_ADDR": "127.0.0.1", "CONTENT_LENGTH": "0"}
LOGIN_BODY = b"username=alice&password=alicepass"
LOGIN = {"REQUEST_METHOD": "POST", "SCRIPT_NAME": "/auth/login",
         "REQUEST_URI": "/auth/login", "SERVER_PROTOCOL": "HTTP/1.1",
         "REMOTE_ADDR": "127.0.0.1",
         "CONTENT_TYPE": "application/x-www-form-urlencoded",
         "CONTENT_LENGTH": str(len(LOGIN_BODY))}

CHECKS = []


def check(name):
    def register(fn):
        CHECKS.append((name, fn))
        return fn
    return register


@check("fcgi.bad_secret_refuses_start")
def _(ctx):
    short = "short-secret-31-bytes-long-xxxx"
    cases = [("no secret", dict(ctx.base_env, USERS_FILE=ctx.users_file)),
             ("31-byte JWT_SECRET", dict(ctx.base_env, JWT_SECRET=short,
                                         USERS_FILE=ctx.users_file))]
    for name in ("me", "login"):
        for what, env in cases:
            p = ctx.start(name, env)
            try:
                code = p.p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                raise CheckFailed("%s.fcgi, %s: still running after 5 s" %
                                  (name, what))
            expect("%s.fcgi, %s: exit status" % (name, what), 1, code)
            lines = p.stderr().splitlines()
            expect("%s.fcgi, %s: lines on stderr" % (name, what), 1,
                   len(lines))
            if "secret" not in lines[0].lower():
                raise CheckFailed("%s.fcgi, %s: stderr does not say what "
                                  "is wrong: %r" % (name, what, lines[0]))
            if short in lines[0]:
                raise CheckFailed("the secret is in the log: %r" % lines[0])


@check("fcgi.answers_and_logs_on_stderr_stream")
def _(ctx):
    p = ctx.start("me")
    out, err = p.exchange(GET_ME)
    expect("status", "401 Unauthorized", status_of(out))
    if not out.endswith(b'{"detail":"Not authenticated"}'):
        raise CheckFailed("body: %r" % out)
    # The refusal's log line travels on the FastCGI stderr stream, where
    # the web server logs it (plain stderr is often /dev/null).
    err = err.decode("utf-8", "replace")
    expect("log lines on the FastCGI stderr stream", 1,
           len(err.splitlines()))
    if 'me.fcgi: 401 "Not authenticated"' not in err:
        raise CheckFailed("log line: %r" % err)


@check("fcgi.client_gone_mid_response")
def _(ctx):
    p = ctx.start("login")
    pid = p.p.pid
    # Each login spends a password hash, so the client is long gone
    # when the answer is written: the write fails with EPIPE.
    for _ in range(20):
        s = p.connect()
        s.sendall(request_head(LOGIN) + body_records(LOGIN_BODY))
        s.close()
    out, _ = p.exchange(LOGIN, LOGIN_BODY)
    expect("status after 20 clients left early", "200 OK", status_of(out))
    expect("process still running", None, p.p.poll())
    expect("same process", pid, p.p.pid)
    # And a client that leaves halfway through sending the body.
    s = p.connect()
    s.sendall(request_head(LOGIN) + record(STDIN, LOGIN_BODY[:5]))
    s.close()
    out, _ = p.exchange(LOGIN, LOGIN_BODY)
    expect("status after a client left mid-body", "200 OK", status_of(out))
    expect("process still running", None, p.p.poll())


@check("fcgi.sigterm_when_idle")
def _(ctx):
    p = ctx.start("me")
    out, _ = p.exchange(GET_ME)
    expect("status", "401 Unauthorized", status_of(out))
    t0 = time.monotonic()
    p.p.send_signal(signal.SIGTERM)
    try:
        code = p.p.wait(timeout=2)
    except subprocess.TimeoutExpired:
        raise CheckFailed("still running 2 s after SIGTERM")
    expect("exit status after SIGTERM", 0, code)
    print("#   exited %.3f s after SIGTERM" % (time.monotonic() - t0))


def sigterm_mid_request(ctx, first, rest, state):
    """Send a login's first bytes, SIGTERM, then the rest: the process
    must stay up (state says where it is), answer, then exit 0."""
    p = ctx.start("login")
    s = p.connect()
    try:
        s.sendall(first)
        time.sleep(0.3)
        p.p.send_signal(signal.SIGTERM)
        time.sleep(0.3)
        expect("running while " + state, None, p.p.poll())
        s.sendall(rest)
        out, _ = read_response(s)
    finally:
        s.close()
    expect("the request in progress is answered", "200 OK", status_of(out))
    try:
        code = p.p.wait(timeout=2)
    except subprocess.TimeoutExpired:
        raise CheckFailed("still running 2 s after its last request")
    expect("exit status", 0, code)


@check("fcgi.sigterm_finishes_the_current_request")
def _(ctx):
    # The parameters and half the body: the process is inside the
    # request, waiting for the rest.
    sigterm_mid_request(
        ctx, request_head(LOGIN) + record(STDIN, LOGIN_BODY[:10]),
        record(STDIN, LOGIN_BODY[10:]) + record(STDIN),
        "its request is unfinished")


@check("fcgi.sigterm_while_parameters_are_read")
def _(ctx):
    # libfcgi reads a request's parameters inside the call that accepts
    # it: a SIGTERM there must wait for the request too, not cut it off.
    head = request_head(LOGIN)
    half = len(head) // 2
    sigterm_mid_request(ctx, head[:half],
                        head[half:] + body_records(LOGIN_BODY),
                        "the parameters are half sent")


@check("fcgi.new_user_seen_at_once")
def _(ctx):
    # A token-check process looks at the users file at most every 250 ms;
    # the login endpoint, before every login.  So a user added a moment
    # ago can log in and call /me before /me's process has looked: it
    # must look again before it says "User not found".
    users = os.path.join(ctx.workdir, "users-new-user")
    with open(ctx.users_file) as f:
        lines = f.read().splitlines()
    alice = next(line for line in lines if line.startswith("alice:"))
    with open(users, "w") as f:
        f.write("\n".join(lines) + "\n")
    env = dict(ctx.good_env, USERS_FILE=users)
    me, login = ctx.start("me", env), ctx.start("login", env)
    out, _ = me.exchange(GET_ME)       # loaded, and just looked
    expect("status", "401 Unauthorized", status_of(out))
    zoe = "zoe:" + alice.split(":")[1] + ":admin"
    with open(users + ".new", "w") as f:
        f.write("\n".join(lines + [zoe]) + "\n")
    os.rename(users + ".new", users)
    body = b"username=zoe&password=alicepass"
    out, _ = login.exchange(dict(LOGIN, CONTENT_LENGTH=str(len(body))), body)
    expect("zoe's login", "200 OK", status_of(out))
    token = body_of(out).split(b'"access_token":"')[1].split(b'"')[0]
    out, _ = me.exchange(dict(GET_ME, HTTP_AUTHORIZATION="Bearer " +
                              token.decode()))
    expect("zoe's /me at once", "200 OK", status_of(out))
    expect("body", b'{"username":"zoe","role":"admin"}', body_of(out))


@check("fcgi.body_without_content_length")
def _(ctx):
    # A proxy may pass a chunked body on with no CONTENT_LENGTH
    # (mod_proxy_fcgi does): the stdin stream's end is the body's end.
    p = ctx.start("login")
    env = {k: v for k, v in LOGIN.items() if k != "CONTENT_LENGTH"}
    # Sent in three records, as a proxy relaying chunks would.
    s = p.connect()
    try:
        s.sendall(request_head(env) + record(STDIN, LOGIN_BODY[:7]) +
                  record(STDIN, LOGIN_BODY[7:20]) +
                  body_records(LOGIN_BODY[20:]))
        out, _ = read_response(s)
    finally:
        s.close()
    expect("login without CONTENT_LENGTH", "200 OK", status_of(out))
    # Exactly the limit is read; one byte more is 413, and the process
    # goes on serving.
    limit = 64 * 1024
    body = LOGIN_BODY + b"&x=" + b"y" * (limit - len(LOGIN_BODY) - 3)
    chunks = b"".join(record(STDIN, body[i:i + 32768])
                      for i in range(0, len(body), 32768))
    for extra, want in ((b"", "200 OK"),
                        (b"z", "413 Payload Too Large")):
        s = p.connect()
        try:
            s.sendall(request_head(env) + chunks +
                      (record(STDIN, extra) if extra else b"") +
                      record(STDIN))
            out, _ = read_response(s)
        finally:
            s.close()
        expect("a body of %d bytes without CONTENT_LENGTH" %
               (len(body) + len(extra)), want, status_of(out))
    expect("process still running", None, p.p.poll())


def body_of(stdout):
    return stdout.split(b"\r\n\r\n", 1)[-1]


@check("fcgi.stalled_body_answered_at_deadline")
def _(ctx):
    # Finding 3 of the review: BEGIN_REQUEST, parameters with
    # CONTENT_LENGTH=30, 14 bytes of body, then nothing held the (only)
    # login process for ever, and SIGTERM waited for it too.  Now the
    # request gets a JSON 408 at REQUEST_READ_TIMEOUT_SEC, one log line,
    # and the next login is served.
    p = ctx.start("login", dict(ctx.good_env, REQUEST_READ_TIMEOUT_SEC="1"))
    s = p.connect()
    try:
        s.sendall(request_head(dict(LOGIN, CONTENT_LENGTH="30",
                                    REMOTE_ADDR="192.0.2.30")) +
                  record(STDIN, LOGIN_BODY[:14]))
        out, err = read_response(s)
    finally:
        s.close()
    expect("status of a stalled body", "408 Request Timeout", status_of(out))
    expect("body", b'{"detail":"Request Timeout"}', body_of(out))
    err = err.decode("utf-8", "replace")
    if ('login.fcgi: 408 "request not read in time" user=- '
            'addr=192.0.2.30') not in err:
        raise CheckFailed("log line: %r" % err)
    out, _ = p.exchange(LOGIN, LOGIN_BODY)
    expect("the next login on the same process", "200 OK", status_of(out))
    # Stalled again, and told to stop: it exits by the deadline.
    s = p.connect()
    try:
        s.sendall(request_head(dict(LOGIN, CONTENT_LENGTH="30")) +
                  record(STDIN, LOGIN_BODY[:14]))
        time.sleep(0.3)
        p.p.send_signal(signal.SIGTERM)
        try:
            code = p.p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            raise CheckFailed("stalled, still running 10 s after SIGTERM")
    finally:
        s.close()
    expect("exit status", 0, code)


@check("fcgi.stalled_parameters_dropped_at_deadline")
def _(ctx):
    # Parameters that stop halfway: there is no request to answer, so
    # the connection is closed, and the process goes on.
    p = ctx.start("me", dict(ctx.good_env, REQUEST_READ_TIMEOUT_SEC="1"))
    head = request_head(GET_ME)
    s = p.connect()
    try:
        s.sendall(head[:len(head) // 2])
        s.settimeout(10)
        try:
            got = s.recv(4096)
        except socket.timeout:
            raise CheckFailed("half the parameters: still open after 10 s")
    finally:
        s.close()
    expect("bytes before the connection closed", b"", got)
    out, _ = p.exchange(GET_ME)
    expect("the next request", "401 Unauthorized", status_of(out))
    if "no whole request within 1 s: connection dropped" not in p.stderr():
        raise CheckFailed("stderr: %r" % p.stderr())


# CONTENT_LENGTH as a server might pass it, right or wrong, with the body
# it then sends: (name, CONTENT_LENGTH, body, status, JSON body, log line).
# RFC 3875 4.1.2 makes it 1*digit: no sign, base or blank is a length.  A
# token's JSON differs each time: for a 200 only its start is compared.
N = len(LOGIN_BODY)
CONTENT_LENGTH_CASES = [
    # All digits but beyond a long: too big to count, not malformed; 413
    # at once, without reading the body.
    ("overflow", "99999999999999999999", LOGIN_BODY,
     "413 Payload Too Large", b'{"detail":"Request body too large"}',
     '413 "body too large"'),
    # A script reads no more than CONTENT_LENGTH (RFC 3875 4.2): the
    # password is "alicepass", not "alicepassXYZ", so the login works.
    ("body_longer", str(N), LOGIN_BODY + b"XYZ", "200 OK",
     b'{"access_token":"', '200 "login" user=alice'),
    # The stream ends first: refused, not taken as a shorter body.
    ("body_shorter", str(N + 1), LOGIN_BODY, "400 Bad Request",
     b'{"detail":"Incomplete request body"}',
     '400 "body shorter than CONTENT_LENGTH"'),
    # strtol(3) reads 5, 0, 5 and -1 from these; none is a length.
    ("plus_sign", "+5", LOGIN_BODY[:5], "400 Bad Request",
     b'{"detail":"Invalid Content-Length"}', '400 "invalid CONTENT_LENGTH"'),
    ("hex", "0x10", LOGIN_BODY[:16], "400 Bad Request",
     b'{"detail":"Invalid Content-Length"}', '400 "invalid CONTENT_LENGTH"'),
    ("leading_blank", " 5", LOGIN_BODY[:5], "400 Bad Request",
     b'{"detail":"Invalid Content-Length"}', '400 "invalid CONTENT_LENGTH"'),
    ("negative", "-1", LOGIN_BODY, "400 Bad Request",
     b'{"detail":"Invalid Content-Length"}', '400 "invalid CONTENT_LENGTH"'),
    # In range as a number, but signed all the same.
    ("minus_zero", "-0", b"", "400 Bad Request",
     b'{"detail":"Invalid Content-Length"}', '400 "invalid CONTENT_LENGTH"'),
]


def content_length_check(cl, body, status, answer, logged):
    def run(ctx):
        p = ctx.start("login")
        out, err = p.exchange(dict(LOGIN, CONTENT_LENGTH=cl), body)
        expect("status for CONTENT_LENGTH %r, %d bytes sent" %
               (cl, len(body)), status, status_of(out))
        if status.startswith("200"):
            if not body_of(out).startswith(answer):
                raise CheckFailed("body: %r" % body_of(out))
        else:
            expect("body", answer, body_of(out))
        err = err.decode("utf-8", "replace")
        if "login.fcgi: %s" % logged not in err:
            raise CheckFailed("log line: %r, want %r" % (err, logged))
        # Whatever was left unread of this request's stream, the next
        # request on the process is answered in full.
        out, _ = p.exchange(LOGIN, LOGIN_BODY)
        expect("the next login on the same process", "200 OK",
               status_of(out))
        expect("process still running", None, p.p.poll())
    return run


for _case in CONTENT_LENGTH_CASES:
    check("fcgi.content_length." + _case[0])(
        content_length_check(*_case[1:]))


def main():
    if len(sys.argv) != 5:
        print(__doc__, file=sys.stderr)
        return 2
    ctx = Ctx(*sys.argv[1:])
    failed = []
    try:
        for i, (name, fn) in enumerate(CHECKS, 1):
            try:
                fn(ctx)
                print("ok %d - %s" % (i, name))
            except CheckFailed as e:
                failed.append(name)
                print("not ok %d - %s\n#   %s" %
                      (i, name, str(e).replace("\n", "\n#   ")))
            except Exception:
                failed.append(name)
                print("not ok %d - %s\n#   %s" % (
                    i, name, traceback.format_exc().rstrip().replace(
                        "\n", "\n#   ")))
            sys.stdout.flush()
    finally:
        ctx.cleanup()
    print("# fcgi: %d checks, %d failed%s" % (
        len(CHECKS), len(failed),
        ": " + ", ".join(failed) if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
