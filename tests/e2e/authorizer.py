#!/usr/bin/python3
"""authorizer.py -- authorize.fcgi in front of a site, as named checks.

  authorizer.py --url URL --secret-file FILE [--only WORD]

The server at URL asks authorize.fcgi (tests/e2e/authorizer.sh: lighttpd,
"mode" => "authorizer") about everything under /files/ and /cgi/, with
the policy authorizer.sh writes:

  role admin reports:read projects:read users:admin
  role user  projects:read
  allow GET,HEAD      /files/reports/  scope=reports:read
  allow GET,HEAD      /files/public/   anyone
  allow GET,HEAD      /files/          authenticated
  allow GET,POST      /cgi/            role=admin,user
  allow GET,POST      /cgi/public.cgi  anyone

and serves files/reports/r.txt ("reports"), files/public/p.txt ("public"),
files/other.txt ("other"), and cgi/env.cgi and cgi/public.cgi, which print
REMOTE_USER, AUTH_USER, AUTH_ROLE and AUTH_SCOPE as their environment has
them ("-" when unset) and the body they were sent.  The users are
tests/e2e/lib.sh's.  Tokens come from the server's own login (so they
carry the scopes the policy grants) or are minted here with PyJWT.

Requests are sent over a raw socket, byte for byte: the path tricks must
reach the server as written.  Output as contract.py's: "ok N - name" or
"not ok N - name" and why, then a summary; exit status 0 if all passed.
"""

import argparse
import json
import socket
import sys
import time
import traceback
import urllib.parse

import jwt

ALL = "reports:read projects:read users:admin"
FORGED = [("X-Auth-User", "mallory"), ("X-Auth-Role", "admin"),
          ("X-Auth-Scope", ALL), ("Remote-User", "mallory"),
          ("Auth-User", "mallory"), ("Variable-REMOTE_USER", "mallory"),
          ("Variable-AUTH_USER", "mallory")]


class CheckFailed(Exception):
    pass


class Answer:
    def __init__(self, raw):
        head, _, self.body = raw.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        self.status = int(lines[0].split(" ")[1]) if lines[0] else 0
        self.line = lines[0]
        self.headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            self.headers.setdefault(name.strip().lower(), []).append(
                value.strip())

    def header(self, name):
        v = self.headers.get(name.lower())
        return v[0] if v else None

    def json(self):
        try:
            return json.loads(self.body.decode("utf-8"))
        except ValueError:
            return None

    def env(self):
        """The CGI's report: NAME=value lines, then the body it got."""
        out = {}
        for line in self.body.decode("utf-8", "replace").split("\n"):
            name, eq, value = line.partition("=")
            if eq:
                out[name] = value
        return out


class Checks:
    def __init__(self, args):
        self.url = urllib.parse.urlsplit(args.url)
        with open(args.secret_file, "rb") as f:
            self.secret = f.read().rstrip(b"\r\n")
        self.tokens = {}

    def raw(self, method, target, token=None, headers=(), body=b""):
        """One request, the target byte for byte; the whole answer."""
        req = "%s %s HTTP/1.1\r\nHost: %s:%d\r\nConnection: close\r\n" % (
            method, target, self.url.hostname, self.url.port)
        if token is not None:
            req += "Authorization: Bearer %s\r\n" % token
        for name, value in headers:
            req += "%s: %s\r\n" % (name, value)
        if body:
            req += "Content-Length: %d\r\n" % len(body)
        data = req.encode("latin-1") + b"\r\n" + body
        with socket.create_connection((self.url.hostname, self.url.port),
                                      timeout=30) as s:
            s.sendall(data)
            chunks = []
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
        raw = b"".join(chunks)
        a = Answer(raw)
        if method == "HEAD":
            a.body = b""
        elif a.header("content-length") is not None:
            a.body = a.body[:int(a.header("content-length"))]
        return a

    def token(self, name):
        """A token from the server's login, with the scopes it grants."""
        if name not in self.tokens:
            password = name + "pass"
            body = urllib.parse.urlencode({"username": name,
                                           "password": password}).encode()
            a = self.raw("POST", "/auth/login", headers=[
                ("Content-Type", "application/x-www-form-urlencoded")],
                body=body)
            if a.status != 200:
                raise CheckFailed("login %s: %s %r" % (name, a.line, a.body))
            self.tokens[name] = a.json()["access_token"]
        return self.tokens[name]

    def mint(self, sub, role, exp_in=300, **extra):
        now = int(time.time())
        claims = {"sub": sub, "role": role, "iat": now, "exp": now + exp_in}
        claims.update(extra)
        return jwt.encode(claims, self.secret, algorithm="HS256")

    def expect(self, what, want, got, a=None):
        if want != got:
            msg = "%s\n    expected: %r\n         got: %r" % (what, want, got)
            if a is not None:
                msg += "\n    answer: %s %r" % (a.line, a.body[:300])
            raise CheckFailed(msg)

    def expect_refusal(self, a, status, detail, www=None, what=""):
        p = what + ": " if what else ""
        self.expect(p + "status", status, a.status, a)
        self.expect(p + "Content-Type", "application/json",
                    a.header("content-type"), a)
        self.expect(p + "body", {"detail": detail}, a.json(), a)
        self.expect(p + "WWW-Authenticate", www, a.header("www-authenticate"),
                    a)
        self.expect(p + "Cache-Control", "no-store", a.header("cache-control"),
                    a)
        # An allow's headers never reach the client, nor a refusal's.
        for h in ("x-auth-user", "x-accel-expires"):
            self.expect(p + h, None, a.header(h), a)

    def expect_file(self, a, content, what=""):
        p = what + ": " if what else ""
        self.expect(p + "status", 200, a.status, a)
        self.expect(p + "body", content, a.body, a)
        # lighttpd drops every header of the allow but Variable-*.
        for h in ("x-auth-user", "x-auth-role", "x-accel-expires",
                  "variable-remote_user"):
            self.expect(p + h, None, a.header(h), a)


