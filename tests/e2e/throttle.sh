#!/bin/sh
# throttle.sh -- login throttling through lighttpd, on a SQLite session
# store, with the default settings (5 failures per account and address in
# 15 minutes)
#
# Run by "make check" from the top build dir.  5 wrong passwords, then the
# 6th attempt is 429 with Retry-After, and so is the right password from
# that address; from another loopback address (127.0.0.2: any 127/8
# address is local on Linux) the owner logs in.  An unknown name gets the
# same statuses and bodies.  With the store locked (a writer holding
# BEGIN EXCLUSIVE), a login fails closed, 503, and costs login.fcgi no
# password hash: its CPU time (from /proc, not wall time) grows by less
# than half of what one login of the same user costs.
set -eu

. "${abs_top_srcdir:-$(dirname "$0")/../..}/tests/e2e/lib.sh"

e2e_setup
py=$E2E_SRCDIR/tests/e2e/sessions.py
helper=$E2E_SRCDIR/tests/e2e/helper.py
# A user whose hash costs a good part of a second (bcrypt, cost 13).
h=$(printf 'tesspass\n' | "$E2E_PYTHON" "$helper" hash '$2b$' 13) ||
    e2e_die "cannot hash a password"
printf 'tess:%s:user\n' "$h" >>"$E2E_USERS_FILE"
mkdir -m 700 "$E2E_STATE/store"
db=$E2E_STATE/store/sessions.db
SESSION_STORE=sqlite:$db
export SESSION_STORE
e2e_start_lighttpd || e2e_die "lighttpd did not start"
e2e_log "e2e: $("$E2E_LIGHTTPD" -v) on $E2E_URL, state in $E2E_STATE"

check_throttle()
{
	printf 'bobpass\nnot-the-password\n' |
	    "$E2E_PYTHON" "$py" throttle "$E2E_URL" bob 127.0.0.2
}

# login_answer USER PASSWORD: "STATUS BODY" of a login; the password on
# stdin of the helper, not on its command line.
login_answer()
{
	printf 'username=%s&password=%s' "$1" "$2" |
	    "$E2E_PYTHON" "$helper" http POST "$E2E_URL/auth/login" \
	    'Content-Type: application/x-www-form-urlencoded' |
	    tr '\n' ' ' | cut -c 1-48
}

# The CPU time login.fcgi has used so far, in clock ticks.
login_ticks()
{
	pid=$(e2e_pids_matching "$E2E_BINDIR/login.fcgi")
	case $pid in
	''|*[!0-9]*) echo "#   login.fcgi: not one process: $pid" >&2
		return 1 ;;
	esac
	# utime and stime, fields 14 and 15 (the name, field 2, has no
	# spaces here).
	awk '{ print $14 + $15 }' "/proc/$pid/stat"
}

check_fail_closed()
{
	t0=$(login_ticks) || return 1
	e2e_expect "tess logs in" 200 "$(login_answer tess tesspass |
	    cut -d ' ' -f 1)" || return 1
	t1=$(login_ticks) || return 1
	hash=$((t1 - t0))
	# Too cheap a hash to tell a hash from none: the check cannot run.
	[ "$hash" -ge 10 ] || {
		echo "#   one login of tess cost $hash ticks: too few to compare"
		return 1
	}
	e2e_lock_sqlite "$db" ||
	    { echo "#   could not lock the store"; return 1; }
	got=$(login_answer tess tesspass)
	t2=$(login_ticks) || { e2e_unlock_sqlite; return 1; }
	e2e_unlock_sqlite
	e2e_expect "login with the store locked" \
	    '503 {"detail":"Session store unavailable"} ' "$got" || return 1
	down=$((t2 - t1))
	e2e_log "e2e: login.fcgi CPU ticks: a login $hash, a 503 $down"
	[ $((down * 2)) -lt "$hash" ] || {
		echo "#   the 503 cost $down ticks, a login $hash: a hash ran"
		return 1
	}
	# Released: the next login works, without a restart.
	e2e_expect "tess logs in once the store is released" 200 \
	    "$(login_answer tess tesspass | cut -d ' ' -f 1)"
}

e2e_check "throttle: 5 failures, then 429 for the pair; another address in" \
    check_throttle
e2e_check "throttle: store locked, 503 without a password hash" \
    check_fail_closed
e2e_check "throttle: stopping leaves no process behind" e2e_stop_lighttpd
e2e_check "no sanitizer report in the logs" e2e_no_sanitizer_reports
e2e_finish
