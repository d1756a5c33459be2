#!/usr/bin/python3
"""protect.py -- your own paths behind fcgi-auth's authorizer, through a
real server: the site, the policy, the backend and the cases that
tests/deploy/protect-*.sh share (standard library; tokens from
tests/e2e/helper.py, PyJWT).

  protect.py tree WWW PYTHON
        the test site under WWW/private/: static files (the protected ones
        hold SECRET) and the CGI backend whoami.cgi, run by PYTHON, in
        app/ (policy: authenticated) and open/ (policy: anyone)
  protect.py policy FILE
        the test policy (POLICY below)
  protect.py upstream PORTFILE
        the proxied backend for nginx and Caddy: answers every request with
        what it got, as whoami.cgi does; writes its port to PORTFILE once
        it listens, and serves until killed
  protect.py check SERVER URL SECRET_FILE GROUP
        the cases of GROUP (rules, backend, routing, bypass, body, browser;
        https, with URL the server's https:// one) through the server at
        URL; SERVER (lighttpd, apache, nginx, caddy) picks
        the few answers that are the server's own.  Prints "#" lines on
        failure (and the bypass table); exit status 1 if a case failed
  protect.py peer PORT SOURCE
        one FastCGI request (GET /private/reports/x, no token) to the
        authorizer on 127.0.0.1:PORT, from the address SOURCE; prints
        "answered STATUS", or "closed" if it hung up without an answer
  protect.py traefik URL SECRET_FILE
        Traefik's ForwardAuth questions (as its documentation says they
        are sent) to the HTTP front at URL (etc/traefik/
        fcgi-auth-verify.conf): the verdicts and the X-Auth-* headers
  protect.py listening PORT
        the addresses listening on TCP port PORT (from /proc/net/tcp and
        tcp6), one a line
  protect.py cache URL SECRET_FILE LOG
        nginx's cache of verdicts: an allow served from it (the authorizer,
        with AUTH_DEBUG=1, logs each question it is asked to LOG, nginx's
        error log), a refusal never, and no key two requests can share:
        not two targets, and not two credentials (Authorization, or the
        access cookie)

Every request goes over a raw socket: the target is sent byte for byte as
written here, nothing normalised on the way.
"""

import http.server
import json
import os
import re
import socket
import ssl
import sys
import time

# The test policy: one rule of each kind, under /private/, the prefix the
# shipped snippets protect.
POLICY = """\
# written by tests/deploy/protect.py
role admin  reports:read projects:read users:admin
role user   projects:read
allow GET,HEAD  /private/reports/   scope=reports:read
allow GET,HEAD  /private/projects/  role=admin,user
allow GET,HEAD  /private/public/    anyone
allow GET,HEAD  /private/exact      anyone
allow *         /private/app/       authenticated
allow *         /private/open/      anyone
"""

SECRET = b"SECRET"
FILES = {
    "private/reports/x": b"reports/x: SECRET\n",
    "private/reports/y": b"reports/y: SECRET\n",
    "private/reports/x;jsessionid=1": b"reports/x;jsessionid=1: SECRET\n",
    "private/projects/p": b"projects/p: SECRET\n",
    # A page a browser shows (signin_browser.py), not a download.
    "private/projects/hello.txt": b"projects/hello.txt: SECRET\n",
    "private/public/x": b"public/x\n",
    "private/exact": b"exact\n",
}
for _n in range(1, 9):
    FILES["private/projects/c%d" % _n] = b"projects/c%d: SECRET\n" % _n

# Request headers a client may send to pass for someone: the names a
# backend could take for the identity, in both spellings.
FORGED = [("X-Auth-User", "mallory"), ("X_Auth_User", "mallory"),
          ("x-auth-user", "mallory"),
          ("X-Auth-Role", "mallory-admin"), ("X_Auth_Role", "mallory-admin"),
          ("X-Auth-Scope", "mallory:scope"), ("X_Auth_Scope", "mallory:scope"),
          ("Remote-User", "mallory"), ("Remote_User", "mallory"),
          ("REMOTE_USER", "mallory")]

# The headers the authorizer takes the method and path from, forged: the
# shipped configs set their own server's family and drop the other, in
# both spellings.
ROUTING = [("X-Original-URI", "/private/public/x"),
           ("X-Original-Method", "GET"),
           ("X_Original_URI", "/private/public/x"),
           ("X_Original_Method", "GET"),
           ("X-Forwarded-Uri", "/private/public/x"),
           ("X-Forwarded-Method", "GET"),
           ("X_Forwarded_Uri", "/private/public/x"),
           ("X_Forwarded_Method", "GET")]

# The backend's own refusal (?status=403), which must reach the client as
# the backend sent it.
OWN_403 = b"the application says no\n"

WHOAMI = r'''#!%(python)s
# whoami.cgi -- written by tests/deploy/protect.py: what this CGI program
# was told, as JSON
import json, os, sys
if os.environ.get("QUERY_STRING") == "status=403":
    sys.stdout.write("Status: 403 Forbidden\r\nContent-Type: text/plain\r\n"
                     "\r\n%s" % OWN_403)
    sys.exit(0)
n = int(os.environ.get("CONTENT_LENGTH") or 0)
body = sys.stdin.buffer.read(n) if n > 0 else b""
env = dict(os.environ)
out = {"whoami": "WHOAMI", "backend": "cgi",
       "user": env.get("REMOTE_USER"), "auth_user": env.get("AUTH_USER"),
       "role": env.get("AUTH_ROLE"), "scope": env.get("AUTH_SCOPE"),
       "method": env.get("REQUEST_METHOD"),
       "target": env.get("REQUEST_URI"),
       "content_length": env.get("CONTENT_LENGTH"),
       "headers": [[k, v] for k, v in sorted(env.items())
                   if k.startswith("HTTP_")],
       "env": env, "body": body.decode("latin-1")}
sys.stdout.write("Status: 200 OK\r\nContent-Type: application/json\r\n\r\n")
sys.stdout.write(json.dumps(out))
'''


