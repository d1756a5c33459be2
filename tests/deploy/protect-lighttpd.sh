#!/bin/sh
# protect-lighttpd.sh -- the installed etc/lighttpd/fcgi-auth-protect.conf
# under a real lighttpd: static files and a CGI program under /private/
# behind the authorizer (authorize.fcgi, started by lighttpd, mode
# authorizer), as tests/deploy/protect.py's policy says; and browser
# sign-in, with the installed fcgi-auth.conf's /auth/signin and
# /auth/signout on the same host (tests/deploy/signin.py)
set -eu
. "${abs_top_srcdir:-$(dirname "$0")/../..}/tests/deploy/lib.sh"

deploy_setup "lighttpd (protect)" lighttpd
deploy_lighttpd_setup
deploy_protect_setup lighttpd
deploy_signin_setup
# As installed; the test adds only the CGI backend (mod_cgi before
# mod_staticfile, which lighttpd appends last).
deploy_protect_lighttpd_start || e2e_die "lighttpd did not start"
e2e_log "e2e: $("$LIGHTTPD" -v) on $E2E_URL, state in $E2E_STATE"

deploy_protect_checks
deploy_signin_checks

# HTTP/2 is off (lighttpd 1.4.69 would hand an HTTP/2 body to the
# authorizer, and the CGI program would get none): a client speaking h2c
# gets no answer in HTTP/2, and never a backend without its body.
check_no_h2()
{
	command -v curl >/dev/null 2>&1 || {
		echo "#   curl not installed (apt-get install curl)"
		return 1
	}
	token=$("$E2E_PYTHON" "$E2E_SRCDIR/tests/e2e/helper.py" token \
	    "$E2E_SECRET_FILE" bob user)
	rc=0
	out=$(printf 'Authorization: Bearer %s\n' "$token" | curl -s -m 30 \
	    --http2-prior-knowledge -H @- --data-binary 'hello world' \
	    -w '\n%{http_version} %{http_code}' \
	    "$E2E_URL/private/app/whoami.cgi" 2>&1) || rc=$?
	case $out in
	*WHOAMI*)
		case $out in
		*'"body": "hello world"'*) ;;
		*)
			echo "#   the backend got no body over HTTP/2: $out"
			return 1
			;;
		esac
		;;
	esac
	case $(printf '%s\n' "$out" | tail -n 1) in
	'2 '*)
		echo "#   answered over HTTP/2 (curl $rc): $out"
		return 1
		;;
	esac
}
e2e_check "lighttpd (protect): HTTP/2 off, no body lost" check_no_h2
# Copy-paste on a stock Debian: Debian's own lighttpd.conf, HTTP/2 turned
# off with README.md's sed line (as written there), and the installed
# snippet enabled as lighty-enable-mod does: lighttpd -tt takes it (a
# snippet that set server.h2proto too was "Duplicate array-key"), and
# HTTP/2 is off.  Only the paths are moved into the state dir.
check_debian_conf()
{
	stock=/etc/lighttpd/lighttpd.conf
	[ -f "$stock" ] || {
		echo "#   no $stock: Debian's lighttpd package"
		return 1
	}
	dir=$E2E_STATE/debian
	mkdir -p "$dir/conf-enabled"
	cp "$deploy__protect" "$dir/conf-enabled/60-fcgi-auth-protect.conf"
	sed -e "s|/etc/lighttpd/conf-enabled/|$dir/conf-enabled/|" \
	    -e "s|/var/log/lighttpd/|$dir/|" -e "s|/run/lighttpd.pid|$dir/pid|" \
	    -e "s|/var/cache/lighttpd/uploads|$dir|" \
	    -e "s|/var/www/html|$E2E_STATE/www|" "$stock" >"$dir/lighttpd.conf"
	line=$(grep -m 1 "^ *sed -i 's/\"server.h2proto\"" \
	    "$E2E_SRCDIR/README.md") || {
		echo "#   README.md has no sed line for server.h2proto"
		return 1
	}
	line=$(printf '%s\n' "$line" |
	    sed "s|/etc/lighttpd/lighttpd.conf|$dir/lighttpd.conf|")
	eval "$line" || return 1
	# Silent too: a key set twice to the same value is only a message
	# ("Duplicate array-key"), to another one a parse error.
	if ! "$LIGHTTPD" -tt -f "$dir/lighttpd.conf" >"$dir/tt" 2>&1 ||
	    [ -s "$dir/tt" ]; then
		echo "#   lighttpd -tt: $(cat "$dir/tt")"
		return 1
	fi
	"$LIGHTTPD" -p -f "$dir/lighttpd.conf" >"$dir/p" 2>&1 || {
		echo "#   lighttpd -p: $(head -c 300 "$dir/p")"
		return 1
	}
	grep -Eq '"server.h2proto" *=> *"disable"' "$dir/p" || {
		echo "#   HTTP/2 still on: $(grep h2proto "$dir/p")"
		return 1
	}
	grep -Eq '"mode" *=> *"authorizer"' "$dir/p" || {
		echo "#   the snippet was not loaded"
		return 1
	}
}
e2e_check "lighttpd (protect): Debian's lighttpd.conf, HTTP/2 off with the\
 README's line, and the snippet: lighttpd -tt" check_debian_conf
e2e_check "lighttpd (protect): a refusal is logged by the server" \
    grep -q 'FastCGI-stderr:.*authorize' "$DEPLOY_SERVER_LOG"
e2e_check "lighttpd (protect): stopping leaves no process behind" \
    deploy_stop_server
e2e_check "lighttpd (protect): no sanitizer report in its logs" \
    deploy_check_no_sanitizer_reports
e2e_finish
