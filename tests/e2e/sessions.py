#!/usr/bin/python3
"""sessions.py -- the session endpoints through a server, for the e2e
scripts (sessions.sh, throttle.sh, store-down.sh); stdlib + PyJWT only.

  sessions.py off URL                 sessions off: the three endpoints
                                      404, login's body as it always was
  sessions.py walkthrough URL SOCKETS README's walkthrough: login, refresh,
                                      /me, logout, then the token refused
                                      by every process (SOCKETS: the /me
                                      pool's sockets, comma-separated)
  sessions.py reuse URL SOCKETS       a rotated refresh token presented
                                      again ends the whole family
  sessions.py revoke URL SOCKETS      /auth/revoke (RFC 7009) with each
                                      kind of token, and without one
  sessions.py errors URL SECRET_FILE the refusals of refresh and logout
                                      through the server (README's rows)
  sessions.py authorizer URL PATH     a file behind authorize.fcgi (PATH):
                                      served to a session's token, refused
                                      once the session is logged out
  sessions.py login URL USER          password on stdin; prints
                                      "SID REFRESH_TOKEN" on success
  sessions.py refresh URL             refresh token on stdin; prints the
                                      status, then the body
  sessions.py throttle URL USER OTHER_ADDR
                                      passwords on stdin, one a line: the
                                      right one, then a wrong one; the
                                      throttling rows of spec 11
  sessions.py prepare URL SOCKETS     for "down": prints a live access token,
                                      its refresh token, and an access
                                      token whose session every process
                                      has seen end, one a line
  sessions.py down URL                store down: each endpoint answers 503
                                      with Retry-After; a live token still
                                      works on /me (tokens on stdin:
                                      live access, live refresh, ended
                                      access, one a line)
  sessions.py two URL_A URL_B SOCKETS_A SOCKETS_B
                                      two hosts on one store: a token
                                      issued by A rotated by B, reuse and
                                      logout seen by every process of both,
                                      failures counted across both, and
                                      one token refreshed on A and B at
                                      once: one 200, one invalid_grant
  sessions.py chains URL_A URL_B N DIR
                                      N clients log in and refresh over and
                                      over, alternating hosts, until
                                      DIR/stop exists; DIR/killed holds the
                                      time (Unix seconds) the store was
                                      killed, DIR/back says it is back;
                                      then every session whose last
                                      request began after the kill, or
                                      never failed, must still refresh,
                                      and so must every session made and
                                      refreshed (200) during the run

Each check prints what it expected and what it got, and exits 1, at the
first difference.  Waits are outcomes with a bound (10 s), never times:
"refused by every process" means every request begun at least a second
after the logout returned (the processes read the ended log at most every
0.5 s) is refused.
"""

import http.client
import json
import os
import socket
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fcgi_wire  # noqa: E402

FORM = "application/x-www-form-urlencoded"
INVALID_GRANT = {"error": "invalid_grant",
                 "error_description":
                 "The refresh token is invalid, expired or revoked"}
INVALID_REQUEST = {"error": "invalid_request",
                   "error_description":
                   "The request is missing a required parameter, includes "
                   "a repeated parameter, or is otherwise malformed"}
UNAVAILABLE = {"error": "temporarily_unavailable",
               "error_description": "The session store is unavailable"}
NOT_FOUND = {"detail": "Not Found"}
REVOKED = {"detail": "Token revoked"}
THROTTLED = {"detail": "Too many failed logins"}
LOGIN_DOWN = {"detail": "Session store unavailable"}
WRONG = {"detail": "Invalid username or password"}


class Fail(Exception):
    pass


def expect(what, want, got, resp=None):
    if want == got:
        return
    msg = "#   %s\n#     expected: %r\n#          got: %r" % (what, want, got)
    if resp is not None:
        msg += "\n#     (%s)" % resp.describe()
    raise Fail(msg)


class Resp:
    def __init__(self, label, status, headers, body):
        self.label, self.status, self.headers, self.body = \
            label, status, headers, body
        try:
            self.json = json.loads(body) if body else None
        except ValueError:
            self.json = None

    def header(self, name):
        return self.headers.get(name.lower())

    def describe(self):
        return "%s: %d %s" % (self.label, self.status,
                              self.body[:200].decode("utf-8", "replace"))