def cmd_tree(argv):
    www, python = argv[0], argv[1]
    # The server runs as another user (www-data) when we are root.
    def folder(path):
        os.makedirs(path, exist_ok=True)
        while path != www:
            os.chmod(path, 0o755)
            path = os.path.dirname(path)

    for name, data in FILES.items():
        path = os.path.join(www, name)
        folder(os.path.dirname(path))
        with open(path, "wb") as f:
            f.write(data)
        os.chmod(path, 0o644)
    for d in ("app", "open"):
        folder(os.path.join(www, "private", d))
        path = os.path.join(www, "private", d, "whoami.cgi")
        with open(path, "w") as f:
            f.write(WHOAMI.replace("%(python)s", python).replace(
                "OWN_403", repr(OWN_403.decode())))
        os.chmod(path, 0o755)
    return 0


def cmd_policy(argv):
    with open(argv[0], "w") as f:
        f.write(POLICY)
    return 0


# --- the proxied backend --------------------------------------------------

class Echo(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def answer(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n > 0 else b""
        if self.path.endswith("?status=403"):
            self.send_response(403)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(OWN_403)))
            self.end_headers()
            self.wfile.write(OWN_403)
            return

        def one(name):
            got = self.headers.get_all(name)
            return got[0] if got else None
        out = {"whoami": "WHOAMI", "backend": "upstream",
               "user": one("X-Auth-User"), "auth_user": one("X-Auth-User"),
               "role": one("X-Auth-Role"), "scope": one("X-Auth-Scope"),
               "method": self.command, "target": self.path,
               "content_length": self.headers.get("Content-Length"),
               "headers": [[k, v] for k, v in self.headers.items()],
               "env": {}, "body": body.decode("latin-1")}
        data = json.dumps(out).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = answer

    def log_message(self, *args):
        pass


def cmd_upstream(argv):
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    tmp = argv[0] + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(tmp, argv[0])
    srv.serve_forever()
    return 0


# --- the client -----------------------------------------------------------

class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers      # [(lower-case name, value)]
        self.body = body

    def header(self, name):
        got = [v for n, v in self.headers if n == name.lower()]
        return got[0] if len(got) == 1 else (None if not got else got)

    def json(self):
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    def __str__(self):
        text = self.body[:200].decode("utf-8", "replace").replace("\n", " ")
        return "%s %s %s" % (self.status, self.header("content-type"), text)


def send(url, method, target, headers=(), body=b"", timeout=30,
         content_type="application/octet-stream"):
    """One request, the target as written; the answer, or a Response with
    status "timeout" or "error" when none came."""
    host, port = url.split("//", 1)[1].split(":")
    head = b"%s %s HTTP/1.1\r\nHost: %s:%s\r\nConnection: close\r\n" % (
        method.encode(), target if isinstance(target, bytes)
        else target.encode("latin-1"), host.encode(), port.encode())
    for name, value in headers:
        head += b"%s: %s\r\n" % (name.encode(), value.encode("latin-1"))
    if body or method == "POST":
        head += b"Content-Type: %s\r\n" % content_type.encode()
        head += b"Content-Length: %d\r\n" % len(body)
    data = b""
    try:
        s = socket.create_connection((host, int(port)), timeout=timeout)
        if url.startswith("https:"):
            # The test's own self-signed certificate.
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            s = ctx.wrap_socket(s)
        try:
            s.sendall(head + b"\r\n" + body)
            while True:
                got = s.recv(65536)
                if not got:
                    break
                data += got
        except (ConnectionResetError, ssl.SSLEOFError):
            pass
        finally:
            s.close()
    except socket.timeout:
        return Response("timeout", [], data)
    except OSError as e:
        return Response("error", [], str(e).encode())
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else \
        "garbled"
    headers = []
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers.append((name.strip().lower(), value.strip()))
    if any(n == "transfer-encoding" and "chunked" in v.lower()
           for n, v in headers):
        plain = b""
        while rest:
            size, _, rest = rest.partition(b"\r\n")
            n = int(size.split(b";")[0] or b"0", 16)
            if n == 0:
                break
            plain, rest = plain + rest[:n], rest[n + 2:]
        rest = plain
    return Response(status, headers, rest)


class Tokens:
    """The tokens the cases use, by name, minted as the endpoints would
    (tests/e2e/helper.py)."""

    def __init__(self, secret_file):
        sys.path.insert(0, os.path.join(os.path.dirname(
            os.path.abspath(__file__)), "..", "e2e"))
        import helper
        m = helper.mint
        f = secret_file
        rp = "reports:read projects:read"
        self.t = {
            "alice_rp": m(f, "alice", "admin", scope=rp),
            "alice": m(f, "alice", "admin"),
            "alice_p": m(f, "alice", "admin", scope="projects:read"),
            "bob": m(f, "bob", "user"),
            "bob_r": m(f, "bob", "user", scope="reports:read"),
            "carol": m(f, "carol", "user", scope=rp),
            "dave_old": m(f, "dave", "user", 2, scope=rp),
            "erin": m(f, "erin", "guest"),
            "zed": m(f, "zed", "admin", scope=rp),
            "expired": m(f, "alice", "admin", exp_in=-120, scope=rp),
            "garbage": "not-a-token",
        }
        other = f + ".other"
        with open(other, "w") as out:
            out.write("another-secret-another-secret-another-secret!!\n")
        self.t["forged"] = m(other, "alice", "admin", scope=rp)
        os.unlink(other)

    def headers(self, name):
        if name is None:
            return []
        return [("Authorization", "Bearer " + self.t[name])]


# --- the cases ------------------------------------------------------------

NOT_AUTH = (401, "Not authenticated", "Bearer")
INVALID = 'Bearer error="invalid_token"'
SCOPE_WWW = 'Bearer error="insufficient_scope", scope="reports:read"'
NO_RULE = (403, "Not allowed by policy", None)
ROLE = (403, "Requires role: admin, user", None)
SCOPE = (403, "Requires scope: reports:read", SCOPE_WWW)
BAD_PATH = (400, "Invalid request path", None)
# The server's own refusal of a request the authorizer allowed (a folder
# with no index: 403, or Caddy's 404), never turned into anything else.
OWN = ("own", (403, 404))

