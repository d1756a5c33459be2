#!/usr/bin/python3
"""contract.py -- fcgi-auth's HTTP contract, as named checks against a URL.

  contract.py --url URL --secret-file FILE [--alg HS256] [--ttl-min 30]
              [--audience AUD] [--issuer ISS] [--policy FILE]
              [--reference] [--record FILE] [--only WORD] [--no-load]

Every check is named; a failure says which check, what was sent, and
expected vs got.  Output is TAP-like ("ok N - name", "not ok N - name"),
then one summary line; exit status 0 if every check passed, 1 if not.

The server under test must know these users (tests/e2e/lib.sh writes them):
  alice/alicepass admin, bob/bobpass user                (both modes)
  carol/carolpass disabled, dave/davepass version 3,     (ours only)
  erin/erinpass role guest

--audience and --issuer say what the server has as JWT_AUDIENCE and
JWT_ISSUER (default: unset); the tokens the checks mint then carry them.

--policy names the policy file the login endpoint has (POLICY_FILE):
the scope.* checks then expect the scopes its role lines grant.  Without
it, they expect what a login without a policy does: the scope field is
ignored, and tokens carry no scope.

--reference runs the subset the FastAPI reference app supports: it only
knows alice and bob, has no disabled users, revocation or 413, accepts
any exp (or none), and sends no Cache-Control; its bcrypt logins are
slow, so it gets 10 concurrent logins instead of 50.  --record writes
every exchange, tokens masked, so two servers' runs can be diffed
(reference-diff.sh).

Only the standard library and PyJWT (python3-jwt).
"""

import argparse
import base64
import hashlib
import hmac
import http.client
import json
import re
import sys
import threading
import time
import traceback
import urllib.parse

import jwt

USERS = {
    # name: (password, role as the users file says)
    "alice": ("alicepass", "admin"),
    "bob": ("bobpass", "user"),
    "carol": ("carolpass", "user"),     # disabled
    "dave": ("davepass", "user"),       # version 3
    "erin": ("erinpass", "guest"),
}
BODY_MAX = 64 * 1024
FORM = "application/x-www-form-urlencoded"
TOKEN_ENDPOINTS = ("/me", "/reports", "/projects")
DEFAULT = object()
JWT_RE = re.compile(r"[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*")


class CheckFailed(Exception):
    pass


class Response:
    def __init__(self, method, path, label, status, headers, body):
        self.method, self.path, self.label = method, path, label
        self.status = status
        self.headers = headers          # lower-case name -> value
        self.body = body
        try:
            self.json = json.loads(body.decode("utf-8"))
        except ValueError:
            self.json = None

    def header(self, name):
        return self.headers.get(name.lower())

    def describe(self):
        body = JWT_RE.sub("<JWT>", self.body.decode("utf-8", "replace"))
        if len(body) > 300:
            body = body[:300] + "..."
        return "%s %s%s -> %d %s" % (
            self.method, self.path,
            " [%s]" % self.label if self.label else "", self.status, body)


