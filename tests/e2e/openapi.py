#!/usr/bin/python3
"""openapi.py -- etc/openapi.json against the live endpoints, both ways.

  openapi.py served URL DOC [DOCS_DIR]
  openapi.py contract URL DOC BINDIR WORKDIR SECRET_FILE USERS_FILE DB
                      KEYS_FILE VERSION

served: what a shipped config serves besides the endpoints: /openapi.json
(200, application/json, DOC byte for byte), /healthz (200, its body as
the document says) and, when DOCS_DIR has an index.html, /docs and /docs/
(that page, as text/html).

contract: CASES below is one request per (path, method, status) of the
API.  Each is made against the live server (or, for what one server
cannot show at once, a process of the endpoint started beside it and
spoken to in FastCGI: sessions off, a key pair, no users file, a stalled
body) and must answer that status, with a body the document's schema for
it accepts and the headers it names.  Then the set of the document's
(path, method, status) must be the set of CASES: a status the document
lists that no request produces fails, and so does a status produced that
it does not list.  A table rather than recording what the other e2e
drivers saw: they run in parallel under make check (no one of them could
read the others' records when they are done), several of them through
raw sockets, and a table names the request that proves each status.
Output like contract.py's; exit status 0 if every check passed.
"""

import json
import os
import re
import sqlite3
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fcgi_checks  # noqa: E402
import helper  # noqa: E402
from fcgi_wire import STDIN, record, request_head, status_of  # noqa: E402
from sessions import request  # noqa: E402

FORM = "application/x-www-form-urlencoded"

# The JSON Schema keywords the document's schemas use, all of which
# validate() applies (description, format and default only annotate): a
# schema with any other would be checked less than it says.
KEYWORDS = {"$ref", "type", "required", "properties", "additionalProperties",
            "items", "minItems", "enum", "const", "minLength", "maxLength",
            "minimum", "pattern", "description", "format", "default"}
TYPES = {"object": dict, "array": list, "string": str, "boolean": bool,
         "integer": int}


def schema_keywords(schema, where, bad):
    """Every keyword of schema (and its subschemas) not in KEYWORDS."""
    for k, v in schema.items():
        if k not in KEYWORDS:
            bad.append("%s: %s" % (where, k))
        if k == "properties":
            for name, sub in v.items():
                schema_keywords(sub, "%s.%s" % (where, name), bad)
        elif k == "items" or (k == "additionalProperties" and
                              isinstance(v, dict)):
            schema_keywords(v, where + "[]", bad)
    return bad


