#!/bin/sh
# protect-apache.sh -- the installed etc/apache2/fcgi-auth-protect.conf
# under a real Apache with mod_authnz_fcgi: static files and a CGI program
# (mod_cgid) under /private/ behind the authorizer, which the installed
# fcgi-auth-spawn runs on a loopback port (-p), as
# tests/deploy/protect.py's policy says; and browser sign-in, with the
# installed fcgi-auth-proxy.conf's /auth/signin and /auth/signout on the
# same host (tests/deploy/signin.py), over HTTPS too
set -eu
. "${abs_top_srcdir:-$(dirname "$0")/../..}/tests/deploy/lib.sh"

deploy_setup "Apache (protect)" apache2 spawn-fcgi
deploy_apache_setup authn_core authz_user authnz_fcgi headers setenvif cgid \
    proxy proxy_fcgi buffer
deploy_protect_setup apache
deploy_signin_setup
installed=$DEPLOY_DEST$FA_examplesdir/apache2/fcgi-auth-protect.conf
# The installed port, moved to a free one.
shipped=$(sed -n 's|^AuthnzFcgiDefineProvider .*fcgi://127\.0\.0\.1:\([0-9]*\)/$|\1|p' \
    "$installed")
[ -n "$shipped" ] || e2e_die "no fcgi://127.0.0.1:PORT/ provider in $installed"
port=$("$E2E_PYTHON" "$E2E_SRCDIR/tests/e2e/helper.py" port \
    "$E2E_PORT_RANGE") || e2e_die "no free port"
snippet=$(deploy_conf "$FA_examplesdir/apache2/fcgi-auth-protect.conf" \
    "fcgi://127.0.0.1:$shipped/=fcgi://127.0.0.1:$port/")
# The endpoints on the same host, for browser sign-in, as the snippet's
# header says: fcgi-auth-proxy.conf, to spawn-fcgi pools.
endpoints=$(deploy_conf "$FA_examplesdir/apache2/fcgi-auth-proxy.conf")
# As installed, with only the CGI backend added around it.
cat >"$DEPLOY_CONF/protect-site.conf" <<EOC
# written by tests/deploy/protect-apache.sh
<Directory "$E2E_STATE/www/private/app">
	Options +ExecCGI
	SetHandler cgi-script
</Directory>
<Directory "$E2E_STATE/www/private/open">
	Options +ExecCGI
	SetHandler cgi-script
</Directory>
Include "$snippet"
Include "$endpoints"
EOC
# HTTPS beside it (mod_ssl): the snippet tells the authorizer, which then
# reads the __Host- cookie.
tls_modules=
if [ -f "$APACHE_MODULES/mod_ssl.so" ] && deploy_tls_setup; then
	tls_modules="socache_shmcb ssl"
	cat >>"$DEPLOY_CONF/protect-site.conf" <<EOC
Listen 127.0.0.1:$DEPLOY_TLS_PORT https
<VirtualHost 127.0.0.1:$DEPLOY_TLS_PORT>
	SSLEngine on
	SSLCertificateFile "$DEPLOY_TLS_CERT"
	SSLCertificateKeyFile "$DEPLOY_TLS_KEY"
</VirtualHost>
EOC
fi
DEPLOY_SPAWN_OPTS="-p $port" deploy_spawn start authorize signin signout \
    login || e2e_die "fcgi-auth-spawn -p $port start authorize ... failed"
# shellcheck disable=SC2086 # module names
deploy_apache_start "$DEPLOY_CONF/protect-site.conf" authn_core authz_user \
    authnz_fcgi headers setenvif cgid proxy proxy_fcgi buffer $tls_modules ||
    e2e_die "apache2 did not start"
e2e_log "e2e: $("$APACHE" -v | sed -n 1p) with mod_authnz_fcgi on" \
    "$E2E_URL, the authorizer on 127.0.0.1:$port, state in $E2E_STATE"

deploy_protect_checks
deploy_signin_checks
[ -z "$tls_modules" ] || deploy_https_checks signin

# fcgi-auth-spawn -p: on 127.0.0.1 only, and only 127.0.0.1 let in
# (FCGI_WEB_SERVER_ADDRS): a connection from 127.0.0.2, another loopback
# address, is closed unanswered.
check_loopback()
{
	e2e_expect "the authorizer's listening address" "127.0.0.1:$port" \
	    "$("$E2E_PYTHON" "$DEPLOY_PROTECT" listening "$port")" ||
	    return 1
	e2e_expect "a FastCGI request from 127.0.0.1" \
	    "answered 401 Unauthorized" \
	    "$("$E2E_PYTHON" "$DEPLOY_PROTECT" peer "$port" 127.0.0.1)" ||
	    return 1
	e2e_expect "a FastCGI request from 127.0.0.2" closed \
	    "$("$E2E_PYTHON" "$DEPLOY_PROTECT" peer "$port" 127.0.0.2)"
}
e2e_check "Apache (protect): the authorizer on loopback, for 127.0.0.1 only" \
    check_loopback
e2e_check "Apache (protect): stopping leaves no process behind" \
    deploy_stop_server
e2e_finish