def request(url, method, path, body=None, headers=None, source=None,
            label=None):
    u = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(
        u.hostname, u.port, timeout=30,
        source_address=(source, 0) if source else None)
    h = dict(headers or {})
    if body is not None:
        h.setdefault("Content-Type", FORM)
        body = urllib.parse.urlencode(body).encode() \
            if isinstance(body, (list, dict)) else body
    conn.request(method, path, body=body, headers=h)
    r = conn.getresponse()
    data = r.read()
    conn.close()
    return Resp(label or "%s %s" % (method, path), r.status,
                {k.lower(): v for k, v in r.getheaders()}, data)


def login(url, user, password, source=None):
    return request(url, "POST", "/auth/login",
                   [("username", user), ("password", password)],
                   source=source, label="login %s" % user)


def refresh(url, token, label="refresh"):
    return request(url, "POST", "/auth/refresh",
                   [("grant_type", "refresh_token"),
                    ("refresh_token", token)], label=label)


def bearer(token):
    return {"Authorization": "Bearer " + token}


def me(url, token, label="GET /me"):
    return request(url, "GET", "/me", headers=bearer(token), label=label)


def logout(url, token, fields=None):
    return request(url, "POST", "/auth/logout", fields or b"",
                   headers=bearer(token), label="logout")


def revoke(url, fields, label="revoke"):
    return request(url, "POST", "/auth/revoke", fields, label=label)


def claims(token):
    import jwt
    return jwt.decode(token, options={"verify_signature": False})


def expect_no_store(r):
    expect("%s: Cache-Control" % r.label, "no-store",
           r.header("cache-control"), r)


def expect_answer(r, status, body):
    expect("%s: status" % r.label, status, r.status, r)
    expect("%s: body" % r.label, body, r.json, r)


def expect_tokens(r, old_refresh=None):
    """A 200 with a new access and refresh token (RFC 6749 5.1)."""
    expect("%s: status" % r.label, 200, r.status, r)
    expect_no_store(r)
    keys = sorted(r.json or {})
    expect("%s: body keys" % r.label,
           ["access_token", "expires_in", "refresh_token", "token_type"],
           keys, r)
    expect("%s: token_type" % r.label, "bearer", r.json["token_type"], r)
    expect("%s: expires_in" % r.label, 1800, r.json["expires_in"], r)
    rt = r.json["refresh_token"]
    expect("%s: refresh token length" % r.label, 64, len(rt), r)
    if old_refresh is not None and rt == old_refresh:
        raise Fail("#   %s: the refresh token was not rotated" % r.label)
    c = claims(r.json["access_token"])
    for claim in ("sid", "jti"):
        if not isinstance(c.get(claim), str) or not c[claim]:
            raise Fail("#   %s: no %s claim in %r" % (r.label, claim, c))
    return r.json["access_token"], rt


def fcgi_get_me(sock, token):
    env = {"REQUEST_METHOD": "GET", "SCRIPT_NAME": "/me",
           "REQUEST_URI": "/me", "SERVER_PROTOCOL": "HTTP/1.1",
           "REMOTE_ADDR": "127.0.0.1", "CONTENT_LENGTH": "0",
           "HTTP_AUTHORIZATION": "Bearer " + token}
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.connect(sock)
        s.sendall(fcgi_wire.request_head(env) + fcgi_wire.body_records(b""))
        out, _, _ = fcgi_wire.read_response(s)
    finally:
        s.close()
    status = int(fcgi_wire.status_of(out).split(" ", 1)[0])
    body = out.split(b"\r\n\r\n", 1)[-1]
    return Resp("GET /me on %s" % os.path.basename(sock), status, {}, body)


def expect_revoked_everywhere(url, sockets, token, since):
    """Every request begun a second or more after `since` refuses token:
    2 x the pool through the server, and each process on its socket."""
    wait = since + 1.0 - time.monotonic()
    if wait > 0:
        time.sleep(wait)
    for k in range(2 * max(len(sockets), 1)):
        expect_answer(me(url, token, "GET /me #%d after the end" % k),
                      401, REVOKED)
    for sock in sockets:
        expect_answer(fcgi_get_me(sock, token), 401, REVOKED)


