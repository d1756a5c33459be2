#!/bin/sh
# two-hosts.sh -- two lighttpd instances ("hosts" A and B), each with its
# own endpoints and sockets, sharing one redis-server, the users file and
# the secret: what docs/deploy.md's "Several hosts" promises
#
# Run by "make check" from the top build dir; skipped (77) without
# redis-server, or when the endpoints refuse a redis:// store.  Redis runs
# as docs/deploy.md says (appendonly yes, appendfsync always, noeviction).
#   1. a refresh token issued by A is rotated by B; the old one on A ends
#      the family, on both hosts, every process;
#   2. a logout on A is refused by every process of B a second later;
#   3. 3 failed logins on A and 2 on B, from one address: the next is 429
#      on either;
#   4. one refresh token sent to A and to B at the same moment, a few
#      rounds: exactly one 200, the other 400 invalid_grant, and the
#      family ended (the winner's new tokens refused on both);
#   5. kill -9 of Redis under load (clients refreshing over and over,
#      alternating hosts), then Redis started again from its folder: no
#      committed session is lost, and nothing answers 500.
set -eu

. "${abs_top_srcdir:-$(dirname "$0")/../..}/tests/e2e/lib.sh"

e2e_setup
py=$E2E_SRCDIR/tests/e2e/sessions.py
e2e_find_redis >/dev/null ||
    e2e_skip "redis-server not installed (apt-get install redis-server)"
e2e_start_redis || e2e_die "redis-server did not start"
SESSION_STORE=$E2E_REDIS_URL
export SESSION_STORE
JWT_SECRET_FILE=$E2E_SECRET_FILE USERS_FILE=$E2E_USERS_FILE \
    REQUEST_METHOD=GET "$E2E_BINDIR/me.fcgi" </dev/null \
    >"$E2E_STATE/redis-probe.out" 2>&1 ||
    e2e_skip "the endpoints refuse $SESSION_STORE:" \
    "$(cat "$E2E_STATE/redis-probe.out")"

# Host A: lib.sh's lighttpd.
e2e_start_lighttpd || e2e_die "lighttpd A did not start"
url_a=$E2E_URL
socks_a="$E2E_SOCKDIR/me.sock-0,$E2E_SOCKDIR/me.sock-1"

# Host B: a second lighttpd, its own config, sockets and log; the same
# endpoints, users file and secret.
b=$E2E_STATE/b
mkdir -m 700 "$b" "$E2E_SOCKDIR/b"
b_writer()
{
	cat >"$b/lighttpd.conf" <<EOF
# written by tests/e2e/two-hosts.sh: host B
server.document-root = "$E2E_STATE/www"
server.bind = "127.0.0.1"
server.port = $1
server.errorlog = "$b/error.log"
server.max-connections = 1024
var.fcgi_auth_bindir = "$E2E_BINDIR"
var.fcgi_auth_secret_file = "$E2E_SECRET_FILE"
var.fcgi_auth_users_file = "$E2E_USERS_FILE"
var.fcgi_auth_sockdir = "$E2E_SOCKDIR/b"
var.fcgi_auth_datadir = "$E2E_DATADIR"
include "$E2E_SNIPPET_COPY"
EOF
}
b_pid=
stop_b()
{
	[ -n "$b_pid" ] || return 0
	# Its endpoints have the same command lines as A's: by pid.
	b_tree=$(fa_tree "$b_pid")
	b_rc=0
	fa_stop "$b_pid" || b_rc=1
	b_pid=
	# shellcheck disable=SC2086 # pids
	fa_none_left "lighttpd B" $b_tree || b_rc=1
	return "$b_rc"
}
e2e_at_exit stop_b
e2e_start_server "lighttpd B" "$b/lighttpd.out" "$b/error.log" b_writer \
    "$E2E_LIGHTTPD" -D -f "$b/lighttpd.conf" ||
    e2e_die "lighttpd B did not start"
b_pid=$E2E_SERVER_PID
url_b=$E2E_URL
socks_b="$E2E_SOCKDIR/b/me.sock-0,$E2E_SOCKDIR/b/me.sock-1"
e2e_log "e2e: hosts A $url_a and B $url_b on $SESSION_STORE"

check_two()
{
	"$E2E_PYTHON" "$py" two "$url_a" "$url_b" "$socks_a" "$socks_b"
}

# Clients refresh over and over; Redis gets kill -9 under them, then
# starts again from its folder (the AOF); every session whose last
# refresh was answered before the kill still refreshes.
check_kill()
{
	d=$E2E_STATE/chains
	mkdir "$d"
	"$E2E_PYTHON" "$py" chains "$url_a" "$url_b" 8 "$d" \
	    >"$d/out" 2>&1 &
	chains=$!
	# Under load: the clients started, and two seconds of refreshes.
	fa_wait_for 10 "$chains" test -f "$d/started" || {
		cat "$d/out"
		return 1
	}
	sleep 2
	date +%s.%N >"$d/killed"
	kill -KILL "$E2E_REDIS_PID"
	wait "$E2E_REDIS_PID" 2>/dev/null || true
	E2E_REDIS_PID=
	e2e_start_redis || return 1
	: >"$d/back"
	: >"$d/stop"
	rc=0
	wait "$chains" || rc=$?
	sed 's/^/#   /' "$d/out"
	[ "$rc" = 0 ]
}

e2e_check "two hosts: rotation, reuse, logout, failures, a refresh race" \
    check_two
e2e_check "two hosts: kill -9 of Redis under load loses no session" \
    check_kill
e2e_check "two hosts: B stops and leaves nothing" stop_b
e2e_check "two hosts: A stops and leaves nothing" e2e_stop_lighttpd
redis_pid=$E2E_REDIS_PID
e2e_stop_redis
e2e_check "two hosts: redis-server stopped" fa_none_left redis-server \
    "$redis_pid"
e2e_check "no sanitizer report in the logs" e2e_no_sanitizer_reports \
    "$b/lighttpd.out" "$b/error.log"
e2e_finish
