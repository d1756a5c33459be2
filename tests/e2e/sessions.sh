#!/bin/sh
# sessions.sh -- sessions through lighttpd and its shipped snippet: refresh
# rotation, logout, revoke, reuse ending the family, authctl ending
# sessions; on a SQLite store, then the same on Redis
#
# Run by "make check" from the top build dir.  First with sessions off
# (the three endpoints 404, login's body as always); then with
# SESSION_STORE=sqlite:E2E_STATE/store/sessions.db, copied from lighttpd's
# environment by the snippet's copy-env list; then, when redis-server is
# installed, with a redis-server of its own on a free loopback port
# (SESSION_STORE=redis://127.0.0.1:PORT), every check again.  A build
# whose endpoints refuse a redis:// store (no hiredis) skips that part and
# says so (E2E_REQUIRE_ALL=1, as scripts/check sets it: a failure).  Waits
# are outcomes with a 10 s bound, never times.
set -eu

. "${abs_top_srcdir:-$(dirname "$0")/../..}/tests/e2e/lib.sh"

# A part that cannot run on this machine: said, and under E2E_REQUIRE_ALL=1
# (scripts/check, where every dependency was installed) a failure.
part_skipped()
{
	if [ "${E2E_REQUIRE_ALL:-0}" = 1 ]; then
		e2e_check "$* (E2E_REQUIRE_ALL=1: no part may be skipped)" false
	else
		e2e_log "e2e: skipped: $*"
	fi
}

e2e_setup
py=$E2E_SRCDIR/tests/e2e/sessions.py
authctl=$E2E_BUILDDIR/tools/authctl
[ -x "$authctl" ] || e2e_die "$authctl not built (run make)"
# Users of the authctl checks, one per command (each changes its user).
for u in fay gus hal ida joy; do
	e2e_add_user "$E2E_USERS_FILE" "$u" "${u}pass" user active 0 '$5$'
done
# The throttle has its own test (throttle.sh): off here, where a user
# logs in many times from one address.
LOGIN_MAX_FAILURES=0
export LOGIN_MAX_FAILURES
me_sockets="$E2E_SOCKDIR/me.sock-0,$E2E_SOCKDIR/me.sock-1"

# /private/ behind the authorizer, with the shipped snippet
# (etc/lighttpd/fcgi-auth-protect.conf.in, its paths filled in as the demo
# does): it must refuse a token whose session ended, so it must be given
# the store too.
mkdir -p "$E2E_STATE/www/private"
echo hello >"$E2E_STATE/www/private/hello.txt"
printf 'allow GET,HEAD /private/ authenticated\n' >"$E2E_STATE/policy"
sed -e "s|@pkglibexecdir@|$E2E_BINDIR|g" \
    -e "s|@pkgsysconfdir@/jwt-secret|$E2E_SECRET_FILE|g" \
    -e "s|@pkgsysconfdir@/users|$E2E_USERS_FILE|g" \
    -e "s|@pkgsysconfdir@/policy|$E2E_STATE/policy|g" \
    -e "s|@lighttpd_sockdir@|$E2E_SOCKDIR|g" \
    "$E2E_SRCDIR/etc/lighttpd/fcgi-auth-protect.conf.in" \
    >"$E2E_STATE/protect.conf"
E2E_CONF_EXTRA="include \"$E2E_STATE/protect.conf\""
export E2E_CONF_EXTRA

# --- checks ---------------------------------------------------------------

check_py()
{
	"$E2E_PYTHON" "$py" "$@"
}

# authctl on the test's users file and store.
actl()
{
	"$authctl" --file "$E2E_USERS_FILE" "$@"
}

# login_as USER: "SID REFRESH_TOKEN" of a new session (password USERpass).
login_as()
{
	printf '%spass\n' "$1" | "$E2E_PYTHON" "$py" login "$E2E_URL" "$1"
}

# refresh_status TOKEN: the status of a refresh with TOKEN.
refresh_status()
{
	printf '%s\n' "$1" | "$E2E_PYTHON" "$py" refresh "$E2E_URL" | sed -n 1p
}

