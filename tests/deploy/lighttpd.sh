#!/bin/sh
# lighttpd.sh -- the installed etc/lighttpd/fcgi-auth.conf under a real
# lighttpd, which starts the endpoints itself (bin-path)
set -eu
. "${abs_top_srcdir:-$(dirname "$0")/../..}/tests/deploy/lib.sh"

deploy_setup "lighttpd (bin-path)" lighttpd
deploy_lighttpd_setup
snippet=$(deploy_conf "$FA_examplesdir/lighttpd/fcgi-auth.conf")
etc=$DEPLOY_ETC
deploy_lighttpd_start "$snippet" "\
var.fcgi_auth_bindir = \"$DEPLOY_DEST$FA_pkglibexecdir\"
var.fcgi_auth_secret_file = \"$etc/jwt-secret\"
var.fcgi_auth_users_file = \"$etc/users\"
var.fcgi_auth_sockdir = \"$E2E_SOCKDIR\"" || e2e_die "lighttpd did not start"
e2e_log "e2e: $("$LIGHTTPD" -v) on $E2E_URL, state in $E2E_STATE"

deploy_common_checks
# Above 1 MiB, lighttpd's own (HTML) 413: docs/deploy.md.
e2e_check "lighttpd (bin-path): big and chunked bodies" deploy_check_bodies \
    "$DEPLOY_BODIES_LIGHTTPD"
e2e_check "lighttpd (bin-path): stopping leaves no process behind" \
    deploy_stop_server
e2e_check "lighttpd (bin-path): no sanitizer report in its logs" \
    deploy_check_no_sanitizer_reports
e2e_finish