class Contract:
    def __init__(self, args):
        self.url = urllib.parse.urlsplit(args.url.rstrip("/"))
        with open(args.secret_file, "rb") as f:
            # Trailing newlines are not part of the secret (common/cfg.c).
            self.secret = f.read().rstrip(b"\r\n")
        self.alg = args.alg
        self.ttl_min = args.ttl_min
        self.audience = args.audience
        self.issuer = args.issuer
        self.grants = read_grants(args.policy) if args.policy else None
        # Sessions on: a login's answer adds expires_in and refresh_token.
        self.session_keys = ["expires_in", "refresh_token"] \
            if args.sessions else []
        self.reference = args.reference
        self.load = not args.no_load
        self.record = open(args.record, "w") if args.record else None
        self.record_lock = threading.Lock()
        self.current = ""
        self.tokens = {}
        # Set when a request got no answer in time: a server that hangs
        # then fails every later check at once, not after a minute each.
        self.hung = None

    # --- HTTP ---------------------------------------------------------

    def request(self, method, path, headers=None, body=None, label="",
                record=True):
        if self.hung is not None:
            raise TimeoutError("not asked: %s got no answer in 60 s"
                               % self.hung)
        conn = http.client.HTTPConnection(self.url.hostname, self.url.port,
                                          timeout=60)
        try:
            try:
                conn.request(method, path, body=body, headers=headers or {})
                r = conn.getresponse()
                data = r.read()
            except TimeoutError:
                self.hung = "%s %s" % (method, path)
                raise
            hdrs = {}
            for name, value in r.getheaders():
                name = name.lower()
                hdrs[name] = hdrs[name] + ", " + value if name in hdrs \
                    else value
            resp = Response(method, path, label, r.status, hdrs, data)
        finally:
            conn.close()
        if record and self.record is not None:
            self.write_record(resp)
        return resp

    def write_record(self, r):
        shown = ("content-type", "www-authenticate", "allow",
                 "cache-control")
        hdrs = " ".join("%s=%s" % (h, r.headers[h]) for h in shown
                        if h in r.headers)
        body = JWT_RE.sub("<JWT>", r.body.decode("utf-8", "replace"))
        if r.status == 404:
            body = "<404 page>"
        with self.record_lock:
            self.record.write("%s: %s %s%s\n    -> %d %s\n    %s\n" % (
                self.current, r.method, r.path,
                " [%s]" % r.label if r.label else "", r.status, hdrs, body))

    def get(self, path, token=None, label="", scheme="Bearer", record=True):
        headers = {}
        if token is not None:
            headers["Authorization"] = "%s %s" % (scheme, token) \
                if scheme else token
        return self.request("GET", path, headers, label=label,
                            record=record)

    def login(self, fields, content_type=FORM, label="", record=True):
        if isinstance(fields, (bytes, str)):
            body = fields if isinstance(fields, bytes) else fields.encode()
        else:
            body = urllib.parse.urlencode(fields).encode()
        headers = {"Content-Type": content_type} if content_type else {}
        return self.request("POST", "/auth/login", headers, body,
                            label=label, record=record)

    def token_for(self, name):
        """A token from a real login, cached per user."""
        if name not in self.tokens:
            r = self.login({"username": name, "password": USERS[name][0]},
                           label="login " + name)
            self.expect_status(r, 200, "login as %s" % name)
            self.tokens[name] = r.json["access_token"]
        return self.tokens[name]

    # --- expectations ---------------------------------------------------

    def fail(self, what, expected, got, resp=None):
        msg = "%s\n    expected: %s\n         got: %s" % (what, expected, got)
        if resp is not None:
            msg += "\n    exchange: %s" % resp.describe()
        raise CheckFailed(msg)

    def expect(self, what, expected, got, resp=None):
        if expected != got:
            self.fail(what, repr(expected), repr(got), resp)

    def expect_status(self, r, status, what=""):
        self.expect("%sstatus" % (what + ": " if what else ""), status,
                    r.status, r)
        # Every answer of ours is JSON, refusals included.
        self.expect("%sContent-Type" % (what + ": " if what else ""),
                    "application/json", r.header("content-type"), r)

    def expect_json(self, r, status, body, what=""):
        self.expect_status(r, status, what)
        self.expect("%sbody" % (what + ": " if what else ""), body, r.json, r)

    def expect_refusal(self, r, status, detail, what=""):
        self.expect_json(r, status, {"detail": detail}, what)
        prefix = what + ": " if what else ""
        if status == 401:
            self.expect(prefix + "WWW-Authenticate", "Bearer",
                        r.header("www-authenticate"), r)

    def expect_405(self, r, allow, what=""):
        self.expect_refusal(r, 405, "Method Not Allowed", what)
        self.expect((what + ": " if what else "") + "Allow", allow,
                    r.header("allow"), r)

    def expect_token_ok(self, token, name, what=""):
        r = self.get("/me", token, label=what or "token for " + name)
        self.expect_json(r, 200, {"username": name,
                                  "role": USERS[name][1]}, what)

    def expect_bad_token(self, token, detail="Invalid or expired token",
                         label="", paths=TOKEN_ENDPOINTS):
        for path in paths:
            r = self.get(path, token, label=label)
            self.expect_refusal(r, 401, detail, "%s on %s" % (label, path))

    # --- tokens ---------------------------------------------------------

    def claims(self, sub="alice", role=DEFAULT, **extra):
        """Valid claims for sub, 5 minutes to live at most, with the
        configured aud and iss; role=None or a keyword=None leaves that
        claim out."""
        now = int(time.time())
        c = self.ours({"sub": sub, "iat": now,
                       "exp": now + min(300, self.ttl_min * 60)})
        if role is DEFAULT:
            role = USERS.get(sub, ("", "admin"))[1]
        if role is not None:
            c["role"] = role
        if sub is None:
            del c["sub"]
        for k, v in extra.items():
            if v is None:
                c.pop(k, None)
            else:
                c[k] = v
        return c

    def ours(self, claims):
        """claims with the configured aud and iss added."""
        if self.audience is not None:
            claims["aud"] = self.audience
        if self.issuer is not None:
            claims["iss"] = self.issuer
        return claims

    def mint(self, claims, key=None, alg=None):
        return jwt.encode(claims, self.secret if key is None else key,
                          algorithm=alg or self.alg)

    def decode(self, token, **kw):
        """PyJWT's verification of one of our tokens, pinned to the
        configured algorithm, audience and issuer."""
        return jwt.decode(token, self.secret, algorithms=[self.alg],
                          audience=self.audience, issuer=self.issuer, **kw)


def read_grants(path):
    """The scopes each role grants, from a policy file's role lines."""
    grants = {}
    with open(path) as f:
        for line in f:
            fields = line.split()
            if len(fields) >= 2 and fields[0] == "role":
                grants[fields[1]] = fields[2:]
    return grants


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_json(obj):
    return b64url(json.dumps(obj, separators=(",", ":")).encode())