def validate(schema, value, components, where="body"):
    """Raise Fail unless value fits schema (JSON Schema 2020-12, the
    KEYWORDS subset; "$ref" to #/components/schemas/NAME)."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return validate(components["schemas"][name], value, components,
                        where)
    t = schema.get("type")
    if t is not None:
        ok = isinstance(value, TYPES[t]) and \
            not (t == "integer" and isinstance(value, bool))
        if not ok:
            raise Fail("%s: %r is not of type %s" % (where, value, t))
    if "const" in schema and value != schema["const"]:
        raise Fail("%s: %r is not %r" % (where, value, schema["const"]))
    if "enum" in schema and value not in schema["enum"]:
        raise Fail("%s: %r is not one of %r" % (where, value,
                                               schema["enum"]))
    if isinstance(value, str):
        if len(value) < schema.get("minLength", 0) or \
                len(value) > schema.get("maxLength", len(value)):
            raise Fail("%s: %r has the wrong length" % (where, value))
        if "pattern" in schema and not re.search(schema["pattern"], value):
            raise Fail("%s: %r does not match %s" % (where, value,
                                                    schema["pattern"]))
    if isinstance(value, int) and "minimum" in schema and \
            value < schema["minimum"]:
        raise Fail("%s: %r below %r" % (where, value, schema["minimum"]))
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0):
            raise Fail("%s: fewer than %d items" % (where,
                                                   schema["minItems"]))
        for i, item in enumerate(value):
            validate(schema.get("items", {}), item, components,
                     "%s[%d]" % (where, i))
    if isinstance(value, dict):
        for name in schema.get("required", []):
            if name not in value:
                raise Fail("%s: no %r" % (where, name))
        props = schema.get("properties", {})
        for name, v in value.items():
            if name in props:
                validate(props[name], v, components, where + "." + name)
            elif schema.get("additionalProperties", True) is False:
                raise Fail("%s: %r is not in the document" % (where, name))


class Fail(Exception):
    pass


def expect(what, want, got):
    if want != got:
        raise Fail("%s\n    expected: %r\n         got: %r" % (what, want, got))


class Answer:
    """A status, headers (lower-case names) and body, however it came."""

    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body


def http(ctx, method, path, body=None, headers=None):
    r = request(ctx.url, method, path, body, headers)
    return Answer(r.status, r.headers, r.body)


def fcgi(proc, method, path, body=b"", extra=None):
    """One request to a process of ours, as a web server would send it."""
    env = {"REQUEST_METHOD": method, "SCRIPT_NAME": path,
           "REQUEST_URI": path, "SERVER_PROTOCOL": "HTTP/1.1",
           "REMOTE_ADDR": "127.0.0.1", "CONTENT_LENGTH": str(len(body))}
    if body:
        env["CONTENT_TYPE"] = FORM
    env.update(extra or {})
    out, _ = proc.exchange(env, body)
    return parse_cgi(out)


def parse_cgi(out):
    head, _, body = out.partition(b"\r\n\r\n")
    headers = {}
    for line in head.decode("latin-1").split("\r\n"):
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return Answer(int(status_of(out).split()[0]), headers, body)


class Ctx:
    def __init__(self, argv):
        (self.url, doc, bindir, workdir, self.secret_file, self.users_file,
         self.db, self.keys_file, self.version) = argv
        with open(doc, "rb") as f:
            self.doc = json.load(f)
        self.fc = fcgi_checks.Ctx(bindir, workdir, self.secret_file,
                                  self.users_file)
        self.seen = set()
        self.tokens = {}

    def login(self, user, password, scope=None):
        fields = [("username", user), ("password", password)]
        if scope is not None:
            fields.append(("scope", scope))
        r = request(self.url, "POST", "/auth/login", fields)
        expect("login as %s" % user, 200, r.status)
        return json.loads(r.body)

    def access(self, user):
        if user not in self.tokens:
            self.tokens[user] = self.login(user, user + "pass")
        return self.tokens[user]["access_token"]

    def bearer(self, user):
        return {"Authorization": "Bearer " + self.access(user)}

    def refresh_token(self):
        return self.login("bob", "bobpass")["refresh_token"]

    def proc(self, name, **env):
        return self.fc.start(name, dict(self.fc.good_env, **env))


def operation(doc, path, method):
    try:
        return doc["paths"][path][method.lower()]
    except KeyError:
        raise Fail("no %s %s in the document" % (method, path))


def check_answer(ctx, path, method, status, a):
    """a against the document's response for (path, method, status)."""
    expect("%s %s: status" % (method, path), status, a.status)
    resp = operation(ctx.doc, path, method)["responses"].get(str(status))
    if resp is None:
        raise Fail("%s %s answered %d, which the document does not list" %
                   (method, path, status))
    for name in resp.get("headers", {}):
        if name.lower() not in a.headers:
            raise Fail("%s %s %d: no %s header (%r)" %
                       (method, path, status, name, a.headers))
    content = resp.get("content")
    if content is None:
        expect("%s %s %d: body" % (method, path, status), b"", a.body)
        return
    ctype = a.headers.get("content-type", "")
    if "text/html" in content:
        # The browser sign-in's pages: HTML, and something in it.
        if not ctype.startswith("text/html") or not a.body.strip():
            raise Fail("%s %s %d: Content-Type %r, %d bytes: want a page" %
                       (method, path, status, ctype, len(a.body)))
        return
    if not ctype.startswith("application/json"):
        raise Fail("%s %s %d: Content-Type %r" % (method, path, status,
                                                  ctype))
    try:
        value = json.loads(a.body)
    except ValueError:
        raise Fail("%s %s %d: not JSON: %r" % (method, path, status,
                                               a.body[:300]))
    try:
        validate(content["application/json"]["schema"], value,
                 ctx.doc["components"])
    except Fail as e:
        raise Fail("%s %s %d: %r does not fit the document: %s" %
                   (method, path, status, a.body[:300], e))