# name, method, target, token, want: a file's content (allowed), or
# (status, detail, WWW-Authenticate or None) for a refusal; then the few
# servers whose own answer differs, with theirs.  nginx's auth_request
# turns an authorizer answer other than 2xx, 401 and 403 into its own 500:
# the shipped snippet gives the client the authorizer's 400 instead.
RULES = [
    ("scope: no token", "GET", "/private/reports/x", None, NOT_AUTH),
    ("scope: granted", "GET", "/private/reports/x", "alice_rp",
     FILES["private/reports/x"]),
    ("scope: granted, HEAD", "HEAD", "/private/reports/x", "alice_rp", b""),
    ("scope: a token without scopes", "GET", "/private/reports/x", "alice",
     SCOPE),
    ("scope: a token with other scopes", "GET", "/private/reports/y",
     "alice_p", SCOPE),
    ("scope: in the token, but bob's role does not grant it", "GET",
     "/private/reports/x", "bob_r", SCOPE),
    ("scope: a method the rule does not list, no fallback", "POST",
     "/private/reports/x", "alice_rp", NO_RULE),
    ("scope: expired token", "GET", "/private/reports/x", "expired",
     (401, "Invalid or expired token", INVALID)),
    ("scope: token signed with another key", "GET", "/private/reports/x",
     "forged", (401, "Invalid or expired token", INVALID)),
    ("scope: not a token", "GET", "/private/reports/x", "garbage",
     (401, "Invalid or expired token", INVALID)),
    ("scope: disabled user", "GET", "/private/reports/x", "carol",
     (401, "User disabled", INVALID)),
    ("scope: revoked token", "GET", "/private/reports/x", "dave_old",
     (401, "Token revoked", INVALID)),
    ("scope: unknown user", "GET", "/private/reports/x", "zed",
     (401, "User not found", INVALID)),
    ("role: user", "GET", "/private/projects/p", "bob",
     FILES["private/projects/p"]),
    ("role: admin", "GET", "/private/projects/p", "alice",
     FILES["private/projects/p"]),
    ("role: guest", "GET", "/private/projects/p", "erin", ROLE),
    ("role: no token", "GET", "/private/projects/p", None, NOT_AUTH),
    ("role: disabled user", "GET", "/private/projects/p", "carol",
     (401, "User disabled", INVALID)),
    ("anyone: no token", "GET", "/private/public/x", None,
     FILES["private/public/x"]),
    ("anyone: a token signed with another key is ignored", "GET",
     "/private/public/x", "forged", FILES["private/public/x"]),
    ("anyone: an expired token is ignored", "GET", "/private/public/x",
     "expired", FILES["private/public/x"]),
    ("anyone: a method the rule does not list", "POST", "/private/public/x",
     None, NO_RULE),
    ("exact path", "GET", "/private/exact", None, FILES["private/exact"]),
    ("exact path: not below it", "GET", "/private/exact/x", "alice_rp",
     NO_RULE),
    ("no rule", "GET", "/private/other/x", "alice_rp", NO_RULE),
    ("allowed, a folder without an index", "GET", "/private/public/", None,
     OWN),
    ("allowed, a folder without an index, with a user", "GET",
     "/private/public/", "bob", OWN),
    ("a path the authorizer will not judge", "GET",
     "/private/public/..;/reports/x", None, BAD_PATH),
    ("a path the authorizer will not judge, with a user", "GET",
     "/private/public/..;/reports/x", "alice_rp", BAD_PATH),
    # Apache refuses an encoded slash itself (AllowEncodedSlashes Off).
    ("an encoded slash", "GET", "/private/reports%2Fx", "alice_rp", BAD_PATH,
     {"apache": (404, None, None)}),
    ("an encoded backslash", "GET", "/private/public/..%5creports/x", None,
     BAD_PATH),
    # Over 4 KiB as sent, a public file once resolved (Apache refuses a
    # path segment longer than a file name may be itself, with its 403).
    ("a path over 4 KiB", "GET",
     "/private/public/" + "a" * 5120 + "/../x", None, BAD_PATH),
]

# Backend cases: name, method, target, token, body, want: (user, role,
# scopes) the backend must be told, "anon" (no user), or a refusal as in
# RULES.  Every request also carries FORGED.
APP = "/private/app/whoami.cgi"
OPEN = "/private/open/whoami.cgi"
RP = {"reports:read", "projects:read"}
BACKEND = [
    ("authenticated: alice with two scopes", "GET", APP, "alice_rp", b"",
     ("alice", "admin", RP)),
    ("authenticated: alice, scopes asked for and not granted", "GET", APP,
     "alice_p", b"", ("alice", "admin", {"projects:read"})),
    ("authenticated: bob, no scopes", "GET", APP, "bob", b"",
     ("bob", "user", set())),
    ("authenticated: bob's token asks a scope his role does not grant",
     "GET", APP, "bob_r", b"", ("bob", "user", set())),
    ("authenticated: no token", "GET", APP, None, b"", NOT_AUTH),
    ("authenticated: a bad token", "GET", APP, "forged", b"",
     (401, "Invalid or expired token", INVALID)),
    ("anyone: no token", "GET", OPEN, None, b"", "anon"),
    ("anyone: bob's token", "GET", OPEN, "bob", b"",
     ("bob", "user", set())),
    ("anyone: a token signed with another key", "GET", OPEN, "forged", b"",
     "anon"),
    ("anyone: an expired token", "GET", OPEN, "expired", b"", "anon"),
]

# The authorizer never reads stdin: a body goes to the backend whole, and
# a refusal comes without waiting for one.
BODY = [
    ("POST 11 bytes, authenticated", "POST", APP, "alice_rp",
     b"hello world", ("alice", "admin", RP)),
    ("POST 3000 bytes, authenticated", "POST", APP, "bob",
     bytes(range(256)) * 11 + b"x" * 184, ("bob", "user", set())),
    ("POST 11 bytes, anyone", "POST", OPEN, None, b"hello world", "anon"),
    ("POST 11 bytes, refused", "POST", APP, None, b"hello world", NOT_AUTH),
    ("PUT 11 bytes, a method the rule does not list", "PUT",
     "/private/projects/p", "alice", b"hello world", NO_RULE),
]

