#!/bin/sh
# lighttpd-sockets.sh -- the installed etc/lighttpd/fcgi-auth-sockets.conf
# under a real lighttpd, to spawn-fcgi pools started by the installed
# fcgi-auth-spawn
set -eu
. "${abs_top_srcdir:-$(dirname "$0")/../..}/tests/deploy/lib.sh"

deploy_setup "lighttpd (spawn-fcgi sockets)" lighttpd spawn-fcgi
deploy_lighttpd_setup
deploy_sessions_on
snippet=$(deploy_conf "$FA_examplesdir/lighttpd/fcgi-auth-sockets.conf")
deploy_spawn start || e2e_die "fcgi-auth-spawn start failed"
deploy_lighttpd_start "$snippet" || e2e_die "lighttpd did not start"
e2e_log "e2e: $("$LIGHTTPD" -v) on $E2E_URL, state in $E2E_STATE"

deploy_common_checks
# Above 1 MiB lighttpd refuses the body itself, with the same JSON 413.
e2e_check "lighttpd (spawn-fcgi sockets): big and chunked bodies" \
    deploy_check_bodies "$DEPLOY_BODIES_JSON"
e2e_check "lighttpd (spawn-fcgi sockets): JSON 404 and 413, endpoints' answers kept" \
    deploy_check_errors "$DEPLOY_ERRORS_LIGHTTPD"
e2e_check "lighttpd (spawn-fcgi sockets): stopping leaves no process behind" \
    deploy_stop_server
e2e_finish
