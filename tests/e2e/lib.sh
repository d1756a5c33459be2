# lib.sh -- for e2e tests: lighttpd with the shipped snippet, run and stopped
#
# Use from a POSIX sh script under "set -eu", run from the top build dir
# (as "make check" does) or with abs_top_builddir/abs_top_srcdir set:
#
#	. "${abs_top_srcdir:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
#	e2e_setup		# state dir, secret, users; exits 77 if a tool is missing
#	e2e_start_lighttpd	# free port, lighttpd -D as our child; sets E2E_URL
#	e2e_check "name" some_shell_function args...
#	e2e_stop_lighttpd	# stops it; fails if any of its processes is left,
#				# or if one ran from the checkout
#	e2e_finish		# summary line; exit status 0 or 1
#
# A session store: SESSION_STORE=sqlite:E2E_STATE/... exported before
# e2e_start_lighttpd (the snippet copies it), or e2e_start_redis (a
# redis-server of the test's own, E2E_REDIS_URL) and e2e_stop_redis.
#
# Set E2E_NEED_LIGHTTPD=0 before e2e_setup to run without lighttpd (a test
# of another server); e2e_start_lighttpd then cannot be used.  Another
# server: e2e_start_server, e2e_runs_from_state, and fa_stop and
# fa_none_left from scripts/proc.sh (sourced here).
#
# e2e_setup installs an EXIT trap that runs what e2e_at_exit registered,
# stops lighttpd and removes the state dir (kept when a check failed or
# E2E_KEEP=1, to read its logs).
#
# The servers run nothing from the checkout: e2e_setup copies what they
# run into the state dir, in a temp dir every user can reach (see
# fa_state_dir in scripts/proc.sh), and e2e_runs_from_state checks it
# when a server stops.  A checkout under a folder other users cannot enter
# (/root, any mktemp -d) then works as well as any other, for servers
# that run as www-data (tests/deploy) too.  (lighttpd here runs as the
# user who runs the test: this config sets no server.username.)
#
# Set by e2e_setup (read them, do not change them):
#	E2E_SRCDIR E2E_BUILDDIR	the top source and build dirs (absolute)
#	E2E_LIGHTTPD		lighttpd (from PATH, else /usr/sbin)
#	E2E_PYTHON		a python3 with PyJWT (/usr/bin/python3 first)
#	E2E_STATE		the private state dir (0700), outside the
#				checkout; every process we start has this path
#				on its command line
#	E2E_SECRET_FILE		E2E_STATE/secret: a random secret, 0600
#	E2E_USERS_FILE		E2E_STATE/users: the users below, 0600
#	E2E_BINDIR		E2E_STATE/bin: copies of the built *.fcgi
#	E2E_SNIPPET_COPY	E2E_STATE/fcgi-auth.conf: the shipped snippet
#	E2E_SOCKDIR		the FastCGI sockets' dir, 0700
# Set by e2e_start_lighttpd: E2E_PORT E2E_URL E2E_LIGHTTPD_PID E2E_CONF
#	E2E_ERROR_LOG (server.errorlog) E2E_LIGHTTPD_OUT (its stdout+stderr,
#	where the endpoints' own stderr also goes)
#
# The users file (name password role [state version]):
#	alice alicepass admin			yescrypt, first: the dummy hash
#	bob   bobpass   user			sha512crypt
#	carol carolpass user disabled		yescrypt
#	dave  davepass  user active 3		bcrypt: tokens need "ver" >= 3
#	erin  erinpass  guest			sha256crypt: /me only

E2E_PORT_RANGE=${E2E_PORT_RANGE:-18000-18999}
# Every endpoint built (cgi-bin/NAME.fcgi), copied for the servers.
E2E_ENDPOINTS="login refresh logout revoke signin signout me reports projects
authorize jwks healthz"
e2e__lighttpd_pid=
e2e__failed=0
e2e__passed=0
e2e__sockdir_tmp=
e2e__at_exit=:
fa_prog=${fa_prog:-e2e}
# shellcheck source=scripts/proc.sh
. "${abs_top_srcdir:-$(dirname "$0")/../..}/scripts/proc.sh"

# Print to stderr (the test's log).
e2e_log()
{
	printf '%s\n' "$*" >&2
}

