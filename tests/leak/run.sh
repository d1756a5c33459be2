#!/bin/sh
# run.sh -- every endpoint, every kind of request, under valgrind memcheck
# over a real FastCGI socket; then natively, with VmRSS sampled.
#
# For each of login, me, projects, reports, authorize (with a policy
# file, replaced along with the users file), signin and signout:
#   1. spawn-fcgi -n runs the endpoint under valgrind memcheck
#      (--leak-check=full --errors-for-leak-kinds=definite); drive.py sends
#      LEAK_REQUESTS requests (LEAK_LOGIN_REQUESTS for login and signin,
#      which hash passwords) of every kind (signin's hashing kinds only
#      every LEAK_SIGNIN_HASHING_EVERY-th turn: the hash is login's, run
#      thousands of times already), replacing the users file every
#      LEAK_RELOAD_EVERY requests; SIGTERM;
#      the run passes if every answer had the expected status and valgrind
#      reports 0 errors and 0 bytes definitely lost.
#   2. the same natively for LEAK_RSS_REQUESTS requests, VmRSS sampled every
#      1000: after 2000 requests of warm-up it must grow by less than
#      LEAK_RSS_BOUND_KIB.
# Then sessions on, with SQLite and with a redis-server of its own on a
# loopback port: login, refresh, logout, revoke, me, signin and signout,
# one process each on one store, all under memcheck at once; drive.py
# sessions sends LEAK_SESSION_CYCLES cycles of every session path (signin's
# silent sign-in by the refresh cookie among them), then, with the store
# down (Redis stopped; SQLite held by BEGIN EXCLUSIVE past the busy
# timeout), expects 503s (and /me still answering), then one more cycle
# once the store is back; each process must then exit clean (the stores'
# handles closed, no reply or connection leaked).  Without redis-server,
# only SQLite.
# In a build with --enable-sanitizers (valgrind cannot run those binaries,
# and ASan's quarantine makes RSS grow by design) it does neither: each
# endpoint gets the same requests natively, and passes if every answer was
# the expected one and ASan and UBSan reported nothing.
# Exits 77 if valgrind (plain builds), spawn-fcgi or python3 is missing.
# Run from the top build dir (make check does) or with abs_top_builddir set.
set -eu

srcdir=$(cd "${abs_top_srcdir:-$(dirname "$0")/../..}" && pwd)
builddir=$(cd "${abs_top_builddir:-.}" && pwd)
fa_prog=leak
. "$srcdir/scripts/proc.sh"
LEAK_REQUESTS=${LEAK_REQUESTS:-10000}
LEAK_LOGIN_REQUESTS=${LEAK_LOGIN_REQUESTS:-$LEAK_REQUESTS}
LEAK_RSS_REQUESTS=${LEAK_RSS_REQUESTS:-30000}
LEAK_RSS_BOUND_KIB=${LEAK_RSS_BOUND_KIB:-64}
LEAK_RELOAD_EVERY=${LEAK_RELOAD_EVERY:-500}
LEAK_SIGNIN_HASHING_EVERY=${LEAK_SIGNIN_HASHING_EVERY:-4}
LEAK_ENDPOINTS=${LEAK_ENDPOINTS:-login me projects reports authorize signin \
    signout}
LEAK_SESSION_CYCLES=${LEAK_SESSION_CYCLES:-40}
LEAK_SESSION_STORES=${LEAK_SESSION_STORES:-sqlite redis}
SESSION_ENDPOINTS="login refresh logout revoke me signin signout"

skip()
{
	echo "leak: skipped: $*" >&2
	exit 77
}

VALGRIND=$(command -v valgrind || true)
SPAWN_FCGI=$(command -v spawn-fcgi || true)
if [ -x /usr/bin/python3 ]; then
	PYTHON=/usr/bin/python3
else
	PYTHON=$(command -v python3 || true)
fi
[ -n "$SPAWN_FCGI" ] ||
    skip "spawn-fcgi not installed (apt-get install spawn-fcgi)"
[ -n "$PYTHON" ] || skip "python3 not installed"
sanitized=0
for e in $LEAK_ENDPOINTS; do
	[ -x "$builddir/cgi-bin/$e.fcgi" ] || {
		echo "leak: $builddir/cgi-bin/$e.fcgi not built" >&2
		exit 99
	}
	if grep -q __asan_init "$builddir/cgi-bin/$e.fcgi"; then
		sanitized=1
	fi
done
[ "$sanitized" = 1 ] || [ -n "$VALGRIND" ] ||
    skip "valgrind not installed (apt-get install valgrind)"

# Sockets need a short path, so the state lives in a temp dir (0700).
# The endpoints run as us, so they reach the build wherever it is.
state=$(fa_state_dir fcgi-auth-leak "$srcdir" "$builddir")
child=
children=
# lib.sh's redis-server (the flags docs/deploy.md gives), in our state dir.
E2E_STATE=$state
E2E_SRCDIR=$srcdir
E2E_PYTHON=$PYTHON
# shellcheck source=../e2e/lib.sh
. "$srcdir/tests/e2e/lib.sh"
failed=0
passed=0

