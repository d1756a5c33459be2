#!/bin/sh
# openapi.sh -- etc/openapi.json against the live endpoints, both ways, and
# /openapi.json, /docs and /healthz as the shipped lighttpd snippet serves
# them
#
# Run by "make check" from the top build dir.  One lighttpd with sessions
# on (SQLite), a policy (for login's scopes) and the throttle at 2
# failures; openapi.py starts what one server cannot show at once beside
# it (sessions off, a key pair, no users file).
set -eu

. "${abs_top_srcdir:-$(dirname "$0")/../..}/tests/e2e/lib.sh"

e2e_setup
py=$E2E_SRCDIR/tests/e2e/openapi.py
authctl=$E2E_BUILDDIR/tools/authctl
[ -x "$authctl" ] || e2e_die "$authctl not built (run make)"
"$E2E_PYTHON" -c 'import jwt' 2>/dev/null ||
    e2e_skip "$E2E_PYTHON has no jwt (apt-get install python3-jwt)"
version=$(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"$/\1/p' \
    "$E2E_BUILDDIR/config.h")
[ -n "$version" ] || e2e_die "no PACKAGE_VERSION in config.h"

mkdir -m 700 "$E2E_STATE/store" "$E2E_STATE/work"
SESSION_STORE=sqlite:$E2E_STATE/store/sessions.db
LOGIN_MAX_FAILURES=2
printf 'role admin reports:read\nrole user projects:read\n' \
    >"$E2E_STATE/policy"
POLICY_FILE=$E2E_STATE/policy
export SESSION_STORE LOGIN_MAX_FAILURES POLICY_FILE
# A key pair's public set, for jwks.fcgi's 200 (this server is HS256).
"$authctl" key new --alg ES256 --out "$E2E_STATE/work/a.pem" >/dev/null ||
    e2e_die "authctl key new failed"
"$authctl" key jwks --alg ES256 "$E2E_STATE/work/a.pem" \
    >"$E2E_STATE/work/jwks.json" || e2e_die "authctl key jwks failed"
# /docs: a page and a file of its own (etc/docs has the real one, which
# its own test drives in a browser): what is checked here is the routing.
printf '<!DOCTYPE html><title>docs</title>\n' >"$E2E_DATADIR/docs/index.html"
printf 'console.log("fcgi-auth");\n' >"$E2E_DATADIR/docs/app.js"

e2e_start_lighttpd || e2e_die "lighttpd did not start"
e2e_log "e2e: $("$E2E_LIGHTTPD" -v) on $E2E_URL, state in $E2E_STATE"

check_types()
{
	# lighttpd's own 404 page (HTML here; JSON with the installed
	# fcgi-auth.conf's error pages) for a file that is not there, one the
	# pattern leaves out, and a path below the document.
	printf 'secret\n' >"$E2E_DATADIR/docs/.hidden"
	for want in "/docs/app.js 200 text/javascript" \
	    "/docs/nosuch.js 404 text/html" "/docs/.hidden 404 text/html" \
	    "/openapi.json/x 404 text/html" "/docs/docs 404 text/html"; do
		# shellcheck disable=SC2086 # path, status, type
		set -- $want
		got=$("$E2E_PYTHON" - "$E2E_URL$1" <<'PY'
import sys, urllib.request, urllib.error
try:
    r = urllib.request.urlopen(sys.argv[1], timeout=30)
except urllib.error.HTTPError as e:
    r = e
print(r.status, r.headers.get("Content-Type", "").split(";")[0])
PY
)
		e2e_expect "GET $1" "$2 $3" "$got" || return 1
	done
}

e2e_check "served: /openapi.json, /healthz, /docs" \
    "$E2E_PYTHON" "$py" served "$E2E_URL" "$E2E_SRCDIR/etc/openapi.json" \
    "$E2E_DATADIR/docs"
e2e_check "/docs/ files by type, nothing else" check_types
"$E2E_PYTHON" "$py" contract "$E2E_URL" "$E2E_SRCDIR/etc/openapi.json" \
    "$E2E_BINDIR" "$E2E_STATE/work" "$E2E_SECRET_FILE" "$E2E_USERS_FILE" \
    "$E2E_STATE/store/sessions.db" "$E2E_STATE/work/jwks.json" "$version" |
    tee "$E2E_STATE/contract.out"
if grep -q '^not ok' "$E2E_STATE/contract.out"; then
	e2e_check "openapi.py contract" false
else
	e2e_check "openapi.py contract" true
fi
e2e_stop_lighttpd || e2e_die "lighttpd left processes behind"
e2e_finish
