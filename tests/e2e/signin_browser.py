#!/usr/bin/env python3
"""signin_browser.py -- browser sign-in in headless Chromium, driven by
Selenium: every step of issue 14's "Tests in a real browser"

Run by tests/deploy/signin-browser.sh against a server (--url) that
protects tests/deploy/protect.py's site under /private/ and answers
/auth/signin and /auth/signout on the same host (lighttpd, then nginx,
each from its installed snippets).  In order:

  1. open /private/projects/hello.txt: the sign-in page, next set; its
     weight (under 10 KiB) and no request but its own (performance
     entries), no console error (the CSP would report an inline script or
     style); screenshot signin.png
  2. sign in as alice: the file
  3. the cookies: HttpOnly, SameSite=Lax, the refresh cookie's Path
     /auth/; document.cookie shows neither
  4. the access token lapses (--expiry wait: the cookie's Max-Age runs
     out, ACCESS_TOKEN_TTL_MIN=1, about a minute; --expiry delete: the
     cookie deleted through CDP, Network.deleteCookies, standing for
     that), reload: the file again, no password asked (redirected through
     the sign-in page), the refresh token rotated
  5. the old refresh cookie again: the whole session ends (the sign-in
     page; the new access and refresh cookies refused too)
  6. sign in, sign out (the 403 page's button): the file sends to the
     sign-in page again
  7. next values that point elsewhere: each lands on this site
  8. forms on another origin (same site, another port; and another site,
     localhost) that POST to /auth/signout and /auth/signin: refused
     (403), alice still signed in
  9. bob, whose role lacks the scope /private/reports/ wants: the 403
     page, not a sign-in loop; screenshot 403.png

Saves the screenshots in --outdir whether it passes or not, and a
screenshot of the last page (last.png) on failure.  Prints what it
expected and got on failure; exit status 0 or 1.  Every wait is bounded
and waits for an outcome (browser.py), never for time to pass; the one
long wait, for the cookie to lapse, is bounded by its Max-Age plus 30 s.
"""

import argparse
import http.server
import os
import sys
import threading
import time
import urllib.parse

from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By

import browser
from browser import Failed, console_errors, wait

TARGET = "/private/projects/hello.txt"
TARGET_TEXT = "projects/hello.txt: SECRET"
REPORTS = "/private/reports/x"
COOKIE = "fcgi-auth"
REFRESH = "fcgi-auth-refresh"
PAGE_MAX = 10 * 1024
FAVICON = "/favicon.ico"
# How long a session's end may take to reach every authorizer process.
ENDED_WITHIN_S = 10
BAD_NEXT = ["//evil.example", "https://evil.example/", "/\\evil.example",
            "javascript:alert(1)", "/%2F%2Fevil.example",
            "/%5Cevil.example", "http:evil.example", "///evil.example"]