stop_child()
{
	if [ -n "$child" ]; then
		fa_stop "$child" 60 || true
		child=
	fi
}

on_exit()
{
	rc=$?
	trap - EXIT INT TERM HUP
	stop_child
	for c in $children; do
		fa_stop "$c" 60 || true
	done
	e2e_stop_redis
	if [ "$rc" -ne 0 ] || [ "$failed" -ne 0 ] ||
	    [ "${LEAK_KEEP:-0}" = 1 ]; then
		echo "leak: state kept in $state" >&2
	else
		rm -rf "$state"
	fi
	exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

note()
{
	if [ "$1" -eq 0 ]; then
		passed=$((passed + 1))
		echo "ok - $2"
	else
		failed=$((failed + 1))
		echo "not ok - $2"
	fi
}

# start NAME SOCKET [WRAPPER...]: the endpoint on a unix socket, as our
# child (spawn-fcgi -n execs it in place, so $child is its pid).  The
# drive sends thousands of failed logins (and sign-ins) from one address:
# login throttling, on by default, would answer them 429 without the
# paths measured here, so it is off.
start()
{
	name=$1
	sock=$2
	shift 2
	rm -f "$sock"
	JWT_SECRET_FILE=$state/secret USERS_FILE=$state/users \
	    POLICY_FILE=$state/policy \
	    LOGIN_MAX_FAILURES=${LEAK_MAX_FAILURES:-0} \
	    "$SPAWN_FCGI" -n -s "$sock" -M 0600 -- "$@" \
	    "$builddir/cgi-bin/$name.fcgi" 2>>"$state/$name.stderr" &
	child=$!
	st=0
	fa_wait_for 30 "$child" test -S "$sock" || st=$?
	case $st in
	0) ;;
	2)
		echo "leak: $name did not start" >&2
		cat "$state/$name.stderr" >&2
		exit 99
		;;
	*) echo "leak: no socket" >&2; exit 99 ;;
	esac
}

# stop: SIGTERM (the endpoint exits from accept) and its exit status;
# valgrind's own exit takes a while, SIGKILL only after 60 s.
stop()
{
	st=0
	fa_stop "$child" 60 || st=1
	child=
	[ "$st" -eq 0 ] || return 1
	return "$fa_status"
}

drive()
{
	"$PYTHON" "$srcdir/tests/leak/drive.py" --secret-file "$state/secret" \
	    --users-file "$state/users" --reload-every "$LEAK_RELOAD_EVERY" \
	    --policy-file "$state/policy" "$@"
}

fa_secret_file "$state/secret" || { echo "leak: no secret" >&2; exit 99; }
"$PYTHON" "$srcdir/tests/leak/drive.py" users "$state/users"
"$PYTHON" "$srcdir/tests/leak/drive.py" policy "$state/policy"

# hashing_every NAME: drive.py's --hashing-every for that endpoint.
hashing_every()
{
	case $1 in
	signin) echo "$LEAK_SIGNIN_HASHING_EVERY" ;;
	*) echo 1 ;;
	esac
}

# every_kind NAME N: N requests of every kind to the endpoint started on
# $state/NAME.sock; says whether each got the status it must.
every_kind()
{
	rc=0
	drive --socket "$state/$1.sock" --endpoint "$1" --requests "$2" \
	    --hashing-every "$(hashing_every "$1")" \
	    >"$state/$1.drive" 2>&1 || rc=$?
	sed 's/^/# /' "$state/$1.drive"
	note "$rc" "$1: $2 requests of every kind, expected statuses"
}

# sanitized NAME N: the requests natively, ASan and UBSan watching.
sanitized()
{
	start "$1" "$state/$1.sock"
	every_kind "$1" "$2"
	rc=0
	stop || rc=$?
	if grep -q -e 'Sanitizer' -e 'runtime error' "$state/$1.stderr"; then
		sed 's/^/# /' "$state/$1.stderr"
		rc=1
	fi
	note "$rc" "$1: exit 0, no sanitizer report (a sanitizer build)"
}

