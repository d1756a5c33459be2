#!/bin/sh
# protect-caddy.sh -- the installed etc/caddy/fcgi-auth-protect.caddy under
# a real Caddy: the whole site (static files, and a proxied backend under
# /private/) behind the authorizer (forward_auth over FastCGI to the pool
# the installed fcgi-auth-spawn runs), as tests/deploy/protect.py's policy
# says; and browser sign-in without sessions, /auth/signin and
# /auth/signout handled ahead of the route as the snippet's header shows
# (tests/deploy/signin.py)
set -eu
. "${abs_top_srcdir:-$(dirname "$0")/../..}/tests/deploy/lib.sh"

deploy_setup "Caddy (protect)" caddy spawn-fcgi
CADDY=$(deploy_find caddy)
deploy_protect_setup caddy
# Sessions off here (lighttpd and nginx test them on): the access cookie
# alone.
dir=$E2E_STATE/caddy
mkdir -p "$dir"
[ -z "$DEPLOY_WEB_USER" ] || chown "$DEPLOY_WEB_USER" "$dir"
snippet=$(deploy_conf "$FA_examplesdir/caddy/fcgi-auth-protect.caddy")
# Caddy logs to its stderr.
DEPLOY_SERVER_LOG=$E2E_STATE/server.out

# The site as the snippet's header shows it: the route imports the
# snippet first, and the sign-in endpoints come before it.  No admin
# endpoint, no HTTPS, its state in the state dir; "http://:PORT" matches
# any Host (a site for 127.0.0.1 would give every other Host an empty
# 200).
write_conf()
{
	cat >"$dir/Caddyfile" <<EOC
# written by tests/deploy/protect-caddy.sh
{
	admin off
	auto_https off
	storage file_system $dir/storage
}
http://:$1 {
	bind 127.0.0.1
	root * $E2E_STATE/www
	handle /auth/signin {
		reverse_proxy unix/$E2E_SOCKDIR/signin.sock {
			transport fastcgi
		}
	}
	handle /auth/signout {
		reverse_proxy unix/$E2E_SOCKDIR/signout.sock {
			transport fastcgi
		}
	}
	handle {
		route {
			import $snippet
			reverse_proxy /private/app/* 127.0.0.1:$DEPLOY_UPSTREAM_PORT
			reverse_proxy /private/open/* 127.0.0.1:$DEPLOY_UPSTREAM_PORT
			file_server
		}
	}
}
EOC
}

deploy_spawn start authorize signin signout ||
    e2e_die "fcgi-auth-spawn start authorize signin signout failed"
deploy_upstream_start
set -- env HOME="$dir" XDG_CONFIG_HOME="$dir/config" \
    XDG_DATA_HOME="$dir/data"
# As root, as the web server's user (Debian runs Caddy as its own).
if [ -n "$DEPLOY_WEB_USER" ]; then
	set -- "$@" setpriv --reuid="$DEPLOY_WEB_USER" \
	    --regid="$DEPLOY_WEB_USER" --init-groups
fi
deploy_start_server write_conf "$@" "$CADDY" run --adapter caddyfile \
    --config "$dir/Caddyfile" || e2e_die "caddy did not start"
e2e_log "e2e: caddy $("$CADDY" version) on $E2E_URL, state in $E2E_STATE"

deploy_protect_checks
deploy_signin_checks_nosessions
# README's Caddyfile, as written there but for the snippet's installed
# path: caddy validate takes it (adapting it, loading every module).
check_readme_caddyfile()
{
	sed -n '/^   ```caddy$/,/^   ```$/p' "$E2E_SRCDIR/README.md" |
	    sed -e '1d' -e '$d' -e 's/^   //' \
	    -e "s|/usr/local/share/doc/fcgi-auth/examples/caddy/fcgi-auth-protect.caddy|$snippet|" \
	    >"$dir/README.Caddyfile"
	grep -q "import $snippet" "$dir/README.Caddyfile" || {
		echo "#   no Caddyfile importing the snippet in README.md"
		return 1
	}
	env HOME="$dir" XDG_CONFIG_HOME="$dir/config" \
	    XDG_DATA_HOME="$dir/data" "$CADDY" validate --adapter caddyfile \
	    --config "$dir/README.Caddyfile" >"$dir/validate.out" 2>&1 || {
		tail -n 5 "$dir/validate.out" | sed 's/^/#   /'
		return 1
	}
}
e2e_check "Caddy (protect): README's Caddyfile validates" \
    check_readme_caddyfile
stop_all()
{
	deploy_upstream_stop && deploy_stop_server
}
e2e_check "Caddy (protect): stopping leaves no process behind" stop_all
e2e_finish
