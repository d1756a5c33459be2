#!/bin/sh
# store-down.sh -- the session store down, through lighttpd: locked
# SQLite, a full disk under SQLite, a stopped Redis
#
# Run by "make check" from the top build dir.  In each case: login,
# refresh, logout and revoke answer 503 with Retry-After: 5 and each logs
# one line; /me keeps answering from what each process has (a live token
# 200, a token whose session ended before 401); when the store is back,
# login works again within 10 s without touching lighttpd, and the
# session made before the outage still refreshes.
#
# The full disk needs a mount of its own: the whole script runs again in a
# private mount namespace (unshare -m as root, unshare -rm otherwise) with
# a 1 MiB tmpfs for the store; where neither works, that case is skipped
# and says so.  The Redis case is skipped without redis-server.  Under
# E2E_REQUIRE_ALL=1 (scripts/check) a skipped case is a failure.
set -eu

if [ "${E2E_STORE_DOWN_NS:-}" = "" ]; then
	# Again, in a private mount namespace, if one can be had.
	for e2e__u in "unshare -m --propagation private" "unshare -rm"; do
		# shellcheck disable=SC2086 # the command and its options
		if $e2e__u true 2>/dev/null; then
			E2E_STORE_DOWN_NS=1
			export E2E_STORE_DOWN_NS
			# shellcheck disable=SC2086
			exec $e2e__u /bin/sh "$0" "$@"
		fi
	done
	E2E_STORE_DOWN_NS=none
fi

. "${abs_top_srcdir:-$(dirname "$0")/../..}/tests/e2e/lib.sh"

# A case that cannot run on this machine: said, and under E2E_REQUIRE_ALL=1
# (scripts/check, where every dependency was installed) a failure.
part_skipped()
{
	if [ "${E2E_REQUIRE_ALL:-0}" = 1 ]; then
		e2e_check "$* (E2E_REQUIRE_ALL=1: no case may be skipped)" false
	else
		e2e_log "e2e: skipped: $*"
	fi
}

e2e_setup
py=$E2E_SRCDIR/tests/e2e/sessions.py
me_sockets="$E2E_SOCKDIR/me.sock-0,$E2E_SOCKDIR/me.sock-1"
LOGIN_MAX_FAILURES=0
export LOGIN_MAX_FAILURES

# prepare: tokens for "down" in E2E_STATE/tokens (a live session, and one
# every /me process has seen end).
prepare()
{
	"$E2E_PYTHON" "$py" prepare "$E2E_URL" "$me_sockets" \
	    >"$E2E_STATE/tokens"
}

# check_down: each endpoint 503 with Retry-After, one log line each; /me
# from the processes' own knowledge.
check_down()
{
	before=$(wc -l <"$E2E_ERROR_LOG")
	"$E2E_PYTHON" "$py" down "$E2E_URL" <"$E2E_STATE/tokens" || return 1
	new=$(tail -n "+$((before + 1))" "$E2E_ERROR_LOG")
	for ep in login refresh logout revoke; do
		e2e_expect "$ep.fcgi's 503 lines in the error log" 1 \
		    "$(printf '%s\n' "$new" | grep -c "$ep\\.fcgi: 503" ||
		    true)" &&
		# The one line says why: the store's own reason.
		e2e_expect "$ep.fcgi's 503 line names the store's reason" 1 \
		    "$(printf '%s\n' "$new" | grep -c "$ep\\.fcgi: 503 \"session store unavailable ([a-z]*: ..*)\"" ||
		    true)" || {
			printf '%s\n' "$new" | sed 's/^/#     /'
			return 1
		}
	done
}

login_status()
{
	printf 'username=alice&password=alicepass' |
	    "$E2E_PYTHON" "$E2E_SRCDIR/tests/e2e/helper.py" http POST \
	    "$E2E_URL/auth/login" \
	    'Content-Type: application/x-www-form-urlencoded' | sed -n 1p
}

login_ok()
{
	[ "$(login_status)" = 200 ]
}

# check_back: login 200 within 10 s, and the session from before the
# outage still refreshes.
check_back()
{
	e2e_expect "login within 10 s of the store's return" yes \
	    "$(fa_wait_for 10 - login_ok && echo yes || echo no)" || return 1
	e2e_expect "refresh of the session made before the outage" 200 \
	    "$(sed -n 2p "$E2E_STATE/tokens" |
	    "$E2E_PYTHON" "$py" refresh "$E2E_URL" | sed -n 1p)"
}

integrity()
{
	"$E2E_PYTHON" -c '
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
print(c.execute("PRAGMA integrity_check").fetchone()[0])
' "$1"
}