# memcheck_verdict LABEL LOG EXIT_STATUS: notes whether the process
# exited 0 with no error and nothing definitely lost in its valgrind log.
memcheck_verdict()
{
	rc=$3
	errors=$(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' \
	    "$2" | tail -n 1)
	lost=$(sed -n 's/.*definitely lost: \([0-9,]*\) bytes.*/\1/p' \
	    "$2" | tail -n 1)
	grep -q 'All heap blocks were freed' "$2" && lost=${lost:-0}
	echo "# $1 valgrind: exit $rc, errors ${errors:-?}," \
	    "definitely lost ${lost:-?} bytes"
	[ "$rc" -eq 0 ] && [ "${errors:-x}" = 0 ] && [ "${lost:-x}" = 0 ] ||
	    { rc=1; sed 's/^/# /' "$2"; }
	note "$rc" "$1: valgrind memcheck clean"
}

for e in $LEAK_ENDPOINTS; do
	n=$LEAK_REQUESTS
	case $e in
	login|signin) n=$LEAK_LOGIN_REQUESTS ;;
	esac
	if [ "$sanitized" = 1 ]; then
		sanitized "$e" "$n"
		continue
	fi
	vglog=$state/$e.valgrind
	start "$e" "$state/$e.sock" "$VALGRIND" --leak-check=full \
	    --errors-for-leak-kinds=definite --error-exitcode=3 \
	    --log-file="$vglog"
	every_kind "$e" "$n"
	rc=0
	stop || rc=$?
	memcheck_verdict "$e" "$vglog" "$rc"

	start "$e" "$state/$e.native.sock"
	rc=0
	drive --socket "$state/$e.native.sock" --endpoint "$e" \
	    --requests "$LEAK_RSS_REQUESTS" --rss-pid "$child" \
	    --hashing-every "$(hashing_every "$e")" \
	    --rss-every 1000 --warmup 2000 \
	    --rss-bound-kib "$LEAK_RSS_BOUND_KIB" >"$state/$e.rss" 2>&1 ||
	    rc=$?
	grep -e '^rss:' -e '^requests:' -e UNEXPECTED "$state/$e.rss" |
	    sed 's/^/# /'
	st=0
	stop || st=$?
	if [ "$st" -ne 0 ]; then
		echo "# $e: the native process's exit status: $st"
		rc=$st
	fi
	note "$rc" "$e: RSS flat over $LEAK_RSS_REQUESTS native requests"
done

# --- sessions on -----------------------------------------------------------

# session_drive FILE LABEL ARGS...: drive.py sessions against the
# processes on $state/sess/NAME.sock; its output kept in $state/FILE.drive
# (a failed run's state dir then has every phase's).
session_drive()
{
	out=$state/$1.drive
	label=$2
	shift 2
	rc=0
	"$PYTHON" "$srcdir/tests/leak/drive.py" sessions \
	    --sockets "$state/sess" --secret-file "$state/secret" \
	    --tokens "$state/sess/tokens" "$@" >"$out" 2>&1 || rc=$?
	sed 's/^/# /' "$out"
	note "$rc" "$label"
}

# sessions STORE_NAME: the seven processes on that store, driven, stopped.
sessions()
{
	rm -rf "$state/sess"
	mkdir -m 700 "$state/sess"
	case $1 in
	sqlite)
		SESSION_STORE=sqlite:$state/sess/store.db
		;;
	redis)
		e2e_find_redis >/dev/null || {
			echo "# sessions on Redis skipped: no redis-server"
			return 0
		}
		e2e_start_redis || exit 99
		SESSION_STORE=$E2E_REDIS_URL
		;;
	esac
	export SESSION_STORE
	for e in $SESSION_ENDPOINTS; do
		if [ "$sanitized" = 1 ]; then
			LEAK_MAX_FAILURES=5 start "$e" "$state/sess/$e.sock"
		else
			LEAK_MAX_FAILURES=5 start "$e" "$state/sess/$e.sock" \
			    "$VALGRIND" --leak-check=full \
			    --errors-for-leak-kinds=definite --error-exitcode=3 \
			    --log-file="$state/sess-$1-$e.valgrind"
		fi
		children="$children $child"
		eval "pid_$e=\$child"
		child=
	done
	unset SESSION_STORE
	session_drive "sess-$1-up" \
	    "sessions on $1: $LEAK_SESSION_CYCLES cycles of every path" \
	    --phase up --cycles "$LEAK_SESSION_CYCLES"
	case $1 in
	sqlite)
		session_drive "sess-$1-down" \
		    "sessions on $1: locked, 503s, /me answers" --phase down \
		    --sqlite-lock "$state/sess/store.db"
		;;
	redis)
		e2e_stop_redis
		session_drive "sess-$1-down" \
		    "sessions on $1: stopped, 503s, /me answers" --phase down
		e2e_start_redis || exit 99
		;;
	esac
	session_drive "sess-$1-back" "sessions on $1: back, every path works" \
	    --phase up --cycles 1 --back
	for e in $SESSION_ENDPOINTS; do
		eval "child=\$pid_$e"
		rc=0
		stop || rc=$?
		if [ "$sanitized" = 1 ]; then
			if grep -q -e 'Sanitizer' -e 'runtime error' \
			    "$state/$e.stderr"; then
				sed 's/^/# /' "$state/$e.stderr"
				rc=1
			fi
			note "$rc" "sessions on $1: $e exit 0, no sanitizer report"
		else
			memcheck_verdict "sessions on $1: $e" \
			    "$state/sess-$1-$e.valgrind" "$rc"
		fi
	done
	children=
	[ "$1" != redis ] || e2e_stop_redis
}

for st in $LEAK_SESSION_STORES; do
	sessions "$st"
done

echo "# leak: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