class Run:
    def __init__(self, args):
        self.args = args
        self.base = args.url.rstrip("/")
        u = urllib.parse.urlsplit(self.base)
        self.origin = (u.scheme, u.netloc)
        self.d = browser.start(args.chromium, args.chromedriver,
                               args.workdir)
        self.d.execute_cdp_cmd("Network.enable", {})
        self.log = []
        self.steps = []
        self.n = 0

    # --- helpers ------------------------------------------------------------

    def path(self):
        """The current page's path and query, if it is on our origin."""
        u = urllib.parse.urlsplit(self.d.current_url)
        if (u.scheme, u.netloc) != self.origin:
            return None
        return u.path + ("?" + u.query if u.query else "")

    def at(self, path):
        return lambda d: self.path() == path

    def on_signin(self, d=None):
        p = self.path()
        return p is not None and p.split("?")[0] == "/auth/signin" and \
            bool(self.d.find_elements(By.CSS_SELECTOR,
                                      'form[action="/auth/signin"]'))

    def body(self):
        try:
            return self.d.find_element(By.TAG_NAME, "body").text
        except WebDriverException:
            return ""

    def cookies(self):
        """Our site's cookies, every path, by name (CDP: WebDriver's own
        list has only those of the current page's path)."""
        got = self.d.execute_cdp_cmd("Network.getAllCookies", {})["cookies"]
        host = urllib.parse.urlsplit(self.base).hostname
        return {c["name"]: c for c in got if c["domain"] == host}

    def set_cookie(self, name, value, path):
        """Put back a cookie as the server set it (a copy the browser
        kept, or a thief's), in place of the one it has now."""
        self.delete_cookie(name)
        ok = self.d.execute_cdp_cmd("Network.setCookie", {
            "name": name, "value": value, "url": self.base + path,
            "path": path, "httpOnly": True, "sameSite": "Lax"})
        got = [c["value"] for c in self.d.execute_cdp_cmd(
            "Network.getAllCookies", {})["cookies"] if c["name"] == name]
        if not ok.get("success", True) or got != [value]:
            raise Failed("CDP could not set the cookie %s (have %d)"
                         % (name, len(got)))

    def delete_cookie(self, name):
        host = urllib.parse.urlsplit(self.base).hostname
        for path in ("/", "/auth/"):
            self.d.execute_cdp_cmd("Network.deleteCookies",
                                   {"name": name, "domain": host,
                                    "path": path})
        if name in self.cookies():
            raise Failed("CDP did not delete the cookie %s" % name)

    def open(self, path):
        self.d.get(self.base + path)

    def open_target(self):
        """TARGET, under a query of its own each time: the file carries
        no Cache-Control, and the browser may show it again from its
        cache without asking the server (and so the authorizer)."""
        self.n += 1
        self.open("%s?n=%d" % (TARGET, self.n))

    def sign_in(self, user, password):
        """Fill the sign-in page's form and send it."""
        if not self.on_signin():
            raise Failed("want the sign-in page, at %s: %s" % (
                self.d.current_url, self.body()[:200]))
        form = self.d.find_element(By.CSS_SELECTOR,
                                   'form[action="/auth/signin"]')
        name = form.find_element(By.NAME, "username")
        name.clear()
        name.send_keys(user)
        form.find_element(By.NAME, "password").send_keys(password)
        form.find_element(By.CSS_SELECTOR,
                          'button, input[type="submit"]').click()

    def see_file(self, path, text, what):
        wait(self.d, lambda d: (self.path() or "").split("?")[0] == path and
             text in self.body(),
             "%s: %s showing %r (at %s)" % (what, path, text,
                                            self.d.current_url))

    def nav(self):
        return self.d.execute_script(
            "var n = performance.getEntriesByType('navigation')[0];"
            "return n ? n.toJSON() : null;")

    def status_is(self, want, what):
        """The current page's HTTP status (the navigation's
        responseStatus) is want."""
        nav = self.nav()
        got = nav.get("responseStatus") if nav else None
        if got != want:
            raise Failed("%s: status %r, want %d (at %s: %r)" % (
                what, got, want, self.d.current_url, self.body()[:200]))

    def screenshot(self, name):
        os.makedirs(self.args.outdir, exist_ok=True)
        self.d.save_screenshot(os.path.join(self.args.outdir, name))

    def step(self, what):
        self.steps.append(what)

    def no_console_errors(self, when):
        """No console error but the statuses the steps ask for (each 403
        and 404 is logged as a failed load): a CSP violation, an inline
        script or style refused, would be one."""
        errs = [e for e in console_errors(self.d, self.log)
                if "Failed to load resource: the server responded with a "
                "status of" not in e.get("message", "")]
        if errs:
            raise Failed("console errors %s: %s" % (when, errs))

    # --- the steps ----------------------------------------------------------

    def s1_signin_page(self):
        self.open(TARGET)
        wait(self.d, self.on_signin, TARGET + " to send us to the sign-in "
             "page")
        q = urllib.parse.parse_qs(urllib.parse.urlsplit(
            self.d.current_url).query)
        if q.get("next") != [TARGET]:
            raise Failed("sign-in page next=%r, want %r" % (q.get("next"),
                                                           TARGET))
        self.screenshot("signin.png")
        self.status_is(200, "the sign-in page")
        nav = self.nav()
        # The browser's own /favicon.ico aside (it asks every site for
        # one, whatever the page says), nothing but the page.
        res = [n for n in self.d.execute_script(
            "return performance.getEntriesByType('resource')"
            ".map(function (e) { return e.name; });")
            if n != self.base + FAVICON]
        if res:
            raise Failed("the sign-in page loaded more: %s" % res)
        size = nav.get("decodedBodySize") if nav else None
        if not isinstance(size, int) or not 0 < size < PAGE_MAX:
            raise Failed("the sign-in page's size %r, want under %d" % (
                size, PAGE_MAX))
        self.no_console_errors("on the sign-in page")
        self.step("the sign-in page (%d bytes, no other request)" % size)

    def s2_sign_in(self):
        self.sign_in("alice", "alicepass")
        self.see_file(TARGET, TARGET_TEXT, "signed in as alice")
        self.step("signed in as alice, the file")

    def s3_cookies(self):
        c = self.cookies()
        for name, path in ((COOKIE, "/"), (REFRESH, "/auth/")):
            if name not in c:
                raise Failed("no cookie %s (have %s)" % (name, sorted(c)))
            got = (c[name]["httpOnly"], c[name]["sameSite"], c[name]["path"])
            if got != (True, "Lax", path):
                raise Failed("cookie %s: (httpOnly, sameSite, path) %s, "
                             "want %s" % (name, got, (True, "Lax", path)))
        js = self.d.execute_script("return document.cookie;")
        if js != "":
            raise Failed("document.cookie is %r, want ''" % js)
        self.step("cookies HttpOnly, SameSite=Lax, not in document.cookie")
        return c

    def s4_expiry(self, c):
        access, refresh = c[COOKIE]["value"], c[REFRESH]["value"]
        if self.args.expiry == "wait":
            lapse = c[COOKIE]["expires"] - time.time()
            deadline = time.monotonic() + max(lapse, 0) + 30
            while COOKIE in self.cookies():
                if time.monotonic() > deadline:
                    raise Failed("the access cookie is still there %d s "
                                 "after its Max-Age" % (lapse + 30))
                time.sleep(1)
            how = "lapsed after %d s" % round(lapse)
        else:
            self.delete_cookie(COOKIE)
            if COOKIE in self.cookies():
                raise Failed("CDP did not delete the access cookie")
            how = "deleted through CDP"
        self.d.refresh()
        self.see_file(TARGET, TARGET_TEXT, "reloaded after the access "
                      "cookie " + how)
        nav = self.nav()
        if not nav or nav.get("redirectCount", 0) < 2:
            raise Failed("the reload was not sent through the sign-in "
                         "page (navigation %s)" % nav)
        now = self.cookies()
        if COOKIE not in now or REFRESH not in now:
            raise Failed("after the silent sign-in, cookies %s" % sorted(now))
        if now[REFRESH]["value"] == refresh:
            raise Failed("the refresh token was not rotated")
        if now[COOKIE]["value"] == access:
            raise Failed("the access token is the old one")
        self.step("access cookie %s, reload: signed in again silently, "
                  "refresh token rotated" % how)
        return refresh, now[COOKIE]["value"], now[REFRESH]["value"]

    def s5_reuse(self, old, access, refresh):
        self.delete_cookie(COOKIE)
        self.set_cookie(REFRESH, old, "/auth/")
        self.open_target()
        wait(self.d, self.on_signin, "the old refresh cookie to end at the "
             "sign-in page")
        left = self.cookies()
        if COOKIE in left or REFRESH in left:
            raise Failed("after the reuse, cookies left: %s" % sorted(left))
        # The whole session: the newest cookies are refused too, within
        # the time an end takes to reach every process.
        deadline = time.monotonic() + ENDED_WITHIN_S
        while True:
            self.set_cookie(COOKIE, access, "/")
            self.set_cookie(REFRESH, refresh, "/auth/")
            self.open_target()
            wait(self.d, lambda d: self.on_signin() or
                 TARGET_TEXT in self.body(), "an answer to " + TARGET)
            if self.on_signin():
                break
            if time.monotonic() > deadline:
                raise Failed("the session's newest cookies still work %d s "
                             "after the old refresh token came back"
                             % ENDED_WITHIN_S)
            time.sleep(0.5)
        self.step("the old refresh cookie again: the whole session ended")

    def sign_out_via_403(self):
        self.open("/private/other/x")
        wait(self.d, lambda d: self.d.find_elements(
             By.CSS_SELECTOR, 'form[action="/auth/signout"]'),
             "the 403 page's sign-out button (no rule for /private/other/)")
        self.status_is(403, "the 403 page (no rule)")
        form = self.d.find_element(By.CSS_SELECTOR,
                                   'form[action="/auth/signout"]')
        form.find_element(By.CSS_SELECTOR,
                          'button, input[type="submit"]').click()
        wait(self.d, self.on_signin, "sign-out to land on the sign-in page")

    def s6_sign_out(self):
        self.open_target()
        wait(self.d, self.on_signin, "the sign-in page")
        self.sign_in("alice", "alicepass")
        self.see_file(TARGET, TARGET_TEXT, "signed in as alice again")
        self.sign_out_via_403()
        left = self.cookies()
        if COOKIE in left or REFRESH in left:
            raise Failed("after sign-out, cookies left: %s" % sorted(left))
        self.open_target()
        wait(self.d, self.on_signin, TARGET + " after sign-out to send us "
             "to the sign-in page")
        self.step("signed out: " + TARGET + " sends to the sign-in page")

    def s7_next(self):
        # Through the form, signed out: the first two.
        for bad in BAD_NEXT[:2]:
            for c in (COOKIE, REFRESH):
                self.delete_cookie(c)
            self.open("/auth/signin?next=" + urllib.parse.quote(bad, safe=""))
            wait(self.d, self.on_signin, "the sign-in page")
            self.sign_in("alice", "alicepass")
            wait(self.d, lambda d: not self.on_signin(),
                 "signing in with next=%r" % bad)
            if self.path() != "/":
                raise Failed("signed in with next=%r: at %s, want %s/" % (
                    bad, self.d.current_url, self.base))
        # Signed in, every one: the page sends us straight on.
        for bad in BAD_NEXT:
            self.open("/auth/signin?next=" + urllib.parse.quote(bad, safe=""))
            wait(self.d, lambda d: self.path() is None or
                 not self.path().startswith("/auth/signin"),
                 "next=%r to send us on" % bad)
            if self.path() != "/":
                raise Failed("next=%r: at %s, want %s/" % (
                    bad, self.d.current_url, self.base))
        self.step("%d next values pointing elsewhere: each stayed on the "
                  "site" % len(BAD_NEXT))

    def s8_cross_site(self):
        self.open_target()
        wait(self.d, lambda d: TARGET_TEXT in self.body(),
             "alice still signed in")
        evil = Evil(self.base)
        try:
            for host in ("127.0.0.1", "localhost"):
                for form in ("signout", "signin"):
                    self.d.get("http://%s:%d/%s.html" % (host, evil.port,
                                                          form))
                    self.d.find_element(By.ID, "go").click()
                    wait(self.d, lambda d: self.path() == "/auth/" + form,
                         "the cross-site form to POST to /auth/" + form)
                    self.status_is(403, "a form on http://%s:%d posting "
                                   "to /auth/%s" % (host, evil.port, form))
        finally:
            evil.stop()
        self.open_target()
        self.see_file(TARGET, TARGET_TEXT, "alice after the cross-site "
                      "forms")
        c = self.cookies()
        if COOKIE not in c or REFRESH not in c:
            raise Failed("the cross-site forms changed the cookies: %s"
                         % sorted(c))
        self.step("cross-site forms POSTing to /auth/signout and "
                  "/auth/signin: 403, alice still signed in")

    def s9_bob(self):
        self.sign_out_via_403()
        self.open(REPORTS)
        wait(self.d, self.on_signin, REPORTS + " to send us to sign in")
        self.sign_in("bob", "bobpass")
        wait(self.d, lambda d: self.path() == REPORTS and
             self.d.find_elements(By.CSS_SELECTOR,
                                  'form[action="/auth/signout"]'),
             "bob to get the 403 page at " + REPORTS)
        self.screenshot("403.png")
        self.status_is(403, "bob at " + REPORTS)
        if "bob" not in self.body():
            raise Failed("the 403 page does not name bob: %r"
                         % self.body()[:300])
        self.d.refresh()
        wait(self.d, lambda d: self.d.find_elements(
             By.CSS_SELECTOR, 'form[action="/auth/signout"]'),
             "the 403 page again")
        nav = self.nav()
        if self.path() != REPORTS or not nav or nav.get("redirectCount"):
            raise Failed("reloading the 403 page redirected (%s, %s)" % (
                self.d.current_url, nav))
        self.no_console_errors("on the 403 page")
        self.step("bob: the 403 page, no sign-in loop")

    def run(self):
        self.s1_signin_page()
        self.s2_sign_in()
        c = self.s3_cookies()
        old, access, refresh = self.s4_expiry(c)
        self.s5_reuse(old, access, refresh)
        self.s6_sign_out()
        self.s7_next()
        self.s8_cross_site()
        self.s9_bob()