# The method and path headers: the authorizer must judge what the server
# says was asked, whatever a client puts in X-Original-* or X-Forwarded-*.
# Each is sent 10 times: Caddy's FastCGI parameters come from a Go map,
# whose order is random each time.
ROUTED = [
    ("GET /private/reports/x saying /private/public/x, no token", "GET",
     "/private/reports/x", None, NOT_AUTH),
    ("POST /private/reports/x saying GET", "POST", "/private/reports/x",
     "alice_rp", NO_RULE),
    ("POST to the backend saying GET, anyone's path", "POST", APP, None,
     NOT_AUTH),
]

# Spellings of a protected path (and of the backend's) that servers and
# applications may each read their own way, sent with no token and with
# bob's (a user without the scope reports:read): none may be answered 2xx
# with a protected file, nor, without a token, by the backend under
# /private/app/.  Each server's answers are printed as a table.  ORIGIN is
# the server's scheme://host:port, for the absolute form.
BYPASS = [
    "/private/reports/x",
    "/private/public/../reports/x",
    "/private/public/%2e%2e/reports/x",
    "/private/public/%2E%2E/reports/x",
    "/private/public/.%2e/reports/x",
    "/private/public/%2e./reports/x",
    "/private/public/../../private/reports/x",
    "/private/public/%2e%2e/%2e%2e/private/reports/x",
    "/private/public/../../../private/reports/x",
    "/private/reports/../reports/x",
    "//private/reports/x",
    "/private//reports/x",
    "/private/reports//x",
    "/private/reports%2Fx",
    "/private/reports%2fx",
    "/private%2Freports/x",
    "/private/public/..%2Freports/x",
    "/private/public/%2e%2e%2freports/x",
    "/./private/reports/x",
    "/private/./reports/x",
    "/private/%2e/reports/x",
    "/private/public/./../reports/x",
    "/private/public/..;/reports/x",
    "/private/public/%2e%2e;/reports/x",
    "/private/public/..;x=1/reports/x",
    "/private/public/.;/../reports/x",
    "/private/public/x;/../../reports/x",
    "/private/reports;x=1/x",
    "/private/reports/x;jsessionid=1",
    "/private/reports/x?a=/private/public/",
    "/private/public/x?/../../reports/x",
    "/private/reports/x#frag",
    "/private/public/x#/../../reports/x",
    "/private/public/#/../../reports/x",
    "/private/REPORTS/x",
    "/PRIVATE/reports/x",
    "/Private/Reports/x",
    "/private/reports./x",
    "/private/reports/x.",
    "/private/reports/x%20",
    "/private/reports/x%00",
    "/private/reports%00/x",
    "/private/public/%00/../../reports/x",
    "/private/reports\\x",
    "/private/public\\..\\reports\\x",
    "/private/public/..\\reports/x",
    "/private/public/%5c..%5creports%5cx",
    "/private/public/..%5creports/x",
    "/private/%72eports/x",
    "/private/reports/%78",
    "/private/public/%252e%252e/reports/x",
    "/private/reports/x/",
    "/private/reports/",
    "/private/reports",
    "/private/public/%zz/../../reports/x",
    "ORIGIN/private/reports/x",
    "ORIGIN/private/public/../reports/x",
    "ORIGIN/private/public/%2e%2e/reports/x",
    "http://evil.example/private/reports/x",
    "/private/open/../app/whoami.cgi",
    "/private/open/%2e%2e/app/whoami.cgi",
    "/private/open/..;/app/whoami.cgi",
    "/private/open/..%2Fapp/whoami.cgi",
    "//private/app/whoami.cgi",
    "/private/app%2Fwhoami.cgi",
    "/private/open/x;/../../app/whoami.cgi",
    "/private/public/" + "a" * 5120 + "/../../reports/x",
]


# Browsers (issue 14): the access cookie as a credential, and the answers
# a browser gets instead of the JSON ones.  A browser request is GET or
# HEAD asking for text/html; over plain HTTP the cookie is "fcgi-auth"
# (the "__Host-" name is for HTTPS only, and ignored here).
HTML = ("Accept", "text/html,application/xhtml+xml,application/xml;"
        "q=0.9,*/*;q=0.8")
COOKIE = "fcgi-auth"
SIGNIN = "/auth/signin?next="
# The headers of every HTML page of fcgi-auth's (the sign-in page, the
# 403 page).
PAGE_HEADERS = {
    "content-type": "text/html; charset=utf-8",
    "content-security-policy": "default-src 'self'; frame-ancestors 'none'",
    "x-frame-options": "DENY",
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
}


def next_of(location):
    """The target a 302 to the sign-in page asks to come back to (None if
    the Location is not the sign-in page's), decoded once."""
    import urllib.parse
    if not isinstance(location, str) or not location.startswith(SIGNIN):
        return None
    return urllib.parse.unquote(location[len(SIGNIN):])


def anonymous(got):
    return (got.get("user") in (None, "", "-") and
            got.get("auth_user") in (None, "") and
            got.get("role") in (None, "") and got.get("scope") in (None, ""))