# --- SQLite locked --------------------------------------------------------

mkdir -m 700 "$E2E_STATE/store"
db=$E2E_STATE/store/sessions.db
SESSION_STORE=sqlite:$db
export SESSION_STORE
e2e_start_lighttpd || e2e_die "lighttpd did not start"
e2e_log "e2e: $("$E2E_LIGHTTPD" -v) on $E2E_URL, state in $E2E_STATE"

check_sqlite_locked()
{
	prepare || return 1
	e2e_lock_sqlite "$db" ||
	    { echo "#   could not lock the store"; return 1; }
	rc=0
	check_down || rc=1
	e2e_unlock_sqlite
	[ "$rc" = 0 ] || return 1
	check_back
}
e2e_check "sqlite locked: 503 with Retry-After, /me still answers; back" \
    check_sqlite_locked
e2e_check "sqlite locked: stopping leaves no process behind" \
    e2e_stop_lighttpd
e2e_check "sqlite locked: the store passes PRAGMA integrity_check" \
    e2e_expect "integrity_check" ok "$(integrity "$db")"

# --- SQLite on a full disk ------------------------------------------------

full=$E2E_STATE/full
mkdir -m 700 "$full"
if [ "$E2E_STORE_DOWN_NS" = 1 ] &&
    mount -t tmpfs -o size=1m,mode=0700 tmpfs "$full" 2>/dev/null; then
	e2e_at_exit "umount '$full' 2>/dev/null || true"
	SESSION_STORE=sqlite:$full/sessions.db
	e2e_start_lighttpd || e2e_die "lighttpd did not start"

	# fill: the tmpfs full to its last byte.
	fill()
	{
		dd if=/dev/zero of="$full/filler" bs=4k >/dev/null 2>&1 || true
	}

	check_disk_full()
	{
		prepare || return 1
		fill
		[ "$(df -P "$full" | awk 'NR == 2 { print $4 }')" = 0 ] || {
			echo "#   the tmpfs is not full:"
			df -P "$full" | sed 's/^/#     /'
			return 1
		}
		rc=0
		check_down || rc=1
		rm -f "$full/filler"
		[ "$rc" = 0 ] || return 1
		check_back
	}

	# Nothing half-written: the file is whole, and every session has
	# its current refresh token's hash (32 bytes).
	check_rows()
	{
		e2e_expect "integrity_check" ok "$(integrity \
		    "$full/sessions.db")" || return 1
		e2e_expect "sessions without a 32-byte cur" "0 of more than 0" \
		    "$("$E2E_PYTHON" -c '
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
bad, n = c.execute("SELECT sum(length(cur) != 32), count(*)"
                   " FROM sessions").fetchone()
print("%d of %s" % (bad or 0, "more than 0" if n else "0"))
' "$full/sessions.db")"
	}
	e2e_check "sqlite disk full: 503 with Retry-After, /me answers; back" \
	    check_disk_full
	e2e_check "sqlite disk full: stopping leaves no process behind" \
	    e2e_stop_lighttpd
	e2e_check "sqlite disk full: the store is whole, every row has its cur" \
	    check_rows
else
	part_skipped "SQLite on a full disk (no private mount namespace:" \
	    "unshare -m and unshare -rm both refused, or no tmpfs)"
fi

# --- Redis stopped --------------------------------------------------------

if ! e2e_find_redis >/dev/null; then
	part_skipped "Redis stopped (redis-server not installed:" \
	    "apt-get install redis-server)"
else
	e2e_start_redis || e2e_die "redis-server did not start"
	SESSION_STORE=$E2E_REDIS_URL
	if ! JWT_SECRET_FILE=$E2E_SECRET_FILE USERS_FILE=$E2E_USERS_FILE \
	    REQUEST_METHOD=GET "$E2E_BINDIR/me.fcgi" </dev/null \
	    >"$E2E_STATE/redis-probe.out" 2>&1; then
		part_skipped "Redis stopped (the endpoints refuse" \
		    "$SESSION_STORE: $(cat "$E2E_STATE/redis-probe.out"))"
	else
		e2e_start_lighttpd || e2e_die "lighttpd did not start"
		check_redis_stopped()
		{
			prepare || return 1
			e2e_stop_redis
			check_down || return 1
			e2e_start_redis || return 1
			check_back
		}
		e2e_check "redis stopped: 503 with Retry-After, /me answers; back" \
		    check_redis_stopped
		e2e_check "redis stopped: stopping leaves no process behind" \
		    e2e_stop_lighttpd
	fi
	e2e_stop_redis
fi
e2e_check "no sanitizer report in the logs" e2e_no_sanitizer_reports
e2e_finish
