#!/bin/sh
# install.sh -- what "make install" and "make uninstall" do with DESTDIR,
# and the installed fcgi-auth-spawn on its own (no web server)
set -eu
. "${abs_top_srcdir:-$(dirname "$0")/../..}/tests/deploy/lib.sh"

deploy_setup install
D=$DEPLOY_DEST
etc=$D$FA_pkgsysconfdir
# make_dest DESTDIR TARGET: make TARGET DESTDIR=DESTDIR.
make_dest()
{
	(cd "$E2E_BUILDDIR" && MAKEFLAGS='' MFLAGS='' ${FA_MAKE:-make} -s "$2" \
	    DESTDIR="$1") >>"$E2E_STATE/install.log" 2>&1
}

# Where each file goes (docs/deploy.md lists the same).  The Makefile
# exports no FA_mandir yet: without it, autoconf's default under prefix.
check_layout()
{
	mandir=${FA_mandir:-$FA_prefix/share/man}
	for f in \
	    "$FA_pkglibexecdir/login.fcgi" "$FA_pkglibexecdir/me.fcgi" \
	    "$FA_pkglibexecdir/reports.fcgi" \
	    "$FA_pkglibexecdir/projects.fcgi" \
	    "$FA_pkglibexecdir/healthz.fcgi" \
	    "$FA_pkglibexecdir/refresh.fcgi" "$FA_pkglibexecdir/logout.fcgi" \
	    "$FA_pkglibexecdir/revoke.fcgi" "$FA_pkglibexecdir/signin.fcgi" \
	    "$FA_pkglibexecdir/signout.fcgi" "$FA_sbindir/fcgi-auth-spawn" \
	    "$FA_sbindir/authctl"; do
		[ -x "$D$f" ] || { echo "#   not installed: $f"; return 1; }
	done
	for f in \
	    "$mandir/man8/authctl.8" \
	    "$FA_examplesdir/lighttpd/fcgi-auth.conf" \
	    "$FA_examplesdir/lighttpd/fcgi-auth-sockets.conf" \
	    "$FA_examplesdir/apache2/fcgi-auth-fcgid.conf" \
	    "$FA_examplesdir/apache2/fcgi-auth-proxy.conf" \
	    "$FA_examplesdir/nginx/fcgi-auth.conf" \
	    "$FA_examplesdir/lighttpd/fcgi-auth-protect.conf" \
	    "$FA_examplesdir/apache2/fcgi-auth-protect.conf" \
	    "$FA_examplesdir/nginx/fcgi-auth-protect-http.conf" \
	    "$FA_examplesdir/nginx/fcgi-auth-protect-server.conf" \
	    "$FA_examplesdir/nginx/fcgi-auth-protect.conf" \
	    "$FA_examplesdir/caddy/fcgi-auth-protect.caddy" \
	    "$FA_examplesdir/systemd/fcgi-auth-redis.conf" \
	    "$FA_examplesdir/users.example" \
	    "$FA_examplesdir/policy.example" \
	    "$FA_pkgdatadir/413.json" "$FA_pkgdatadir/openapi.json" \
	    "$FA_docdir/deploy.md"; do
		[ -f "$D$f" ] || { echo "#   not installed: $f"; return 1; }
	done
	if [ -n "$FA_systemdsystemunitdir" ]; then
		for f in "$FA_systemdsystemunitdir/fcgi-auth@.service" \
		    "$FA_sysusersdir/fcgi-auth.conf"; do
			[ -f "$D$f" ] || {
				echo "#   not installed: $f"
				return 1
			}
		done
	fi
	# Filled in at make time: no @word@ left, and the paths are these.
	if grep -l '@[A-Za-z_]*@' "$D$FA_examplesdir"/*/*.conf \
	    "$D$FA_examplesdir"/caddy/*.caddy \
	    "$D$FA_sbindir/fcgi-auth-spawn"; then
		echo "#   unsubstituted @word@ in the files above"
		return 1
	fi
	e2e_expect "the nginx snippet's login socket" 1 "$(grep -c \
	    "fastcgi_pass unix:$FA_sockdir/login.sock;" \
	    "$D$FA_examplesdir/nginx/fcgi-auth.conf")" || return 1
	e2e_expect "the mod_fcgid snippet's secret" 11 "$(grep -c \
	    "InitialEnv JWT_SECRET_FILE=$FA_pkgsysconfdir/jwt-secret" \
	    "$D$FA_examplesdir/apache2/fcgi-auth-fcgid.conf")"
}

# A new users file: no users, 0640; the endpoints accept it (they start,
# and nobody can log in).
check_users_file_new()
{
	f=$E2E_STATE/fresh
	rm -rf "$f"
	make_dest "$f" install || return 1
	u=$f$FA_pkgsysconfdir/users
	e2e_expect "mode of a newly installed users file" 640 \
	    "$(stat -c %a "$u")" || return 1
	e2e_expect "user lines in it" 0 "$(grep -c '^[^#]' "$u" || true)" ||
	    return 1
	out=$(env -i JWT_SECRET_FILE="$E2E_SECRET_FILE" USERS_FILE="$u" \
	    REQUEST_METHOD=POST CONTENT_TYPE=application/x-www-form-urlencoded \
	    CONTENT_LENGTH=31 "$f$FA_pkglibexecdir/login.fcgi" \
	    2>"$E2E_STATE/fresh.err" <<EOF | tr -d '\r' | sed -n 1p
username=admin&password=admin0
EOF
	)
	e2e_expect "a login against the empty users file" \
	    "Status: 401 Unauthorized" "$out"
}

# Installing again keeps the admin's users file; uninstall removes only
# what it installed (the users file only while it is still the empty one).
check_reinstall_keeps_users()
{
	before=$(cksum <"$etc/users")
	make_dest "$D" install || return 1
	e2e_expect "the users file after a second make install" "$before" \
	    "$(cksum <"$etc/users")" || return 1
	make_dest "$D" uninstall || return 1
	e2e_expect "the users file after make uninstall" "$before" \
	    "$(cksum <"$etc/users")" || return 1
	left=$(cd "$D" && find . -type f | sort)
	e2e_expect "files left by make uninstall" \
	    "./${FA_pkgsysconfdir#/}/jwt-secret
./${FA_pkgsysconfdir#/}/users" "$left" || return 1
	f=$E2E_STATE/fresh
	make_dest "$f" uninstall || return 1
	e2e_expect "files left by uninstall after a fresh install" "" \
	    "$(cd "$f" && find . -type f)" || return 1
	make_dest "$D" install
}

# fcgi-auth-spawn on its own: pools, sockets only the web server's group
# may use, a clean stop by pid, and refusals that say why.
check_spawn()
{
	spawn=$(deploy_conf "$FA_sbindir/fcgi-auth-spawn")
	as=
	[ -z "$DEPLOY_WEB_USER" ] ||
	    as="-u $DEPLOY_WEB_USER -g $DEPLOY_WEB_USER"
	# shellcheck disable=SC2086
	"$spawn" $as -l 1 -t 3 start || return 1
	deploy__spawned=1
	# shellcheck disable=SC2086
	st=$("$spawn" $as status) || { echo "$st"; return 1; }
	# shellcheck disable=SC2046 # pids
	e2e_runs_from_state $(cat "$E2E_SOCKDIR"/*.pid) || return 1
	e2e_expect "status" "login: 1 of 1 running
refresh: 3 of 3 running
logout: 3 of 3 running
revoke: 3 of 3 running
signin: 1 of 1 running
signout: 3 of 3 running
me: 3 of 3 running
reports: 3 of 3 running
projects: 3 of 3 running
healthz: 3 of 3 running" "$(printf '%s\n' "$st" | sed 's/ (.*//')" ||
	    return 1
	want=660
	[ -z "$DEPLOY_WEB_USER" ] || want="660 $DEPLOY_WEB_USER"
	for n in login refresh logout revoke signin signout me reports \
	    projects healthz; do
		e2e_expect "$n.sock's mode and group" "$want" "$(stat \
		    -c "%a${DEPLOY_WEB_USER:+ %G}" "$E2E_SOCKDIR/$n.sock")" ||
		    return 1
	done
	# Each endpoint answers on its socket (libfcgi's cgi-fcgi, if here).
	if command -v cgi-fcgi >/dev/null 2>&1; then
		got=$(env -i REQUEST_METHOD=GET cgi-fcgi -bind \
		    -connect "$E2E_SOCKDIR/me.sock" | tr -d '\r' | sed -n 1p)
		e2e_expect "GET through me.sock" "Status: 401 Unauthorized" \
		    "$got" || return 1
	fi
	# shellcheck disable=SC2086
	if "$spawn" $as start 2>"$E2E_STATE/spawn.err"; then
		echo "#   a second start succeeded"
		return 1
	fi
	grep -q 'already running' "$E2E_STATE/spawn.err" || {
		cat "$E2E_STATE/spawn.err"
		return 1
	}
	pids=$(cat "$E2E_SOCKDIR"/*.pid)
	"$spawn" stop || return 1
	deploy__spawned=0
	for p in $pids; do
		if fa_alive "$p"; then
			echo "#   pid $p still running after stop"
			return 1
		fi
	done
	e2e_expect "files left in the socket dir" "" "$(ls "$E2E_SOCKDIR")" ||
	    return 1
	# shellcheck disable=SC2086
	! "$spawn" $as status >/dev/null || {
		echo "#   status says running after stop"
		return 1
	}
}

check_spawn_refusals()
{
	spawn=$DEPLOY_CONF/fcgi-auth-spawn
	as=
	[ -z "$DEPLOY_WEB_USER" ] ||
	    as="-u $DEPLOY_WEB_USER -g $DEPLOY_WEB_USER"
	# shellcheck disable=SC2086
	if JWT_SECRET=0123456789abcdef0123456789abcdef "$spawn" $as start \
	    2>"$E2E_STATE/spawn.err"; then
		echo "#   started with JWT_SECRET in the environment"
		return 1
	fi
	grep -q 'JWT_SECRET is set' "$E2E_STATE/spawn.err" || return 1
	# A short secret: the endpoints exit at start; nothing is left, and
	# the message says how to see why.
	short=$E2E_STATE/short-secret
	printf '0123456789abcdef\n' >"$short"
	chmod 0644 "$short"
	# shellcheck disable=SC2086
	if JWT_SECRET_FILE=$short "$spawn" $as start 2>"$E2E_STATE/spawn.err"
	then
		echo "#   started with a 16-byte secret"
		"$spawn" stop
		return 1
	fi
	grep -q 'login: 0 of 1 started' "$E2E_STATE/spawn.err" || {
		cat "$E2E_STATE/spawn.err"
		return 1
	}
	e2e_expect "processes left" "" "$(e2e_pids_matching "$D/")" ||
	    return 1
	if [ -n "$DEPLOY_WEB_USER" ]; then
		if "$spawn" -u root start 2>"$E2E_STATE/spawn.err"; then
			"$spawn" stop
			echo "#   started the endpoints as root"
			return 1
		fi
		grep -q 'must not run as root' "$E2E_STATE/spawn.err" ||
		    return 1
	fi
}

# The installed policy.example, under the installed authorizer (as CGI):
# for a site protected whole (Caddy's snippet), a browser must reach the
# sign-in page it is sent to, or it is sent there again, in a loop; and
# the endpoints that take no access token must be open.
check_policy_example()
{
	for req in "GET /auth/signin 200" "HEAD /auth/signin 200" \
	    "POST /auth/signin 200" "POST /auth/signout 200" \
	    "POST /auth/login 200" "POST /auth/refresh 200" \
	    "GET /private/x 302"; do
		# shellcheck disable=SC2086 # method, path, status
		set -- $req
		got=$(env -i PATH=/usr/bin:/bin GATEWAY_INTERFACE=CGI/1.1 \
		    REQUEST_METHOD="$1" REQUEST_URI="$2" \
		    HTTP_ACCEPT=text/html JWT_SECRET_FILE="$E2E_SECRET_FILE" \
		    USERS_FILE="$E2E_USERS_FILE" \
		    POLICY_FILE="$D$FA_examplesdir/policy.example" \
		    "$DEPLOY_BIN/authorize.fcgi" 2>/dev/null | tr -d '\r' |
		    sed -n 's/^Status: \([0-9]*\) .*/\1/p')
		e2e_expect "policy.example: a browser's $1 $2" "$3" "$got" ||
		    return 1
	done
}

e2e_check "install: files in their places, paths filled in" check_layout
e2e_check "install: policy.example lets browsers reach the sign-in page" \
    check_policy_example
e2e_check "install: a new users file is empty, 0640, and works" \
    check_users_file_new
e2e_check "install: reinstall and uninstall keep the users file" \
    check_reinstall_keeps_users
e2e_check "fcgi-auth-spawn: start, status, sockets, stop by pid" check_spawn
e2e_check "fcgi-auth-spawn: refuses JWT_SECRET, a bad secret, root" \
    check_spawn_refusals
e2e_finish
