#!/usr/bin/python3
"""signin.py -- browser sign-in through a real server, at the HTTP level:
/auth/signin, /auth/signout and the authorizer in front of
tests/deploy/protect.py's site, every status and header of the contract
(issue 14), as a browser would see them (standard library and PyJWT).

  signin.py check URL GROUP...
        the groups of cases (routed, page, signin, failures, crosssite, next,
        silent, signout, throttle, throttle_login: /auth/login, after
        throttle; https, with URL the server's https:// one; nosessions,
        against endpoints without SESSION_STORE) through the server at
        URL, which
        answers /auth/signin and /auth/signout (fcgi-auth's endpoints,
        with a session store) and protects /private/ with protect.py's
        policy.  Prints "#" lines on failure; exit status 1 if a case
        failed.  The throttle group wants LOGIN_MAX_FAILURES=3 and spends
        dave's allowance; the others fail at most twice per account.

The users are tests/e2e/lib.sh's: alice (admin), bob (user), carol
(disabled), dave (user), erin (guest).  Every request goes over a raw
socket (protect.py's send): what the server answers is what is checked,
nothing followed or normalised on the way.
"""

import base64
import json
import os
import re
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import protect  # noqa: E402
from protect import COOKIE, FILES, HTML, PAGE_HEADERS, send  # noqa: E402

REFRESH = COOKIE + "-refresh"
PAGE_MAX = 10 * 1024
FORM = "application/x-www-form-urlencoded"
TARGET = "/private/projects/p"
# How long a session's end may take to reach every process (the ended
# log is polled every 500 ms), with room for a loaded machine.
ENDED_WITHIN_S = 10

# next values that must not leave the site: each falls back to "/".  The
# issue's, their encoded forms, and what browsers read as another host.
BAD_NEXT = [
    "//evil.example",
    "//evil.example/private/",
    "///evil.example",
    "https://evil.example",
    "http://evil.example/",
    "http:/evil.example",
    "HTTPS://evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    "/\\/evil.example",
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    " javascript:alert(1)",
    "data:text/html,x",
    "evil.example",
    "",
    " /private/",
    "/%2F%2Fevil.example",
    "/%2f%2fevil.example",
    "/%5Cevil.example",
    "/%5cevil.example",
    "%2F%2Fevil.example",
    "/%09/evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/%0d%0aSet-Cookie:%20x=1",
    "/\r\nSet-Cookie: x=1",
    "/%00",
    "/" + "a" * 2048,
]
# next values on the site: kept as they were sent.
GOOD_NEXT = [
    "/",
    TARGET,
    "/private/projects/p?a=1&b=2",
    "/private/a%20b",
    "/" + "a" * 2047,
]


class Failed(Exception):
    pass


def cookies_set(r):
    """The Set-Cookie lines of r, by name: {name: (value, {attr: value})}
    (attribute names lower-case; a flag's value is True)."""
    out = {}
    for n, v in r.headers:
        if n != "set-cookie":
            continue
        parts = [p.strip() for p in v.split(";")]
        name, _, value = parts[0].partition("=")
        attrs = {}
        for p in parts[1:]:
            k, eq, val = p.partition("=")
            attrs[k.lower()] = val if eq else True
        if name in out:
            raise Failed("Set-Cookie %s twice: %r" % (name, r.headers))
        out[name] = (value, attrs)
    return out


def claims(token):
    body = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


