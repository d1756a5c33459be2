#!/usr/bin/python3
"""drive.py -- send one endpoint every kind of request over real FastCGI.

  drive.py --socket PATH --endpoint NAME --requests N --secret-file F
           [--users-file F --reload-every N] [--policy-file F]
           [--rss-pid PID --rss-every N --warmup N --rss-bound-kib K]
           [--kinds a,b] [--hashing-every N]
  drive.py sessions --sockets DIR --phase up|down --cycles N
           --secret-file F --tokens FILE [--sqlite-lock PATH] [--back]
  drive.py users FILE [SCHEME]      write the test users file
  drive.py policy FILE              write the policy authorize is run with

A stdlib-only FastCGI client (tests/e2e/fcgi_wire.py), one connection
per request as lighttpd does.  The kinds are sent round-robin; each has the status the endpoint
must answer, and any other answer is counted and fails the run.  Tokens
are minted here with hmac/hashlib, so no JWT library is involved.

With --users-file, the users file is replaced by rename every
--reload-every requests (an unrelated user's role flips), so the reload
path runs too; with --policy-file, the policy file too (a rule no request
reaches comes and goes).  With --rss-pid, VmRSS of that process is sampled every
--rss-every requests; after --warmup requests it must not grow by more
than --rss-bound-kib.

Prints one summary line per kind and a closing "N passed, N failed" line;
exits 0 only if every answer was the expected one (and RSS stayed flat).

"sessions" drives login, refresh, logout, revoke, me, signin and signout
together (each on DIR/NAME.sock, one store behind them), with the tokens
the endpoints issue: "up" runs N cycles of every path (rotation, reuse
ending the family, logout with and without the refresh token, revoke of
each kind of token, the refusals, a throttled address; the browser's
sign-in, silent sign-in by the refresh cookie and its reuse, sign-out with
either cookie) and writes a live session's access and refresh tokens to
FILE; "down", with the store stopped by the caller (or locked here:
--sqlite-lock holds BEGIN EXCLUSIVE on that database), expects login,
refresh, logout, revoke, signin (the form, the refresh cookie) and signout
to answer 503 and /me and signin to go on accepting FILE's live access
token; "up --back" first waits (10 s at most) for a login to succeed
again.

signin and signout are asked as a browser on http://localhost:8080 asks:
Host, a same-origin Origin (or Sec-Fetch-Site), the plain-HTTP cookies
fcgi-auth and fcgi-auth-refresh.
"""

import argparse
import base64
import hashlib
import hmac
import json
import os
import socket
import sys
import time
import urllib.parse

# The FastCGI client and the crypt(5) hashing the e2e tests use.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "e2e"))
import fcgi_wire  # noqa: E402
from helper import crypt_hash, read_secret  # noqa: E402

# The users every run uses (name, password, role, state, version).  The
# first one's hash is the dummy an unknown user is verified against.
USERS = [
    ("alice", "alicepass", "admin", "active", 0),
    ("bob", "bobpass", "user", "active", 0),
    ("carol", "carolpass", "user", "disabled", 0),
    ("dave", "davepass", "user", "active", 3),
    ("erin", "erinpass", "guest", "active", 0),
]


# --- FastCGI -------------------------------------------------------------

def fcgi_request(path, params, body):
    """One request; returns (stdout bytes, stderr bytes, app status).
    FCGI_ROLE=AUTHORIZER in params makes it an authorizer's, sent as
    lighttpd does: that role in BEGIN_REQUEST, and no stdin at all."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.connect(path)
        if params.get("FCGI_ROLE") == "AUTHORIZER":
            params = {k: v for k, v in params.items() if k != "FCGI_ROLE"}
            sock.sendall(fcgi_wire.request_head(params,
                                                fcgi_wire.AUTHORIZER))
        else:
            sock.sendall(fcgi_wire.request_head(params) +
                         fcgi_wire.body_records(body))
        return fcgi_wire.read_response(sock, timeout=120)
    finally:
        sock.close()


def status_of(out):
    """The answer's status as a number; 0 if there is none."""
    code = fcgi_wire.status_of(out).split(" ", 1)[0]
    return int(code) if code.isdigit() else 0


# --- tokens and users ----------------------------------------------------

def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def mint(secret, payload, alg="HS256", sign=True):
    digest = {"HS256": hashlib.sha256, "HS384": hashlib.sha384,
              "HS512": hashlib.sha512}.get(alg)
    head = b64url(json.dumps({"alg": alg, "typ": "JWT"}).encode())
    body = b64url(json.dumps(payload).encode())
    signing_input = (head + "." + body).encode()
    if not sign or digest is None:
        return head + "." + body + "."
    sig = hmac.new(secret, signing_input, digest).digest()
    return head + "." + body + "." + b64url(sig)