class Checker:
    def __init__(self, server, url, secret_file):
        self.server, self.url = server, url
        self.tokens = Tokens(secret_file)
        self.failed = 0

    def fail(self, name, what, r=None):
        self.failed += 1
        print("#   %s: %s" % (name, what))
        if r is not None:
            print("#     got: %s" % r)

    def refusal(self, name, r, want):
        status, detail, www = want
        if r.status != status:
            return self.fail(name, "status %s, want %s" % (r.status, status),
                             r)
        if detail is None:
            return
        if r.header("content-type") != "application/json":
            return self.fail(name, "Content-Type %r, want application/json"
                             % (r.header("content-type"),), r)
        if r.json() != {"detail": detail}:
            return self.fail(name, "body, want {\"detail\":%r}" % detail, r)
        if r.header("www-authenticate") != www:
            return self.fail(name, "WWW-Authenticate %r, want %r"
                             % (r.header("www-authenticate"), www), r)
        if r.header("x-accel-expires") is not None or \
                r.header("cache-control") != "no-store":
            return self.fail(name, "a refusal must say no-store, and "
                             "nothing else about caching", r)

    def allowed(self, name, r):
        """None of the authorizer's own headers in an allow reaches the
        client (Apache passes every header of a 200 but Variable-*)."""
        leaked = [n for n, _ in r.headers
                  if n in ("x-auth-user", "x-auth-role", "x-auth-scope",
                           "x-accel-expires") or n.startswith("variable-")]
        if leaked:
            self.fail(name, "the authorizer's headers reached the client: %s"
                      % leaked, r)

    def identity(self, name, r, want, body=b""):
        if r.status != 200:
            return self.fail(name, "status %s, want 200 from the backend"
                             % r.status, r)
        self.allowed(name, r)
        got = r.json()
        if not isinstance(got, dict) or got.get("whoami") != "WHOAMI":
            return self.fail(name, "not the backend's answer", r)
        if want == "anon":
            if not anonymous(got):
                return self.fail(name, "told a user (%r, %r, %r, %r), want "
                                 "none" % (got["user"], got["auth_user"],
                                           got["role"], got["scope"]), r)
        else:
            user, role, scopes = want
            seen = (got["user"], got["auth_user"], got["role"],
                    set((got["scope"] or "").split()))
            if seen != (user, user, role, scopes):
                return self.fail(name, "told %r, want %r" % (
                    seen, (user, user, role, scopes)), r)
        # Nothing a client wrote in an identity header reached it, and no
        # placeholder text either: in the headers it got (a CGI program's
        # HTTP_* variables) or anywhere in its environment.
        text = json.dumps([got["headers"], got["env"]])
        for bad in ("mallory", "{http."):
            if bad in text:
                return self.fail(name, "the backend got %r: %s" % (
                    bad, [h for h in got["headers"] if bad in h[1]]))
        if got["body"].encode("latin-1") != body:
            return self.fail(name, "the backend got a body of %d bytes, "
                             "want %d" % (len(got["body"]), len(body)), r)

    def outcome(self, name, r, want, override):
        want = override.get(self.server, want)
        if isinstance(want, bytes):
            if r.status != 200 or r.body != want:
                self.fail(name, "want 200 with the file", r)
            self.allowed(name, r)
        elif isinstance(want, tuple) and len(want) == 3 and \
                isinstance(want[0], int):
            self.refusal(name, r, want)
        elif want[0] == "own":
            d = r.json()
            if r.status not in want[1] or (isinstance(d, dict) and (
                    "username" in d or "detail" in d)):
                self.fail(name, "want the server's own %s, not the "
                          "authorizer's answer" % (want[1],), r)
        else:
            raise ValueError(want)

    def rules(self):
        for case in RULES:
            name, method, target, token, want = case[:5]
            override = case[5] if len(case) > 5 else {}
            r = send(self.url, method, target, self.tokens.headers(token))
            self.outcome(name, r, want, override)

    def backend(self):
        for name, method, target, token, body, want in BACKEND + BODY:
            r = send(self.url, method, target,
                     self.tokens.headers(token) + FORGED, body)
            if isinstance(want, tuple) and isinstance(want[0], int):
                self.refusal(name, r, want)
            else:
                self.identity(name, r, want, body)
        # The backend's own 403 is its own, not relabelled as the
        # authorizer's (Apache's Content-Type line), nor replaced (nginx's
        # error_page).
        name = "the backend's own 403"
        r = send(self.url, "GET", APP + "?status=403",
                 self.tokens.headers("alice_rp"))
        if r.status != 403 or r.body != OWN_403 or \
                r.header("content-type") != "text/plain":
            self.fail(name, "want 403 text/plain %r" % OWN_403, r)

    def routing(self):
        for name, method, target, token, want in ROUTED:
            for _ in range(10):
                r = send(self.url, method, target,
                         self.tokens.headers(token) + ROUTING,
                         b"hello world" if method == "POST" else b"")
                before = self.failed
                self.refusal(name, r, want)
                if self.failed > before:
                    break

    def bypass(self):
        rows = []
        for target in BYPASS:
            row = [target if len(target) < 80 else target[:40] + "...(" +
                   str(len(target)) + " bytes)"]
            target = target.replace("ORIGIN", self.url)
            for token in (None, "bob"):
                r = send(self.url, "GET", target, self.tokens.headers(token))
                what = str(r.status)
                d = r.json()
                if isinstance(d, dict) and "detail" in d:
                    what += " " + str(d["detail"])
                elif isinstance(r.status, int) and r.status < 300:
                    what += " WHOAMI" if b"WHOAMI" in r.body else \
                        " SECRET" if SECRET in r.body else \
                        " %r" % r.body[:24].decode("latin-1")
                row.append(what)
                if isinstance(r.status, int) and 200 <= r.status < 300 and \
                        (SECRET in r.body or
                         (token is None and b"WHOAMI" in r.body)):
                    self.fail("bypass %s (%s)" % (row[0], token or "no token"),
                              "protected content served", r)
                if r.status in ("timeout", "error", "garbled"):
                    self.fail("bypass %s (%s)" % (row[0], token or "no token"),
                              "no answer", r)
                # A refusal is the authorizer's or the server's own 4xx,
                # never a server error (nginx's 500 for the authorizer's
                # 400).
                if isinstance(r.status, int) and r.status >= 500:
                    self.fail("bypass %s (%s)" % (row[0], token or "no token"),
                              "a server error", r)
            rows.append(row)
        print("# %s: bypass outcomes (target | no token | bob, role user,"
              " no scope)" % self.server)
        for row in rows:
            print("# | `%s` | %s | %s |" % tuple(x.replace("|", "\\|")
                                               for x in row))


    def to_signin(self, name, r, target):
        """A 302 to the sign-in page, coming back to target."""
        if r.status != 302:
            return self.fail(name, "status %s, want 302 to the sign-in page"
                             % r.status, r)
        back = next_of(r.header("location"))
        if back != target:
            return self.fail(name, "Location %r, want %s + %r encoded" % (
                r.header("location"), SIGNIN, target), r)
        if r.header("cache-control") != "no-store":
            return self.fail(name, "Cache-Control %r, want no-store"
                             % (r.header("cache-control"),), r)
        if r.header("set-cookie") is not None:
            return self.fail(name, "the authorizer set a cookie", r)

    def page_403(self, name, r, user):
        """The 403 page: HTML, the page headers, the user's own name and a
        way to sign out, and no redirect."""
        if r.status != 403:
            return self.fail(name, "status %s, want the 403 page" % r.status,
                             r)
        for h, want in PAGE_HEADERS.items():
            if r.header(h) != want:
                return self.fail(name, "%s %r, want %r" % (
                    h, r.header(h), want), r)
        if r.header("location") is not None:
            return self.fail(name, "a 403 page with a Location", r)
        text = r.body.decode("utf-8", "replace")
        if user not in text or 'action="/auth/signout"' not in text or \
                'method="post"' not in text.lower():
            return self.fail(name, "want the user's name (%s) and a form "
                             "POSTing to /auth/signout" % user, r)

    def browser(self):
        t = self.tokens.t

        def cookie(name):
            return [("Cookie", "%s=%s" % (COOKIE, t[name]))]
        # No credential: a browser goes to the sign-in page, coming back to
        # the target as it asked for it (query included); an API client
        # keeps its 401 JSON (RULES); HEAD is a browser's too.
        for target in ("/private/projects/p", "/private/reports/x",
                       "/private/projects/p?a=1&b=%2F%20x",
                       "/private/app/whoami.cgi"):
            for method in ("GET", "HEAD"):
                r = send(self.url, method, target, [HTML])
                self.to_signin("%s %s, no token" % (method, target), r,
                               target)
        # A client's own X-Fcgi-Auth-Reply changes nothing (nginx blanks
        # it in its question, which would otherwise get the 302 it cannot
        # pass on).
        r = send(self.url, "GET", "/private/projects/p",
                 [HTML, ("X-Fcgi-Auth-Reply", "client")])
        self.to_signin("GET, no token, X-Fcgi-Auth-Reply: client", r,
                       "/private/projects/p")
        # A bad or expired access cookie is no credential either.
        for name in ("expired", "forged", "garbage", "carol", "zed",
                     "dave_old"):
            r = send(self.url, "GET", "/private/projects/p",
                     [HTML] + cookie(name))
            self.to_signin("GET with the %s cookie" % name, r,
                           "/private/projects/p")
        # Not a browser request: the JSON answers, whatever the cookie.
        r = send(self.url, "POST", APP, [HTML], b"x")
        self.refusal("POST asking for text/html, no token", r, NOT_AUTH)
        r = send(self.url, "GET", "/private/projects/p",
                 [("Accept", "application/json")])
        self.refusal("GET asking for JSON, no token", r, NOT_AUTH)
        r = send(self.url, "GET", "/private/projects/p",
                 [("Accept", "application/json")] + cookie("erin"))
        self.refusal("GET asking for JSON, erin's cookie", r, ROLE)
        # The cookie as a credential: the file, and the backend told who.
        r = send(self.url, "GET", "/private/projects/p",
                 [HTML] + cookie("bob"))
        if r.status != 200 or r.body != FILES["private/projects/p"]:
            self.fail("GET with bob's cookie: want 200 with the file", r)
        r = send(self.url, "GET", APP, [HTML] + cookie("alice_rp") + FORGED)
        self.identity("the backend, alice's cookie", r,
                      ("alice", "admin", RP))
        # Among other cookies, and the first of two with our name.
        r = send(self.url, "GET", "/private/projects/p",
                 [HTML, ("Cookie", "a=1; %s=%s; %s=%s; b=2" % (
                     COOKIE, t["bob"], COOKIE, t["garbage"]))])
        if r.status != 200:
            self.fail("bob's cookie among others, first of two: want 200", r)
        # The HTTPS name is not read over plain HTTP (a sibling subdomain
        # or a network attacker could have set it).
        r = send(self.url, "GET", "/private/projects/p",
                 [HTML, ("Cookie", "__Host-%s=%s" % (COOKIE, t["bob"]))])
        self.to_signin("GET with bob's token as __Host-fcgi-auth over HTTP",
                       r, "/private/projects/p")
        # The Bearer header first: erin's header beats bob's cookie.
        r = send(self.url, "GET", "/private/projects/p",
                 [HTML] + self.tokens.headers("erin") + cookie("bob"))
        if r.status != 403:
            self.fail("erin's Bearer header and bob's cookie: want 403", r)
        # Signed in but refused: the 403 page, never a sign-in loop.
        r = send(self.url, "GET", "/private/projects/p",
                 [HTML] + cookie("erin"))
        self.page_403("GET as erin (role guest), a browser", r, "erin")
        r = send(self.url, "GET", "/private/reports/x",
                 [HTML] + cookie("bob"))
        self.page_403("GET as bob (no scope reports:read), a browser", r,
                      "bob")
        # The anyone rule: no redirect for a browser without a cookie.
        r = send(self.url, "GET", "/private/public/x", [HTML])
        if r.status != 200 or r.body != FILES["private/public/x"]:
            self.fail("anyone's path, a browser: want 200 with the file", r)


    def https(self):
        """Over HTTPS the access cookie is __Host-fcgi-auth, and the
        plain name (which a sibling subdomain or a plain-HTTP page could
        have set) is not read: the server tells the authorizer it is
        HTTPS."""
        t = self.tokens.t
        target = "/private/projects/p"
        r = send(self.url, "GET", target, [HTML])
        self.to_signin("HTTPS, no cookie", r, target)
        r = send(self.url, "GET", target,
                 [HTML, ("Cookie", "__Host-%s=%s" % (COOKIE, t["bob"]))])
        if r.status != 200 or r.body != FILES["private/projects/p"]:
            self.fail("HTTPS, bob's __Host-fcgi-auth: want 200 with the "
                      "file", r)
        r = send(self.url, "GET", target,
                 [HTML, ("Cookie", "%s=%s" % (COOKIE, t["bob"]))])
        self.to_signin("HTTPS, bob's token under the plain name", r, target)
        r = send(self.url, "GET", target,
                 [HTML, ("Cookie", "__Host-%s=%s" % (COOKIE, t["erin"]))])
        self.page_403("HTTPS, erin's __Host-fcgi-auth", r, "erin")


