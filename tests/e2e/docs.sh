#!/bin/sh
# docs.sh -- GET /docs in headless Chromium: Swagger UI on /openapi.json,
# "Authorize" through the password flow, "Try it out" of /me
#
# Run by "make check" from the top build dir; docs_browser.py drives the
# browser.  The page is installed as "make install" would (the page, its
# script and, with --with-swagger-ui, Swagger UI's files) into the state
# dir, and lighttpd serves it at /docs with the API document
# (etc/openapi.json) at /openapi.json, through the shipped snippet.  The
# screenshot of the last step is left in tests/e2e/docs.png of the build
# dir, pass or fail.  Skipped (77) without chromium, chromium-driver or
# python3-selenium, or when the page loads Swagger UI from jsDelivr
# (configured without --with-swagger-ui) and jsDelivr cannot be reached.
set -eu

. "${abs_top_srcdir:-$(dirname "$0")/../..}/tests/e2e/lib.sh"

e2e_setup
chromium=$(command -v chromium || true)
driver=$(command -v chromedriver || true)
[ -n "$chromium" ] || e2e_skip "chromium not installed (apt-get install chromium)"
[ -n "$driver" ] ||
    e2e_skip "chromedriver not installed (apt-get install chromium-driver)"
"$E2E_PYTHON" -c 'import selenium' 2>/dev/null ||
    e2e_skip "$E2E_PYTHON has no selenium (apt-get install python3-selenium)"
[ -n "${FA_MAKE:-}" ] && [ -n "${FA_pkgdatadir:-}" ] ||
    e2e_die "run from make check (FA_MAKE, FA_pkgdatadir unset)"

# The page as installed.
inst=$E2E_STATE/inst
"$FA_MAKE" -s -C "$E2E_BUILDDIR" DESTDIR="$inst" \
    install-apidocsDATA install-dist_apidocsDATA install-swagger-ui \
    >"$E2E_STATE/install.log" 2>&1 || {
	cat "$E2E_STATE/install.log" >&2
	e2e_die "make install of the /docs page failed"
}
rmdir "$E2E_DATADIR/docs"
cp -R "$inst$FA_pkgdatadir/docs" "$E2E_DATADIR/docs"
if grep -q 'https://cdn\.jsdelivr\.net/' "$E2E_DATADIR/docs/index.html"; then
	cdn=$(sed -n 's|.*href="\(https://cdn\.jsdelivr\.net/[^"]*\.css\)".*|\1|p' \
	    "$E2E_DATADIR/docs/index.html")
	why=$("$E2E_PYTHON" - "$cdn" <<'PY'
import sys, urllib.request
try:
    urllib.request.urlopen(sys.argv[1], timeout=10).close()
except OSError as e:
    print(e)
PY
)
	[ -z "$why" ] || e2e_skip "the page loads Swagger UI from jsDelivr," \
	    "out of reach ($why); configure --with-swagger-ui=DIR to test" \
	    "it here"
fi

# Many logins from one address are not what this test is about.
LOGIN_MAX_FAILURES=0
export LOGIN_MAX_FAILURES

run_browser()
{
	"$E2E_PYTHON" "$E2E_SRCDIR/tests/e2e/docs_browser.py" \
	    --url "$E2E_URL" --openapi "$E2E_DATADIR/openapi.json" \
	    --chromium "$chromium" --chromedriver "$driver" \
	    --workdir "$E2E_STATE/browser" \
	    --screenshot "$E2E_BUILDDIR/tests/e2e/docs.png"
}

e2e_start_lighttpd || e2e_die "lighttpd did not start"
e2e_check "/docs in headless Chromium" run_browser
e2e_stop_lighttpd || e2e_check "lighttpd stopped cleanly" false
e2e_check "no sanitizer reports" e2e_no_sanitizer_reports
e2e_finish