def users_text(hashes, flip=0):
    """The users file; flip changes zed's role (a user no request uses)."""
    lines = ["# leak-check users: name:hash:role:state:version"]
    for (name, _, role, state, ver) in USERS:
        lines.append("%s:%s:%s:%s:%d" % (name, hashes[name], role, state,
                                         ver))
    lines.append("zed:%s:%s" % (hashes["alice"], "user" if flip % 2
                                else "guest"))
    return "\n".join(lines) + "\n"


# The policy authorize.fcgi runs with (drive.py policy FILE); flip adds
# a rule for a path no request asks about.
POLICY = """# leak-check policy
role admin reports:read projects:read users:admin
role user projects:read
allow GET,HEAD /reports/ scope=reports:read
allow * /projects/ role=admin,user
allow GET /public/ anyone
allow * / authenticated
"""


def policy_text(flip=0):
    return POLICY + ("allow GET /flip/ anyone\n" if flip % 2 else "")


def write_atomic(path, text, age=2.0):
    """Replace path by rename, its mtime set back past the settle wait."""
    tmp = path + ".tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    t = time.time() - age
    os.utime(tmp, (t, t))
    os.rename(tmp, path)


def cmd_policy(argv):
    write_atomic(argv[0], policy_text())
    return 0


def cmd_users(argv):
    # $5$ with 1000 rounds: cheap enough for thousands of logins under
    # valgrind; the code path is the same as for any other scheme.
    scheme = argv[1] if len(argv) > 1 else "$5$:1000"
    prefix, _, cost = scheme.partition(":")
    try:
        hashes = {u[0]: crypt_hash(u[1].encode(), prefix, int(cost or 0))
                  for u in USERS}
    except ValueError as e:
        raise SystemExit(str(e))
    with open(argv[0] + ".hashes", "w") as f:
        json.dump(hashes, f)
    write_atomic(argv[0], users_text(hashes))
    return 0


# --- the request kinds ---------------------------------------------------

def token_kinds(secret, endpoint):
    """(name, params, body, expected) for me, projects and reports."""
    now = int(time.time())

    def claims(sub, role, ver=None, exp=600, **extra):
        p = {"sub": sub, "role": role, "iat": now, "exp": now + exp}
        if ver is not None:
            p["ver"] = ver
        p.update(extra)
        return p

    def bearer(tok):
        return {"HTTP_AUTHORIZATION": "Bearer " + tok}

    # Who may see what: me anyone, projects admin and user, reports admin.
    role_ok = {"me": ("admin", "user", "guest"),
               "projects": ("admin", "user"),
               "reports": ("admin",)}[endpoint]

    def by_role(role):
        return 200 if role in role_ok else 403

    kinds = [
        ("valid", bearer(mint(secret, claims("alice", "admin"))), 200),
        ("valid_user", bearer(mint(secret, claims("bob", "user"))),
         by_role("user")),
        # A session's token (sid, jti): with sessions on, checked against
        # the ended sessions (and the store polled); off, the same as valid.
        ("valid_session", bearer(mint(secret, claims(
            "alice", "admin", sid=b64url(os.urandom(16)),
            jti=b64url(os.urandom(16))))), 200),
        ("wrong_role", bearer(mint(secret, claims("erin", "guest"))),
         by_role("guest")),
        ("valid_ver", bearer(mint(secret, claims("dave", "user", 3))),
         by_role("user")),
        ("no_creds", {}, 401),
        ("basic_creds", {"HTTP_AUTHORIZATION": "Basic YWxpY2U6eA=="}, 401),
        ("empty_bearer", {"HTTP_AUTHORIZATION": "Bearer "}, 401),
        ("garbage_token", bearer("not-a-token"), 401),
        ("bad_signature", bearer(mint(b"x" * 32, claims("alice", "admin"))),
         401),
        ("expired", bearer(mint(secret, claims("alice", "admin",
                                               exp=-30))), 401),
        ("alg_none", bearer(mint(secret, claims("alice", "admin"),
                                 alg="none", sign=False)), 401),
        ("alg_none_signed", bearer(mint(secret, claims("alice", "admin"),
                                        alg="none", sign=False) + "c2ln"),
         401),
        ("alg_hs512", bearer(mint(secret, claims("alice", "admin"),
                                  alg="HS512")), 401),
        ("no_role_claim", bearer(mint(secret, {"sub": "alice", "iat": now,
                                               "exp": now + 600})), 401),
        ("unknown_user", bearer(mint(secret, claims("mallory", "admin"))),
         401),
        ("disabled_user", bearer(mint(secret, claims("carol", "user"))),
         401),
        ("revoked", bearer(mint(secret, claims("dave", "user", 2))), 401),
        ("oversized_token", bearer("a" * 9000), 401),
    ]
    out = [(n, dict(p, REQUEST_METHOD="GET"), b"", s) for n, p, s in kinds]
    valid = bearer(mint(secret, claims("alice", "admin")))
    out += common_kinds(valid, "GET", "POST")
    return out