def read_stdin_lines(n):
    lines = [sys.stdin.readline().rstrip("\n") for _ in range(n)]
    if any(not x for x in lines):
        raise Fail("#   %d lines expected on stdin" % n)
    return lines


# --- the commands ---------------------------------------------------------

def cmd_off(argv):
    url = argv[0]
    r = login(url, "alice", "alicepass")
    expect("login: status", 200, r.status, r)
    expect("login: body keys with sessions off",
           ["access_token", "token_type"], sorted(r.json or {}), r)
    if "sid" in claims(r.json["access_token"]):
        raise Fail("#   a sid in a token minted with sessions off")
    token = r.json["access_token"]
    for path, fields, h in (
            ("/auth/refresh", [("grant_type", "refresh_token"),
                               ("refresh_token", "x" * 64)], {}),
            ("/auth/logout", b"", bearer(token)),
            ("/auth/revoke", [("token", token)], {})):
        expect_answer(request(url, "POST", path, fields, headers=h),
                      404, NOT_FOUND)
    return 0


def cmd_walkthrough(argv):
    url, sockets = argv[0], [s for s in argv[1].split(",") if s]
    r = login(url, "alice", "alicepass")
    access, rt = expect_tokens(r)
    expect_answer(me(url, access), 200, {"username": "alice",
                                         "role": "admin"})
    r = refresh(url, rt)
    access2, rt2 = expect_tokens(r, rt)
    expect("the session across a refresh", claims(access)["sid"],
           claims(access2)["sid"], r)
    expect_answer(me(url, access2, "GET /me, the refreshed token"), 200,
                  {"username": "alice", "role": "admin"})
    r = logout(url, access2)
    expect("logout: status", 204, r.status, r)
    expect("logout: body", b"", r.body, r)
    expect_no_store(r)
    ended = time.monotonic()
    expect_revoked_everywhere(url, sockets, access2, ended)
    # The first access token of the session, too: it is the session that
    # ended.
    expect_answer(me(url, access, "GET /me, the first token"), 401,
                  REVOKED)
    expect_answer(refresh(url, rt2, "refresh after logout"), 400,
                  INVALID_GRANT)
    # Logging out again: the session is gone, the answer the same.
    expect("logout again: status", 401,
           logout(url, access2).status)
    return 0


def cmd_reuse(argv):
    url, sockets = argv[0], [s for s in argv[1].split(",") if s]
    access0, rt0 = expect_tokens(login(url, "bob", "bobpass"))
    access1, rt1 = expect_tokens(refresh(url, rt0, "first refresh"), rt0)
    r = refresh(url, rt0, "the rotated token again")
    expect_answer(r, 400, INVALID_GRANT)
    expect_no_store(r)
    ended = time.monotonic()
    # The family ended: the newest refresh token, and every access token.
    expect_answer(refresh(url, rt1, "the newest token after a reuse"), 400,
                  INVALID_GRANT)
    expect_revoked_everywhere(url, sockets, access1, ended)
    expect_answer(me(url, access0, "GET /me, the first token"), 401,
                  REVOKED)
    # A guess for a live session (its sid is public) ends nothing.
    a, t = expect_tokens(login(url, "bob", "bobpass"))
    import base64
    raw = base64.urlsafe_b64decode(t + "=" * (-len(t) % 4))
    guess = base64.urlsafe_b64encode(raw[:16] + bytes(32)).rstrip(b"=")
    expect_answer(refresh(url, guess.decode(), "a guessed secret"), 400,
                  INVALID_GRANT)
    expect_tokens(refresh(url, t, "the real one after a guess"), t)
    return 0


