#!/bin/sh
# protect-nginx.sh -- the installed etc/nginx/fcgi-auth-protect*.conf under
# a real nginx: static files and a proxied backend under /private/ behind
# the authorizer (auth_request to the pool the installed fcgi-auth-spawn
# runs), with the cache of allow verdicts, as tests/deploy/protect.py's
# policy says
set -eu
. "${abs_top_srcdir:-$(dirname "$0")/../..}/tests/deploy/lib.sh"

deploy_setup "nginx (protect)" nginx spawn-fcgi
NGINX=$(deploy_find nginx)
deploy_protect_setup nginx
dir=$E2E_STATE/nginx
mkdir -p "$dir/tmp"
DEPLOY_SERVER_LOG=$dir/error.log
ex=$FA_examplesdir/nginx
# The cache moved into the state dir (nginx makes the folder).
cachedir=$(sed -n 's/^fastcgi_cache_path \([^ ]*\) .*/\1/p' \
    "$DEPLOY_DEST$ex/fcgi-auth-protect-http.conf")
[ -n "$cachedir" ] || e2e_die "no fastcgi_cache_path in the installed file"
http=$(deploy_conf "$ex/fcgi-auth-protect-http.conf" "$cachedir=$dir/cache")
server=$(deploy_conf "$ex/fcgi-auth-protect-server.conf")
location=$(deploy_conf "$ex/fcgi-auth-protect.conf")

write_conf()
{
	cat >"$dir/nginx.conf" <<EOC
# written by tests/deploy/protect-nginx.sh
${DEPLOY_WEB_USER:+user $DEPLOY_WEB_USER;}
worker_processes 2;
pid $dir/nginx.pid;
error_log $DEPLOY_SERVER_LOG notice;
events {
	worker_connections 1024;
}
http {
	access_log off;
	default_type application/octet-stream;
	client_body_temp_path $dir/tmp/body;
	fastcgi_temp_path $dir/tmp/fastcgi;
	proxy_temp_path $dir/tmp/proxy;
	scgi_temp_path $dir/tmp/scgi;
	uwsgi_temp_path $dir/tmp/uwsgi;
	include $http;
	server {
		listen 127.0.0.1:$1;
		root $E2E_STATE/www;
		include $server;
		location /private/ {
			include $location;
		}
		location /private/app/ {
			include $location;
			proxy_pass http://127.0.0.1:$DEPLOY_UPSTREAM_PORT;
		}
		location /private/open/ {
			include $location;
			proxy_pass http://127.0.0.1:$DEPLOY_UPSTREAM_PORT;
		}
	}
}
EOC
}

# Allows logged (AUTH_DEBUG), to count the questions; and kept 30 s, so
# that a cached one is still there when asked again on a loaded machine
# (the authorizer's X-Accel-Expires, above fastcgi_cache_valid's 1 s).
AUTH_DEBUG=1 AUTH_CACHE_SECONDS=30 deploy_spawn start authorize ||
    e2e_die "fcgi-auth-spawn start authorize failed"
deploy_upstream_start
deploy_start_server write_conf "$NGINX" -p "$dir/" -c "$dir/nginx.conf" \
    -e "$DEPLOY_SERVER_LOG" -g 'daemon off;' || e2e_die "nginx did not start"
e2e_log "e2e: $("$NGINX" -v 2>&1) on $E2E_URL, state in $E2E_STATE"

deploy_protect_checks
check_cache()
{
	"$E2E_PYTHON" "$DEPLOY_PROTECT" cache "$E2E_URL" "$E2E_SECRET_FILE" \
	    "$DEPLOY_SERVER_LOG"
}
e2e_check "nginx (protect): allows cached, refusals never, no shared keys" \
    check_cache
stop_all()
{
	deploy_upstream_stop && deploy_stop_server
}
e2e_check "nginx (protect): stopping leaves no process behind" stop_all
e2e_finish