def authorize_kinds(secret):
    """(name, params, body, expected) for authorize, on POLICY."""
    now = int(time.time())

    def bearer(sub, role, scope=None, ver=None, exp=600, key=None):
        p = {"sub": sub, "role": role, "iat": now, "exp": now + exp}
        if scope is not None:
            p["scope"] = scope
        if ver is not None:
            p["ver"] = ver
        return {"HTTP_AUTHORIZATION": "Bearer " +
                mint(key or secret, p)}

    def get(uri, **extra):
        return dict(extra, REQUEST_METHOD="GET", REQUEST_URI=uri)

    alice = bearer("alice", "admin", "reports:read projects:read")
    kinds = [
        ("valid", get("/reports/x", **alice), 200),
        ("valid_authorizer", get("/reports/x", FCGI_ROLE="AUTHORIZER",
                                 **alice), 200),
        ("valid_forward", get("/x", HTTP_X_ORIGINAL_METHOD="GET",
                              HTTP_X_ORIGINAL_URI="/reports/x?a=1",
                              **alice), 200),
        ("valid_caddy", get("/x", HTTP_X_FORWARDED_METHOD="GET",
                            HTTP_X_FORWARDED_URI="/projects/a", **alice),
         200),
        ("anyone", get("/public/x"), 200),
        ("anyone_authorizer", get("/public/x", FCGI_ROLE="AUTHORIZER"),
         200),
        ("anyone_bad_token", get("/public/%78", HTTP_AUTHORIZATION=
                                 "Bearer x.y.z"), 200),
        ("scope_missing", get("/reports/x", **bearer(
            "bob", "user", "reports:read projects:read")), 403),
        ("role_forbidden", get("/projects/", **bearer("erin", "guest")),
         403),
        ("no_rule", dict(get("/reports/x", **alice), REQUEST_METHOD="POST"),
         403),
        ("no_creds", get("/reports/x"), 401),
        ("bad_signature", get("/reports/x", **bearer(
            "alice", "admin", key=b"x" * 32)), 401),
        ("expired", get("/reports/x", **bearer("alice", "admin",
                                               exp=-30)), 401),
        ("disabled_user", get("/x", **bearer("carol", "user")), 401),
        ("revoked", get("/x", **bearer("dave", "user", ver=2)), 401),
        ("unknown_user", get("/x", **bearer("mallory", "admin")), 401),
        ("bad_scope_claim", get("/x", **bearer("alice", "admin",
                                               "a  b")), 401),
        ("encoded_slash", get("/public%2F..%2Freports/x"), 400),
        ("above_root", get("/public/../../x"), 400),
        ("dotdot_params", get("/public/..;/reports/x"), 400),
        ("path_too_long", get("/" + "a" * 5000), 400),
        ("no_uri", {"REQUEST_METHOD": "GET"}, 400),
        ("both_families", get("/public/x", HTTP_X_ORIGINAL_METHOD="GET",
                              HTTP_X_ORIGINAL_URI="/public/x",
                              HTTP_X_FORWARDED_METHOD="GET",
                              HTTP_X_FORWARDED_URI="/public/x"), 500),
        ("no_method", {"REQUEST_URI": "/public/x"}, 400),
    ]
    out = [(n, p, b"", s) for n, p, s in kinds]
    # A body (and a length no endpoint would read) is never read.
    out.append(("body_not_read", get("/public/x", CONTENT_LENGTH="100000"),
                b"hello world", 200))
    return out