def cmd_revoke(argv):
    url, sockets = argv[0], [s for s in argv[1].split(",") if s]
    # A refresh token, hinted: 200, empty; the session ended.
    a, t = expect_tokens(login(url, "erin", "erinpass"))
    r = revoke(url, [("token", t), ("token_type_hint", "refresh_token")])
    expect("revoke a refresh token: status", 200, r.status, r)
    expect("revoke a refresh token: body", b"", r.body, r)
    expect_no_store(r)
    ended = time.monotonic()
    expect_answer(refresh(url, t, "refresh after revoke"), 400,
                  INVALID_GRANT)
    expect_revoked_everywhere(url, sockets, a, ended)
    # An access token, hinted wrong: its session ends.
    a, t = expect_tokens(login(url, "erin", "erinpass"))
    r = revoke(url, [("token", a), ("token_type_hint", "refresh_token")])
    expect("revoke an access token: status", 200, r.status, r)
    ended = time.monotonic()
    expect_answer(refresh(url, t, "refresh after its access token was "
                          "revoked"), 400, INVALID_GRANT)
    expect_revoked_everywhere(url, sockets, a, ended)
    # Unknown, garbage, already revoked: 200 all the same (RFC 7009 2.2).
    for label, tok in (("garbage", "not-a-token"), ("revoked again", t),
                       ("64 characters", "A" * 64)):
        r = revoke(url, [("token", tok)], "revoke %s" % label)
        expect("revoke %s: status" % label, 200, r.status, r)
    # No token, or two: invalid_request.
    expect_answer(revoke(url, [("token_type_hint", "refresh_token")],
                         "revoke without a token"), 400, INVALID_REQUEST)
    expect_answer(revoke(url, [("token", "a"), ("token", "b")],
                         "revoke with two tokens"), 400, INVALID_REQUEST)
    return 0


def cmd_errors(argv):
    url, secret_file = argv[0], argv[1]
    _, rt = expect_tokens(login(url, "alice", "alicepass"))
    rows = (
        ("no grant_type", [("refresh_token", rt)], 400, INVALID_REQUEST),
        ("no refresh_token", [("grant_type", "refresh_token")], 400,
         INVALID_REQUEST),
        ("refresh_token twice", [("grant_type", "refresh_token"),
                                 ("refresh_token", rt),
                                 ("refresh_token", rt)], 400,
         INVALID_REQUEST),
        ("grant_type password", [("grant_type", "password"),
                                 ("refresh_token", rt)], 400,
         {"error": "unsupported_grant_type",
          "error_description":
          "The authorization grant type is not supported"}),
        ("a malformed token", [("grant_type", "refresh_token"),
                               ("refresh_token", rt[:-1])], 400,
         INVALID_GRANT),
    )
    for label, fields, status, body in rows:
        r = request(url, "POST", "/auth/refresh", fields,
                    label="refresh, %s" % label)
        expect_answer(r, status, body)
        expect_no_store(r)
    # JSON, not a form: no fields at all.
    r = request(url, "POST", "/auth/refresh", b'{"grant_type":1}',
                headers={"Content-Type": "application/json"},
                label="refresh, a JSON body")
    expect_answer(r, 400, INVALID_REQUEST)
    r = request(url, "GET", "/auth/refresh", label="GET /auth/refresh")
    expect_answer(r, 405, {"detail": "Method Not Allowed"})
    expect("GET /auth/refresh: Allow", "POST", r.header("allow"), r)
    # None of them used the token up.
    expect_tokens(refresh(url, rt, "refresh after the refusals"), rt)
    # Logout: no token; a token without a session (sessions were off
    # when it was minted, or another issuer's).
    expect_answer(request(url, "POST", "/auth/logout", b"",
                          label="logout without a token"), 401,
                  {"detail": "Not authenticated"})
    import jwt
    with open(secret_file, "rb") as f:
        secret = f.read().rstrip(b"\r\n")
    now = int(time.time())
    plain = jwt.encode({"sub": "bob", "role": "user", "iat": now,
                        "exp": now + 600}, secret, algorithm="HS256")
    r = logout(url, plain)
    expect_answer(r, 400, {"detail": "This token has no session to end"})
    expect_no_store(r)
    return 0