def cmd_check(argv):
    server, url, secret_file, group = argv
    c = Checker(server, url, secret_file)
    getattr(c, group)()
    return 1 if c.failed else 0


# --- nginx's verdict cache ------------------------------------------------

def asked(log, path):
    """How many times the authorizer was asked about path: the lines it
    logged (with AUTH_DEBUG=1 the allows too, each with the method and the
    normalised path) that nginx read from it.  nginx keeps a whole FastCGI
    answer in its cache, stderr included, and logs that line again at each
    hit, but without the upstream's address: a hit is not counted."""
    try:
        with open(log, "rb") as f:
            text = f.read().decode("utf-8", "replace")
    except OSError:
        return 0
    line = re.compile(r"authorize\.fcgi: .* path=" + re.escape(path) +
                      r"[\s\",].*, upstream: ")
    return sum(1 for x in text.splitlines() if line.search(x))


def cmd_cache(argv):
    url, secret_file, log = argv
    t = Tokens(secret_file)
    failed = 0

    def fail(what, r=None):
        nonlocal failed
        failed += 1
        print("#   %s" % what)
        if r is not None:
            print("#     got: %s" % r)

    def settle(path, want):
        # The authorizer's line reaches the log while nginx answers; give a
        # loaded machine a moment.
        deadline = time.monotonic() + 10
        while asked(log, path) < want and time.monotonic() < deadline:
            time.sleep(0.1)
        return asked(log, path)

    # An allow, asked twice: the second answer comes from the cache (the
    # authorizer says how long: AUTH_CACHE_SECONDS, 30 here).
    path = "/private/projects/c1"
    for i in range(2):
        r = send(url, "GET", path, t.headers("bob"))
        if r.status != 200 or r.body != FILES["private/projects/c1"]:
            fail("allow %d: want 200 with the file" % (i + 1), r)
    settle(path, 1)
    time.sleep(0.5)
    if asked(log, path) != 1:
        fail("allowed twice: the authorizer was asked %d times, want 1 (the "
             "second from the cache)" % asked(log, path))
    # Served from the cache, the identity still reaches the backend.
    path = "/private/app/whoami.cgi"
    before = asked(log, path)
    for i in range(2):
        r = send(url, "GET", path + "?cache", t.headers("alice_rp"))
        got = r.json() if r.status == 200 else None
        if not isinstance(got, dict) or got.get("user") != "alice" or \
                got.get("role") != "admin":
            fail("backend %d: want 200 telling alice, admin" % (i + 1), r)
    settle(path, before + 1)
    time.sleep(0.5)
    if asked(log, path) != before + 1:
        fail("the backend, twice: the authorizer was asked %d times, want 1"
             % (asked(log, path) - before))
    # Another method, another token: other keys.
    path = "/private/projects/c2"
    for name, method in (("bob", "GET"), ("bob", "HEAD"), ("alice", "GET")):
        r = send(url, method, path, t.headers(name))
        if r.status != 200:
            fail("%s %s: want 200" % (name, method), r)
    n = settle(path, 3)
    if n != 3:
        fail("three keys: the authorizer was asked %d times, want 3" % n)
    # A refusal, twice: never from the cache.  nginx asks twice per
    # refusal (the second time for the JSON answer), so 2 then 4.
    path = "/private/projects/c3"
    for i in range(2):
        r = send(url, "GET", path, t.headers("erin"))
        if r.status != 403 or r.json() != {
                "detail": "Requires role: admin, user"}:
            fail("refusal %d: want 403 Requires role" % (i + 1), r)
        n = settle(path, 2 * (i + 1))
        if n != 2 * (i + 1):
            fail("refused %d times: the authorizer was asked %d times, want "
                 "%d" % (i + 1, n, 2 * (i + 1)))
    path = "/private/projects/c4"
    for i in range(2):
        r = send(url, "GET", path)
        if r.status != 401:
            fail("no token %d: want 401" % (i + 1), r)
    n = settle(path, 4)
    if n != 4:
        fail("refused twice (401): asked %d times, want 4" % n)
    # Research-10 0.1: with the key "$http_authorization$request_method
    # $request_uri" these two requests shared one: an allow cached for the
    # first (anyone's path, a junk credential) served /private/reports/x
    # to the second.  With the spaces nothing can.
    first = "/private/public/aGET/private/reports/x"
    for i in range(2):
        r = send(url, "GET", first, [("Authorization", "X")])
        if r.status != 404:
            fail("GET %s: want 404 (allowed, no such file)" % first, r)
    settle(first, 1)
    time.sleep(0.5)
    if asked(log, first) != 1:
        fail("the first request was not cached (asked %d times): the test "
             "proves nothing" % asked(log, first))
    for auth in ("XGET/private/public/a", "XGET /private/public/a",
                 "X GET /private/public/a"):
        r = send(url, "GET", "/private/reports/x", [("Authorization", auth)])
        if r.status == 200 or SECRET in r.body:
            fail("the cached allow served /private/reports/x to "
                 "Authorization: %s" % auth, r)
        elif r.status != 401:
            fail("Authorization: %s: want 401" % auth, r)
    # A space or tab in the target, which would forge the key's separator:
    # nginx refuses it itself.
    for target in (b"/private/public/a GET /private/reports/x",
                   b"/private/public/a\tx /private/reports/x"):
        r = send(url, "GET", target, [("Authorization", "X")])
        if r.status != 400:
            fail("a target with a blank: want nginx's 400", r)
    # The access cookie is a credential (issue 14): an allow cached for
    # alice's cookie must not be served to a request without it, nor to
    # one with someone else's.  Without the Cookie header in the key, all
    # three requests below share alice's key.
    path = "/private/projects/c5"
    alice = [("Cookie", "%s=%s" % (COOKIE, t.t["alice"]))]
    for i in range(2):
        r = send(url, "GET", path, alice)
        if r.status != 200 or r.body != FILES["private/projects/c5"]:
            fail("alice's cookie %d: want 200 with the file" % (i + 1), r)
    settle(path, 1)
    time.sleep(0.5)
    if asked(log, path) != 1:
        fail("alice's cookie was not cached (asked %d times): the test "
             "proves nothing" % asked(log, path))
    r = send(url, "GET", path)
    if r.status != 401 or SECRET in r.body:
        fail("no credential after alice's cached allow: want 401", r)
    r = send(url, "GET", path, [("Cookie", "%s=%s" % (COOKIE, t.t["erin"]))])
    if r.status != 403 or SECRET in r.body:
        fail("erin's cookie after alice's cached allow: want 403", r)
    r = send(url, "GET", path, [("Cookie", "other=1")])
    if r.status != 401 or SECRET in r.body:
        fail("another cookie after alice's cached allow: want 401", r)
    # The longest key nginx lets through: a target the authorizer still
    # judges (under 4 KiB), and an Authorization and a Cookie line of
    # almost 8 KiB each (nginx's limit for a header line): the key goes
    # in the answer's buffer, and one too small is nginx's 500.
    target = "/private/public/" + "k" * 4000
    r = send(url, "GET", target, [("Authorization", "X" + "a" * 8150),
                                  ("Cookie", "pad=" + "c" * 8150)])
    if r.status != 404:
        fail("the longest key: want 404 (allowed, no such file)", r)
    return 1 if failed else 0


