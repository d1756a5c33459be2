#!/bin/sh
# apache-fcgid.sh -- the installed etc/apache2/fcgi-auth-fcgid.conf under a
# real Apache with mod_fcgid, which starts the endpoints itself
set -eu
. "${abs_top_srcdir:-$(dirname "$0")/../..}/tests/deploy/lib.sh"

deploy_setup "Apache mod_fcgid" apache2
deploy_apache_setup fcgid
snippet=$(deploy_conf "$FA_examplesdir/apache2/fcgi-auth-fcgid.conf")
# Sessions on: mod_fcgid passes only InitialEnv, added as the snippet says.
deploy_sessions_on
deploy_fcgid_sessions "$snippet"
deploy_apache_start "$snippet" fcgid || e2e_die "apache2 did not start"
e2e_log "e2e: $("$APACHE" -v | sed -n 1p) with mod_fcgid on $E2E_URL," \
    "state in $E2E_STATE"
# mod_fcgid starts the pools (classes) itself, up to MaxProcesses each.
DEPLOY_LOGIN_PROCS=$(deploy_pool_size "$snippet" \
    '^FcgidCmdOptions .*/login\.fcgi' MaxProcesses)
DEPLOY_ME_PROCS=$(deploy_pool_size "$snippet" \
    '^FcgidCmdOptions .*/me\.fcgi' MaxProcesses)

deploy_common_checks
FCGID_500='<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01//EN" "http://ww'
# A declared body over 64 KiB gets Apache's 413 before mod_fcgid reads it,
# with the endpoints' JSON.  A chunked one is read whole by mod_fcgid, which
# then passes its length: the endpoints' 413 up to FcgidMaxRequestLen (128
# KiB), mod_fcgid's own 500 above (docs/deploy.md).
e2e_check "Apache mod_fcgid: big and chunked bodies" deploy_check_bodies \
    "$(printf '%s\n' "$DEPLOY_BODIES_JSON" |
    sed -e '/^chunked_200KiB /d' -e '/^chunked_2MiB /d')
chunked_200KiB 500 text/html $FCGID_500
chunked_2MiB 500 text/html $FCGID_500"
e2e_check "Apache mod_fcgid: stopping leaves no process behind" \
    deploy_stop_server
e2e_check "Apache mod_fcgid: no sanitizer report in its logs" \
    deploy_check_no_sanitizer_reports
e2e_finish