# check_authctl_ends COMMAND USER [STDIN]: two sessions of USER; authctl
# COMMAND USER (its input STDIN) ends both: their refresh tokens are
# refused, and authctl sessions lists none.
check_authctl_ends()
{
	cmd=$1 user=$2
	s1=$(login_as "$user") || { echo "$s1"; return 1; }
	s2=$(login_as "$user") || { echo "$s2"; return 1; }
	e2e_expect "authctl sessions $user: lines" 2 \
	    "$(actl sessions "$user" | grep -c .)" || return 1
	if [ "$cmd" = passwd ]; then
		out=$(printf 'new-%spass\n' "$user" |
		    actl passwd "$user" --stdin 2>&1) || { echo "$out"; return 1; }
	else
		out=$(actl "$cmd" "$user" 2>&1) || { echo "$out"; return 1; }
	fi
	case $out in
	*"; 2 sessions ended"*) ;;
	*) e2e_expect "authctl $cmd $user says" "...; 2 sessions ended" \
	    "$out"; return 1 ;;
	esac
	for s in "$s1" "$s2"; do
		e2e_expect "refresh after authctl $cmd" 400 \
		    "$(refresh_status "${s#* }")" || return 1
	done
	e2e_expect "authctl sessions $user after $cmd" "" \
	    "$(actl sessions "$user" 2>&1)"
}

check_authctl_revoke()
{
	check_authctl_ends revoke fay
}

check_authctl_passwd()
{
	check_authctl_ends passwd gus
}

check_authctl_disable()
{
	check_authctl_ends disable hal
}

check_authctl_del()
{
	check_authctl_ends del ida
}