class Checker:
    def __init__(self, url):
        self.url = url
        self.origin = url
        self.failed = 0
        self.group = ""

    def fail(self, name, what, r=None):
        self.failed += 1
        print("#   %s: %s: %s" % (self.group, name, what))
        if r is not None:
            print("#     got: %s %s" % (r, [h for h in r.headers
                                          if h[0] != "set-cookie"] +
                                         [h for h in r.headers
                                          if h[0] == "set-cookie"]))
        return False

    # --- requests a browser would make ---------------------------------

    def get(self, target, jar=None, headers=()):
        h = [HTML] + list(headers)
        if jar:
            h.append(("Cookie", "; ".join("%s=%s" % kv
                                          for kv in jar.items())))
        return send(self.url, "GET", target, h)

    def post(self, target, fields, jar=None, origin="self", headers=()):
        h = list(headers)
        if origin == "self":
            h.append(("Origin", self.origin))
        elif origin is not None:
            h.append(("Origin", origin))
        if jar:
            h.append(("Cookie", "; ".join("%s=%s" % kv
                                          for kv in jar.items())))
        body = urllib.parse.urlencode(fields).encode() if fields else b""
        return send(self.url, "POST", target, h, body, content_type=FORM)

    def signin(self, user, password, next_=TARGET, **kw):
        return self.post("/auth/signin", {"username": user,
                                          "password": password,
                                          "next": next_}, **kw)

    def signed_in(self, user, password):
        """Sign in; the cookie jar ({name: value}) it set."""
        r = self.signin(user, password)
        if r.status != 303:
            raise Failed("sign in as %s: status %s, want 303 (%s)"
                         % (user, r.status, r))
        return {n: v for n, (v, _) in cookies_set(r).items()}

    # --- what the answers must be ----------------------------------------

    def page(self, name, r, status=200, head=False):
        """One of fcgi-auth's HTML pages, with its headers."""
        if r.status != status:
            return self.fail(name, "status %s, want %s" % (r.status, status),
                             r)
        for h, want in PAGE_HEADERS.items():
            if r.header(h) != want:
                return self.fail(name, "%s %r, want %r" % (
                    h, r.header(h), want), r)
        if r.header("location") is not None:
            return self.fail(name, "a page with a Location", r)
        if head:
            if r.body:
                return self.fail(name, "HEAD with a body", r)
            return True
        if len(r.body) >= PAGE_MAX:
            return self.fail(name, "%d bytes, want under %d" % (
                len(r.body), PAGE_MAX), r)
        text = r.body.decode("utf-8")
        low = text.lower()
        # No script or style (the CSP forbids them inline, and nothing is
        # loaded from elsewhere): the page is all there is.
        for bad in ("<script", "<style", " style=", "<link", "<img",
                    "<iframe", "src=", "http://", "https://", "url("):
            if bad in low:
                return self.fail(name, "the page has %r" % bad, r)
        return True

    def form_page(self, name, r, status, next_, username=""):
        """The sign-in page: the accessible form, next kept (escaped)."""
        if not self.page(name, r, status):
            return False
        text = r.body.decode("utf-8")
        low = text.lower()
        want = ['<html lang="en"', "<main", "<h1", '<form method="post" '
                'action="/auth/signin"', 'autocomplete="username"',
                'autocomplete="current-password"', 'name="username"',
                'name="password"', 'type="password"', 'name="next"']
        for w in want:
            if w not in low:
                return self.fail(name, "no %r in the page" % w, r)
        labels = re.findall(r'<label[^>]*\sfor="([^"]+)"', text)
        ids = set(re.findall(r'<input[^>]*\sid="([^"]+)"', text))
        if len(labels) < 2 or not set(labels) <= ids:
            return self.fail(name, "labels %s for inputs %s" % (labels, ids),
                             r)
        m = re.search(r'<input[^>]*name="next"[^>]*>', text)
        got = m and re.search(r'value="([^"]*)"', m.group(0))
        esc = next_.replace("&", "&amp;").replace('"', "&quot;") \
            .replace("<", "&lt;").replace(">", "&gt;")
        if not got or got.group(1).replace("&#39;", "'") != esc:
            return self.fail(name, "hidden next %r, want %r" % (
                got and got.group(1), esc), r)
        m = re.search(r'<input[^>]*name="username"[^>]*>', text)
        got = m and re.search(r'value="([^"]*)"', m.group(0))
        if (got.group(1) if got else "") != username:
            return self.fail(name, "username field %r, want %r" % (
                got and got.group(1), username), r)
        return True

    def see_other(self, name, r, location):
        if r.status != 303:
            return self.fail(name, "status %s, want 303" % r.status, r)
        if r.header("location") != location:
            return self.fail(name, "Location %r, want %r" % (
                r.header("location"), location), r)
        if r.header("cache-control") != "no-store":
            return self.fail(name, "Cache-Control %r, want no-store"
                             % (r.header("cache-control"),), r)
        return True

    def cookie_attrs(self, name, got, cookie, path, max_age, secure=False):
        """cookie set with our attributes; max_age None: any above 0;
        Secure exactly when secure (HTTPS)."""
        if cookie not in got:
            return self.fail(name, "no Set-Cookie %s (got %s)" % (
                cookie, sorted(got)))
        value, attrs = got[cookie]
        want = {"path": path, "httponly": True, "samesite": "Lax"}
        for k, v in want.items():
            if attrs.get(k) != v:
                return self.fail(name, "%s: %s=%r, want %r" % (
                    cookie, k, attrs.get(k), v))
        # Secure under HTTPS only (over plain HTTP a browser drops it, or
        # keeps it from the next plain request); no Domain (host-only), no
        # Expires.
        if ("secure" in attrs) != secure:
            return self.fail(name, "%s: Secure %s, want %s" % (
                cookie, "secure" in attrs, secure))
        for k in ("domain", "expires"):
            if k in attrs:
                return self.fail(name, "%s has %s" % (cookie, k))
        age = attrs.get("max-age")
        if not isinstance(age, str) or not age.isdigit():
            return self.fail(name, "%s: Max-Age %r" % (cookie, age))
        if max_age is None and int(age) <= 0:
            return self.fail(name, "%s: Max-Age %s, want > 0" % (cookie, age))
        if max_age is not None and int(age) != max_age:
            return self.fail(name, "%s: Max-Age %s, want %s" % (
                cookie, age, max_age))
        return True

    def cleared(self, name, r):
        got = cookies_set(r)
        for cookie, path in ((COOKIE, "/"), (REFRESH, "/auth/")):
            if not self.cookie_attrs(name, got, cookie, path, 0):
                return False
            if got[cookie][0] != "":
                return self.fail(name, "%s cleared with a value" % cookie, r)
        return True

    def to_signin(self, name, r, target):
        if r.status != 302 or protect.next_of(r.header("location")) != target:
            return self.fail(name, "want 302 to the sign-in page, next %r"
                             % target, r)
        return True

    def refused_within(self, name, jar, cookie=COOKIE):
        """jar's access cookie stops working within ENDED_WITHIN_S (a
        session's end reaches every process through the store).  Each try
        asks for a target of its own: nginx may keep an allow for a
        target as long as the authorizer says (AUTH_CACHE_SECONDS, 30 s in
        protect-nginx.sh), which is not what this checks."""
        deadline = time.monotonic() + ENDED_WITHIN_S
        n = 0
        while True:
            n += 1
            target = "%s?ended=%d.%d" % (TARGET, os.getpid(), n)
            r = self.get(target, {cookie: jar[COOKIE]})
            if r.status == 302:
                return self.to_signin(name, r, target)
            if time.monotonic() > deadline:
                return self.fail(name, "the access cookie still works %d s "
                                 "after the session ended" % ENDED_WITHIN_S,
                                 r)
            time.sleep(0.2)

    # --- the groups --------------------------------------------------------

    def g_routed(self):
        """The endpoint snippets route both paths: the page, and a
        sign-out from this origin (which the Host the server passes on
        must match)."""
        r = self.get("/auth/signin?next=/me")
        self.form_page("GET /auth/signin", r, 200, "/me")
        r = self.post("/auth/signout", {})
        self.see_other("POST /auth/signout from this origin", r,
                       "/auth/signin")

    def g_page(self):
        r = self.get("/auth/signin?next=" + urllib.parse.quote(TARGET))
        self.form_page("GET, next given", r, 200, TARGET)
        if cookies_set(r):
            self.fail("GET, no cookies", "the page set a cookie", r)
        r = send(self.url, "HEAD", "/auth/signin?next=/x", [HTML])
        self.page("HEAD", r, 200, head=True)
        r = self.get("/auth/signin")
        self.form_page("GET, no next", r, 200, "/")
        r = self.get("/auth/signin?next=" + urllib.parse.quote(
            "/private/a?b=1&c=2"))
        self.form_page("GET, next with a query", r, 200,
                       "/private/a?b=1&c=2")
        # Markup in next is text, or refused: never markup in the page.
        r = self.get("/auth/signin?next=" + urllib.parse.quote(
            '/x"><script>alert(1)</script>'))
        if r.status != 200 or b"<script" in r.body.lower():
            self.fail("next with markup", "want the page, the markup "
                      "escaped or dropped", r)
        # The authorizer's redirect leads here, and back.
        target = "/private/projects/p?a=1&b=2"
        r = self.get(target)
        if self.to_signin("the authorizer's 302", r, target):
            r = self.get(r.header("location"))
            self.form_page("the page it leads to", r, 200, target)
        for method in ("PUT", "DELETE", "PATCH", "OPTIONS"):
            for path, allow in (("/auth/signin", {"GET", "HEAD", "POST"}),
                                ("/auth/signout", {"POST"})):
                r = send(self.url, method, path, [("Origin", self.origin)])
                got = set(a.strip() for a in
                          (r.header("allow") or "").split(","))
                if r.status != 405 or got != allow:
                    self.fail("%s %s" % (method, path), "want 405 with "
                              "Allow: %s" % ", ".join(sorted(allow)), r)
        r = self.get("/auth/signout")
        if r.status != 405:
            self.fail("GET /auth/signout", "want 405", r)

    def g_signin(self):
        t0 = int(time.time())
        r = self.signin("alice", "alicepass")
        if not self.see_other("alice, right password", r, TARGET):
            return
        got = cookies_set(r)
        if not self.cookie_attrs("access cookie", got, COOKIE, "/", None):
            return
        if not self.cookie_attrs("refresh cookie", got, REFRESH, "/auth/",
                                 None):
            return
        token, attrs = got[COOKIE]
        c = claims(token)
        if c.get("sub") != "alice" or c.get("role") != "admin" or \
                "sid" not in c:
            self.fail("the access cookie", "claims %s, want alice's, with "
                      "a session" % c)
        # The cookie lives as long as the token.
        life = int(attrs["max-age"])
        if abs((c["exp"] - t0) - life) > 5:
            self.fail("the access cookie", "Max-Age %d, token lives %d s"
                      % (life, c["exp"] - t0))
        if int(got[REFRESH][1]["max-age"]) <= life:
            self.fail("the refresh cookie", "Max-Age %s, want the "
                      "session's, longer than the token's" %
                      got[REFRESH][1]["max-age"])
        if len(got[REFRESH][0]) != 64:
            self.fail("the refresh cookie", "value of %d characters, want "
                      "a refresh token (64)" % len(got[REFRESH][0]))
        # The scopes login grants when asked none.
        if set((c.get("scope") or "").split()) != {
                "reports:read", "projects:read", "users:admin"}:
            self.fail("the access cookie", "scope %r, want all alice's "
                      "role grants" % c.get("scope"))
        jar = {COOKIE: token}
        r = self.get(TARGET, jar)
        if r.status != 200 or r.body != FILES["private/projects/p"]:
            self.fail("GET the target with the cookie", "want the file", r)
        r = self.get("/private/reports/x", jar)
        if r.status != 200 or r.body != FILES["private/reports/x"]:
            self.fail("GET a scope's path with the cookie", "want the file",
                      r)
        # Sec-Fetch-Site: same-origin is enough without Origin.
        r = self.signin("bob", "bobpass", origin=None,
                        headers=[("Sec-Fetch-Site", "same-origin")])
        self.see_other("bob, Sec-Fetch-Site same-origin, no Origin", r,
                       TARGET)
        # Already signed in: GET the page goes straight to next.
        r = self.get("/auth/signin?next=" + urllib.parse.quote(TARGET), jar)
        self.see_other("GET the page, signed in", r, TARGET)
        if cookies_set(r):
            self.fail("GET the page, signed in", "cookies set", r)

    def g_failures(self):
        cases = [("alice, wrong password", "alice", "wrong-pass-1", "alice"),
                 ("unknown user", "nobody", "wrong-pass-2", "nobody"),
                 ("disabled user", "carol", "carolpass", "carol"),
                 ("bob, wrong password", "bob", "wrong-pass-3", "bob")]
        for name, user, password, shown in cases:
            r = self.signin(user, password)
            if not self.form_page(name, r, 401, TARGET, shown):
                continue
            if "Incorrect username or password" not in \
                    r.body.decode("utf-8"):
                self.fail(name, "not the one generic message", r)
            if password.encode() in r.body:
                self.fail(name, "the password is in the page", r)
            if cookies_set(r):
                self.fail(name, "cookies set", r)
        for name, fields in (
                ("no password", {"username": "bob", "next": TARGET}),
                ("no username", {"password": "bobpass", "next": TARGET}),
                ("empty form", {})):
            r = self.post("/auth/signin", fields)
            if r.status != 401 or not self.page(name, r, 401):
                self.fail(name, "want the 401 page", r)
            elif b"Incorrect username or password" not in r.body:
                self.fail(name, "not the one generic message", r)

    def g_crosssite(self):
        host = self.url.split("//", 1)[1]
        port = host.split(":")[1]
        refused = [
            ("Origin another site", "http://evil.example", []),
            ("Origin another port", "http://127.0.0.1:%d" % (int(port) ^ 1),
             []),
            ("Origin another host name", "http://localhost:" + port, []),
            ("Origin https, the site is http", "https://" + host, []),
            ("Origin null", "null", []),
            ("neither Origin nor Sec-Fetch-Site", None, []),
            ("Sec-Fetch-Site cross-site", None,
             [("Sec-Fetch-Site", "cross-site")]),
            ("Sec-Fetch-Site same-site", None,
             [("Sec-Fetch-Site", "same-site")]),
            ("Sec-Fetch-Site none", None, [("Sec-Fetch-Site", "none")]),
            ("Sec-Fetch-Site cross-site, Origin ours", "self",
             [("Sec-Fetch-Site", "cross-site")]),
        ]
        jar = self.signed_in("bob", "bobpass")
        for name, origin, headers in refused:
            r = self.signin("alice", "alicepass", origin=origin,
                            headers=headers)
            if self.page("sign in, " + name, r, 403) and cookies_set(r):
                self.fail("sign in, " + name, "cookies set", r)
            r = self.post("/auth/signout", {}, jar, origin=origin,
                          headers=headers)
            if self.page("sign out, " + name, r, 403) and cookies_set(r):
                self.fail("sign out, " + name, "cookies cleared", r)
        # And bob's session is still on.
        r = self.get(TARGET, {COOKIE: jar[COOKIE]})
        if r.status != 200:
            self.fail("bob after the refused sign-outs", "want 200", r)
        r = self.get("/auth/signin?next=/", {REFRESH: jar[REFRESH]})
        if r.status != 303:
            self.fail("bob's refresh cookie after the refused sign-outs",
                      "want 303 (a silent sign-in)", r)

    def g_next(self):
        for n in BAD_NEXT:
            r = self.signin("bob", "bobpass", next_=n)
            self.see_other("sign in, next %r" % n[:40], r, "/")
        jar = self.signed_in("bob", "bobpass")
        access = {COOKIE: jar[COOKIE]}
        for n in BAD_NEXT:
            r = self.get("/auth/signin?next=" + urllib.parse.quote(n),
                         access)
            # A server may refuse an encoded control character in the
            # target itself (lighttpd: 400): nowhere to go either.
            if r.status == 400 and re.search(r"[\x00-\x1f]", n) and \
                    r.header("location") is None:
                continue
            self.see_other("signed in, GET next %r" % n[:40], r, "/")
        for n in GOOD_NEXT:
            r = self.get("/auth/signin?next=" + urllib.parse.quote(n),
                         access)
            self.see_other("signed in, GET next %r" % n[:40], r, n)
        r = self.signin("bob", "bobpass", next_=GOOD_NEXT[2])
        self.see_other("sign in, next with a query", r, GOOD_NEXT[2])

    def g_silent(self):
        jar = self.signed_in("alice", "alicepass")
        old = jar[REFRESH]
        # No access cookie (it lapsed), the refresh cookie: signed in
        # again, rotated, no password.
        r = self.get("/auth/signin?next=" + urllib.parse.quote(TARGET),
                     {REFRESH: old})
        if not self.see_other("refresh cookie only", r, TARGET):
            return
        got = cookies_set(r)
        if not (self.cookie_attrs("silent: access", got, COOKIE, "/", None)
                and self.cookie_attrs("silent: refresh", got, REFRESH,
                                      "/auth/", None)):
            return
        new = {n: v for n, (v, _) in got.items()}
        if new[REFRESH] == old:
            self.fail("silent sign-in", "the refresh token was not rotated")
        if claims(new[COOKIE]).get("sid") != claims(jar[COOKIE]).get("sid"):
            self.fail("silent sign-in", "a new session, want the same one")
        r = self.get(TARGET, {COOKIE: new[COOKIE]})
        if r.status != 200:
            self.fail("the new access cookie", "want 200", r)
        # A lapsed access cookie beside the refresh cookie is the same.
        # The old refresh cookie again: reuse, the whole session ends.
        r = self.get("/auth/signin?next=" + urllib.parse.quote(TARGET),
                     {REFRESH: old})
        if self.form_page("the old refresh cookie again", r, 200, TARGET):
            self.cleared("the old refresh cookie again", r)
        self.refused_within("the new access cookie after the reuse", new)
        r = self.get("/auth/signin?next=/", {REFRESH: new[REFRESH]})
        if self.form_page("the new refresh cookie after the reuse", r, 200,
                          "/"):
            self.cleared("the new refresh cookie after the reuse", r)
        # Refresh cookies that are no refresh token: the page, cleared.
        for name, value in (("garbage", "x" * 64), ("short", "abc"),
                            ("empty", "")):
            r = self.get("/auth/signin?next=/", {REFRESH: value})
            if r.status != 200:
                self.fail("a %s refresh cookie" % name, "want the page", r)

    def g_signout(self):
        jar = self.signed_in("bob", "bobpass")
        r = self.post("/auth/signout", {}, jar)
        if self.see_other("sign out", r, "/auth/signin"):
            self.cleared("sign out", r)
        self.refused_within("bob's access cookie after sign-out", jar)
        r = self.get("/auth/signin?next=/", {REFRESH: jar[REFRESH]})
        self.form_page("bob's refresh cookie after sign-out", r, 200, "/")
        # Idempotent: nothing to end, the same answer.
        r = self.post("/auth/signout", {})
        if self.see_other("sign out, no cookies", r, "/auth/signin"):
            self.cleared("sign out, no cookies", r)
        r = self.post("/auth/signout", {}, jar)
        self.see_other("sign out again", r, "/auth/signin")
        # Only the refresh cookie (the access cookie lapsed): the session
        # still ends.
        jar = self.signed_in("bob", "bobpass")
        r = self.post("/auth/signout", {}, {REFRESH: jar[REFRESH]})
        self.see_other("sign out, refresh cookie only", r, "/auth/signin")
        self.refused_within("the access cookie after a sign-out with the "
                            "refresh cookie only", jar)

    def g_https(self):
        """Over HTTPS (URL https://): the prefixed names, Secure, the
        plain names not read, an http:// Origin refused."""
        hc, hr = "__Host-" + COOKIE, "__Secure-" + REFRESH
        r = self.signin("alice", "alicepass",
                        origin="http://" + self.url.split("//", 1)[1])
        if self.page("sign in, Origin http:// on the https:// site", r,
                     403) and cookies_set(r):
            self.fail("sign in, Origin http://", "cookies set", r)
        r = self.signin("alice", "alicepass")
        if not self.see_other("sign in over HTTPS", r, TARGET):
            return
        got = cookies_set(r)
        if set(got) != {hc, hr}:
            return self.fail("sign in over HTTPS", "cookies %s, want %s" % (
                sorted(got), [hc, hr]), r)
        if not (self.cookie_attrs("HTTPS access", got, hc, "/", None, True)
                and self.cookie_attrs("HTTPS refresh", got, hr, "/auth/",
                                      None, True)):
            return
        jar = {n: v for n, (v, _) in got.items()}
        r = self.get(TARGET, {hc: jar[hc]})
        if r.status != 200 or r.body != FILES["private/projects/p"]:
            self.fail("HTTPS, the __Host- cookie", "want the file", r)
        r = self.get(TARGET + "?plain", {COOKIE: jar[hc]})
        self.to_signin("HTTPS, the token under the plain name", r,
                       TARGET + "?plain")
        # The plain refresh name is not read: the page, nothing rotated.
        r = self.get("/auth/signin?next=/", {REFRESH: jar[hr]})
        if self.form_page("HTTPS, the refresh token under the plain name",
                          r, 200, "/") and cookies_set(r):
            self.fail("HTTPS, the plain refresh name", "cookies set", r)
        r = self.get("/auth/signin?next=" + urllib.parse.quote(TARGET),
                     {hr: jar[hr]})
        if self.see_other("HTTPS, silent sign-in", r, TARGET):
            got = cookies_set(r)
            if set(got) != {hc, hr} or got[hr][0] == jar[hr]:
                self.fail("HTTPS, silent sign-in", "want both prefixed "
                          "cookies, the refresh token rotated", r)
            jar = {n: v for n, (v, _) in got.items()}
        r = self.post("/auth/signout", {}, jar)
        if self.see_other("HTTPS, sign out", r, "/auth/signin"):
            got = cookies_set(r)
            for c, path in ((hc, "/"), (hr, "/auth/")):
                if self.cookie_attrs("HTTPS, sign out", got, c, path, 0,
                                     True) and got[c][0] != "":
                    self.fail("HTTPS, sign out", "%s cleared with a value"
                              % c, r)
        self.refused_within("HTTPS, the access cookie after sign-out",
                            {COOKIE: jar[hc]}, hc)

    def g_nosessions(self):
        """Sessions off (no SESSION_STORE): the access cookie alone, and
        sign-out clears it (the token itself lives until it expires)."""
        r = self.signin("bob", "bobpass")
        if not self.see_other("sign in, sessions off", r, TARGET):
            return
        got = cookies_set(r)
        if set(got) != {COOKIE}:
            return self.fail("sign in, sessions off", "cookies %s, want "
                             "the access cookie only" % sorted(got), r)
        if not self.cookie_attrs("sessions off", got, COOKIE, "/", None):
            return
        token = got[COOKIE][0]
        if "sid" in claims(token):
            self.fail("sessions off", "the token has a session id")
        r = self.get(TARGET, {COOKIE: token})
        if r.status != 200:
            self.fail("the cookie, sessions off", "want 200", r)
        r = self.get("/auth/signin?next=/", {REFRESH: "x" * 64})
        self.form_page("a refresh cookie, sessions off", r, 200, "/")
        r = self.post("/auth/signout", {}, {COOKIE: token})
        if self.see_other("sign out, sessions off", r, "/auth/signin"):
            got = cookies_set(r)
            if not self.cookie_attrs("sign out, sessions off", got, COOKIE,
                                     "/", 0) or got[COOKIE][0] != "":
                self.fail("sign out, sessions off", "the access cookie "
                          "not cleared", r)

    def g_throttle(self):
        # LOGIN_MAX_FAILURES=3: dave's fourth try is refused before any
        # hash, with the page and Retry-After.
        for i in range(3):
            r = self.signin("dave", "wrong-%d" % i)
            if r.status != 401:
                self.fail("dave, wrong password %d" % (i + 1), "want 401", r)
        r = self.signin("dave", "davepass")
        if self.page("dave, throttled", r, 429):
            ra = r.header("retry-after")
            if not isinstance(ra, str) or not ra.isdigit() or int(ra) < 1:
                self.fail("dave, throttled", "Retry-After %r" % (ra,), r)
            if cookies_set(r):
                self.fail("dave, throttled", "cookies set", r)

    def g_throttle_login(self):
        # After g_throttle: /auth/login shares the count.
        r = send(self.url, "POST", "/auth/login", [],
                 b"username=dave&password=davepass", content_type=FORM)
        if r.status != 429:
            self.fail("/auth/login as dave after the sign-in failures",
                      "want 429: one throttle", r)


def cmd_check(argv):
    c = Checker(argv[0])
    for group in argv[1:]:
        c.group = group
        try:
            getattr(c, "g_" + group)()
        except Failed as e:
            c.fail("stopped", str(e))
    return 1 if c.failed else 0


if __name__ == "__main__":
    if len(sys.argv) < 4 or sys.argv[1] != "check":
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(cmd_check(sys.argv[2:]))