def cmd_authorizer(argv):
    url, path = argv[0], argv[1]
    access, _ = expect_tokens(login(url, "bob", "bobpass"))
    r = request(url, "GET", path, headers=bearer(access),
                label="GET %s, a live session" % path)
    expect("%s: status" % r.label, 200, r.status, r)
    r = logout(url, access)
    expect("logout: status", 204, r.status, r)
    time.sleep(1.0)
    for k in range(4):
        r = request(url, "GET", path, headers=bearer(access),
                    label="GET %s #%d after the logout" % (path, k))
        expect_answer(r, 401, REVOKED)
    return 0


def cmd_login(argv):
    url, user = argv[0], argv[1]
    password = sys.stdin.readline().rstrip("\n")
    access, rt = expect_tokens(login(url, user, password))
    print(claims(access)["sid"], rt)
    return 0


def cmd_refresh(argv):
    r = refresh(argv[0], sys.stdin.readline().rstrip("\n"))
    print(r.status)
    print(json.dumps(r.json, separators=(",", ":")) if r.json is not None
          else r.body.decode("utf-8", "replace"))
    return 0


def expect_throttled(r):
    expect_answer(r, 429, THROTTLED)
    ra = r.header("retry-after") or ""
    if not ra.isdigit() or int(ra) < 1:
        raise Fail("#   %s: Retry-After %r is no positive number (%s)" %
                   (r.label, ra, r.describe()))
    return int(ra)


def cmd_throttle(argv):
    url, user, other = argv[0], argv[1], argv[2]
    right, wrong = read_stdin_lines(2)
    answers = []
    for name in (user, "nosuch-%d" % os.getpid()):
        got = []
        for k in range(5):
            r = login(url, name, wrong)
            expect_answer(r, 401, WRONG)
            got.append(r.status)
        ra = expect_throttled(login(url, name, wrong))
        answers.append((got, ra))
    # An unknown account answers as a real one (the bodies were checked
    # above; the delays may differ by the second that passed).
    expect("an unknown user's statuses", answers[0][0], answers[1][0])
    # The right password from the throttled address: refused as well.
    expect_throttled(login(url, user, right))
    # From another address, which has no failures: the owner logs in.
    r = login(url, user, right, source=other)
    expect("login from %s: status" % other, 200, r.status, r)
    return 0


def cmd_prepare(argv):
    url, sockets = argv[0], [s for s in argv[1].split(",") if s]
    live, live_rt = expect_tokens(login(url, "alice", "alicepass"))
    ended, _ = expect_tokens(login(url, "bob", "bobpass"))
    r = logout(url, ended)
    expect("logout: status", 204, r.status, r)
    expect_revoked_everywhere(url, sockets, ended, time.monotonic())
    print(live)
    print(live_rt)
    print(ended)
    return 0


def cmd_down(argv):
    url = argv[0]
    live_access, live_refresh, ended_access = read_stdin_lines(3)
    answers = (
        (login(url, "alice", "alicepass"), LOGIN_DOWN),
        (refresh(url, live_refresh, "refresh, store down"), UNAVAILABLE),
        (logout(url, live_access), UNAVAILABLE),
        (revoke(url, [("token", live_refresh)], "revoke, store down"),
         UNAVAILABLE))
    for r, body in answers:
        expect_answer(r, 503, body)
        expect("%s: Retry-After" % r.label, "5", r.header("retry-after"), r)
        expect_no_store(r)
    # Token checks answer from what each process has.
    expect_answer(me(url, live_access, "GET /me, live token, store down"),
                  200, {"username": claims(live_access)["sub"],
                        "role": claims(live_access)["role"]})
    expect_answer(me(url, ended_access, "GET /me, ended token, store down"),
                  401, REVOKED)
    return 0