# Exit 99 (a hard error, not a test failure): the test cannot run.
e2e_die()
{
	e2e_log "e2e: error: $*"
	exit 99
}

e2e_skip()
{
	e2e_log "e2e: skipped: $*"
	exit 77
}

# The pids of processes whose command line contains the fixed string $1.
e2e_pids_matching()
{
	fa_pids_matching "$1"
}

e2e_find_lighttpd()
{
	if command -v lighttpd >/dev/null 2>&1; then
		command -v lighttpd
	elif [ -x /usr/sbin/lighttpd ]; then
		echo /usr/sbin/lighttpd
	fi
}

# Every variable the endpoints read: e2e_setup unsets them, so the checks
# see the defaults whatever the developer's shell holds (the snippets
# copy some of them from the server's environment); a test sets what it
# tries after e2e_setup.
E2E_SERVICE_SETTINGS="JWT_SECRET JWT_SECRET_FILE JWT_ALG ACCESS_TOKEN_TTL_MIN
    JWT_AUDIENCE JWT_ISSUER USERS_FILE POLICY_FILE AUTH_CACHE_SECONDS
    REQUEST_READ_TIMEOUT_SEC FCGI_WEB_SERVER_ADDRS AUTH_DEBUG SESSION_STORE
    SESSION_STORE_PASSWORD_FILE REFRESH_TOKEN_TTL_DAYS REFRESH_TOKEN_IDLE_DAYS
    LOGIN_MAX_FAILURES LOGIN_FAILURE_WINDOW_MIN JWT_KEYS_FILE
    JWT_PRIVATE_KEY_FILE"

e2e_setup()
{
	# shellcheck disable=SC2086 # one word per variable
	unset $E2E_SERVICE_SETTINGS
	E2E_SRCDIR=$(cd "${abs_top_srcdir:-$(dirname "$0")/../..}" && pwd)
	E2E_BUILDDIR=$(cd "${abs_top_builddir:-.}" && pwd)
	[ -f "$E2E_SRCDIR/etc/lighttpd/fcgi-auth.conf" ] ||
	    e2e_die "no etc/lighttpd/fcgi-auth.conf under $E2E_SRCDIR"
	for b in $E2E_ENDPOINTS; do
		[ -x "$E2E_BUILDDIR/cgi-bin/$b.fcgi" ] ||
		    e2e_die "$E2E_BUILDDIR/cgi-bin/$b.fcgi not built (run make)"
	done

	# E2E_NEED_LIGHTTPD=0: a test of another server (tests/deploy).
	E2E_LIGHTTPD=${E2E_LIGHTTPD:-$(e2e_find_lighttpd || true)}
	[ -n "$E2E_LIGHTTPD" ] && [ -x "$E2E_LIGHTTPD" ] ||
	    [ "${E2E_NEED_LIGHTTPD:-1}" = 0 ] ||
	    e2e_skip "lighttpd not installed (apt-get install lighttpd)"
	command -v pgrep >/dev/null 2>&1 ||
	    e2e_skip "pgrep not installed (apt-get install procps)"
	# Debian's python3 first: a python3 earlier in PATH (pyenv, venv)
	# often lacks the distribution's PyJWT.  Both may be set beforehand.
	if [ -z "${E2E_PYTHON:-}" ]; then
		if [ -x /usr/bin/python3 ]; then
			E2E_PYTHON=/usr/bin/python3
		else
			E2E_PYTHON=$(command -v python3 || true)
		fi
	fi
	[ -n "$E2E_PYTHON" ] ||
	    e2e_skip "python3 not installed (apt-get install python3)"
	"$E2E_PYTHON" -c 'import jwt' 2>/dev/null ||
	    e2e_skip "$E2E_PYTHON has no PyJWT (apt-get install python3-jwt)"
	export E2E_PYTHON PYTHONDONTWRITEBYTECODE=1

	# Outside the checkout, where every user can reach it: the servers
	# (tests/deploy's run as www-data) must not need the checkout's
	# folders, which may be private.
	E2E_STATE=$(fa_state_dir fcgi-auth-e2e "$E2E_SRCDIR" "$E2E_BUILDDIR") ||
	    e2e_die "cannot make a state dir"
	chmod 700 "$E2E_STATE"
	trap 'e2e__on_exit' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM HUP

	mkdir "$E2E_STATE/www" "$E2E_STATE/bin"
	# A unix socket path holds at most 107 bytes, and Apache's
	# mod_proxy takes at most 95 ("ProxyPass worker uds path ... too
	# long"); the longest we make is E2E_STATE/sock/projects.sock-NN.
	# A deep TMPDIR gets the sockets in /tmp instead.
	if [ "${#E2E_STATE}" -le 70 ]; then
		E2E_SOCKDIR=$E2E_STATE/sock
		mkdir -m 700 "$E2E_SOCKDIR"
	else
		E2E_SOCKDIR=$(TMPDIR='' fa_state_dir fcgi-auth-sock \
		    "$E2E_SRCDIR" "$E2E_BUILDDIR") ||
		    e2e_die "cannot make a socket dir"
		e2e__sockdir_tmp=$E2E_SOCKDIR
	fi
	# Copies, not links to the build: a server running as another user
	# (tests/deploy) reads them here; and each process's command line
	# names E2E_STATE, so e2e_stop_lighttpd finds every one, and only them.
	E2E_BINDIR=$E2E_STATE/bin
	for b in $E2E_ENDPOINTS; do
		e2e_install_program "$E2E_BUILDDIR/cgi-bin/$b.fcgi"
	done
	E2E_SNIPPET_COPY=$E2E_STATE/fcgi-auth.conf
	# What the snippet serves as static files (var.fcgi_auth_datadir):
	# the OpenAPI document; /docs is what a test puts in docs/.
	E2E_DATADIR=$E2E_STATE/data
	mkdir -p "$E2E_DATADIR/docs"
	cp "$E2E_SRCDIR/etc/openapi.json" "$E2E_DATADIR/"
	cp "$E2E_SRCDIR/etc/lighttpd/fcgi-auth.conf" "$E2E_SNIPPET_COPY"

	E2E_SECRET_FILE=$E2E_STATE/secret
	fa_secret_file "$E2E_SECRET_FILE" || e2e_die "cannot write a secret"
	E2E_USERS_FILE=$E2E_STATE/users
	e2e_write_users "$E2E_USERS_FILE"
	export E2E_SRCDIR E2E_BUILDDIR E2E_STATE E2E_SECRET_FILE \
	    E2E_USERS_FILE E2E_BINDIR E2E_SOCKDIR E2E_SNIPPET_COPY E2E_DATADIR
}