def login_kinds():
    form = "application/x-www-form-urlencoded"

    def post(body, ctype=form):
        p = {"REQUEST_METHOD": "POST", "CONTENT_LENGTH": str(len(body))}
        if ctype is not None:
            p["CONTENT_TYPE"] = ctype
        return p, body

    kinds = [
        ("valid", post(b"username=alice&password=alicepass"), 200),
        ("valid_grant", post(b"grant_type=password&username=bob&"
                             b"password=bobpass"), 200),
        ("wrong_password", post(b"username=alice&password=nope"), 401),
        ("unknown_user", post(b"username=mallory&password=x"), 401),
        ("invalid_name", post(b"username=%00bad&password=x"), 401),
        ("disabled_user", post(b"username=carol&password=carolpass"), 401),
        ("password_too_long", post(b"username=alice&password="
                                   + b"p" * 5000), 401),
        ("missing_password", post(b"username=alice"), 422),
        ("missing_both", post(b""), 422),
        ("bad_grant_type", post(b"grant_type=client&username=alice&"
                                b"password=alicepass"), 422),
        ("not_a_form", post(b'{"username":"alice"}', "application/json"),
         422),
        ("no_content_type", post(b"username=alice&password=x", None), 422),
    ]
    out = [(n, p, b, s) for n, (p, b), s in kinds]
    out += common_kinds(None, "POST", "GET")
    return out


FORM = "application/x-www-form-urlencoded"

# The site the browser kinds come from (HTTP_HOST), plain HTTP: the
# cookies are the un-prefixed ones, the same-origin Origin this one.
HOST = "localhost:8080"
ORIGIN = "http://" + HOST
ACCESS, REFRESH = "fcgi-auth", "fcgi-auth-refresh"


def browser(origin=ORIGIN, cookies=None, fetch_site=None, **params):
    """A browser's request to signin or signout: Host, and as asked an
    Origin, a Sec-Fetch-Site and the cookies (name -> value)."""
    p = dict(params, HTTP_HOST=HOST)
    if origin is not None:
        p["HTTP_ORIGIN"] = origin
    if fetch_site is not None:
        p["HTTP_SEC_FETCH_SITE"] = fetch_site
    if cookies:
        p["HTTP_COOKIE"] = "; ".join("%s=%s" % c for c in cookies.items())
    return p


def signin_kinds(secret):
    """(name, params, body, expected) for signin, sessions off."""
    now = int(time.time())
    access = mint(secret, {"sub": "alice", "role": "admin", "iat": now,
                           "exp": now + 600})

    def get(query="next=/private/x", **kw):
        return browser(REQUEST_METHOD="GET", QUERY_STRING=query, **kw)

    def post(body, **kw):
        return browser(REQUEST_METHOD="POST", CONTENT_TYPE=FORM,
                       CONTENT_LENGTH=str(len(body)), **kw), body

    kinds = [
        ("page", get(origin=None), b"", 200),
        ("page_head", dict(get(origin=None), REQUEST_METHOD="HEAD"), b"",
         200),
        ("page_bad_next", get("next=%2F%2Fevil.example%2F", origin=None),
         b"", 200),
        ("page_next_too_long", get("next=/" + "a" * 5000, origin=None),
         b"", 200),
        ("access_cookie", get(origin=None, cookies={ACCESS: access}),
         b"", 303),
        ("bad_access_cookie", get(origin=None, cookies={
            ACCESS: mint(b"x" * 32, {"sub": "alice", "role": "admin",
                                          "iat": now, "exp": now + 600})}),
         b"", 200),
        # Sessions off: no refresh is tried, the page comes.
        ("malformed_refresh_cookie", get(origin=None, cookies={
            REFRESH: "not-a-refresh-token"}), b"", 200),
    ]
    posts = [
        ("valid", post(b"username=alice&password=alicepass&"
                       b"next=%2Fprivate%2Fx"), 303),
        ("valid_fetch_site", post(b"username=bob&password=bobpass&"
                                  b"next=%2F%2Fevil.example",
                                  origin=None, fetch_site="same-origin"),
         303),
        ("wrong_password", post(b"username=alice&password=nope"), 401),
        ("missing_password", post(b"username=alice&next=/x"), 401),
        ("password_too_long", post(b"username=alice&password="
                                   + b"p" * 5000), 401),
        ("no_origin", post(b"username=alice&password=alicepass",
                           origin=None), 403),
        ("cross_site_origin", post(b"username=alice&password=alicepass",
                                   origin="http://evil.example"), 403),
        ("cross_site_fetch", post(b"username=alice&password=alicepass",
                                  fetch_site="cross-site"), 403),
    ]
    out = kinds + [(n, p, b, s) for n, (p, b), s in posts]
    out += common_kinds(browser(), "POST", "PUT")
    return out


