#!/bin/sh
# apache-proxy.sh -- the installed etc/apache2/fcgi-auth-proxy.conf under a
# real Apache with mod_proxy_fcgi, to spawn-fcgi pools started by the
# installed fcgi-auth-spawn
set -eu
. "${abs_top_srcdir:-$(dirname "$0")/../..}/tests/deploy/lib.sh"

deploy_setup "Apache mod_proxy_fcgi" apache2 spawn-fcgi
deploy_apache_setup proxy proxy_fcgi buffer
snippet=$(deploy_conf "$FA_examplesdir/apache2/fcgi-auth-proxy.conf")
deploy_sessions_on
deploy_spawn start || e2e_die "fcgi-auth-spawn start failed"
deploy_apache_start "$snippet" proxy proxy_fcgi buffer ||
    e2e_die "apache2 did not start"
e2e_log "e2e: $("$APACHE" -v | sed -n 1p) with mod_proxy_fcgi on $E2E_URL," \
    "state in $E2E_STATE"

deploy_common_checks
# A declared body over 64 KiB gets Apache's 413 before it connects, with
# the endpoints' JSON; any other is spooled whole first (proxy-sendcl and
# SetInputFilter BUFFER), a chunked one up to 64 KiB.
e2e_check "Apache mod_proxy_fcgi: big and chunked bodies" \
    deploy_check_bodies "$DEPLOY_BODIES_JSON"
e2e_check "Apache mod_proxy_fcgi: stopping leaves no process behind" \
    deploy_stop_server
e2e_finish