def two_race(a, b, socks_a, socks_b):
    """One refresh token sent to A and to B at the same moment: exactly
    one wins (200); the other is a reuse (400 invalid_grant), which ends
    the family, the winner's new tokens with it.  A few rounds, each
    session made on one host or the other."""
    import threading
    for k in range(6):
        access, rt = expect_tokens(login((a, b)[k % 2], "alice",
                                         "alicepass"))
        gate = threading.Barrier(2)
        got = {}

        def race(url, name):
            gate.wait()
            try:
                got[name] = refresh(url, rt, "round %d: refresh on %s" %
                                    (k, name))
            except OSError as e:
                got[name] = e
        threads = [threading.Thread(target=race, args=(u, n))
                   for u, n in ((a, "A"), (b, "B"))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for n in ("A", "B"):
            if not isinstance(got.get(n), Resp):
                raise Fail("#   round %d: refresh on %s: %r" %
                           (k, n, got.get(n)))
        wins = [n for n in ("A", "B") if got[n].status == 200]
        expect("round %d: how many refreshes won" % k, 1, len(wins))
        lost = got["B" if wins[0] == "A" else "A"]
        expect_answer(lost, 400, INVALID_GRANT)
        ended = time.monotonic()
        new_access, new_rt = expect_tokens(got[wins[0]], rt)
        for url, name in ((a, "A"), (b, "B")):
            expect_answer(refresh(url, new_rt, "round %d: the winner's "
                                  "new token on %s" % (k, name)), 400,
                          INVALID_GRANT)
    expect_revoked_everywhere(a, socks_a, new_access, ended)
    expect_revoked_everywhere(b, socks_b, new_access, ended)


def cmd_two(argv):
    a, b = argv[0], argv[1]
    socks_a = [x for x in argv[2].split(",") if x]
    socks_b = [x for x in argv[3].split(",") if x]
    # 1. Issued by A, rotated by B; the old one on A is a reuse.
    access0, rt0 = expect_tokens(login(a, "alice", "alicepass"))
    access1, rt1 = expect_tokens(refresh(b, rt0, "refresh on B"), rt0)
    expect_answer(refresh(a, rt0, "the rotated token on A"), 400,
                  INVALID_GRANT)
    ended = time.monotonic()
    expect_answer(refresh(b, rt1, "B's new token after the reuse"), 400,
                  INVALID_GRANT)
    expect_revoked_everywhere(a, socks_a, access1, ended)
    expect_revoked_everywhere(b, socks_b, access1, ended)
    # 2. A logout on A: refused by every process of B.
    access, rt = expect_tokens(login(b, "bob", "bobpass"))
    expect_answer(me(b, access, "GET /me on B before the logout"), 200,
                  {"username": "bob", "role": "user"})
    r = logout(a, access)
    expect("logout on A: status", 204, r.status, r)
    expect_revoked_everywhere(b, socks_b, access, time.monotonic())
    expect_answer(refresh(b, rt, "refresh on B after the logout"), 400,
                  INVALID_GRANT)
    # 3. 3 failures on A and 2 on B, from one address: the next is 429 on
    # either.
    for url, n in ((a, 3), (b, 2)):
        for _ in range(n):
            expect_answer(login(url, "dave", "wrong"), 401, WRONG)
    expect_throttled(login(a, "dave", "wrong"))
    expect_throttled(login(b, "dave", "davepass"))
    # 4. One refresh token on both hosts at once.
    two_race(a, b, socks_a, socks_b)
    return 0


def cmd_chains(argv):
    """Sessions that must survive a kill -9 of the store (spec 11,
    two-hosts.sh 4).  Each chain: login, then refresh again and again,
    alternating hosts; at the first answer that is not 200 it stops and
    remembers when that request began."""
    import threading
    a, b, n, d = argv[0], argv[1], int(argv[2]), argv[3]
    stop = os.path.join(d, "stop")
    chains = []
    bad = []

    def run(k):
        hosts = (a, b) if k % 2 == 0 else (b, a)
        c = {"k": k, "token": None, "began": None, "status": None,
             "refreshes": 0}
        chains.append(c)
        user, pw = (("alice", "alicepass"), ("bob", "bobpass"))[k % 2]
        r = login(hosts[0], user, pw)
        if r.status != 200:
            c["status"] = r.status
            c["began"] = 0
            return
        c["token"] = r.json["refresh_token"]
        i = 0
        while not os.path.exists(stop):
            i += 1
            began = time.time()
            try:
                r = refresh(hosts[i % 2], c["token"])
            except OSError as e:
                bad.append("chain %d: %s" % (k, e))
                return
            if r.status == 200:
                c["token"] = r.json["refresh_token"]
                c["refreshes"] += 1
                continue
            c["status"], c["began"] = r.status, began
            if r.status >= 500 and r.status != 503:
                bad.append("chain %d: %s" % (k, r.describe()))
            return
    # Sessions made and refreshed once while the chains run, then left
    # idle: each was answered 200, so it is on disk (appendfsync always)
    # and must outlive the kill.
    made = []

    def make(k):
        hosts = (a, b) if k % 2 == 0 else (b, a)
        i = 0
        while not os.path.exists(stop):
            i += 1
            r = login(hosts[i % 2], "erin", "erinpass")
            if r.status != 200:
                if r.status != 503:
                    bad.append("maker %d: %s" % (k, r.describe()))
                return
            r = refresh(hosts[(i + 1) % 2], r.json["refresh_token"])
            if r.status != 200:
                if r.status not in (400, 503):
                    bad.append("maker %d: %s" % (k, r.describe()))
                return
            made.append(r.json["refresh_token"])
    threads = [threading.Thread(target=run, args=(k,)) for k in range(n)]
    threads += [threading.Thread(target=make, args=(k,)) for k in range(2)]
    for t in threads:
        t.start()
    with open(os.path.join(d, "started"), "w") as f:
        f.write("%d\n" % n)
    for t in threads:
        t.join()
    # The store killed, then back (DIR/back), 60 s at most.
    deadline = time.monotonic() + 60
    while not os.path.exists(os.path.join(d, "back")):
        if time.monotonic() > deadline:
            raise Fail("#   the store did not come back (no DIR/back)")
        time.sleep(0.1)
    with open(os.path.join(d, "killed")) as f:
        killed = float(f.read())
    strong = weak = 0
    for c in chains:
        if c["token"] is None:
            bad.append("chain %d: no login (%s)" % (c["k"], c["status"]))
            continue
        # Each process reconnects at its next request, at most once a
        # second: a 503 meanwhile is tried again, for 10 s.
        deadline = time.monotonic() + 10
        while True:
            r = refresh(a, c["token"], "chain %d after the store returned" %
                        c["k"])
            if r.status != 503 or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        # Its last request began after the kill (nothing written), or it
        # never failed: the last token must work.  Began before the kill
        # and answered after: its rotation may have been committed without
        # the answer coming back, 200 or 400.
        sure = c["status"] is None or c["began"] > killed + 0.5
        if sure:
            strong += 1
            if r.status != 200:
                bad.append("chain %d (%d refreshes): %s" %
                           (c["k"], c["refreshes"], r.describe()))
        else:
            weak += 1
            if r.status not in (200, 400):
                bad.append("chain %d: %s" % (c["k"], r.describe()))
    for k, t in enumerate(made):
        deadline = time.monotonic() + 10
        while True:
            r = refresh(b if k % 2 else a, t, "idle session %d after the "
                        "store returned" % k)
            if r.status != 503 or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        if r.status != 200:
            bad.append("idle session %d of %d: lost: %s" %
                       (k, len(made), r.describe()))
    print("# chains: %d, refreshes %d, sure %d, in flight at the kill %d;"
          " idle sessions made before the kill %d" %
          (len(chains), sum(c["refreshes"] for c in chains), strong, weak,
           len(made)))
    if not made:
        bad.append("no idle session was made before the kill")
    if bad:
        raise Fail("#   " + "\n#   ".join(bad))
    return 0


COMMANDS = {"authorizer": cmd_authorizer, "errors": cmd_errors, "off": cmd_off, "walkthrough": cmd_walkthrough,
            "reuse": cmd_reuse, "revoke": cmd_revoke, "login": cmd_login,
            "refresh": cmd_refresh, "throttle": cmd_throttle,
            "prepare": cmd_prepare, "down": cmd_down, "two": cmd_two,
            "chains": cmd_chains}

if __name__ == "__main__":
    if len(sys.argv) < 3 or sys.argv[1] not in COMMANDS:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    try:
        sys.exit(COMMANDS[sys.argv[1]](sys.argv[2:]))
    except Fail as e:
        print(e)
        sys.exit(1)
