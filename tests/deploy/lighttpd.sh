#!/bin/sh
# lighttpd.sh -- the installed etc/lighttpd/fcgi-auth.conf under a real
# lighttpd, which starts the endpoints itself (bin-path)
set -eu
. "${abs_top_srcdir:-$(dirname "$0")/../..}/tests/deploy/lib.sh"

deploy_setup "lighttpd (bin-path)" lighttpd
deploy_lighttpd_setup
# Sessions on: lighttpd copies SESSION_STORE from its environment.
deploy_sessions_on
# As installed, no variable set: the paths in it are the installed ones,
# moved to the test's DESTDIR, and lighttpd's socket folder to E2E_SOCKDIR.
snippet=$(deploy_conf "$FA_examplesdir/lighttpd/fcgi-auth.conf")
deploy_lighttpd_start "$snippet" || e2e_die "lighttpd did not start"
e2e_log "e2e: $("$LIGHTTPD" -v) on $E2E_URL, state in $E2E_STATE"
# lighttpd starts the pools itself: each one's size is its max-procs.
DEPLOY_LOGIN_PROCS=$(deploy_pool_size "$snippet" '/login\.fcgi"' \
    '"max-procs" =>')
DEPLOY_ME_PROCS=$(deploy_pool_size "$snippet" '/me\.fcgi"' '"max-procs" =>')

# The installed file names the installed paths: nothing to set.
check_installed_paths()
{
	f=$DEPLOY_DEST$FA_examplesdir/lighttpd/fcgi-auth.conf
	for want in "var.fcgi_auth_bindir      = \"$FA_pkglibexecdir\"" \
	    "var.fcgi_auth_secret_file = \"$FA_pkgsysconfdir/jwt-secret\"" \
	    "var.fcgi_auth_users_file  = \"$FA_pkgsysconfdir/users\"" \
	    "var.fcgi_auth_sockdir     = \"$FA_lighttpd_sockdir\""; do
		grep -qxF "$want" "$f" || {
			echo "#   not in the installed fcgi-auth.conf: $want"
			return 1
		}
	done
}
e2e_check "lighttpd (bin-path): the installed snippet names the installed paths" \
    check_installed_paths
deploy_common_checks
# Above 1 MiB lighttpd refuses the body itself, with the same JSON 413.
e2e_check "lighttpd (bin-path): big and chunked bodies" deploy_check_bodies \
    "$DEPLOY_BODIES_JSON"
e2e_check "lighttpd (bin-path): JSON 404 and 413, endpoints' answers kept" \
    deploy_check_errors "$DEPLOY_ERRORS_LIGHTTPD"
e2e_check "lighttpd (bin-path): stopping leaves no process behind" \
    deploy_stop_server
e2e_check "lighttpd (bin-path): no sanitizer report in its logs" \
    deploy_check_no_sanitizer_reports

# ES256 end to end: the same installed snippet, its secret variable
# emptied (a secret beside a key pair is refused), keys made by authctl
# as README says, 0640 for the server's group; JWT_ALG, JWT_KEYS_FILE
# and JWT_PRIVATE_KEY_FILE from lighttpd's environment (the snippet copies
# the private key's to login and refresh only).
if ! "$E2E_PYTHON" -c 'import jose, cryptography' 2>/dev/null; then
	e2e_log "e2e: ES256 part skipped: no python-jose or cryptography"
	e2e_finish
	exit $?
fi
authctl=$E2E_BUILDDIR/tools/authctl
"$authctl" key new --alg ES256 --out "$DEPLOY_ETC/signing.pem" >/dev/null ||
    e2e_die "authctl key new failed"
"$authctl" key jwks "$DEPLOY_ETC/signing.pem" >"$DEPLOY_ETC/jwks.json" ||
    e2e_die "authctl key jwks failed"
chmod 0640 "$DEPLOY_ETC/signing.pem" "$DEPLOY_ETC/jwks.json"
[ -z "$DEPLOY_WEB_USER" ] ||
    chgrp "$DEPLOY_WEB_USER" "$DEPLOY_ETC/signing.pem" "$DEPLOY_ETC/jwks.json"
sed 's|^var\.fcgi_auth_secret_file *=.*|var.fcgi_auth_secret_file = ""|' \
    "$snippet" >"$DEPLOY_CONF/fcgi-auth-es256.conf"
JWT_ALG=ES256 JWT_KEYS_FILE=$DEPLOY_ETC/jwks.json
JWT_PRIVATE_KEY_FILE=$DEPLOY_ETC/signing.pem
export JWT_ALG JWT_KEYS_FILE JWT_PRIVATE_KEY_FILE
deploy_lighttpd_start "$DEPLOY_CONF/fcgi-auth-es256.conf" ||
    e2e_die "lighttpd did not start with ES256"
check_es256()
{
	"$E2E_PYTHON" "$E2E_SRCDIR/tests/e2e/keys.py" basic "$E2E_URL" ES256 \
	    "$DEPLOY_ETC/signing.pem" ""
}
e2e_check "lighttpd (bin-path), ES256: login, /me, JWKS, interop, attacks" \
    check_es256
e2e_check "lighttpd (bin-path), ES256: login, refresh, logout" \
    deploy_check_refresh
e2e_check "lighttpd (bin-path), ES256: stopping leaves no process behind" \
    deploy_stop_server
e2e_finish