class Evil:
    """Pages on another origin (our host, another port; or localhost,
    another site) with a form that POSTs to the server's sign-out and
    sign-in; no script: a click sends it, as a user tricked into it
    would."""

    def __init__(self, base):
        forms = {
            "/signout.html": '<form method="post" action="%s/auth/signout">'
                             '<button id="go">Win a prize</button></form>'
                             % base,
            "/signin.html": '<form method="post" action="%s/auth/signin">'
                            '<input type="hidden" name="username" '
                            'value="bob"><input type="hidden" '
                            'name="password" value="bobpass">'
                            '<input type="hidden" name="next" value="/">'
                            '<button id="go">Win a prize</button></form>'
                            % base,
        }

        class Page(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                body = forms.get(self.path)
                if body is None:
                    self.send_error(404)
                    return
                data = ("<!DOCTYPE html><html lang=\"en\"><title>elsewhere"
                        "</title>%s</html>" % body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *a):
                pass
        self.srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page)
        self.port = self.srv.server_address[1]
        self.thread = threading.Thread(target=self.srv.serve_forever,
                                       daemon=True)
        self.thread.start()

    def stop(self):
        self.srv.shutdown()
        self.srv.server_close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", required=True)
    ap.add_argument("--chromium", required=True)
    ap.add_argument("--chromedriver", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--outdir", required=True)
    ap.add_argument("--expiry", choices=("wait", "delete"), required=True)
    ap.add_argument("--label", default="")
    args = ap.parse_args()
    r = Run(args)
    try:
        r.run()
        for s in r.steps:
            print("# %s: %s" % (args.label, s))
        return 0
    except (Failed, WebDriverException) as e:
        for s in r.steps:
            print("#   passed: %s" % s)
        print("#   %s" % str(e).replace("\n", "\n#   "))
        print("#   at %s" % r.d.current_url)
        try:
            console_errors(r.d, r.log)
            r.screenshot("last.png")
        except WebDriverException:
            pass
        for entry in r.log:
            print("#   console %s: %s" % (entry.get("level"),
                                          entry.get("message")))
        return 1
    finally:
        r.d.quit()


if __name__ == "__main__":
    sys.exit(main())