CHECKS = []


def check(name):
    def register(fn):
        CHECKS.append((name, fn))
        return fn
    return register


@check("static.scope_held")
def _(c):
    c.expect_file(c.raw("GET", "/files/reports/r.txt", c.token("alice")),
                  b"reports\n")
    a = c.raw("HEAD", "/files/reports/r.txt", c.token("alice"))
    c.expect("HEAD status", 200, a.status, a)


@check("static.scope_missing")
def _(c):
    c.expect_refusal(c.raw("GET", "/files/reports/r.txt", c.token("bob")),
                     403, "Requires scope: reports:read",
                     'Bearer error="insufficient_scope", '
                     'scope="reports:read"')


@check("static.no_token")
def _(c):
    c.expect_refusal(c.raw("GET", "/files/reports/r.txt"), 401,
                     "Not authenticated", "Bearer")


@check("static.bad_tokens")
def _(c):
    cases = [("forged", c.mint("alice", "admin", scope=ALL)[:-2] + "xx",
              "Invalid or expired token"),
             ("expired", c.mint("alice", "admin", exp_in=-10),
              "Invalid or expired token"),
             ("disabled user", c.mint("carol", "user", scope=ALL),
              "User disabled"),
             ("revoked", c.mint("dave", "user", ver=2), "Token revoked")]
    for what, tok, detail in cases:
        c.expect_refusal(c.raw("GET", "/files/reports/r.txt", tok), 401,
                         detail, 'Bearer error="invalid_token"', what)


@check("static.method_not_listed")
def _(c):
    # The longest PATH decides; POST is not on its list: no falling back.
    c.expect_refusal(c.raw("POST", "/files/reports/r.txt", c.token("alice"),
                           body=b"x"), 403, "Not allowed by policy")


@check("static.anyone")
def _(c):
    for what, tok in (("no token", None), ("a bad token", "x.y.z"),
                      ("an expired token",
                       c.mint("alice", "admin", exp_in=-10)),
                      ("a good token", c.token("bob"))):
        c.expect_file(c.raw("GET", "/files/public/p.txt", tok), b"public\n",
                      what)


@check("static.authenticated")
def _(c):
    c.expect_file(c.raw("GET", "/files/other.txt", c.token("bob")),
                  b"other\n")
    c.expect_refusal(c.raw("GET", "/files/other.txt"), 401,
                     "Not authenticated", "Bearer")


@check("cgi.identity")
def _(c):
    a = c.raw("GET", "/cgi/env.cgi", c.token("alice"))
    c.expect("status", 200, a.status, a)
    env = a.env()
    for name, want in (("REMOTE_USER", "alice"), ("AUTH_USER", "alice"),
                       ("AUTH_ROLE", "admin"), ("AUTH_SCOPE", ALL)):
        c.expect(name, want, env.get(name), a)


@check("cgi.forged_headers_never_reach_the_identity")
def _(c):
    a = c.raw("GET", "/cgi/env.cgi", c.token("bob"), headers=FORGED)
    c.expect("status", 200, a.status, a)
    env = a.env()
    for name, want in (("REMOTE_USER", "bob"), ("AUTH_USER", "bob"),
                       ("AUTH_ROLE", "user"), ("AUTH_SCOPE", "projects:read")):
        c.expect(name, want, env.get(name), a)


