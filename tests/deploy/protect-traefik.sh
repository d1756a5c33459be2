#!/bin/sh
# protect-traefik.sh -- the installed etc/traefik/fcgi-auth-verify.conf
# under a real lighttpd: the HTTP front that Traefik's ForwardAuth
# (etc/traefik/fcgi-auth-forward.yml) asks, passing /auth/verify to the
# authorizer's pool that the installed fcgi-auth-spawn runs.  Traefik
# itself is not run (Debian 12 does not package it): protect.py sends the
# question its documentation says ForwardAuth sends, and checks the
# verdicts and the X-Auth-* headers, as tests/deploy/protect.py's policy
# says.
set -eu
. "${abs_top_srcdir:-$(dirname "$0")/../..}/tests/deploy/lib.sh"

deploy_setup "Traefik front (protect)" lighttpd spawn-fcgi
deploy_lighttpd_setup
deploy_protect_setup traefik
[ -f "$DEPLOY_DEST$FA_examplesdir/traefik/fcgi-auth-forward.yml" ] ||
    e2e_die "make install put no $FA_examplesdir/traefik/fcgi-auth-forward.yml"
grep -q 'address: "http://127.0.0.1:9012/auth/verify"' \
    "$DEPLOY_DEST$FA_examplesdir/traefik/fcgi-auth-forward.yml" ||
    e2e_die "fcgi-auth-forward.yml does not ask the front's port"
# The front's port, moved to a free one.
front_port=$("$E2E_PYTHON" "$E2E_SRCDIR/tests/e2e/helper.py" port \
    "$E2E_PORT_RANGE") || e2e_die "no free port"
front=$(deploy_conf "$FA_examplesdir/traefik/fcgi-auth-verify.conf" \
    "127.0.0.1:9012=127.0.0.1:$front_port")
deploy_spawn start authorize || e2e_die "fcgi-auth-spawn start authorize"
deploy_lighttpd_start "$front" || e2e_die "lighttpd did not start"
e2e_log "e2e: $("$LIGHTTPD" -v) front on 127.0.0.1:$front_port, state in" \
    "$E2E_STATE"

check_traefik()
{
	"$E2E_PYTHON" "$DEPLOY_PROTECT" traefik "http://127.0.0.1:$front_port" \
	    "$E2E_SECRET_FILE"
}
e2e_check "Traefik front (protect): ForwardAuth's question, the verdicts\
 and X-Auth-*" check_traefik
e2e_check "Traefik front (protect): stopping leaves no process behind" \
    deploy_stop_server
e2e_finish