# authctl logout USER SID ends that session only.
check_authctl_logout_one()
{
	s1=$(login_as dave) || { echo "$s1"; return 1; }
	s2=$(login_as dave) || { echo "$s2"; return 1; }
	sid=${s1%% *}
	# authctl reports as every command does: "authctl: ..." on stderr.
	# "--": a session id is base64url, and one in 64 starts with "-".
	e2e_expect "authctl logout dave SID" \
	    "authctl: dave: session $sid ended" \
	    "$(actl logout dave -- "$sid" 2>&1)" || return 1
	e2e_expect "refresh of the ended session" 400 \
	    "$(refresh_status "${s1#* }")" || return 1
	e2e_expect "refresh of the other one" 200 \
	    "$(refresh_status "${s2#* }")" || return 1
	e2e_expect "authctl sessions dave" "1 ${s2%% *}" \
	    "$(actl sessions dave | awk '{ n++; sid = $1 }
	    END { print n, sid }')" || return 1
	# Another user's session is "no such session" (exit 3), not ended.
	st=0
	actl logout erin -- "${s2%% *}" >/dev/null 2>&1 || st=$?
	e2e_expect "authctl logout erin with dave's SID: exit status" 3 \
	    "$st" || return 1
	e2e_expect "dave's sessions after that" "${s2%% *}" \
	    "$(actl sessions dave | cut -f 1)"
}

# A password hash changed by hand (an editor, mkpasswd, config
# management), the token version left alone: joy's sessions refresh no
# more, within 10 s (each process reads the users file again at most
# once a second; until then a refresh rotates, and the new token goes on).
check_password_by_hand()
{
	s1=$(login_as joy) || { echo "$s1"; return 1; }
	s2=$(login_as joy) || { echo "$s2"; return 1; }
	e2e_expect "refresh before the edit" 200 \
	    "$(refresh_status "${s1#* }")" || return 1
	h=$(e2e_hash '$5$' joynewpass) || return 1
	# Written over in place, as an editor saves: same file, same inode.
	awk -F : -v h="$h" 'BEGIN { OFS = ":" } $1 == "joy" { $2 = h } 1' \
	    "$E2E_USERS_FILE" >"$E2E_STATE/users.edit" || return 1
	cat "$E2E_STATE/users.edit" >"$E2E_USERS_FILE" || return 1
	rt=${s2#* } i=0
	while :; do
		out=$(printf '%s\n' "$rt" | "$E2E_PYTHON" "$py" refresh \
		    "$E2E_URL") || return 1
		st=$(printf '%s\n' "$out" | sed -n 1p)
		[ "$st" = 200 ] && [ "$i" -lt 100 ] || break
		rt=$(printf '%s\n' "$out" | sed -n 2p | "$E2E_PYTHON" -c '
import json, sys
print(json.load(sys.stdin)["refresh_token"])') || return 1
		i=$((i + 1))
		sleep 0.1
	done
	e2e_expect "refresh after joy's hash changed by hand" \
	    "400 invalid_grant" "$st $(printf '%s\n' "$out" | sed -n 2p |
	    "$E2E_PYTHON" -c 'import json, sys
print(json.load(sys.stdin).get("error"))')" || return 1
	grep -q 'password changed: session ended' "$E2E_ERROR_LOG" || {
		echo "# no \"password changed: session ended\" in the log"
		return 1
	}
}

check_log_clean()
{
	# No refresh token, access token or password in the logs.
	e2e_expect "tokens in the logs" 0 "$(cat "$E2E_ERROR_LOG" \
	    "$E2E_LIGHTTPD_OUT" | grep -c 'eyJ\|refresh_token=' || true)"
}

# run_checks LABEL: every check against the running lighttpd and store.
run_checks()
{
	e2e_check "$1: login, refresh, /me, logout; refused on every process" \
	    check_py walkthrough "$E2E_URL" "$me_sockets"
	e2e_check "$1: a rotated token again ends the family" \
	    check_py reuse "$E2E_URL" "$me_sockets"
	e2e_check "$1: /auth/revoke, each kind of token" \
	    check_py revoke "$E2E_URL" "$me_sockets"
	e2e_check "$1: the authorizer refuses a logged-out session" \
	    check_py authorizer "$E2E_URL" /private/hello.txt
	e2e_check "$1: refresh's and logout's refusals" \
	    check_py errors "$E2E_URL" "$E2E_SECRET_FILE"
	e2e_check "$1: authctl revoke ends the sessions" check_authctl_revoke
	e2e_check "$1: authctl passwd ends the sessions" check_authctl_passwd
	e2e_check "$1: authctl disable ends the sessions" check_authctl_disable
	e2e_check "$1: authctl del ends the sessions" check_authctl_del
	e2e_check "$1: authctl logout USER SID ends that one only" \
	    check_authctl_logout_one
	e2e_check "$1: a password hash changed by hand ends the sessions" \
	    check_password_by_hand
	e2e_check "$1: no token in the logs" check_log_clean
}

# fresh_users: the users file as e2e_setup wrote it (the authctl checks
# changed it), for the next store.
fresh_users()
{
	: >"$E2E_USERS_FILE"
	e2e_write_users "$E2E_USERS_FILE"
	for u in fay gus hal ida joy; do
		e2e_add_user "$E2E_USERS_FILE" "$u" "${u}pass" user active 0 \
		    '$5$'
	done
}

# --- sessions off ---------------------------------------------------------

e2e_start_lighttpd || e2e_die "lighttpd did not start"
e2e_log "e2e: $("$E2E_LIGHTTPD" -v) on $E2E_URL, state in $E2E_STATE"
e2e_check "sessions off: the endpoints 404, login as always" \
    check_py off "$E2E_URL"
e2e_stop_lighttpd || e2e_die "lighttpd left processes behind"

# --- SQLite ---------------------------------------------------------------

mkdir -m 700 "$E2E_STATE/store"
SESSION_STORE=sqlite:$E2E_STATE/store/sessions.db
export SESSION_STORE
e2e_start_lighttpd || e2e_die "lighttpd did not start with $SESSION_STORE"
run_checks sqlite
e2e_check "sqlite: stopping leaves no process behind" e2e_stop_lighttpd
e2e_check "sqlite: the store passes PRAGMA integrity_check" \
    e2e_expect "integrity_check" ok "$("$E2E_PYTHON" -c '
import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute(
    "PRAGMA integrity_check").fetchone()[0])' "$E2E_STATE/store/sessions.db")"

# --- Redis ----------------------------------------------------------------

if ! e2e_find_redis >/dev/null; then
	part_skipped "the Redis part (redis-server not installed:" \
	    "apt-get install redis-server)"
elif ! e2e_start_redis; then
	e2e_die "redis-server did not start"
else
	fresh_users
	SESSION_STORE=$E2E_REDIS_URL
	# Does this build take a Redis store?  An endpoint refuses a URL it
	# cannot use at start, with one line (CGI: exit 1).
	if ! JWT_SECRET_FILE=$E2E_SECRET_FILE USERS_FILE=$E2E_USERS_FILE \
	    REQUEST_METHOD=GET "$E2E_BINDIR/me.fcgi" </dev/null \
	    >"$E2E_STATE/redis-probe.out" 2>&1; then
		part_skipped "the Redis part (the endpoints refuse" \
		    "$SESSION_STORE: $(cat "$E2E_STATE/redis-probe.out"))"
	else
		e2e_start_lighttpd ||
		    e2e_die "lighttpd did not start with $SESSION_STORE"
		run_checks redis
		e2e_check "redis: stopping leaves no process behind" \
		    e2e_stop_lighttpd
	fi
	e2e_stop_redis
fi
e2e_check "no sanitizer report in the logs" e2e_no_sanitizer_reports
e2e_finish