def cmd_peer(argv):
    sys.path.insert(0, os.path.join(os.path.dirname(
        os.path.abspath(__file__)), "..", "e2e"))
    import fcgi_wire
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind((argv[1], 0))
        s.connect(("127.0.0.1", int(argv[0])))
        s.sendall(fcgi_wire.request_head({
            "REQUEST_METHOD": "GET", "REQUEST_URI": "/private/reports/x",
            "SERVER_PROTOCOL": "HTTP/1.1"}) + fcgi_wire.body_records(b""))
        out, _, _ = fcgi_wire.read_response(s, timeout=30)
        print("answered " + fcgi_wire.status_of(out))
    except (EOFError, ConnectionResetError):
        print("closed")
    finally:
        s.close()
    return 0


def cmd_listening(argv):
    port = int(argv[0])
    found = set()
    for name, width in (("/proc/net/tcp", 4), ("/proc/net/tcp6", 16)):
        try:
            with open(name) as f:
                lines = f.readlines()[1:]
        except OSError:
            continue
        for line in lines:
            local, state = line.split()[1], line.split()[3]
            addr, p = local.split(":")
            if state != "0A" or int(p, 16) != port:     # 0A: LISTEN
                continue
            raw = bytes.fromhex(addr)
            # The kernel prints each 32-bit word in host (little-endian)
            # order.
            raw = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))
            fam = socket.AF_INET if width == 4 else socket.AF_INET6
            found.add("%s:%d" % (socket.inet_ntop(fam, raw), port))
    for a in sorted(found):
        print(a)
    return 0