def signout_kinds(secret):
    """(name, params, body, expected) for signout, sessions off."""
    now = int(time.time())
    access = mint(secret, {"sub": "alice", "role": "admin", "iat": now,
                           "exp": now + 600})

    def post(**kw):
        return browser(REQUEST_METHOD="POST", CONTENT_TYPE=FORM,
                       CONTENT_LENGTH="0", **kw)

    kinds = [
        ("no_cookies", post(), 303),
        ("access_cookie", post(cookies={ACCESS: access}), 303),
        ("both_cookies", post(cookies={
            ACCESS: access, REFRESH: "not-a-token"}), 303),
        ("fetch_site", post(origin=None, fetch_site="same-origin"), 303),
        ("cross_site_origin", post(origin="http://evil.example",
                                   cookies={ACCESS: access}), 403),
        ("cross_site_fetch", post(fetch_site="cross-site"), 403),
        ("no_origin", post(origin=None), 403),
    ]
    out = [(n, p, b"", s) for n, p, s in kinds]
    out += common_kinds(browser(), "POST", "GET")
    return out


# Kinds that make login.fcgi or signin.fcgi hash a password (the slow
# ones).  Signin hashes for a field missing too (login answers 422 first).
HASHING_KINDS = {
    "login": {"valid", "valid_grant", "wrong_password", "unknown_user",
              "disabled_user"},
    "signin": {"valid", "valid_fetch_site", "wrong_password",
               "missing_password"},
}


def common_kinds(auth, method, other_method):
    """The request-shape refusals every endpoint shares."""
    base = {"REQUEST_METHOD": method}
    if auth:
        base.update(auth)
    return [
        ("method_405", dict(base, REQUEST_METHOD=other_method), b"", 405),
        ("body_413", dict(base, CONTENT_LENGTH="100000"), b"", 413),
        ("bad_content_length", dict(base, CONTENT_LENGTH="12abc"), b"",
         400),
        ("negative_content_length", dict(base, CONTENT_LENGTH="-1"), b"",
         400),
        ("short_body", dict(base, CONTENT_LENGTH="10"), b"abcd", 400),
        ("no_method", {}, b"", 400),
    ]


# --- the run -------------------------------------------------------------

def vm_rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise SystemExit("no VmRSS for pid %d" % pid)


def run(args):
    secret = read_secret(args.secret_file)
    if args.endpoint == "login":
        kinds = login_kinds()
    elif args.endpoint == "authorize":
        kinds = authorize_kinds(secret)
    elif args.endpoint == "signin":
        kinds = signin_kinds(secret)
    elif args.endpoint == "signout":
        kinds = signout_kinds(secret)
    else:
        kinds = token_kinds(secret, args.endpoint)
    if args.kinds:
        wanted = set(args.kinds.split(","))
        kinds = [k for k in kinds if k[0] in wanted]
        if not kinds:
            raise SystemExit("no such kind: %s" % args.kinds)
    hashes = None
    if args.users_file:
        with open(args.users_file + ".hashes") as f:
            hashes = json.load(f)

    counts = {k[0]: 0 for k in kinds}
    bad = {}
    rss = []
    reloads = seen_reloads = 0
    started = time.monotonic()
    hashing = HASHING_KINDS.get(args.endpoint, set())
    cheap = [k for k in kinds if k[0] not in hashing]
    i = 0
    for n in range(args.requests):
        # Password-hashing kinds only every --hashing-every turns, so that
        # a login or signin run under valgrind stays within minutes.
        if (hashing and cheap and args.hashing_every > 1 and
                n % args.hashing_every != 0):
            kind = cheap[n % len(cheap)]
        else:
            kind = kinds[i % len(kinds)]
            i += 1
        name, params, body, want = kind
        params = dict(params, REMOTE_ADDR="127.0.0.1",
                      SCRIPT_NAME="/" + args.endpoint)
        out, err, _ = fcgi_request(args.socket, params, body)
        seen_reloads += err.count(b": reloaded, ")
        got = status_of(out)
        counts[name] += 1
        if got != want:
            bad.setdefault(name, []).append(got)
        if hashes and args.reload_every and (n + 1) % args.reload_every == 0:
            reloads += 1
            write_atomic(args.users_file, users_text(hashes, reloads))
            if args.policy_file:
                write_atomic(args.policy_file, policy_text(reloads))
        if args.rss_pid and (n + 1) % args.rss_every == 0:
            rss.append((n + 1, vm_rss_kib(args.rss_pid)))
    elapsed = time.monotonic() - started

    failed = 0
    for name, _, _, want in kinds:
        got = bad.get(name, [])
        failed += 1 if got else 0
        print("%-24s %6d sent, expect %d%s" % (
            name, counts[name], want,
            ", UNEXPECTED: %s" % sorted(set(got)) if got else ""))
    print("requests: %d in %.1f s (%.0f/s); users file replaced %d times, "
          "reloaded %d times" % (args.requests, elapsed,
                                 args.requests / elapsed, reloads,
                                 seen_reloads))
    passed = len(kinds) - failed
    if args.rss_pid:
        after = [kib for n, kib in rss if n >= args.warmup]
        if not after:
            raise SystemExit("no RSS sample after the warm-up")
        base = next(kib for n, kib in rss if n >= args.warmup)
        growth = max(after) - base
        print("rss: " + " ".join("%d:%d" % s for s in rss))
        print("rss: %d KiB at %d requests, %d KiB at %d, max growth after "
              "warm-up %d KiB (bound %d KiB)"
              % (base, args.warmup, rss[-1][1], rss[-1][0], growth,
                 args.rss_bound_kib))
        if growth < args.rss_bound_kib:
            passed += 1
        else:
            print("rss: NOT FLAT")
            failed += 1
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


