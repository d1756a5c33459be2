#!/bin/sh
# systemd.sh -- the installed fcgi-auth@.service: systemd-analyze verify and
# security, then its ExecStart= and Environment= run by hand
#
# systemd itself does not run here (nor in most containers and CI), so the
# unit's sandbox, LoadCredential= and RuntimeDirectory= are checked by
# systemd-analyze only; the command line it runs is run for real.
set -eu
. "${abs_top_srcdir:-$(dirname "$0")/../..}/tests/deploy/lib.sh"

deploy_setup systemd systemd-analyze spawn-fcgi
[ -n "$FA_systemdsystemunitdir" ] ||
    e2e_skip "configured --without-systemdsystemunitdir"
SA=$(deploy_find systemd-analyze)
units=$E2E_STATE/units
mkdir "$units"
unit=$(deploy_conf "$FA_systemdsystemunitdir/fcgi-auth@.service")
cp "$unit" "$units/fcgi-auth@.service"
dropin=$(deploy_conf "$FA_examplesdir/systemd/fcgi-auth-redis.conf")

check_verify()
{
	for n in login me reports projects refresh logout revoke; do
		# Warnings (an unknown key, a missing binary) fail it too.
		out=$("$SA" verify "$units/fcgi-auth@$n.service" 2>&1) || {
			printf '%s\n' "$out" | sed 's/^/#   /'
			return 1
		}
		e2e_expect "systemd-analyze verify fcgi-auth@$n.service" "" \
		    "$out" || return 1
	done
}

check_security()
{
	# Its scale is 0 (best) to 100, shown divided by ten.
	out=$("$SA" security --offline=yes --threshold=10 \
	    "$units/fcgi-auth@me.service" 2>&1) || {
		printf '%s\n' "$out" | grep -v '✓' | sed 's/^/#   /'
		return 1
	}
	e2e_log "e2e: $(printf '%s\n' "$out" | grep 'Overall exposure')"
}

# unit_value KEY: the unit's KEY= lines' values, one a line.
unit_value()
{
	# A line ending in a backslash goes on on the next one (systemd.syntax).
	sed -e ':a' -e '/\\$/{N; s/\\\n[[:space:]]*/ /; ba' -e '}' \
	    "$units/fcgi-auth@.service" | sed -n "s/^$1=//p"
}

