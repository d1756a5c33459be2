#!/bin/sh
# signin-browser.sh -- browser sign-in in headless Chromium (Selenium)
# through the installed snippets: lighttpd (fcgi-auth-protect.conf and
# fcgi-auth.conf), then nginx (fcgi-auth-protect*.conf and fcgi-auth.conf,
# to the installed fcgi-auth-spawn's pools), each protecting
# tests/deploy/protect.py's site with a session store
#
# tests/e2e/signin_browser.py drives the browser through every step of
# issue 14's "Tests in a real browser".  The access token's lapse is
# waited for once, under lighttpd (ACCESS_TOKEN_TTL_MIN=1: about a
# minute); under nginx, and under lighttpd in a sanitizer build (which
# scripts/check runs after the plain one), the access cookie is deleted
# through CDP (Network.deleteCookies) to stand for it.  The screenshots of the
# sign-in page and the 403 page are left in
# tests/deploy/signin-browser/SERVER/ of the build dir, pass or fail.
# Skipped (77) without chromium, chromium-driver or python3-selenium, or
# without lighttpd, nginx or spawn-fcgi.
set -eu
. "${abs_top_srcdir:-$(dirname "$0")/../..}/tests/deploy/lib.sh"

chromium=$(command -v chromium || true)
driver=$(command -v chromedriver || true)
[ -n "$chromium" ] ||
    e2e_skip "chromium not installed (apt-get install chromium)"
[ -n "$driver" ] ||
    e2e_skip "chromedriver not installed (apt-get install chromium-driver)"
deploy_setup "browser sign-in" lighttpd nginx spawn-fcgi
"$E2E_PYTHON" -c 'import selenium' 2>/dev/null ||
    e2e_skip "$E2E_PYTHON has no selenium (apt-get install python3-selenium)"
deploy_lighttpd_setup
deploy_protect_setup lighttpd
deploy_signin_setup
out=$E2E_BUILDDIR/tests/deploy/signin-browser
rm -rf "$out"
mkdir -p "$out"

# run_browser SERVER EXPIRY
run_browser()
{
	"$E2E_PYTHON" "$E2E_SRCDIR/tests/e2e/signin_browser.py" \
	    --url "$E2E_URL" --chromium "$chromium" --chromedriver "$driver" \
	    --workdir "$E2E_STATE/browser-$1" --outdir "$out/$1" \
	    --expiry "$2" --label "$1"
}

# lighttpd: the access token lives a minute, and the test waits for it;
# but once per scripts/check: the sanitizer build (the same test, run
# again) deletes the cookie as under nginx.
expiry="wait"
if grep -q __asan_init "$E2E_BUILDDIR/cgi-bin/signin.fcgi"; then
	expiry=delete
else
	ACCESS_TOKEN_TTL_MIN=1
	export ACCESS_TOKEN_TTL_MIN
fi
deploy_protect_lighttpd_start || e2e_die "lighttpd did not start"
e2e_log "e2e: $("$LIGHTTPD" -v) on $E2E_URL, state in $E2E_STATE"
e2e_check "lighttpd: sign in, lapse ($expiry), reuse, sign out, next,\
 cross-site, 403 in Chromium" run_browser lighttpd "$expiry"
e2e_check "lighttpd: stopping leaves no process behind" deploy_stop_server
e2e_check "lighttpd: no sanitizer reports" deploy_check_no_sanitizer_reports

# nginx: the usual lifetime; the lapse stood for by deleting the cookie.
unset ACCESS_TOKEN_TTL_MIN
deploy_upstream_start
deploy_protect_nginx_start || e2e_die "nginx did not start"
e2e_log "e2e: $("$NGINX" -v 2>&1) on $E2E_URL, state in $E2E_STATE"
e2e_check "nginx: sign in, lapse (CDP), reuse, sign out, next, cross-site,\
 403 in Chromium" run_browser nginx delete
stop_all()
{
	deploy_upstream_stop && deploy_stop_server
}
e2e_check "nginx: stopping leaves no process behind" stop_all
e2e_check "nginx: no sanitizer reports" deploy_check_no_sanitizer_reports
e2e_finish