# --- sessions: the session endpoints, /me and the browser's on one store --

def body_of(out):
    """The JSON body of an answer, or None."""
    _, _, body = out.partition(b"\r\n\r\n")
    try:
        return json.loads(body) if body else None
    except ValueError:
        return None


# A process whose store failed tries it again no sooner than this after
# (STORE_REDIS_RETRY_MS in common/store.h; SQLite tries at once).
STORE_RETRY_SECONDS = 1.0


class Sessions:
    def __init__(self, sockets, secret):
        self.sockets, self.secret = sockets, secret
        self.counts, self.bad = {}, {}

    def send(self, endpoint, name, want, fields=None, token=None,
             addr="127.0.0.1", method="POST", extra=None):
        """One request (extra: more parameters); counts it under name;
        returns the JSON body, and keeps the answer in self.out."""
        body = urllib.parse.urlencode(fields or []).encode()
        params = dict(extra or {}, REQUEST_METHOD=method, REMOTE_ADDR=addr,
                      SCRIPT_NAME="/" + endpoint,
                      HTTP_USER_AGENT="leak-drive/1")
        if method == "POST":
            params["CONTENT_TYPE"] = FORM
            params["CONTENT_LENGTH"] = str(len(body))
        else:
            body = b""
        if token is not None:
            params["HTTP_AUTHORIZATION"] = "Bearer " + token
        out, _, _ = fcgi_request(os.path.join(self.sockets,
                                              endpoint + ".sock"),
                                 params, body)
        self.out = out
        got = status_of(out)
        self.counts[name] = self.counts.get(name, 0) + 1
        wants = want if isinstance(want, tuple) else (want,)
        if got not in wants:
            self.bad.setdefault(name, set()).add(got)
        return body_of(out) or {}

    def login(self, name="login"):
        b = self.send("login", name, 200, [("username", "alice"),
                                           ("password", "alicepass")])
        return b.get("access_token", "x"), b.get("refresh_token", "x")

    def refresh(self, name, token, want):
        b = self.send("refresh", name, want,
                      [("grant_type", "refresh_token"),
                       ("refresh_token", token)])
        return b.get("access_token", "x"), b.get("refresh_token", "x")

    def browser(self, endpoint, name, want, cookies=None, fields=None,
                method="POST", addr="127.0.0.1"):
        """signin or signout as a browser on this site sends it; returns
        the cookies the answer sets ({} if it sets none), so a cleared
        one is there with the value ""."""
        extra = browser(cookies=cookies)
        if method != "POST":
            extra["QUERY_STRING"] = "next=/private/x"
        self.send(endpoint, name, want, fields, method=method, addr=addr,
                  extra=extra)
        head = self.out.partition(b"\r\n\r\n")[0].decode("latin-1")
        got = {}
        for line in head.split("\r\n"):
            if line.lower().startswith("set-cookie:"):
                pair = line.split(":", 1)[1].split(";", 1)[0].strip()
                k, _, v = pair.partition("=")
                got[k] = v
        return got

    def signin(self, name="signin", want=303):
        """A sign-in with the form; the cookies it sets."""
        c = self.browser("signin", name, want, fields=[
            ("username", "alice"), ("password", "alicepass"),
            ("next", "/private/x")])
        if want == 303 and not (c.get(ACCESS) and c.get(REFRESH)):
            self.bad.setdefault(name + "_cookies", set()).add(0)
        return c

    def signin_cycle(self):
        """The browser's paths: the form, the silent sign-in with the
        refresh cookie (rotated; the old one again ends the session),
        sign-out with either cookie, the refusals."""
        c1 = self.signin()
        self.browser("signin", "signin_signed_in", 303, method="GET",
                     cookies={ACCESS: c1.get(ACCESS, "x")})
        c2 = self.browser("signin", "signin_silent", 303, method="GET",
                          cookies={REFRESH: c1.get(REFRESH, "x")})
        if not c2.get(REFRESH) or c2.get(REFRESH) == c1.get(REFRESH):
            self.bad.setdefault("signin_silent_rotated", set()).add(0)
        self.send("me", "me_silent", 200, token=c2.get(ACCESS, "x"),
                  method="GET")
        # The rotated cookie again: the session ends, cookies cleared.
        self.browser("signin", "signin_silent_reused", 200, method="GET",
                     cookies={REFRESH: c1.get(REFRESH, "x")})
        self.browser("signin", "signin_silent_ended", 200, method="GET",
                     cookies={REFRESH: c2.get(REFRESH, "x")})
        self.browser("signin", "signin_malformed_refresh", 200,
                     method="GET", cookies={REFRESH: "not-a-token"})
        self.browser("signin", "signin_page", 200, method="GET")
        c3 = self.signin()
        self.browser("signout", "signout_both_cookies", 303, cookies=c3)
        self.browser("signin", "signin_signed_out", 200, method="GET",
                     cookies={REFRESH: c3.get(REFRESH, "x")})
        c4 = self.signin()
        self.browser("signout", "signout_access_cookie", 303,
                     cookies={ACCESS: c4.get(ACCESS, "x")})
        self.browser("signin", "signin_session_ended", 200, method="GET",
                     cookies={REFRESH: c4.get(REFRESH, "x")})
        self.browser("signout", "signout_no_cookies", 303)
        self.send("signout", "signout_cross_site", 403, extra=browser(
            origin="http://evil.example", cookies=c4))
        self.send("signout", "signout_get", 405, method="GET",
                  extra=browser())
        # Failures from another address, with login's: 401, then 429.
        self.browser("signin", "signin_wrong_password", (401, 429),
                     fields=[("username", "bob"), ("password", "nope")],
                     addr="127.0.0.2")

    def until_back(self, bound=10.0):
        """Logins until one succeeds (a store that came back is retried
        by each process at its own pace), at most bound seconds; then
        past the retry interval, so that every other process, whose
        last try failed, tries again at its next request."""
        end = time.monotonic() + bound
        while True:
            b = self.send("login", "login_until_back", (200, 503),
                          [("username", "alice"), ("password", "alicepass")])
            if "access_token" in b:
                time.sleep(STORE_RETRY_SECONDS + 0.2)
                return
            if time.monotonic() > end:
                self.bad.setdefault("login_until_back", set()).add(503)
                return
            time.sleep(0.2)

    def cycle(self):
        now = int(time.time())
        a1, r1 = self.login()
        self.send("me", "me_session", 200, token=a1, method="GET")
        a2, r2 = self.refresh("refresh", r1, 200)
        self.send("me", "me_refreshed", 200, token=a2, method="GET")
        # A rotated token again: the whole family ends.
        self.refresh("refresh_reused", r1, 400)
        self.refresh("refresh_family_ended", r2, 400)
        self.refresh("refresh_garbage", "not-a-refresh-token", 400)
        self.send("refresh", "refresh_bad_grant", 400,
                  [("grant_type", "password"), ("refresh_token", r2)])
        self.send("refresh", "refresh_no_token", 400,
                  [("grant_type", "refresh_token")])
        a3, r3 = self.login()
        self.send("logout", "logout_with_refresh", 204,
                  [("refresh_token", r3)], token=a3)
        # This process ended it: its own set refuses the token at once.
        self.send("logout", "logout_again", 401, token=a3)
        # me's process sees the end at its next poll (0.5 s at most).
        self.send("me", "me_logged_out", (200, 401), token=a3,
                  method="GET")
        self.refresh("refresh_logged_out", r3, 400)
        self.send("logout", "logout_no_bearer", 401)
        self.send("logout", "logout_no_session", 400, token=mint(
            self.secret, {"sub": "alice", "role": "admin", "iat": now,
                          "exp": now + 600}))
        a4, r4 = self.login()
        self.send("revoke", "revoke_refresh", 200,
                  [("token", r4), ("token_type_hint", "refresh_token")])
        self.refresh("refresh_revoked", r4, 400)
        a5, r5 = self.login()
        self.send("revoke", "revoke_access", 200,
                  [("token", a5), ("token_type_hint", "access_token")])
        self.send("revoke", "revoke_garbage", 200, [("token", "x.y.z")])
        self.send("revoke", "revoke_no_token", 400, [("token_type_hint",
                                                      "refresh_token")])
        self.send("revoke", "revoke_get", 405, method="GET")
        # Failures from another address: 401, then throttled (429).
        self.send("login", "login_wrong_password", (401, 429),
                  [("username", "bob"), ("password", "nope")],
                  addr="127.0.0.2")
        self.signin_cycle()

    def down(self, live_access, live_refresh):
        self.send("login", "down_login", 503, [("username", "alice"),
                                               ("password", "alicepass")])
        self.refresh("down_refresh", live_refresh, 503)
        self.send("logout", "down_logout", 503, token=live_access)
        self.send("revoke", "down_revoke", 503, [("token", live_refresh)])
        self.send("me", "down_me", 200, token=live_access, method="GET")
        self.signin("down_signin", 503)
        self.browser("signin", "down_signin_silent", 503, method="GET",
                     cookies={REFRESH: live_refresh})
        self.browser("signin", "down_signin_signed_in", 303, method="GET",
                     cookies={ACCESS: live_access})
        self.browser("signout", "down_signout", 503,
                     cookies={ACCESS: live_access, REFRESH: live_refresh})

    def report(self):
        for name in sorted(self.counts):
            got = self.bad.get(name)
            print("%-24s %6d sent%s" % (
                name, self.counts[name],
                ", UNEXPECTED: %s" % sorted(got) if got else ""))
        print("%d passed, %d failed" % (len(self.counts) - len(self.bad),
                                        len(self.bad)))
        return 0 if not self.bad and self.counts else 1


