#!/bin/sh
# protect-nginx.sh -- the installed etc/nginx/fcgi-auth-protect*.conf under
# a real nginx: static files and a proxied backend under /private/ behind
# the authorizer (auth_request to the pool the installed fcgi-auth-spawn
# runs), with the cache of allow verdicts, as tests/deploy/protect.py's
# policy says; and browser sign-in, with the installed fcgi-auth.conf's
# /auth/signin and /auth/signout (tests/deploy/signin.py)
set -eu
. "${abs_top_srcdir:-$(dirname "$0")/../..}/tests/deploy/lib.sh"

deploy_setup "nginx (protect)" nginx spawn-fcgi
deploy_protect_setup nginx
deploy_signin_setup
# Allows logged (AUTH_DEBUG), to count the questions; and kept 30 s, so
# that a cached one is still there when asked again on a loaded machine
# (the authorizer's X-Accel-Expires, above fastcgi_cache_valid's 1 s).
deploy_upstream_start
tls=0
! deploy_tls_setup || tls=1
AUTH_DEBUG=1 AUTH_CACHE_SECONDS=30 deploy_protect_nginx_start ||
    e2e_die "nginx did not start"
e2e_log "e2e: $("$NGINX" -v 2>&1) on $E2E_URL, state in $E2E_STATE"

deploy_protect_checks
deploy_signin_checks
[ "$tls" = 0 ] || deploy_https_checks signin
check_cache()
{
	"$E2E_PYTHON" "$DEPLOY_PROTECT" cache "$E2E_URL" "$E2E_SECRET_FILE" \
	    "$DEPLOY_SERVER_LOG"
}
e2e_check "nginx (protect): allows cached, refusals never, no shared keys,\
 the cookie in the key" \
    check_cache
# README's server {} block, as written there, with the installed
# snippets where README.md copies them (snippets/, conf.d/, relative to
# nginx.conf's folder as on Debian): nginx -t takes it.
check_readme_server()
{
	d=$DEPLOY_NGINX_DIR/readme
	mkdir -p "$d/snippets" "$d/conf.d"
	cp "$deploy__http" "$d/conf.d/fcgi-auth-protect-http.conf"
	cp "$deploy__server" "$d/snippets/fcgi-auth-protect-server.conf"
	cp "$deploy__location" "$d/snippets/fcgi-auth-protect.conf"
	sed -n '/^   ```nginx$/,/^   ```$/p' "$E2E_SRCDIR/README.md" |
	    sed -e '1d' -e '$d' -e 's/^   //' >"$d/site"
	grep -q 'include snippets/fcgi-auth-protect.conf;' "$d/site" || {
		echo "#   no server {} including the snippets in README.md"
		return 1
	}
	cat >"$d/nginx.conf" <<EOC
pid $d/nginx.pid;
error_log $d/error.log;
events {
}
http {
	client_body_temp_path $DEPLOY_NGINX_DIR/tmp/body;
	fastcgi_temp_path $DEPLOY_NGINX_DIR/tmp/fastcgi;
	proxy_temp_path $DEPLOY_NGINX_DIR/tmp/proxy;
	scgi_temp_path $DEPLOY_NGINX_DIR/tmp/scgi;
	uwsgi_temp_path $DEPLOY_NGINX_DIR/tmp/uwsgi;
	include conf.d/*.conf;
	include site;
}
EOC
	"$NGINX" -t -p "$d/" -c "$d/nginx.conf" -e "$d/error.log" \
	    >"$d/t.out" 2>&1 || {
		sed 's/^/#   /' "$d/t.out"
		return 1
	}
}
e2e_check "nginx (protect): README's server {} block passes nginx -t" \
    check_readme_server
# The authorizer's 400 reaches the client (protect.py's rules); a real
# failure stays nginx's 500: with the authorizer's pool stopped, a
# protected path, one the authorizer would refuse with 400 and an
# "anyone" one (not in the verdict cache: its allows are kept 30 s here)
# all get nginx's own 500, never a JSON verdict.
check_authorizer_down()
{
	deploy_spawn stop || {
		echo "#   fcgi-auth-spawn stop failed"
		return 1
	}
	for target in /private/reports/x /private/reports%2Fx \
	    "/private/public/x?not-in-the-cache"; do
		code=$(curl -s -m 30 --path-as-is -o "$E2E_STATE/down.body" \
		    -w '%{http_code}' "$E2E_URL$target") || true
		if [ "$code" != 500 ] || grep -q detail "$E2E_STATE/down.body"
		then
			echo "#   $target with the authorizer down: $code," \
			    "want nginx's 500: $(head -c 200 "$E2E_STATE/down.body")"
			return 1
		fi
	done
}
e2e_check "nginx (protect): the authorizer down is nginx's 500, not a 400" \
    check_authorizer_down
stop_all()
{
	deploy_upstream_stop && deploy_stop_server
}
e2e_check "nginx (protect): stopping leaves no process behind" stop_all
e2e_finish