# (path, method, status, what, how): how(ctx) makes the request and returns
# an Answer.  Run in this order: the store-down cases last but one, the
# throttle last.
CASES = []


def case(path, method, status, what):
    def register(fn):
        CASES.append((path, method, status, what, fn))
        return fn
    return register


def form(ctx, path, fields, headers=None):
    return http(ctx, "POST", path, fields, headers)


@case("/auth/login", "POST", 200, "alice's password, scope asked")
def _(ctx):
    return form(ctx, "/auth/login", [("username", "alice"),
                                     ("password", "alicepass"),
                                     ("scope", "reports:read")])


@case("/auth/login", "POST", 400, "a scope no role grants")
def _(ctx):
    return form(ctx, "/auth/login", [("username", "alice"),
                                     ("password", "alicepass"),
                                     ("scope", "nosuch:scope")])


@case("/auth/login", "POST", 401, "a wrong password")
def _(ctx):
    return form(ctx, "/auth/login", [("username", "erin"),
                                     ("password", "nope")])


@case("/auth/login", "POST", 408, "a body that stops coming (FastCGI)")
def _(ctx):
    p = ctx.proc("login", REQUEST_READ_TIMEOUT_SEC="1")
    s = p.connect()
    try:
        env = {"REQUEST_METHOD": "POST", "SCRIPT_NAME": "/auth/login",
               "REQUEST_URI": "/auth/login", "SERVER_PROTOCOL": "HTTP/1.1",
               "REMOTE_ADDR": "127.0.0.1", "CONTENT_TYPE": FORM,
               "CONTENT_LENGTH": "30"}
        s.sendall(request_head(env) + record(STDIN, b"username=alice"))
        out, _ = fcgi_checks.read_response(s)
    finally:
        s.close()
    return parse_cgi(out)


@case("/auth/login", "POST", 413, "a body over 64 KiB")
def _(ctx):
    return http(ctx, "POST", "/auth/login", b"x" * (64 * 1024 + 1),
                {"Content-Type": FORM})


@case("/auth/login", "POST", 422, "no password")
def _(ctx):
    return form(ctx, "/auth/login", [("username", "alice")])


@case("/auth/refresh", "POST", 200, "a live refresh token")
def _(ctx):
    return form(ctx, "/auth/refresh", [("grant_type", "refresh_token"),
                                       ("refresh_token",
                                        ctx.refresh_token())])


@case("/auth/refresh", "POST", 400, "an unknown refresh token")
def _(ctx):
    return form(ctx, "/auth/refresh", [("grant_type", "refresh_token"),
                                       ("refresh_token", "x" * 64)])


@case("/auth/refresh", "POST", 404, "sessions off (FastCGI)")
def _(ctx):
    return fcgi(ctx.proc("refresh"), "POST", "/auth/refresh",
                b"grant_type=refresh_token&refresh_token=x")


@case("/auth/logout", "POST", 204, "a token of a session")
def _(ctx):
    token = ctx.login("bob", "bobpass")["access_token"]
    return form(ctx, "/auth/logout", b"",
                {"Authorization": "Bearer " + token})


@case("/auth/logout", "POST", 400, "a token without a session")
def _(ctx):
    token = helper.mint(ctx.secret_file, "bob", "user", ver=0)
    return form(ctx, "/auth/logout", b"",
                {"Authorization": "Bearer " + token})


@case("/auth/logout", "POST", 401, "no token")
def _(ctx):
    return form(ctx, "/auth/logout", b"")


@case("/auth/logout", "POST", 404, "sessions off (FastCGI)")
def _(ctx):
    return fcgi(ctx.proc("logout"), "POST", "/auth/logout", b"",
                {"HTTP_AUTHORIZATION": "Bearer x"})


@case("/auth/revoke", "POST", 200, "an unknown token")
def _(ctx):
    return form(ctx, "/auth/revoke", [("token", "x" * 64)])


@case("/auth/revoke", "POST", 400, "no token field")
def _(ctx):
    return form(ctx, "/auth/revoke", [("token_type_hint", "refresh_token")])