@check("cgi.anonymous_with_forged_headers")
def _(c):
    for what, tok in (("no token", None), ("a bad token", "x.y.z")):
        a = c.raw("GET", "/cgi/public.cgi", tok, headers=FORGED)
        c.expect(what + ": status", 200, a.status, a)
        env = a.env()
        for name, want in (("REMOTE_USER", "-"), ("AUTH_USER", ""),
                           ("AUTH_ROLE", ""), ("AUTH_SCOPE", "")):
            c.expect("%s: %s" % (what, name), want, env.get(name), a)


@check("cgi.role")
def _(c):
    c.expect_refusal(c.raw("GET", "/cgi/env.cgi", c.token("erin")), 403,
                     "Requires role: admin, user")


@check("cgi.post_body_reaches_the_program")
def _(c):
    # lighttpd sends an authorizer no stdin at all: one that read it
    # would never answer.  The program behind it gets the body.
    a = c.raw("POST", "/cgi/env.cgi", c.token("alice"), body=b"hello world")
    c.expect("status", 200, a.status, a)
    c.expect("the program's body", "hello world", a.env().get("BODY"), a)
    c.expect("REMOTE_USER", "alice", a.env().get("REMOTE_USER"), a)


# Path tricks, sent raw, anonymous: what each gets.  None of them may get
# the protected file.  400: the policy refused the path; 401: the
# authorizer asked for a token (it saw the path it protects); 404: the
# server's own, for a path the policy lets through that does not exist.
BYPASSES = [
    ("/files/public/../reports/r.txt", 401),
    ("/files/public/%2e%2e/reports/r.txt", 401),
    ("/files/public/%2E%2E/reports/r.txt", 401),
    ("/files/public/.%2e/reports/r.txt", 401),
    ("//files/reports/r.txt", 401),
    ("/files//reports/r.txt", 401),
    ("/files/./reports/r.txt", 401),
    ("/files/public/./../reports/r.txt", 401),
    ("/files/reports%2Fr.txt", 400),
    ("/files/public%2F..%2Freports/r.txt", 400),
    ("/files/public/..;/reports/r.txt", 400),
    ("/files/public/%2e%2e;/reports/r.txt", 400),
    ("/files/public/.;x=1/../reports/r.txt", 400),
    ("/files/reports%5Cr.txt", 400),
    ("/files/public/%252e%252e/reports/r.txt", 404),
    ("/files/reports/r.txt?a=/files/public/", 401),
    ("/files/reports/r.txt#/files/public/", 401),
    ("/files/reports/r.txt/", 401),
    ("/files/%72eports/r.txt", 401),
    ("/files/reports./r.txt", 401),
    ("/FILES/reports/r.txt", 404),
    ("/files/REPORTS/r.txt", 401),
    # The absolute form (lighttpd refuses one naming another host).
    ("{origin}/files/reports/r.txt", 401),
    ("{origin}/files/public/../reports/r.txt", 401),
]


@check("paths.bypasses")
def _(c):
    origin = "http://%s:%d" % (c.url.hostname, c.url.port)
    for target, want in BYPASSES:
        target = target.replace("{origin}", origin)
        a = c.raw("GET", target)
        if a.status == 200 or b"reports" in a.body:
            c.expect("GET %s" % target, "refused", "the protected file", a)
        c.expect("GET %s: status" % target, want, a.status, a)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--url", required=True)
    ap.add_argument("--secret-file", required=True)
    ap.add_argument("--only", action="append", default=[])
    args = ap.parse_args()
    c = Checks(args)
    selected = [(n, fn) for n, fn in CHECKS
                if not args.only or any(w in n for w in args.only)]
    failed = []
    print("# authorizer checks against %s" % args.url)
    for i, (name, fn) in enumerate(selected, 1):
        try:
            fn(c)
            print("ok %d - %s" % (i, name))
        except CheckFailed as e:
            failed.append(name)
            print("not ok %d - %s\n#   %s" % (
                i, name, str(e).replace("\n", "\n#   ")))
        except Exception:
            failed.append(name)
            print("not ok %d - %s\n#   %s" % (
                i, name, traceback.format_exc().rstrip().replace(
                    "\n", "\n#   ")))
        sys.stdout.flush()
    print("# authorizer: %d checks, %d passed, %d failed%s" % (
        len(selected), len(selected) - len(failed), len(failed),
        ": " + ", ".join(failed) if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
