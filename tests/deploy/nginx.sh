#!/bin/sh
# nginx.sh -- the installed etc/nginx/fcgi-auth.conf under a real nginx,
# to spawn-fcgi pools started by the installed fcgi-auth-spawn
set -eu
. "${abs_top_srcdir:-$(dirname "$0")/../..}/tests/deploy/lib.sh"

deploy_setup nginx nginx spawn-fcgi
deploy_nginx_prepare
snippet=$(deploy_conf "$FA_examplesdir/nginx/fcgi-auth.conf")

write_conf()
{
	deploy_nginx_write "$1" "" "\
		root $E2E_STATE/www;
		include $snippet;"
}

deploy_sessions_on
deploy_spawn start || e2e_die "fcgi-auth-spawn start failed"
deploy_start_server write_conf "$NGINX" -p "$DEPLOY_NGINX_DIR/" \
    -c "$DEPLOY_NGINX_DIR/nginx.conf" -e "$DEPLOY_SERVER_LOG" \
    -g 'daemon off;' || e2e_die "nginx did not start"
e2e_log "e2e: $("$NGINX" -v 2>&1) on $E2E_URL, state in $E2E_STATE"

# nginx (1.22) drops the spaces after a header's value but not a tab: the
# token then ends in a tab, and is no token.
DEPLOY_BEARER=$(printf '%s\n' "$DEPLOY_BEARER" |
    sed 's/^tab_after .*/tab_after 401 Invalid or expired token/')
deploy_common_checks
# nginx refuses a declared body over client_max_body_size (64k) itself,
# with the endpoints' JSON (error_page 413); it reads a chunked body whole
# and passes its length on.
e2e_check "nginx: big and chunked bodies" deploy_check_bodies \
    "$DEPLOY_BODIES_JSON"
e2e_check "nginx: stopping leaves no process behind" deploy_stop_server
e2e_finish