@case("/auth/revoke", "POST", 404, "sessions off (FastCGI)")
def _(ctx):
    return fcgi(ctx.proc("revoke"), "POST", "/auth/revoke", b"token=x")


@case("/me", "GET", 200, "alice's token")
def _(ctx):
    return http(ctx, "GET", "/me", headers=ctx.bearer("alice"))


@case("/me", "GET", 401, "no token")
def _(ctx):
    return http(ctx, "GET", "/me")


@case("/reports", "GET", 200, "alice (admin)")
def _(ctx):
    return http(ctx, "GET", "/reports", headers=ctx.bearer("alice"))


@case("/reports", "GET", 401, "a bad token")
def _(ctx):
    return http(ctx, "GET", "/reports", headers={"Authorization":
                                                 "Bearer x.y.z"})


@case("/reports", "GET", 403, "bob (user)")
def _(ctx):
    return http(ctx, "GET", "/reports", headers=ctx.bearer("bob"))


@case("/projects", "GET", 200, "bob (user)")
def _(ctx):
    return http(ctx, "GET", "/projects", headers=ctx.bearer("bob"))


@case("/projects", "GET", 401, "no token")
def _(ctx):
    return http(ctx, "GET", "/projects")


@case("/projects", "GET", 403, "erin (guest)")
def _(ctx):
    return http(ctx, "GET", "/projects", headers=ctx.bearer("erin"))


@case("/.well-known/jwks.json", "GET", 200, "ES256 (FastCGI)")
def _(ctx):
    env = dict(ctx.fc.base_env, USERS_FILE=ctx.users_file, JWT_ALG="ES256",
               JWT_KEYS_FILE=ctx.keys_file)
    p = ctx.fc.start("jwks", env)
    return fcgi(p, "GET", "/.well-known/jwks.json")


@case("/.well-known/jwks.json", "GET", 404, "HS256")
def _(ctx):
    return http(ctx, "GET", "/.well-known/jwks.json")


@case("/healthz", "GET", 200, "the server's")
def _(ctx):
    return http(ctx, "GET", "/healthz")


@case("/healthz", "GET", 503, "no users file, then one (FastCGI)")
def _(ctx):
    missing = os.path.join(ctx.fc.workdir, "users-later")
    p = ctx.proc("healthz", USERS_FILE=missing)
    a = fcgi(p, "GET", "/healthz")
    # The same process answers 200 once there is a file: no restart.
    with open(ctx.users_file, "rb") as src, open(missing, "wb") as dst:
        dst.write(src.read())
    deadline = time.monotonic() + 10
    while True:
        b = fcgi(p, "GET", "/healthz")
        if b.status == 200 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    expect("healthz once the users file is there", 200, b.status)
    expect("and still running", None, p.p.poll())
    return a


# Browser sign-in (issue 14): forms from this origin, cookies.
def same_origin(ctx):
    return {"Origin": ctx.url}


def signin_form(ctx, user, password, headers):
    return form(ctx, "/auth/signin", [("username", user),
                                      ("password", password),
                                      ("next", "/me")], headers)


@case("/auth/signin", "GET", 200, "the page")
def _(ctx):
    return http(ctx, "GET", "/auth/signin?next=/me")


@case("/auth/signin", "GET", 303, "a valid access cookie")
def _(ctx):
    token = helper.mint(ctx.secret_file, "alice", "admin", ver=0)
    return http(ctx, "GET", "/auth/signin?next=/me",
                headers={"Cookie": "fcgi-auth=" + token})


@case("/auth/signin", "POST", 303, "alice's password")
def _(ctx):
    return signin_form(ctx, "alice", "alicepass", same_origin(ctx))


@case("/auth/signin", "POST", 401, "a wrong password")
def _(ctx):
    return signin_form(ctx, "erin", "nope", same_origin(ctx))


@case("/auth/signin", "POST", 403, "a form from another site")
def _(ctx):
    return signin_form(ctx, "alice", "alicepass",
                       {"Origin": "http://evil.example"})


@case("/auth/signout", "POST", 303, "no cookies")
def _(ctx):
    return form(ctx, "/auth/signout", b"", same_origin(ctx))


@case("/auth/signout", "POST", 403, "no Origin")
def _(ctx):
    return form(ctx, "/auth/signout", b"")