# Traefik's ForwardAuth question, as its documentation says it is sent
# (v2 and v3): always GET to the address, the client's method, target,
# Host, scheme and address in X-Forwarded-Method, -Uri, -Host, -Proto and
# -For (its own: trustForwardHeader false), and the client's headers that
# authRequestHeaders lists (fcgi-auth-forward.yml: Authorization, Cookie,
# Accept).  Go's client adds User-Agent and Accept-Encoding.
# name, client's method, client's target, token, want: (user, role,
# scopes) for an allow, or a refusal as in RULES.
TRAEFIK = [
    ("scope granted", "GET", "/private/reports/x", "alice_rp",
     ("alice", "admin", RP)),
    ("no token", "GET", "/private/reports/x", None, NOT_AUTH),
    ("scope missing", "GET", "/private/reports/x", "bob", SCOPE),
    ("a method the rule does not list", "POST", "/private/reports/x",
     "alice_rp", NO_RULE),
    ("anyone, no token: no identity", "GET",
     "/private/public/x", None, ("", "", set())),
    ("role", "GET", "/private/projects/p", "bob", ("bob", "user", set())),
    ("a path it will not judge", "GET", "/private/reports%2Fx", "alice_rp",
     BAD_PATH),
    ("bypass: dot segments", "GET", "/private/public/../reports/x", None,
     NOT_AUTH),
]


def cmd_traefik(argv):
    """traefik URL SECRET_FILE: TRAEFIK's questions to the front at URL
    (fcgi-auth-verify.conf), and anything but /auth/verify refused."""
    url, secret_file = argv
    t = Tokens(secret_file)
    c = Checker("traefik", url, secret_file)
    for name, method, target, token, want in TRAEFIK:
        headers = [("User-Agent", "Go-http-client/1.1"),
                   ("Accept", "*/*")]
        headers += t.headers(token)
        headers += [("X-Forwarded-For", "203.0.113.7"),
                    ("X-Forwarded-Host", "example.com"),
                    ("X-Forwarded-Method", method),
                    ("X-Forwarded-Proto", "http"),
                    ("X-Forwarded-Uri", target),
                    ("Accept-Encoding", "gzip")]
        r = send(url, "GET", "/auth/verify", headers)
        if isinstance(want[0], int):
            c.refusal(name, r, want)
            continue
        user, role, scopes = want
        # lighttpd drops an empty header of the authorizer's: Traefik's
        # fcgi-auth-strip has removed the client's copies before.
        got = (r.header("x-auth-user") or "", r.header("x-auth-role") or "",
               set((r.header("x-auth-scope") or "").split()))
        if r.status != 200 or got != (user, role, scopes):
            c.fail(name, "want 200 with X-Auth-User %r, X-Auth-Role %r, "
                   "X-Auth-Scope %r" % want, r)
    # The front answers nothing else: no content, no other question.
    for target in ("/", "/auth/verify/x", "/private/reports/x"):
        r = send(url, "GET", target, t.headers("alice_rp"))
        if r.status != 403 or r.header("x-auth-user") is not None:
            c.fail("front: GET " + target, "want lighttpd's 403", r)
    return 1 if c.failed else 0


COMMANDS = {"tree": cmd_tree, "policy": cmd_policy, "upstream": cmd_upstream,
            "check": cmd_check, "peer": cmd_peer, "listening": cmd_listening,
            "cache": cmd_cache, "traefik": cmd_traefik}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(COMMANDS[sys.argv[1]](sys.argv[2:]))