# ExecStart= with the instance "me" and the Environment= it sets, the
# credential (%d) in a private dir as LoadCredential= would make it; as root
# under the web server's user, as Group= says.
check_exec_start()
{
	creds=$E2E_STATE/credentials
	mkdir -m 0700 "$creds"
	cp "$E2E_SECRET_FILE" "$creds/jwt-secret"
	chmod 0400 "$creds/jwt-secret"
	[ -z "$DEPLOY_WEB_USER" ] ||
	    chown -R "$DEPLOY_WEB_USER" "$creds"
	e2e_expect "LoadCredential=" \
	    "jwt-secret:$DEPLOY_ETC/jwt-secret" \
	    "$(unit_value LoadCredential)" || return 1
	# RuntimeDirectory=: the socket dir, owned by User= and Group=.
	e2e_expect "RuntimeDirectory= is the socket dir" \
	    "$(basename "$FA_sockdir") 0750" "$(unit_value RuntimeDirectory)\
 $(unit_value RuntimeDirectoryMode)" || return 1
	[ -z "$DEPLOY_WEB_USER" ] ||
	    chown "$DEPLOY_WEB_USER:$DEPLOY_WEB_USER" "$E2E_SOCKDIR"
	chmod 0750 "$E2E_SOCKDIR"
	env=$(unit_value Environment | sed "s|%d|$creds|g")
	cmd=$(unit_value ExecStart | sed 's|%i|me|g')
	# shellcheck disable=SC2086 # words of a command line, no spaces
	set -- $cmd
	if [ -n "$DEPLOY_WEB_USER" ]; then
		set -- setpriv --reuid="$DEPLOY_WEB_USER" \
		    --regid="$DEPLOY_WEB_USER" --clear-groups "$@"
	fi
	# shellcheck disable=SC2086
	env -i PATH=/usr/bin:/bin $env "$@" >"$E2E_STATE/exec.out" 2>&1 &
	pid=$!
	fa_wait_for 10 "$pid" test -S "$E2E_SOCKDIR/me.sock" || true
	rc=0
	e2e_expect "me.sock's mode" 660 \
	    "$(stat -c %a "$E2E_SOCKDIR/me.sock" 2>&1)" || rc=1
	e2e_runs_from_state "$pid" || rc=1
	if [ "$rc" = 0 ] && command -v cgi-fcgi >/dev/null 2>&1; then
		token=$("$E2E_PYTHON" "$E2E_SRCDIR/tests/e2e/helper.py" token \
		    "$E2E_SECRET_FILE" alice admin)
		# Exported, not on cgi-fcgi's command line.
		got=$(HTTP_AUTHORIZATION="Bearer $token" REQUEST_METHOD=GET \
		    cgi-fcgi -bind -connect "$E2E_SOCKDIR/me.sock" </dev/null |
		    tr -d '\r' | sed -n '$p')
		e2e_expect "GET /me through the unit's socket" \
		    '{"username":"alice","role":"admin"}' "$got" || rc=1
	fi
	# systemctl stop: SIGTERM to the main process, the endpoint itself.
	kill -TERM "$pid" 2>/dev/null || true
	e2e_expect "the endpoint 10 s after SIGTERM" gone \
	    "$(fa_wait_gone "$pid" 10 && echo gone || echo running)" || rc=1
	fa_stop "$pid" 1 || true
	if [ "$rc" != 0 ]; then
		sed 's/^/#   /' "$E2E_STATE/exec.out"
	fi
	return "$rc"
}

# unit_start NAME: the unit's ExecStart= for instance NAME, with its
# Environment= and what fcgi-auth.env would add (SESSION_STORE, in the
# folder StateDirectory= makes), as the web server's user when root;
# sets unit_pid once NAME.sock is there.
unit_start()
{
	name=$1
	env=$(unit_value Environment | sed "s|%d|$creds|g")
	cmd=$(unit_value ExecStart | sed "s|%i|$name|g")
	# shellcheck disable=SC2086 # words of a command line, no spaces
	set -- $cmd
	if [ -n "$DEPLOY_WEB_USER" ]; then
		set -- setpriv --reuid="$DEPLOY_WEB_USER" \
		    --regid="$DEPLOY_WEB_USER" --clear-groups "$@"
	fi
	# shellcheck disable=SC2086
	env -i PATH=/usr/bin:/bin $env SESSION_STORE="$SESSION_STORE" \
	    "$@" >>"$E2E_STATE/exec.out" 2>&1 &
	unit_pid=$!
	fa_wait_for 10 "$unit_pid" test -S "$E2E_SOCKDIR/$name.sock"
}