for _path, _method in (("/auth/login", "POST"), ("/auth/refresh", "POST"),
                       ("/auth/logout", "POST"), ("/auth/revoke", "POST"),
                       ("/auth/signin", "GET"), ("/auth/signin", "POST"),
                       ("/auth/signout", "POST"),
                       ("/me", "GET"), ("/reports", "GET"),
                       ("/projects", "GET"),
                       ("/.well-known/jwks.json", "GET"),
                       ("/healthz", "GET")):
    def _other(ctx, path=_path):
        return http(ctx, "DELETE", path)
    case(_path, _method, 405, "DELETE")(_other)


class StoreLocked:
    """The store's write lock held from another connection: it is down."""

    def __init__(self, db):
        self.db = db

    def __enter__(self):
        self.c = sqlite3.connect(self.db, timeout=10,
                                 isolation_level=None)
        self.c.execute("BEGIN EXCLUSIVE")
        return self

    def __exit__(self, *exc):
        self.c.execute("ROLLBACK")
        self.c.close()


@case("/auth/login", "POST", 503, "the store locked")
def _(ctx):
    with StoreLocked(ctx.db):
        return form(ctx, "/auth/login", [("username", "bob"),
                                         ("password", "bobpass")])


@case("/auth/refresh", "POST", 503, "the store locked")
def _(ctx):
    rt = ctx.refresh_token()
    with StoreLocked(ctx.db):
        return form(ctx, "/auth/refresh", [("grant_type", "refresh_token"),
                                           ("refresh_token", rt)])


@case("/auth/logout", "POST", 503, "the store locked")
def _(ctx):
    token = ctx.login("bob", "bobpass")["access_token"]
    with StoreLocked(ctx.db):
        return form(ctx, "/auth/logout", b"",
                    {"Authorization": "Bearer " + token})


@case("/auth/revoke", "POST", 503, "the store locked")
def _(ctx):
    rt = ctx.refresh_token()
    with StoreLocked(ctx.db):
        return form(ctx, "/auth/revoke", [("token", rt)])


@case("/auth/signin", "GET", 503, "the store locked, a refresh cookie")
def _(ctx):
    rt = ctx.refresh_token()
    with StoreLocked(ctx.db):
        return http(ctx, "GET", "/auth/signin?next=/me",
                    headers={"Cookie": "fcgi-auth-refresh=" + rt})


@case("/auth/signin", "POST", 503, "the store locked")
def _(ctx):
    with StoreLocked(ctx.db):
        return signin_form(ctx, "bob", "bobpass", same_origin(ctx))


@case("/auth/signout", "POST", 503, "the store locked, a refresh cookie")
def _(ctx):
    rt = ctx.refresh_token()
    with StoreLocked(ctx.db):
        return form(ctx, "/auth/signout", b"", dict(
            same_origin(ctx), Cookie="fcgi-auth-refresh=" + rt))


@case("/auth/signin", "POST", 429, "sign-ins failed past LOGIN_MAX_FAILURES")
def _(ctx):
    for _ in range(10):
        a = signin_form(ctx, "yves", "nope", same_origin(ctx))
        if a.status != 401:
            break
    return a


@case("/auth/login", "POST", 429, "failed logins past LOGIN_MAX_FAILURES")
def _(ctx):
    for _ in range(10):
        a = form(ctx, "/auth/login", [("username", "zed"),
                                      ("password", "nope")])
        if a.status != 401:
            break
    return a


def documented(doc):
    return {(path, method.upper(), int(status))
            for path, ops in doc["paths"].items()
            for method, op in ops.items()
            for status in op["responses"]}


def run(checks):
    failed = 0
    for name, fn in checks:
        try:
            fn()
            print("ok - %s" % name)
        except Exception as e:  # noqa: BLE001 -- report and go on
            failed += 1
            print("not ok - %s" % name)
            detail = str(e) if isinstance(e, Fail) else \
                traceback.format_exc()
            for line in detail.splitlines():
                print("#   " + line)
        sys.stdout.flush()
    return 1 if failed else 0