# e2e_install_program PROGRAM: a copy of the built PROGRAM in E2E_BINDIR,
# under its own name, for a server to run.
e2e_install_program()
{
	if ! cp "$1" "$E2E_BINDIR/" || ! chmod 0755 "$E2E_BINDIR/${1##*/}"; then
		e2e_die "cannot copy $1 to $E2E_BINDIR"
	fi
}

# e2e_hash PREFIX PASSWORD: a crypt(5) hash ($y$, $2b$, $6$, $5$).  The
# password goes to the helper on stdin, not on its command line.
e2e_hash()
{
	printf '%s\n' "$2" |
	    "$E2E_PYTHON" "$E2E_SRCDIR/tests/e2e/helper.py" hash "$1"
}

# e2e_add_user FILE NAME PASSWORD ROLE [STATE [VERSION [PREFIX]]]
e2e_add_user()
{
	e2e__h=$(e2e_hash "${7:-\$6\$}" "$3") ||
	    e2e_die "could not hash a password"
	if [ $# -ge 6 ]; then
		printf '%s:%s:%s:%s:%s\n' "$2" "$e2e__h" "$4" "$5" "$6" >>"$1"
	elif [ $# -ge 5 ]; then
		printf '%s:%s:%s:%s\n' "$2" "$e2e__h" "$4" "$5" >>"$1"
	else
		printf '%s:%s:%s\n' "$2" "$e2e__h" "$4" >>"$1"
	fi
}

# e2e_write_users FILE: the users listed at the top of this file.
e2e_write_users()
{
	(umask 077 && : >"$1")
	printf '# fcgi-auth e2e users: name:hash:role[:state[:version]]\n' \
	    >>"$1"
	e2e_add_user "$1" alice alicepass admin active 0 '$y$'
	e2e_add_user "$1" bob bobpass user active 0 '$6$'
	e2e_add_user "$1" carol carolpass user disabled 0 '$y$'
	e2e_add_user "$1" dave davepass user active 3 '$2b$'
	e2e_add_user "$1" erin erinpass guest active 0 '$5$'
}

# e2e_write_lighttpd_conf FILE PORT [SECRET_FILE]: a main config that sets
# the snippet's variables and includes it, as a real install would.
# E2E_SNIPPET, when set, is included instead of the shipped snippet (a
# variant with other pool sizes, say), and E2E_CONF_EXTRA, when set, is
# appended (another fastcgi.server for a benchmark program, say).
e2e_write_lighttpd_conf()
{
	cat >"$1" <<EOF
# written by tests/e2e/lib.sh
server.document-root = "$E2E_STATE/www"
server.bind = "127.0.0.1"
server.port = $2
server.errorlog = "$E2E_STATE/error.log"
server.max-connections = 1024
var.fcgi_auth_bindir = "$E2E_BINDIR"
var.fcgi_auth_secret_file = "${3:-$E2E_SECRET_FILE}"
var.fcgi_auth_users_file = "$E2E_USERS_FILE"
var.fcgi_auth_sockdir = "$E2E_SOCKDIR"
var.fcgi_auth_datadir = "$E2E_DATADIR"
include "${E2E_SNIPPET:-$E2E_SNIPPET_COPY}"
${E2E_CONF_EXTRA:-}
EOF
}

# e2e_start_server LABEL OUT LOG WRITER CMD...: start the server CMD as our
# child, in its own session, its output appended to OUT, after "WRITER
# PORT" wrote its config for a free loopback port; wait until it answers.
# Retries another port when the chosen one was taken meanwhile (as OUT or
# LOG, its error log, says).  Sets E2E_PORT, E2E_URL and E2E_SERVER_PID;
# returns 1, with OUT and LOG in the test's log, if it does not come up.
e2e_start_server()
{
	e2e__label=$1
	e2e__out=$2
	e2e__log=$3
	e2e__writer=$4
	shift 4
	e2e__try=0
	while [ "$e2e__try" -lt 5 ]; do
		e2e__try=$((e2e__try + 1))
		E2E_PORT=$("$E2E_PYTHON" "$E2E_SRCDIR/tests/e2e/helper.py" \
		    port "$E2E_PORT_RANGE") || e2e_die "no free port"
		E2E_URL=http://127.0.0.1:$E2E_PORT
		"$e2e__writer" "$E2E_PORT"
		# Its own session, where available: a Ctrl-C on "make check"
		# then reaches only us, and we stop the server, which stops
		# the endpoints.  Not a group leader, setsid execs in place:
		# $! is the server.
		if command -v setsid >/dev/null 2>&1; then
			setsid "$@" >>"$e2e__out" 2>&1 &
		else
			"$@" >>"$e2e__out" 2>&1 &
		fi
		E2E_SERVER_PID=$!
		if "$E2E_PYTHON" "$E2E_SRCDIR/tests/e2e/helper.py" wait \
		    "$E2E_URL/" 20 "$E2E_SERVER_PID"; then
			export E2E_PORT E2E_URL
			return 0
		fi
		e2e__tree=$(fa_tree "$E2E_SERVER_PID")
		fa_stop "$E2E_SERVER_PID" >/dev/null 2>&1 || true
		# shellcheck disable=SC2086 # pids
		fa_none_left "$e2e__label" $e2e__tree >/dev/null 2>&1 || true
		if ! grep -qi 'address already in use' "$e2e__out" \
		    ${e2e__log:+"$e2e__log"} 2>/dev/null; then
			break
		fi
	done
	e2e_log "e2e: $e2e__label did not come up; its output and log:"
	cat "$e2e__out" ${e2e__log:+"$e2e__log"} >&2 2>/dev/null || true
	return 1
}

# e2e_start_lighttpd [SECRET_FILE]: start lighttpd in the foreground (-D)
# as our child on a free loopback port and wait until it answers
# (e2e_start_server).  Returns 1, with its output in the log, if lighttpd
# does not come up.  One at a time: a lighttpd still running is stopped
# first.
e2e_start_lighttpd()
{
	if [ -n "$e2e__lighttpd_pid" ]; then
		e2e_log "e2e: lighttpd $e2e__lighttpd_pid is still running;" \
		    "stopping it first"
		e2e_stop_lighttpd || true
	fi
	E2E_CONF=$E2E_STATE/lighttpd.conf
	E2E_ERROR_LOG=$E2E_STATE/error.log
	E2E_LIGHTTPD_OUT=$E2E_STATE/lighttpd.out
	e2e__secret_arg=${1:-}
	e2e_start_server lighttpd "$E2E_LIGHTTPD_OUT" "$E2E_ERROR_LOG" \
	    e2e__lighttpd_writer "$E2E_LIGHTTPD" -D -f "$E2E_CONF" || return 1
	e2e__lighttpd_pid=$E2E_SERVER_PID
	E2E_LIGHTTPD_PID=$E2E_SERVER_PID
	export E2E_LIGHTTPD_PID E2E_CONF E2E_ERROR_LOG E2E_LIGHTTPD_OUT
}

e2e__lighttpd_writer()
{
	e2e_write_lighttpd_conf "$E2E_CONF" "$1" "$e2e__secret_arg"
}

# Stop our lighttpd (SIGTERM, SIGKILL after 10 s), reap it, then make sure
# no process started from E2E_STATE is left (lighttpd stops the endpoints
# it spawned).  Leftovers are reported, killed by pid, and make it return
# 1; so does a process of lighttpd's that ran from the checkout
# (e2e_runs_from_state).
e2e_stop_lighttpd()
{
	e2e__rc=0
	if [ -n "$e2e__lighttpd_pid" ]; then
		# shellcheck disable=SC2046 # pids
		e2e_runs_from_state $(fa_tree "$e2e__lighttpd_pid") ||
		    e2e__rc=1
		fa_stop "$e2e__lighttpd_pid" || e2e__rc=1
		e2e__lighttpd_pid=
	fi
	# The endpoints get SIGTERM from lighttpd; give them a moment.
	fa_none_left lighttpd "$E2E_STATE/" || e2e__rc=1
	return "$e2e__rc"
}

# e2e_runs_from_state PID...: fail, naming each, if a server's config in
# E2E_STATE (*.conf, *.service, fcgi-auth-spawn; not under E2E_GUARD_SKIP,
# if set) or one of the processes PID (its program, links resolved, or its
# command line) names a path in the checkout (E2E_SRCDIR or
# E2E_BUILDDIR).  What the servers run must be
# copied or installed into E2E_STATE: a checkout may be under a folder
# other users cannot enter, and a server that drops to www-data then
# cannot read it.  This checks that wherever the checkout is, so a test
# run from a world-readable checkout also fails when the rule is broken.
e2e_runs_from_state()
{
	e2e__rc=0
	e2e__bad=$(e2e__server_files | while IFS= read -r e2e__f; do
		if [ -n "$(e2e__in_tree "$(cat "$e2e__f")")" ]; then
			printf '%s\n' "$e2e__f"
		fi
	done)
	if [ -n "$e2e__bad" ]; then
		e2e_log "e2e: server configs that name the checkout:"
		printf '%s\n' "$e2e__bad" | while IFS= read -r e2e__f; do
			e2e_log "  $e2e__f:"
			e2e__in_tree "$(cat "$e2e__f")" |
			    while IFS= read -r e2e__d; do
				grep -nF -- "$e2e__d/" "$e2e__f" >&2 || true
			done
		done
		e2e__rc=1
	fi
	for e2e__p in "$@"; do
		e2e__what="$(readlink "/proc/$e2e__p/exe" 2>/dev/null) $(tr \
		    '\0' ' ' <"/proc/$e2e__p/cmdline" 2>/dev/null)"
		if [ -n "$(e2e__in_tree "$e2e__what")" ]; then
			e2e_log "e2e: pid $e2e__p runs from the checkout:" \
			    "$e2e__what"
			e2e__rc=1
		fi
	done
	return "$e2e__rc"
}

# e2e__server_files: the servers' configs in E2E_STATE, one a line; not
# those under E2E_GUARD_SKIP (tests/deploy's DESTDIR, whose files name the
# install paths, which make distcheck puts in its build tree: the servers
# get copies with the paths moved).
e2e__server_files()
{
	if [ -n "${E2E_GUARD_SKIP:-}" ]; then
		set -- -path "$E2E_GUARD_SKIP" -prune -o
	else
		set --
	fi
	find "$E2E_STATE" ${e2e__sockdir_tmp:+"$e2e__sockdir_tmp"} "$@" \
	    -type f \( -name '*.conf' -o -name '*.service' -o \
	    -name fcgi-auth-spawn \) -print 2>/dev/null
}

# e2e__in_tree TEXT: the checkout's top dirs (E2E_SRCDIR, E2E_BUILDDIR,
# each as given and with links resolved) that TEXT names a path in.  Only
# a path that starts there counts: after a space, a quote, "=", ":", ","
# or "(", or at the start.  A DESTDIR install of a prefix in the build
# tree (make distcheck's) names DESTDIR/BUILDDIR/..., which is no path in
# the checkout.
e2e__in_tree()
{
	for e2e__t in "$E2E_SRCDIR" "$E2E_BUILDDIR"; do
		for e2e__u in "$e2e__t" "$(cd "$e2e__t" 2>/dev/null &&
		    pwd -P)"; do
			[ -n "$e2e__u" ] || continue
			e2e__rest=$1
			while :; do
				case $e2e__rest in
				*"$e2e__u/"*) ;;
				*) break ;;
				esac
				e2e__before=${e2e__rest%%"$e2e__u/"*}
				case ${e2e__before#"${e2e__before%?}"} in
				''|' '|'	'|'
'|'"'|"'"|=|:|,|'(')
					printf '%s\n' "$e2e__u"
					break
					;;
				esac
				# What follows, after the "/" it followed.
				e2e__rest=/${e2e__rest#*"$e2e__u/"}
			done
		done
	done | sort -u
}

# e2e_check NAME COMMAND [ARGS...]: run one named check.  The command
# prints its own expected/got on failure and returns non-zero.
e2e_check()
{
	e2e__name=$1
	shift
	if "$@"; then
		e2e__passed=$((e2e__passed + 1))
		printf 'ok - %s\n' "$e2e__name"
	else
		e2e__failed=$((e2e__failed + 1))
		printf 'not ok - %s\n' "$e2e__name"
	fi
}

# e2e_expect WHAT EXPECTED GOT: compare two strings; print both if they
# differ.  For use inside checks: e2e_expect "status" 200 "$s" || return 1
e2e_expect()
{
	if [ "$2" = "$3" ]; then
		return 0
	fi
	printf '#   %s\n#     expected: %s\n#          got: %s\n' "$1" "$2" "$3"
	return 1
}

e2e_finish()
{
	printf '# e2e %s: %d passed, %d failed\n' "$(basename "$0")" \
	    "$e2e__passed" "$e2e__failed"
	[ "$e2e__failed" -eq 0 ]
}

# e2e_no_sanitizer_reports [FILE...]: fail, showing them, if an
# AddressSanitizer or UBSan report (an --enable-sanitizers build) is in
# lighttpd's output (the endpoints' own stderr), its error log or FILEs.
# Run it after e2e_stop_lighttpd: some reports come only at exit.
e2e_no_sanitizer_reports()
{
	if cat "$E2E_LIGHTTPD_OUT" "$E2E_ERROR_LOG" "$@" 2>/dev/null |
	    grep -E 'Sanitizer|runtime error:'; then
		return 1
	fi
}

# e2e_at_exit COMMAND: eval COMMAND on exit, before lighttpd is stopped
# (to stop another server the test started, say).
e2e_at_exit()
{
	e2e__at_exit="$e2e__at_exit; $1"
}

e2e__on_exit()
{
	e2e__status=$?
	trap - EXIT INT TERM HUP
	eval "$e2e__at_exit" || e2e__status=1
	if [ -n "$e2e__lighttpd_pid" ]; then
		e2e_stop_lighttpd || e2e__status=1
	fi
	if [ "$e2e__status" -ne 0 ] && [ "$e2e__status" -ne 77 ] ||
	    [ "${E2E_KEEP:-0}" = 1 ]; then
		e2e_log "e2e: state kept in $E2E_STATE"
	else
		rm -rf "$E2E_STATE"
	fi
	if [ -n "$e2e__sockdir_tmp" ]; then
		rm -rf "$e2e__sockdir_tmp"
	fi
	exit "$e2e__status"
}

# --- a session store --------------------------------------------------------

# e2e_find_redis: redis-server (from PATH, else /usr/bin, /usr/sbin).
e2e_find_redis()
{
	for e2e__r in "$(command -v redis-server 2>/dev/null)" \
	    /usr/bin/redis-server /usr/sbin/redis-server; do
		if [ -n "$e2e__r" ] && [ -x "$e2e__r" ]; then
			echo "$e2e__r"
			return 0
		fi
	done
	return 1
}

# e2e_start_redis: a redis-server of our own on a free loopback port, its
# data in E2E_STATE/redis, as docs/deploy.md says to run it (appendonly,
# appendfsync always, noeviction), no unix socket, in the foreground as
# our child; waits (10 s at most) until it answers PING.  Sets
# E2E_REDIS_PORT, E2E_REDIS_PID and E2E_REDIS_URL (redis://127.0.0.1:PORT);
# stopped on exit.  Returns 1, with its log, if it does not come up.  Run
# it again after e2e_stop_redis: the same port and data.
e2e_start_redis()
{
	e2e__redis=$(e2e_find_redis) || return 1
	mkdir -p "$E2E_STATE/redis"
	if [ -z "${E2E_REDIS_PORT:-}" ]; then
		E2E_REDIS_PORT=$("$E2E_PYTHON" "$E2E_SRCDIR/tests/e2e/helper.py" \
		    port "$E2E_PORT_RANGE") || e2e_die "no free port"
		e2e_at_exit 'e2e_stop_redis'
	fi
	E2E_REDIS_URL=redis://127.0.0.1:$E2E_REDIS_PORT
	"$e2e__redis" --port "$E2E_REDIS_PORT" --bind 127.0.0.1 \
	    --unixsocket '' --dir "$E2E_STATE/redis" --appendonly yes \
	    --appendfsync always --save '' --maxmemory-policy noeviction \
	    --daemonize no >>"$E2E_STATE/redis.log" 2>&1 &
	E2E_REDIS_PID=$!
	if ! fa_wait_for 10 "$E2E_REDIS_PID" e2e__redis_up; then
		e2e_log "e2e: redis-server did not come up:"
		cat "$E2E_STATE/redis.log" >&2
		e2e_stop_redis
		return 1
	fi
	export E2E_REDIS_PORT E2E_REDIS_PID E2E_REDIS_URL
}

e2e__redis_up()
{
	[ "$(e2e_redis_cli PING 2>/dev/null)" = PONG ]
}

# e2e_redis_cli ARGS...: a command to our redis-server.
e2e_redis_cli()
{
	redis-cli -h 127.0.0.1 -p "$E2E_REDIS_PORT" "$@"
}

# e2e_stop_redis: SIGTERM to our redis-server, wait for it (fa_stop).
e2e_stop_redis()
{
	if [ -n "${E2E_REDIS_PID:-}" ]; then
		fa_stop "$E2E_REDIS_PID" || true
		E2E_REDIS_PID=
	fi
}

# e2e_lock_sqlite DB: a writer holding BEGIN EXCLUSIVE on the SQLite
# database DB (a session store "down": locked) until e2e_unlock_sqlite.
# Returns 1 if it could not take the lock within 10 s.
e2e_lock_sqlite()
{
	: >"$E2E_STATE/locked"
	"$E2E_PYTHON" -c '
import os, sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=10)
c.execute("BEGIN EXCLUSIVE")
open(sys.argv[2] + ".held", "w").close()
while os.path.exists(sys.argv[2]):
    time.sleep(0.05)
c.execute("ROLLBACK")
' "$1" "$E2E_STATE/locked" &
	e2e__locker=$!
	fa_wait_for 10 "$e2e__locker" test -f "$E2E_STATE/locked.held"
}

e2e_unlock_sqlite()
{
	rm -f "$E2E_STATE/locked" "$E2E_STATE/locked.held"
	wait "$e2e__locker" 2>/dev/null || true
}