def cmd_sessions(argv):
    ap = argparse.ArgumentParser(prog="drive.py sessions")
    ap.add_argument("--sockets", required=True)
    ap.add_argument("--phase", choices=["up", "down"], required=True)
    ap.add_argument("--cycles", type=int, default=1)
    ap.add_argument("--secret-file", required=True)
    ap.add_argument("--tokens", required=True)
    ap.add_argument("--sqlite-lock")
    ap.add_argument("--back", action="store_true",
                    help="the store was down: wait for a login first")
    args = ap.parse_args(argv)
    s = Sessions(args.sockets, read_secret(args.secret_file))
    if args.phase == "up":
        if args.back:
            s.until_back()
        for _ in range(args.cycles):
            s.cycle()
        a, r = s.login("login_kept")
        with open(args.tokens, "w") as f:
            f.write("%s\n%s\n" % (a, r))
        return s.report()
    with open(args.tokens) as f:
        a, r = f.read().split()
    if args.sqlite_lock:
        import sqlite3
        db = sqlite3.connect(args.sqlite_lock, isolation_level=None)
        db.execute("BEGIN EXCLUSIVE")
        try:
            s.down(a, r)
        finally:
            db.execute("ROLLBACK")
            db.close()
    else:
        s.down(a, r)
    return s.report()


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "sessions":
        return cmd_sessions(sys.argv[2:])
    if len(sys.argv) > 1 and sys.argv[1] == "users":
        return cmd_users(sys.argv[2:])
    if len(sys.argv) > 1 and sys.argv[1] == "policy":
        return cmd_policy(sys.argv[2:])
    ap = argparse.ArgumentParser()
    ap.add_argument("--socket", required=True)
    ap.add_argument("--endpoint", required=True,
                    choices=["login", "me", "projects", "reports",
                             "authorize", "signin", "signout"])
    ap.add_argument("--requests", type=int, default=10000)
    ap.add_argument("--secret-file", required=True)
    ap.add_argument("--users-file")
    ap.add_argument("--reload-every", type=int, default=0)
    ap.add_argument("--policy-file")
    ap.add_argument("--rss-pid", type=int)
    ap.add_argument("--rss-every", type=int, default=500)
    ap.add_argument("--warmup", type=int, default=2000)
    ap.add_argument("--rss-bound-kib", type=int, default=64)
    ap.add_argument("--hashing-every", type=int, default=1)
    ap.add_argument("--kinds")
    return run(ap.parse_args())


if __name__ == "__main__":
    sys.exit(main())