def cmd_contract(argv):
    ctx = Ctx(argv)
    checks = []

    def doc_shape():
        d = ctx.doc
        expect("openapi", "3.1.0", d.get("openapi"))
        expect("info.version (configure's)", ctx.version,
               d["info"]["version"])
        flow = d["components"]["securitySchemes"]["OAuth2PasswordBearer"]
        expect("the password flow's tokenUrl", "/auth/login",
               flow["flows"]["password"]["tokenUrl"])
        login = operation(d, "/auth/login", "POST")
        fields = login["requestBody"]["content"][FORM]["schema"]
        expect("login's form fields",
               ["client_id", "client_secret", "grant_type", "password",
                "scope", "username"], sorted(fields["properties"]))
        # Nothing in the schemas that validate() would not check.
        bad = []
        for name, s in d["components"]["schemas"].items():
            schema_keywords(s, name, bad)
        for path, ops in d["paths"].items():
            for method, op in ops.items():
                for status, r in op["responses"].items():
                    for c in r.get("content", {}).values():
                        schema_keywords(c["schema"], "%s %s %s" % (
                            method, path, status), bad)
        expect("schema keywords openapi.py does not check", [], bad)
        if "authorize" in json.dumps(sorted(d["paths"])):
            raise Fail("the authorizer is listed as an operation")
    checks.append(("the document: OpenAPI 3.1, password flow, login form",
                   doc_shape))

    for path, method, status, what, fn in CASES:
        def one(path=path, method=method, status=status, fn=fn):
            check_answer(ctx, path, method, status, fn(ctx))
            ctx.seen.add((path, method, status))
        checks.append(("%s %s %d: %s" % (method, path, status, what), one))

    def both_ways():
        table = {(p, m, s) for p, m, s, _, _ in CASES}
        doc = documented(ctx.doc)
        expect("documented statuses no request produces", [],
               sorted(doc - table))
        expect("statuses produced that the document does not list", [],
               sorted(table - doc))
        expect("cases that did not pass", [], sorted(table - ctx.seen))
    checks.append(("every documented status produced, every produced "
                   "status documented", both_ways))
    try:
        return run(checks)
    finally:
        ctx.fc.cleanup()


def cmd_served(argv):
    url, doc = argv[0], argv[1]
    docs_dir = argv[2] if len(argv) > 2 else None
    with open(doc, "rb") as f:
        want = f.read()
    d = json.loads(want)

    def openapi():
        r = request(url, "GET", "/openapi.json")
        expect("GET /openapi.json", 200, r.status)
        expect("its type", "application/json",
               r.header("content-type").split(";")[0])
        expect("its body is the shipped document", want, r.body)

    def healthz():
        r = request(url, "GET", "/healthz")
        expect("GET /healthz", 200, r.status)
        a = Answer(r.status, r.headers, r.body)
        check_answer(type("C", (), {"doc": d}), "/healthz", "GET", 200, a)
        expect("status", "ok", json.loads(r.body)["status"])

    def docs():
        with open(os.path.join(docs_dir, "index.html"), "rb") as f:
            page = f.read()
        for path in ("/docs", "/docs/"):
            r = request(url, "GET", path)
            expect("GET " + path, 200, r.status)
            expect(path + ": its type", "text/html",
                   r.header("content-type").split(";")[0])
            expect(path + ": the installed page", page, r.body)
        for f in sorted(os.listdir(docs_dir)):
            if f != "index.html" and \
                    os.path.isfile(os.path.join(docs_dir, f)):
                r = request(url, "GET", "/docs/" + f)
                expect("GET /docs/" + f, 200, r.status)
        r = request(url, "GET", "/docs/../openapi.json")
        if r.status == 200 and r.body != want:
            raise Fail("/docs/.. served %r" % r.body[:100])

    checks = [("GET /openapi.json: the document, as JSON", openapi),
              ("GET /healthz: 200 as documented", healthz)]
    if docs_dir and os.path.isfile(os.path.join(docs_dir, "index.html")):
        checks.append(("GET /docs, /docs/ and its files", docs))
    return run(checks)


def main():
    if len(sys.argv) >= 2 and sys.argv[1] == "served" and \
            len(sys.argv) in (4, 5):
        return cmd_served(sys.argv[2:])
    if len(sys.argv) == 11 and sys.argv[1] == "contract":
        return cmd_contract(sys.argv[2:])
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main())