# fcgi_post SOCKET BODY: a form POST through SOCKET (cgi-fcgi); the body
# on stdin, so a password or token is on no command line.
fcgi_post()
{
	printf '%s' "$2" | REQUEST_METHOD=POST REMOTE_ADDR=127.0.0.1 \
	    CONTENT_TYPE=application/x-www-form-urlencoded \
	    CONTENT_LENGTH=${#2} cgi-fcgi -bind -connect "$1" |
	    tr -d '\r' | sed -n '$p'
}

# Sessions through the unit's sockets: login, then refresh, on a SQLite
# store in the unit's StateDirectory= (here a folder of the test's).
check_exec_refresh()
{
	command -v cgi-fcgi >/dev/null 2>&1 || {
		e2e_log "e2e: no cgi-fcgi (apt-get install libfcgi-bin):" \
		    "the sessions through the unit not run"
		return 0
	}
	creds=$E2E_STATE/credentials
	var=$E2E_STATE/var
	mkdir -m 0700 "$var"
	[ -z "$DEPLOY_WEB_USER" ] || chown "$DEPLOY_WEB_USER" "$var"
	SESSION_STORE=sqlite:$var/sessions.db
	rc=0
	pids=
	for n in login refresh; do
		unit_start "$n" || rc=1
		pids="$pids $unit_pid"
	done
	if [ "$rc" = 0 ]; then
		got=$(fcgi_post "$E2E_SOCKDIR/login.sock" \
		    'username=bob&password=bobpass')
		rt=$(printf '%s\n' "$got" |
		    sed -n 's/.*"refresh_token":"\([^"]*\)".*/\1/p')
		e2e_expect "a refresh token from login" 64 "${#rt}" || rc=1
		got=$(fcgi_post "$E2E_SOCKDIR/refresh.sock" \
		    "grant_type=refresh_token&refresh_token=$rt")
		new=$(printf '%s\n' "$got" |
		    sed -n 's/.*"refresh_token":"\([^"]*\)".*/\1/p')
		e2e_expect "a new refresh token from refresh" 64 "${#new}" ||
		    rc=1
		[ "$new" != "$rt" ] || { echo "#   not rotated"; rc=1; }
	fi
	for p in $pids; do
		kill -TERM "$p" 2>/dev/null || true
		fa_stop "$p" 10 || rc=1
	done
	if [ "$rc" != 0 ]; then
		sed 's/^/#   /' "$E2E_STATE/exec.out"
	fi
	return "$rc"
}

# The Redis drop-in, as "systemctl edit" would place it: the unit with it
# still verifies, and the sandbox it opens is rated below 2 (of 10).
check_dropin()
{
	mkdir -p "$units/fcgi-auth@.service.d"
	cp "$dropin" "$units/fcgi-auth@.service.d/redis.conf"
	rc=0
	check_verify || rc=1
	# Open to one host it rates 1.1 "OK" (0.4 without): the network is
	# what it adds, nothing else.  The drop-in must be read (the rating
	# moves) and stay under 2.
	out=$("$SA" security --offline=yes --threshold=20 \
	    "$units/fcgi-auth@me.service" 2>&1) || {
		printf '%s\n' "$out" | grep -v '✓' | sed 's/^/#   /'
		rc=1
	}
	level=$(printf '%s\n' "$out" |
	    sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\) .*/\1/p')
	e2e_log "e2e: with the Redis drop-in: exposure $level"
	case $level in
	0.*|'') echo "#   the drop-in changed nothing: exposure '$level'"
		rc=1 ;;
	esac
	# What it changes, and that it changes nothing else.
	out=$(cat "$units/fcgi-auth@.service.d/redis.conf")
	e2e_expect "the drop-in's settings" "PrivateNetwork=no
RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6
IPAddressAllow=127.0.0.1
LoadCredential=session-store-password:$DEPLOY_ETC/session-store-password
Environment=SESSION_STORE_PASSWORD_FILE=%d/session-store-password" \
	    "$(printf '%s\n' "$out" | grep '^[A-Z][A-Za-z]*=')" || rc=1
	rm -r "$units/fcgi-auth@.service.d"
	return "$rc"
}

# StateDirectory=: the session store's folder, /var/lib/fcgi-auth, 0700.
check_state_directory()
{
	e2e_expect "StateDirectory= and its mode" "fcgi-auth 0700" \
	    "$(unit_value StateDirectory) $(unit_value StateDirectoryMode)"
}

e2e_check "systemd: systemd-analyze verify, each endpoint" check_verify
e2e_check "systemd: systemd-analyze security --offline" check_security
e2e_check "systemd: the Redis drop-in verifies, its sandbox rated" \
    check_dropin
e2e_check "systemd: a state folder for the session store" \
    check_state_directory
e2e_check "systemd: ExecStart= and Environment= serve /me" check_exec_start
e2e_check "systemd: login and refresh through the units' sockets" \
    check_exec_refresh
e2e_finish