def b64url_decode(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def hs_sign(secret, alg, signing_input):
    digest = {"HS256": hashlib.sha256, "HS384": hashlib.sha384,
              "HS512": hashlib.sha512}[alg]
    return b64url(hmac.new(secret, signing_input.encode(), digest).digest())


# --- the checks -----------------------------------------------------------
#
# Each is a function of the Contract, named by @check; ours_only marks
# what the reference app does not do (see the module docstring).

CHECKS = []


def check(name, ours_only=False, load=False):
    def register(fn):
        CHECKS.append((name, fn, ours_only, load))
        return fn
    return register


@check("login.alice")
def _(c):
    r = c.login({"username": "alice", "password": "alicepass"})
    c.expect_status(r, 200)
    c.expect("body keys", sorted(["access_token", "token_type"] +
                                 c.session_keys),
             sorted(r.json or {}), r)
    c.expect("token_type", "bearer", r.json["token_type"], r)
    if not c.reference:
        # RFC 6749 5.1; the reference app sends no Cache-Control.
        c.expect("Cache-Control", "no-store", r.header("cache-control"), r)
    token = r.json["access_token"]
    # Ours verify with PyJWT, pinned to the configured algorithm.
    header = jwt.get_unverified_header(token)
    c.expect("token header alg", c.alg, header.get("alg"), r)
    try:
        claims = c.decode(token,
                          options={"require": ["exp", "iat", "sub"]})
    except jwt.InvalidTokenError as e:
        c.fail("PyJWT verifies the token", "valid", "%s: %s" %
               (type(e).__name__, e), r)
    c.expect("sub", "alice", claims.get("sub"), r)
    c.expect("role", "admin", claims.get("role"), r)
    c.expect("exp - iat (seconds)", c.ttl_min * 60,
             claims["exp"] - claims["iat"], r)
    if abs(claims["iat"] - time.time()) > 60:
        c.fail("iat close to now", int(time.time()), claims["iat"], r)
    if not c.reference:
        c.expect("ver", 0, claims.get("ver"), r)
        # aud and iss exactly when configured.
        c.expect("aud", c.audience, claims.get("aud"), r)
        c.expect("iss", c.issuer, claims.get("iss"), r)
    c.expect_token_ok(token, "alice", "login token on /me")


@check("login.bob")
def _(c):
    r = c.login({"username": "bob", "password": "bobpass"})
    c.expect_status(r, 200)
    claims = c.decode(r.json["access_token"])
    c.expect("role claim", "user", claims.get("role"), r)
    c.expect_token_ok(r.json["access_token"], "bob")


@check("login.all_form_fields")
def _(c):
    # Under a policy a scope must be one it knows (scope.unknown).
    scope = "me reports" if c.grants is None else \
        " ".join(c.grants.get("user", [])[:1])
    r = c.login([("grant_type", "password"), ("username", "bob"),
                 ("password", "bobpass"), ("scope", scope),
                 ("client_id", "cli"), ("client_secret", "s3")])
    c.expect_status(r, 200)


@check("login.form_encoding")
def _(c):
    # %-escapes, a charset parameter on the type, fields in any order.
    r = c.login("password=alice%70ass&username=%61lice",
                content_type=FORM + "; charset=UTF-8")
    c.expect_status(r, 200)


@check("login.grant_type_password_prefix")
def _(c):
    # OAuth2PasswordRequestForm: re.match("password", grant_type).
    r = c.login({"grant_type": "password_x", "username": "bob",
                 "password": "bobpass"})
    c.expect_status(r, 200)


GRANT_ERROR = {"loc": ["body", "grant_type"],
               "msg": "string does not match regex \"password\"",
               "type": "value_error.str.regex",
               "ctx": {"pattern": "password"}}


def missing(field):
    return {"loc": ["body", field], "msg": "field required",
            "type": "value_error.missing"}


@check("login.grant_type_bad")
def _(c):
    r = c.login({"grant_type": "client_credentials", "username": "bob",
                 "password": "bobpass"})
    c.expect_json(r, 422, {"detail": [GRANT_ERROR]})
    r = c.login({"grant_type": "refresh_token", "username": "bob"})
    c.expect_json(r, 422, {"detail": [GRANT_ERROR, missing("password")]},
                  "bad grant_type and no password")


@check("login.missing_fields")
def _(c):
    cases = [
        ("no password", {"username": "alice"}, ["password"]),
        ("no username", {"password": "alicepass"}, ["username"]),
        ("empty body", {}, ["username", "password"]),
        ("empty password", {"username": "alice", "password": ""},
         ["password"]),
        ("empty username", {"username": "", "password": "alicepass"},
         ["username"]),
        ("other fields only", {"user": "alice", "pass": "alicepass"},
         ["username", "password"]),
    ]
    for what, fields, names in cases:
        r = c.login(fields, label=what)
        c.expect_json(r, 422, {"detail": [missing(n) for n in names]}, what)


@check("login.not_a_form")
def _(c):
    # Like FastAPI, a body of another type has no form fields at all.
    body = json.dumps({"username": "alice", "password": "alicepass"})
    r = c.login(body, content_type="application/json", label="JSON body")
    c.expect_json(r, 422, {"detail": [missing("username"),
                                      missing("password")]}, "JSON body")
    r = c.login("username=alice&password=alicepass", content_type=None,
                label="no Content-Type")
    c.expect_json(r, 422, {"detail": [missing("username"),
                                      missing("password")]},
                  "no Content-Type")


@check("login.multipart_refused", ours_only=True)
def _(c):
    # A documented difference: FastAPI would take multipart/form-data.
    boundary = "fcgiauthboundary"
    body = ("--%s\r\nContent-Disposition: form-data; name=\"username\"\r\n"
            "\r\nalice\r\n--%s\r\nContent-Disposition: form-data; "
            "name=\"password\"\r\n\r\nalicepass\r\n--%s--\r\n" %
            (boundary, boundary, boundary))
    r = c.login(body, content_type="multipart/form-data; boundary=" +
                boundary)
    c.expect_json(r, 422, {"detail": [missing("username"),
                                      missing("password")]})


@check("login.bad_credentials")
def _(c):
    cases = [
        ("wrong password", "alice", "alicepas"),
        ("unknown user", "mallory", "alicepass"),
        ("name case", "Alice", "alicepass"),
        ("another user's password", "alice", "bobpass"),
        ("NUL byte in name", "alice\0", "alicepass"),
        ("password with trailing space", "bob", "bobpass "),
    ]
    for what, name, password in cases:
        r = c.login({"username": name, "password": password}, label=what)
        c.expect_refusal(r, 401, "Invalid username or password", what)


@check("login.disabled_user", ours_only=True)
def _(c):
    # The right password, and the same answer as a wrong one.
    r = c.login({"username": "carol", "password": "carolpass"})
    c.expect_refusal(r, 401, "Invalid username or password")


@check("login.revoked_user_gets_current_version", ours_only=True)
def _(c):
    r = c.login({"username": "dave", "password": "davepass"})
    c.expect_status(r, 200)
    claims = c.decode(r.json["access_token"])
    c.expect("ver claim", 3, claims.get("ver"), r)
    c.expect_token_ok(r.json["access_token"], "dave")


@check("login.body_limit", ours_only=True)
def _(c):
    creds = "username=bob&password=bobpass&pad="
    body = creds + "x" * (BODY_MAX - len(creds))
    r = c.login(body, label="exactly 64 KiB")
    c.expect_status(r, 200, "a body of exactly 64 KiB")
    r = c.login(body + "x", label="64 KiB + 1")
    c.expect_refusal(r, 413, "Request body too large", "64 KiB + 1 byte")
    r = c.login("x" * (512 * 1024), label="512 KiB")
    c.expect_refusal(r, 413, "Request body too large", "512 KiB")


@check("login.methods")
def _(c):
    for method in ("GET", "PUT", "DELETE", "PATCH", "OPTIONS"):
        r = c.request(method, "/auth/login")
        c.expect_405(r, "POST", method)


@check("auth.no_credentials")
def _(c):
    for path in TOKEN_ENDPOINTS:
        r = c.get(path)
        c.expect_refusal(r, 401, "Not authenticated", "no header on " + path)
    cases = [("Basic", "Basic YWxpY2U6YWxpY2VwYXNz"),
             ("Token scheme", "Token abc"),
             ("Bearer glued to the token", "Bearer" + c.token_for("alice")),
             ("token alone", c.token_for("alice"))]
    for what, value in cases:
        r = c.get("/me", value, scheme="", label=what)
        c.expect_refusal(r, 401, "Not authenticated", what)


@check("auth.bearer_scheme_case_insensitive")
def _(c):
    token = c.token_for("alice")
    for scheme in ("bearer", "BEARER", "BeArEr"):
        r = c.get("/me", token, scheme=scheme, label=scheme)
        c.expect_json(r, 200, {"username": "alice", "role": "admin"},
                      "scheme " + scheme)


@check("auth.empty_bearer")
def _(c):
    # FastAPI hands "" to the decoder, which refuses it.
    r = c.get("/me", "Bearer", scheme="", label="Bearer, no token")
    c.expect_refusal(r, 401, "Invalid or expired token")


@check("token.pyjwt_minted_accepted")
def _(c):
    # A token minted elsewhere with the secret (no "ver": the reference
    # app's shape) is as good as ours.
    now = int(time.time())
    token = c.mint(c.ours({"sub": "alice", "role": "admin", "iat": now,
                           "exp": now + c.ttl_min * 60}))
    c.expect_token_ok(token, "alice", "PyJWT token on /me")
    r = c.get("/reports", token, label="PyJWT token")
    c.expect_status(r, 200, "PyJWT token on /reports")


@check("token.wrong_secret")
def _(c):
    token = c.mint(c.claims(), key=b"another-secret-of-at-least-32-bytes!!")
    c.expect_bad_token(token, label="signed with another secret")


@check("token.expired")
def _(c):
    now = int(time.time())
    token = c.mint(c.claims(iat=now - 3600, exp=now - 120))
    c.expect_bad_token(token, label="expired 2 minutes ago")


@check("token.alg_none")
def _(c):
    payload = b64url_json(c.claims())
    for header in ({"alg": "none", "typ": "JWT"}, {"alg": "None"},
                   {"alg": "NONE", "typ": "JWT"}):
        h = b64url_json(header)
        c.expect_bad_token(h + "." + payload + ".",
                           label="alg %s, no signature" % header["alg"])
        # The same, with a real HMAC appended.
        sig = hs_sign(c.secret, c.alg, h + "." + payload)
        c.expect_bad_token(h + "." + payload + "." + sig, paths=("/me",),
                           label="alg %s, HMAC signature" % header["alg"])
    # A real signature with the header's alg field removed.
    h = b64url_json({"typ": "JWT"})
    sig = hs_sign(c.secret, c.alg, h + "." + payload)
    c.expect_bad_token(h + "." + payload + "." + sig, paths=("/me",),
                       label="no alg in header")


@check("token.other_hs_algorithm")
def _(c):
    # Same secret, another HMAC: HS512 when HS256 is configured, etc.
    for alg in ("HS256", "HS384", "HS512"):
        if alg == c.alg:
            continue
        c.expect_bad_token(c.mint(c.claims(), alg=alg),
                           label="%s token, %s configured" % (alg, c.alg))
    # The configured name in another case, correctly signed.
    payload = b64url_json(c.claims())
    h = b64url_json({"alg": c.alg.lower(), "typ": "JWT"})
    sig = hs_sign(c.secret, c.alg, h + "." + payload)
    c.expect_bad_token(h + "." + payload + "." + sig, paths=("/me",),
                       label="alg %s" % c.alg.lower())


@check("token.tampered")
def _(c):
    token = c.token_for("bob")
    head, payload, sig = token.split(".")
    claims = json.loads(b64url_decode(payload))
    for what, change in (("role admin", {"role": "admin"}),
                         ("sub alice", {"sub": "alice"}),
                         ("exp later", {"exp": claims["exp"] + 60})):
        forged = dict(claims, **change)
        c.expect_bad_token(head + "." + b64url_json(forged) + "." + sig,
                           label="payload changed: " + what)
    # One signature character changed (not the last: its low bits may be
    # padding some decoders ignore).
    i = len(sig) // 2
    flipped = sig[:i] + ("A" if sig[i] != "A" else "B") + sig[i + 1:]
    c.expect_bad_token(head + "." + payload + "." + flipped,
                       label="signature changed")
    c.expect_bad_token(head + "." + payload + ".", paths=("/me",),
                       label="signature removed")


@check("token.malformed")
def _(c):
    good = c.token_for("alice")
    head, payload, sig = good.split(".")
    cases = [
        ("one word", "notatoken"),
        ("two segments", head + "." + payload),
        ("four segments", good + "." + sig),
        ("empty segments", ".."),
        ("bad base64", head + "." + payload + "!." + sig),
        ("header not JSON", b64url(b"{alg") + "." + payload + "." + sig),
        ("payload not JSON", head + "." + b64url(b"[1,2") + "." + sig),
        ("payload a JSON array", head + "." + b64url(b"[]") + "." + sig),
        ("4 KiB of junk", "a" * 4096),
        ("token with a space", head + "." + payload + " ." + sig),
    ]
    for what, token in cases:
        c.expect_bad_token(token, label=what, paths=("/me",))


@check("token.bad_payload")
def _(c):
    cases = [("no sub", c.claims(sub=None, role="admin")),
             ("no role", c.claims(role=None)),
             ("empty sub", c.claims(sub="", role="admin")),
             ("empty role", c.claims(role=""))]
    if not c.reference:
        # python-jose refuses a non-string sub as an invalid token.
        cases.append(("sub not a string", c.claims(sub=42, role="admin")))
    for what, claims in cases:
        c.expect_bad_token(c.mint(claims), "Invalid token payload",
                           label=what)


@check("token.unknown_user")
def _(c):
    c.expect_bad_token(c.mint(c.claims(sub="zed", role="admin")),
                       "User not found", label="sub zed")


@check("token.role_comes_from_users_file")
def _(c):
    # bob's token claiming admin: genuine, but the file says "user".
    token = c.mint(c.claims(sub="bob", role="admin"))
    r = c.get("/me", token, label="bob claiming admin")
    c.expect_json(r, 200, {"username": "bob", "role": "user"}, "/me")
    r = c.get("/reports", token, label="bob claiming admin")
    c.expect_refusal(r, 403, "Requires role: admin", "/reports")


@check("token.nbf_in_future")
def _(c):
    token = c.mint(c.claims(nbf=int(time.time()) + 600))
    c.expect_bad_token(token, label="nbf in 10 minutes", paths=("/me",))


@check("token.disabled_user", ours_only=True)
def _(c):
    c.expect_bad_token(c.mint(c.claims(sub="carol", role="user")),
                       "User disabled", label="carol")


@check("token.revoked", ours_only=True)
def _(c):
    for what, ver in (("ver 2", 2), ("ver 0", 0), ("no ver", None)):
        token = c.mint(c.claims(sub="dave", ver=ver))
        c.expect_bad_token(token, "Token revoked", label="dave, " + what)
    c.expect_token_ok(c.mint(c.claims(sub="dave", ver=3)), "dave",
                      "dave, ver 3")
    c.expect_token_ok(c.mint(c.claims(sub="dave", ver=4)), "dave",
                      "dave, ver 4")


@check("token.exp_required_and_capped", ours_only=True)
def _(c):
    now = int(time.time())
    c.expect_bad_token(c.mint(c.claims(exp=None)), label="no exp",
                       paths=("/me",))
    far = now + c.ttl_min * 60 + 3600
    c.expect_bad_token(c.mint(c.claims(exp=far)),
                       label="exp an hour past the lifetime", paths=("/me",))
    c.expect_bad_token(c.mint(c.claims(exp=str(now + 60))),
                       label="exp a string", paths=("/me",))
    c.expect_bad_token(c.mint(c.claims(exp=now + 60.5)),
                       label="exp a float", paths=("/me",))


@check("token.other_claims", ours_only=True)
def _(c):
    now = int(time.time())
    c.expect_bad_token(c.mint(c.claims(iat=now + 3600)),
                       label="iat an hour ahead", paths=("/me",))
    c.expect_bad_token(c.mint(c.claims(typ="refresh")),
                       label="typ refresh", paths=("/me",))
    c.expect_bad_token(c.mint(c.claims(ver="3")), label="ver a string",
                       paths=("/me",))
    c.expect_token_ok(c.mint(c.claims(typ="access")), "alice", "typ access")


@check("token.aud_refused")
def _(c):
    # A token for another service, signed with the shared secret.  With
    # no audience configured any aud is refused, as python-jose does;
    # with one, aud is required and must be it (RFC 7519 4.1.3).
    cases = [("aud another service", "other-service"),
             ("aud an array of another", ["other-service"]),
             ("aud an empty array", []),
             ("aud a number", 7),
             ("aud an object", {"aud": c.audience or "x"}),
             ("aud null", None)]
    if c.audience is None:
        cases.append(("aud fcgi-auth", "fcgi-auth"))
    else:
        cases += [("aud ours in another case", c.audience.upper()
                   if c.audience.upper() != c.audience
                   else c.audience.lower()),
                  ("aud ours with a trailing space", c.audience + " "),
                  ("aud ours and a number", [c.audience, 1])]
    for what, aud in cases:
        claims = c.claims()
        claims["aud"] = aud
        c.expect_bad_token(c.mint(claims), label=what, paths=("/me",))
    # Signed by PyJWT, decoded by us: the whole exchange once on every
    # endpoint.
    claims = c.claims()
    claims["aud"] = "other-service"
    c.expect_bad_token(c.mint(claims), label="aud another service")
    if c.audience is not None:
        c.expect_bad_token(c.mint(c.claims(aud=None)), label="no aud",
                           paths=("/me",))


@check("token.aud_match", ours_only=True)
def _(c):
    if c.audience is None:
        # Nothing to match: our tokens carry none (login.alice) and any is
        # refused (token.aud_refused).
        c.expect_token_ok(c.mint(c.claims(aud=None)), "alice", "no aud")
        return
    c.expect_token_ok(c.mint(c.claims()), "alice", "aud ours")
    c.expect_token_ok(c.mint(c.claims(aud=["other-service", c.audience])),
                      "alice", "aud an array holding ours")
    r = c.get("/reports", c.mint(c.claims(aud=[c.audience])),
              label="aud [ours]")
    c.expect_status(r, 200, "aud [ours] on /reports")


@check("token.iss_required", ours_only=True)
def _(c):
    if c.issuer is None:
        # Not configured: iss is not looked at (python-jose, PyJWT).
        c.expect_token_ok(c.mint(c.claims(iss="https://elsewhere.example")),
                          "alice", "iss, none configured")
        c.expect_token_ok(c.mint(c.claims(iss=7)), "alice",
                          "iss a number, none configured")
        return
    c.expect_token_ok(c.mint(c.claims()), "alice", "iss ours")
    for what, iss in (("no iss", None), ("iss another", "elsewhere"),
                      ("iss ours with a slash", c.issuer + "/"),
                      ("iss ours in an array", [c.issuer]),
                      ("iss a number", 1)):
        c.expect_bad_token(c.mint(c.claims(iss=iss)), label=what,
                           paths=("/me",))


@check("authz.reports")
def _(c):
    r = c.get("/reports", c.token_for("alice"), label="alice")
    c.expect_json(r, 200, {"ok": True, "data": ["revenue.csv", "churn.xlsx"],
                           "viewer": "alice"}, "alice")
    r = c.get("/reports", c.token_for("bob"), label="bob")
    c.expect_refusal(r, 403, "Requires role: admin", "bob")
    c.expect("bob: WWW-Authenticate on a 403", None,
             r.header("www-authenticate"), r)


@check("authz.projects")
def _(c):
    for name in ("alice", "bob"):
        r = c.get("/projects", c.token_for(name), label=name)
        c.expect_json(r, 200, {"projects": ["alpha", "beta"],
                               "viewer": name}, name)


@check("authz.projects_guest_forbidden", ours_only=True)
def _(c):
    token = c.token_for("erin")
    r = c.get("/projects", token, label="erin")
    c.expect_refusal(r, 403, "Requires role: admin, user", "/projects")
    r = c.get("/reports", token, label="erin")
    c.expect_refusal(r, 403, "Requires role: admin", "/reports")
    c.expect_token_ok(token, "erin", "/me")


@check("authz.me")
def _(c):
    for name in ("alice", "bob"):
        c.expect_token_ok(c.token_for(name), name, name)


@check("methods.token_endpoints")
def _(c):
    token = c.token_for("alice")
    for path in TOKEN_ENDPOINTS:
        for method in ("POST", "PUT", "DELETE", "PATCH", "OPTIONS"):
            r = c.request(method, path, label="no token")
            c.expect_405(r, "GET", "%s %s" % (method, path))
            r = c.request(method, path, {"Authorization": "Bearer " + token},
                          label="admin token")
            c.expect_405(r, "GET", "%s %s with a token" % (method, path))


@check("methods.head")
def _(c):
    # FastAPI's routes take exactly the methods declared: HEAD is 405.
    for path in TOKEN_ENDPOINTS:
        r = c.request("HEAD", path)
        c.expect("HEAD %s status" % path, 405, r.status, r)
        c.expect("HEAD %s Allow" % path, "GET", r.header("allow"), r)


@check("routing.exact_paths")
def _(c):
    token = c.token_for("alice")
    paths = ["/messages", "/mex", "/me/x", "/reportsx", "/projects/alpha",
             "/auth/login/x", "/auth", "/ME", "/me.fcgi"]
    if not c.reference:
        paths.append("/me/")    # FastAPI redirects it to /me
    for path in paths:
        r = c.request("GET", path, {"Authorization": "Bearer " + token})
        c.expect("GET %s status" % path, 404, r.status, r)
    r = c.request("POST", "/auth/login/x",
                  {"Content-Type": FORM}, b"username=alice&password=alicepass")
    c.expect("POST /auth/login/x status", 404, r.status, r)


@check("routing.query_string_ignored")
def _(c):
    r = c.get("/me?x=1&username=bob", c.token_for("alice"), label="query")
    c.expect_json(r, 200, {"username": "alice", "role": "admin"})


# --- scopes (RFC 6749 3.3, RFC 9068 2.2.3) -------------------------------
#
# Under a policy (--policy) a token carries the scopes granted: those
# asked for that the user's role grants, all of them when none is asked;
# an unknown scope is 400 invalid_scope.  Without one, login is as it was:
# the field is ignored and tokens carry no scope.

def scope_login(c, name, scope=None, label=""):
    """Log name in, asking for scope (None: the field is not sent)."""
    fields = [("username", name), ("password", USERS[name][0])]
    if scope is not None:
        fields.append(("scope", scope))
    return c.login(fields, label=label or "login %s scope=%r" % (name, scope))


def expect_granted(c, r, asked, granted):
    """A 200 whose token carries granted (a list), and whose body says it
    when something was asked; without a policy, the answer of old."""
    c.expect_status(r, 200)
    keys = ["access_token", "token_type"]
    if c.grants is not None and asked:
        keys.append("scope")
    if c.session_keys:
        c.expect("body keys", sorted(keys + c.session_keys),
                 sorted(r.json or {}), r)
    else:
        c.expect("body keys", keys, list(r.json or {}), r)
    claims = c.decode(r.json["access_token"])
    if c.grants is None:
        c.expect("scope claim", None, claims.get("scope"), r)
        return
    if asked:
        c.expect("scope in the body", " ".join(granted), r.json["scope"], r)
    c.expect("scope claim", " ".join(granted) if granted else None,
             claims.get("scope"), r)


def role_grants(c, name):
    return (c.grants or {}).get(USERS[name][1], [])


@check("scope.not_asked", ours_only=True)
def _(c):
    for name in ("alice", "bob"):
        expect_granted(c, scope_login(c, name), None, role_grants(c, name))
        expect_granted(c, scope_login(c, name, ""), None,
                       role_grants(c, name))


@check("scope.asked", ours_only=True)
def _(c):
    grants = role_grants(c, "alice")
    if c.grants is not None and len(grants) < 2:
        c.fail("the policy", "alice's role granting 2 scopes or more",
               grants)
    last = grants[-1:]
    asked = " ".join(last) or "reports:read"
    expect_granted(c, scope_login(c, "alice", asked), asked, last)
    # In another order, one twice, spaces around: the role's order, once.
    asked = "  " + "  ".join(list(reversed(grants)) + grants[:1]) + " "
    expect_granted(c, scope_login(c, "alice", asked), asked, grants)


@check("scope.not_granted", ours_only=True)
def _(c):
    # A scope some role grants, but not bob's: not granted, not refused.
    others = [s for g in (c.grants or {}).values() for s in g
              if s not in role_grants(c, "bob")]
    asked = others[0] if others else "reports:read"
    expect_granted(c, scope_login(c, "bob", asked), asked, [])


@check("scope.unknown", ours_only=True)
def _(c):
    for asked in ("no-such-scope", "%s no-such-scope" % " ".join(
            role_grants(c, "alice")), 'a"b', "a\\b", "caf\u00e9"):
        r = scope_login(c, "alice", asked)
        if c.grants is None:
            expect_granted(c, r, asked, [])
            continue
        c.expect_json(r, 400, {"error": "invalid_scope",
                               "error_description": "The requested scope "
                               "is invalid, unknown, or malformed"},
                      "scope %r" % asked)
        c.expect("Cache-Control", "no-store", r.header("cache-control"), r)
    # Refused before the password is looked at.
    r = c.login({"username": "alice", "password": "wrong",
                 "scope": "no-such-scope"}, label="wrong password")
    c.expect_status(r, 400 if c.grants is not None else 401)


def run_concurrently(c, n, fn):
    """Run fn(i) in n threads released together; return (errors, secs)."""
    barrier = threading.Barrier(n)
    errors = [None] * n

    def worker(i):
        try:
            barrier.wait(timeout=60)
            errors[i] = fn(i)
        except Exception as e:          # reported below, per request
            errors[i] = "%s: %s" % (type(e).__name__, e)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return [e for e in errors if e], time.monotonic() - t0


def report_load(c, what, n, errors, secs):
    print("#   %s: %d requests in %.2f s" % (what, n, secs))
    if errors:
        c.fail("%s: every request succeeds" % what, "0 failures",
               "%d failures, e.g. %s" % (len(errors), errors[:3]))


@check("load.concurrent_logins", load=True)
def _(c):
    n = 10 if c.reference else 50

    def one(i):
        name = ("alice", "bob")[i % 2]
        r = c.login({"username": name, "password": USERS[name][0]},
                    record=False)
        if r.status != 200 or not (r.json or {}).get("access_token"):
            return r.describe()
        return None
    errors, secs = run_concurrently(c, n, one)
    report_load(c, "%d concurrent logins" % n, n, errors, secs)


@check("load.concurrent_token_checks", load=True)
def _(c):
    token = c.token_for("alice")
    want = {"/me": {"username": "alice", "role": "admin"},
            "/reports": {"ok": True, "data": ["revenue.csv", "churn.xlsx"],
                         "viewer": "alice"},
            "/projects": {"projects": ["alpha", "beta"], "viewer": "alice"}}

    def one(i):
        path = TOKEN_ENDPOINTS[i % 3]
        r = c.get(path, token, record=False)
        if r.status != 200 or r.json != want[path]:
            return r.describe()
        return None
    errors, secs = run_concurrently(c, 500, one)
    report_load(c, "500 concurrent token checks", 500, errors, secs)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--url", required=True, help="base URL of the server")
    ap.add_argument("--secret-file", required=True,
                    help="the server's secret (JWT_SECRET_FILE)")
    ap.add_argument("--alg", default="HS256",
                    choices=("HS256", "HS384", "HS512"))
    ap.add_argument("--ttl-min", type=int, default=30)
    ap.add_argument("--audience", help="the server's JWT_AUDIENCE")
    ap.add_argument("--issuer", help="the server's JWT_ISSUER")
    ap.add_argument("--policy", help="the login endpoint's POLICY_FILE")
    ap.add_argument("--sessions", action="store_true",
                    help="the server has a session store (SESSION_STORE)"
                    " and no login throttling (LOGIN_MAX_FAILURES=0)")
    ap.add_argument("--reference", action="store_true",
                    help="only what the FastAPI reference app supports")
    ap.add_argument("--record", help="write every exchange to this file")
    ap.add_argument("--only", action="append", default=[],
                    help="run checks whose name contains this (repeatable)")
    ap.add_argument("--no-load", action="store_true",
                    help="skip the concurrency checks")
    args = ap.parse_args()
    c = Contract(args)

    selected = [(n, fn, load) for n, fn, ours_only, load in CHECKS
                if not (ours_only and c.reference)
                and not (load and not c.load)
                and (not args.only or any(w in n for w in args.only))]
    failed = []
    t0 = time.monotonic()
    print("# contract against %s%s" % (args.url, " (reference subset)"
                                       if c.reference else ""))
    for i, (name, fn, load) in enumerate(selected, 1):
        c.current = name
        try:
            fn(c)
            print("ok %d - %s" % (i, name))
        except CheckFailed as e:
            failed.append(name)
            print("not ok %d - %s\n#   %s" % (i, name,
                                             str(e).replace("\n", "\n#   ")))
        except Exception:
            failed.append(name)
            print("not ok %d - %s\n#   %s" % (
                i, name, traceback.format_exc().rstrip().replace(
                    "\n", "\n#   ")))
        sys.stdout.flush()
    print("# contract: %d checks, %d passed, %d failed in %.1f s%s" % (
        len(selected), len(selected) - len(failed), len(failed),
        time.monotonic() - t0,
        ": " + ", ".join(failed) if failed else ""))
    if c.record is not None:
        c.record.close()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
