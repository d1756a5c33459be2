# lib.sh -- sourced by tests/deploy/*.sh: "make install" into a temporary
# DESTDIR, then a real web server run from the installed config
#
#	. "${abs_top_srcdir:-$(dirname "$0")/../..}/tests/deploy/lib.sh"
#	deploy_setup LABEL PROGRAM...	# skips (77) without a PROGRAM
#	deploy_conf FILE [FROM=TO...]	# an installed file, paths moved
#	deploy_spawn start|stop [NAME...]	# the installed fcgi-auth-spawn
#	deploy_pool_size FILE START KEY	# a pool's size in a server's config
#	deploy_sessions_on		# a SQLite session store for the endpoints
#	deploy_start_server WRITER CMD...	# as our child; sets E2E_URL
#	deploy_common_checks		# the contract and friends
#	deploy_protect_setup SERVER	# your own paths behind the authorizer
#	deploy_protect_checks		# ... through the server (protect.py)
#	deploy_stop_server		# and nothing of ours left running
#	e2e_finish
#
# On tests/e2e/lib.sh (e2e_setup, e2e_check, e2e_expect, the state dir, the
# secret and the users).  "make check" sets the FA_* variables below from
# the Makefile (AM_TESTS_ENVIRONMENT).  The installed files name the real
# install paths (FA_pkglibexecdir, ...); deploy_conf rewrites copies of
# them to the DESTDIR ones, and the sockets' dir to E2E_SOCKDIR, so the
# servers run exactly the shipped configuration, moved.
#
# Set here: DEPLOY_DEST (the DESTDIR), DEPLOY_ETC and DEPLOY_BIN (the
# installed pkgsysconfdir and pkglibexecdir, or shorter links to them),
# DEPLOY_CONF (rewritten copies),
# DEPLOY_WEB_USER (www-data when root, else empty: the servers then run
# as us), DEPLOY_SERVER_LOG (set by the caller: the server's error log).
# DEPLOY_LOGIN_PROCS and DEPLOY_ME_PROCS: how many processes the login and
# /me pools have under the server tested (deploy_spawn sets them; a test
# whose server starts the endpoints reads them from its config with
# deploy_pool_size); deploy_check_slow_body needs them.
#
# Everything a server reads is in E2E_STATE, which tests/e2e/lib.sh makes
# outside the checkout in a temp dir every user can reach: as root the
# servers and endpoints run as www-data, which may not enter the folder
# the checkout is in (/root is 0700).  deploy_stop_server checks that no
# server config or process names the checkout (e2e_runs_from_state).

# This machine's share of ports, unless told otherwise.
E2E_PORT_RANGE=${E2E_PORT_RANGE:-20000-20999}
. "${abs_top_srcdir:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
deploy__pid=
deploy__tree=
deploy__spawn_names=
deploy__upstream_pid=
deploy__short=
deploy__spawned=0
DEPLOY_SERVER_LOG=${DEPLOY_SERVER_LOG:-}

# deploy_find PROGRAM: its path, in PATH or the sbin dirs make check's
# PATH may lack.
deploy_find()
{
	command -v "$1" 2>/dev/null && return 0
	for d in /usr/sbin /usr/bin /sbin /usr/local/sbin; do
		if [ -x "$d/$1" ]; then
			echo "$d/$1"
			return 0
		fi
	done
	return 1
}

# deploy_setup LABEL [PROGRAM...]: skip unless every PROGRAM is there;
# the e2e state dir, secret and users; then "make install DESTDIR=".
deploy_setup()
{
	DEPLOY_LABEL=$1
	shift
	for p in "$@"; do
		deploy_find "$p" >/dev/null || e2e_skip "$p not installed" \
		    "(scripts/check installs it: apt-get install $(
		    deploy__package "$p"))"
	done
	[ -n "${FA_pkglibexecdir:-}" ] ||
	    e2e_die "FA_* not set: run me with make check TESTS=$0"
	case $DEPLOY_LABEL in
	lighttpd*) ;;
	*) E2E_NEED_LIGHTTPD=0 ;;
	esac
	e2e_setup
	# On any exit, before lib.sh removes the state dir.
	e2e_at_exit deploy__on_exit
	DEPLOY_TOOL=$E2E_SRCDIR/tests/deploy/tool.py
	DEPLOY_DEST=$E2E_STATE/dest
	# Installed as is, with the install paths: the servers get moved
	# copies (deploy_conf).
	E2E_GUARD_SKIP=$DEPLOY_DEST
	DEPLOY_CONF=$E2E_STATE/conf
	mkdir "$DEPLOY_CONF"
	if [ "$(id -u)" -eq 0 ]; then
		id www-data >/dev/null 2>&1 ||
		    e2e_skip "running as root, and there is no user www-data" \
		    "for the servers to run as"
		DEPLOY_WEB_USER=www-data
	else
		DEPLOY_WEB_USER=
	fi
	deploy_install
}

deploy__package()
{
	case $1 in
	apache2) echo "apache2 libapache2-mod-fcgid" ;;
	caddy) echo caddy ;;
	systemd-analyze) echo systemd ;;
	*) echo "$1" ;;
	esac
}

# make install into DEPLOY_DEST, as a packager would; then the e2e secret
# and users where the installed configs expect them.
deploy_install()
{
	t0=$(date +%s)
	# A make of our own: not the jobserver of the make check above us.
	# umask 022, as a packager's: the web server's user must get through
	# the installed folders.
	if ! (cd "$E2E_BUILDDIR" && umask 022 && MAKEFLAGS='' MFLAGS='' \
	    ${FA_MAKE:-make} -s install DESTDIR="$DEPLOY_DEST") \
	    >"$E2E_STATE/install.log" 2>&1; then
		cat "$E2E_STATE/install.log" >&2
		e2e_die "make install DESTDIR=$DEPLOY_DEST failed"
	fi
	for b in $E2E_ENDPOINTS; do
		[ -x "$DEPLOY_DEST$FA_pkglibexecdir/$b.fcgi" ] ||
		    e2e_die "make install put no $FA_pkglibexecdir/$b.fcgi"
	done
	etc=$DEPLOY_DEST$FA_pkgsysconfdir
	DEPLOY_ETC=$etc
	DEPLOY_BIN=$DEPLOY_DEST$FA_pkglibexecdir
	# mod_fcgid cuts an InitialEnv value to 127 bytes without a word, and
	# refuses to start a program whose path is over 255 ("Executable
	# path length exceeds compiled-in limit").  A deep state dir (under
	# a deep TMPDIR) exceeds both: the configs then name the installed
	# etc and bin dirs through links in a short dir in /tmp.
	if [ "${#DEPLOY_ETC}" -gt 100 ] || [ "${#DEPLOY_BIN}" -gt 100 ]; then
		deploy__short=$(TMPDIR='' fa_state_dir fcgi-auth-deploy \
		    "$E2E_SRCDIR" "$E2E_BUILDDIR") ||
		    e2e_die "cannot make a short dir for links"
		e2e_at_exit 'rm -rf "$deploy__short"'
		chmod 0755 "$deploy__short"
		ln -s "$DEPLOY_ETC" "$deploy__short/etc"
		ln -s "$DEPLOY_BIN" "$deploy__short/bin"
		DEPLOY_ETC=$deploy__short/etc
		DEPLOY_BIN=$deploy__short/bin
	fi
	# The endpoints read both as the web server's user (mod_fcgid, and
	# spawn-fcgi -u): 0640, that user's group, as docs/deploy.md says.
	cp "$E2E_SECRET_FILE" "$etc/jwt-secret"
	cp "$E2E_USERS_FILE" "$etc/users"
	chmod 0640 "$etc/jwt-secret" "$etc/users"
	if [ -n "$DEPLOY_WEB_USER" ]; then
		chgrp "$DEPLOY_WEB_USER" "$etc/jwt-secret" "$etc/users"
		# lib.sh made these 0700: let the web server's group through.
		chgrp "$DEPLOY_WEB_USER" "$E2E_STATE" "$E2E_SOCKDIR"
		chmod 0750 "$E2E_STATE" "$E2E_SOCKDIR"
		# fa_state_dir put E2E_STATE where every user can reach it,
		# unless no temp dir lets them (it said so).
		if ! setpriv --reuid="$DEPLOY_WEB_USER" \
		    --regid="$DEPLOY_WEB_USER" --init-groups sh -c \
		    'test -x "$1" && test -r "$2"' sh \
		    "$DEPLOY_BIN/me.fcgi" "$DEPLOY_ETC/users" \
		    2>/dev/null; then
			e2e_skip "$DEPLOY_WEB_USER cannot reach $E2E_STATE" \
			    "(a folder above it is private): set TMPDIR to" \
			    "a folder every user can enter"
		fi
	fi
	e2e_log "e2e: make install DESTDIR=$DEPLOY_DEST:" \
	    "$(($(date +%s) - t0)) s"
}

# deploy_conf FILE [FROM=TO...]: a copy of the installed FILE (its real
# path) in DEPLOY_CONF, every install path in it moved under DEPLOY_DEST
# and the sockets' dirs (the spawn-fcgi pools' and lighttpd's own) to
# E2E_SOCKDIR, and each FROM replaced by its TO; prints the copy's path.
deploy_conf()
{
	deploy__in=$1
	out=$DEPLOY_CONF/$(basename "$1")
	shift
	set -- "$@" "$FA_sockdir=$E2E_SOCKDIR"
	if [ -n "${FA_lighttpd_sockdir:-}" ]; then
		set -- "$@" "$FA_lighttpd_sockdir=$E2E_SOCKDIR"
	fi
	"$E2E_PYTHON" "$DEPLOY_TOOL" subst "$DEPLOY_DEST$deploy__in" "$out" \
	    "$FA_pkglibexecdir=$DEPLOY_BIN" \
	    "$FA_pkgsysconfdir=$DEPLOY_ETC" \
	    "$FA_pkgdatadir=$DEPLOY_DEST$FA_pkgdatadir" \
	    "$FA_sbindir=$DEPLOY_DEST$FA_sbindir" \
	    "$FA_docdir=$DEPLOY_DEST$FA_docdir" \
	    "$@" >&2 ||
	    e2e_die "cannot move the paths in $deploy__in"
	echo "$out"
}

# deploy_spawn start|stop [NAME...]: the installed fcgi-auth-spawn, paths
# moved, for the pools NAME (default: its own four; stop stops those
# start started), with two processes per pool (DEPLOY_LOGIN_PROCS and
# DEPLOY_ME_PROCS; alone, fcgi-auth-spawn gives login one), and the
# options in DEPLOY_SPAWN_OPTS (-p PORT); as root the endpoints run as the
# web server's user, and that group may connect.
deploy_spawn()
{
	cmd=$1
	shift
	[ "$cmd" != start ] || deploy__spawn_names=$*
	spawn=$(deploy_conf "$FA_sbindir/fcgi-auth-spawn")
	# shellcheck disable=SC2086 # options and names, no spaces
	set -- ${DEPLOY_SPAWN_OPTS:-}
	if [ -n "$DEPLOY_WEB_USER" ]; then
		set -- "$@" -u "$DEPLOY_WEB_USER" -g "$DEPLOY_WEB_USER"
	fi
	if [ "$cmd" = start ]; then
		DEPLOY_LOGIN_PROCS=2
		DEPLOY_ME_PROCS=2
		set -- "$@" -l "$DEPLOY_LOGIN_PROCS" -t "$DEPLOY_ME_PROCS"
		deploy__spawned=1
	fi
	# shellcheck disable=SC2086 # names
	"$spawn" "$@" "$cmd" ${deploy__spawn_names:-} || return 1
	[ "$cmd" != stop ] || deploy__spawned=0
}

# deploy_pool_size FILE START KEY: the number after the fixed string KEY on
# the first line that has it at or after the first line matching the
# regular expression START, in FILE (a pool's size in a server's config:
# "max-procs" => N after login.fcgi, say); nothing if there is none.
deploy_pool_size()
{
	# Through the environment: awk -v would take backslashes as escapes.
	deploy__start=$2 deploy__key=$3 awk '
	    BEGIN { start = ENVIRON["deploy__start"]
		key = ENVIRON["deploy__key"] }
	    !on && $0 ~ start { on = 1 }
	    on && (i = index($0, key)) > 0 {
		rest = substr($0, i + length(key))
		if (match(rest, /^[ \t]*[0-9]+/)) {
			n = substr(rest, RSTART, RLENGTH)
			gsub(/[ \t]/, "", n)
			print n
		}
		exit
	    }' "$1"
}

# deploy_start_server WRITER CMD...: start a server as our child after
# "WRITER PORT" wrote its config for a free port, and wait until it
# answers (e2e_start_server).  Sets E2E_PORT, E2E_URL.
deploy_start_server()
{
	e2e_start_server "$DEPLOY_LABEL" "$E2E_STATE/server.out" \
	    "$DEPLOY_SERVER_LOG" "$@" || return 1
	deploy__pid=$E2E_SERVER_PID
}

# Stop the server (SIGTERM, SIGKILL after 10 s) and the spawn-fcgi pools;
# then no process it started and none started from E2E_STATE may be left.
# Before that, none of them may run from the checkout, and no config of
# theirs name it (e2e_runs_from_state).
deploy_stop_server()
{
	rc=0
	deploy__tree=
	if [ -n "$deploy__pid" ]; then
		# Its workers and endpoints, as they are now.
		deploy__tree=$(fa_tree "$deploy__pid")
	fi
	# shellcheck disable=SC2046,SC2086 # pids
	e2e_runs_from_state $deploy__tree $(e2e_pids_matching "$E2E_STATE/") \
	    ${deploy__short:+$(e2e_pids_matching "$deploy__short/")} || rc=1
	if [ -n "$deploy__pid" ]; then
		fa_stop "$deploy__pid" || rc=1
		deploy__pid=
	fi
	if [ "$deploy__spawned" = 1 ]; then
		deploy_spawn stop || rc=1
	fi
	# shellcheck disable=SC2086 # pids
	fa_none_left "$DEPLOY_LABEL" $deploy__tree "$E2E_STATE/" \
	    ${deploy__short:+"$deploy__short/"} || rc=1
	return "$rc"
}

deploy__on_exit()
{
	deploy_upstream_stop || true
	if [ -n "$deploy__pid" ] || [ "$deploy__spawned" = 1 ]; then
		deploy_stop_server
	fi
}

# --- checks shared by every server ---------------------------------------

deploy_check_contract()
{
	"$E2E_PYTHON" "$E2E_SRCDIR/tests/e2e/contract.py" --url "$E2E_URL" \
	    --secret-file "$E2E_SECRET_FILE" \
	    ${SESSION_STORE:+--sessions}
}

# deploy_sessions_on: the endpoints get a session store, as
# docs/deploy.md says: SESSION_STORE=sqlite:DEPLOY_VAR/sessions.db, its
# folder the endpoints' user's (the web server's, as root), 0700; and no
# login throttling (LOGIN_MAX_FAILURES=0: the contract fails many logins
# from one address; tests/e2e/throttle.sh tests the throttle).  Exported:
# the servers that start the endpoints copy them from their environment
# (lighttpd), fcgi-auth-spawn passes them on; mod_fcgid needs InitialEnv
# lines (deploy_fcgid_sessions).
deploy_sessions_on()
{
	DEPLOY_VAR=$E2E_STATE/var
	mkdir -m 0700 "$DEPLOY_VAR"
	[ -z "$DEPLOY_WEB_USER" ] ||
	    chown "$DEPLOY_WEB_USER:$DEPLOY_WEB_USER" "$DEPLOY_VAR"
	if [ -n "$deploy__short" ]; then
		ln -s "$DEPLOY_VAR" "$deploy__short/var"
		DEPLOY_VAR=$deploy__short/var
	fi
	SESSION_STORE=sqlite:$DEPLOY_VAR/sessions.db
	LOGIN_MAX_FAILURES=0
	export SESSION_STORE LOGIN_MAX_FAILURES DEPLOY_VAR
}

# deploy_fcgid_sessions SNIPPET: the session settings as InitialEnv lines
# in every FcgidCmdOptions block of the (copied) mod_fcgid SNIPPET, after
# its USERS_FILE line, as docs/deploy.md says to add them.
deploy_fcgid_sessions()
{
	sed -i "s|^\(	InitialEnv USERS_FILE=.*\)\$|\1 \\\\\\
	InitialEnv SESSION_STORE=$SESSION_STORE \\\\\\
	InitialEnv LOGIN_MAX_FAILURES=$LOGIN_MAX_FAILURES|" "$1"
}

# README's walkthrough through the server: login, refresh, /me with the
# new token, logout, and then the token and the refresh token refused
# (tests/e2e/sessions.py walkthrough).
deploy_check_refresh()
{
	"$E2E_PYTHON" "$E2E_SRCDIR/tests/e2e/sessions.py" walkthrough \
	    "$E2E_URL" ""
}

# What the config serves besides the endpoints, from the installed data
# folder: /openapi.json (the installed document, as JSON), /healthz (200)
# and /docs: the installed page, or a stand-in when none is (what is
# checked is the routing; the page has its own test, in a browser).
deploy_check_served()
{
	deploy__docs=$DEPLOY_DEST$FA_pkgdatadir/docs
	if [ ! -f "$deploy__docs/index.html" ]; then
		(umask 022 && mkdir -p "$deploy__docs" &&
		    printf '<!DOCTYPE html><title>docs</title>\n' \
		    >"$deploy__docs/index.html" &&
		    printf 'console.log("docs");\n' >"$deploy__docs/app.js") ||
		    return 1
	fi
	"$E2E_PYTHON" "$E2E_SRCDIR/tests/e2e/openapi.py" served "$E2E_URL" \
	    "$DEPLOY_DEST$FA_pkgdatadir/openapi.json" \
	    "$DEPLOY_DEST$FA_pkgdatadir/docs"
}

# A refusal reaches the server's error log as one line from the endpoint
# (the FastCGI stderr stream, or the endpoint's own stderr).
deploy_check_log_line()
{
	token=$("$E2E_PYTHON" "$E2E_SRCDIR/tests/e2e/helper.py" token \
	    "$E2E_SECRET_FILE" carol user)
	got=$(printf 'Bearer %s\n' "$token" | "$E2E_PYTHON" \
	    "$E2E_SRCDIR/tests/e2e/helper.py" http GET "$E2E_URL/me" \
	    'Authorization: -' | sed -n 1p)
	e2e_expect "GET /me as disabled carol" 401 "$got" || return 1
	e2e_expect "carol's refusal in $DEPLOY_SERVER_LOG" yes "$(fa_wait_for \
	    10 - grep -q 'me\.fcgi: 401 "User disabled" user=carol' \
	    "$DEPLOY_SERVER_LOG" 2>/dev/null && echo yes || echo no)"
}

# The secret is on no command line and in no log; the installed copy is
# not world-readable.
deploy_check_secret_kept()
{
	# grep -f: the secret must not be on grep's command line either.
	e2e_expect "processes with the secret in their arguments" 0 \
	    "$(ps -e -o args= | grep -cF -f "$E2E_SECRET_FILE" || true)" ||
	    return 1
	e2e_expect "the secret in the server's logs" 0 "$(cat \
	    "$E2E_STATE/server.out" "$DEPLOY_SERVER_LOG" 2>/dev/null |
	    grep -cF -f "$E2E_SECRET_FILE" || true)" || return 1
	e2e_expect "mode of the installed jwt-secret" 640 "$(stat -c %a \
	    "$DEPLOY_DEST$FA_pkgsysconfdir/jwt-secret")"
}

# deploy_check_bodies EXPECTED: tool.py bodies' lines, as expected.
deploy_check_bodies()
{
	got=$("$E2E_PYTHON" "$DEPLOY_TOOL" bodies "$E2E_URL")
	e2e_expect "bodies the contract does not send" "$1" "$got" || {
		printf '%s\n' "$1" >"$E2E_STATE/bodies.want"
		printf '%s\n' "$got" >"$E2E_STATE/bodies.got"
		diff "$E2E_STATE/bodies.want" "$E2E_STATE/bodies.got" |
		    sed 's/^/#   /'
		return 1
	}
}

# The bodies lines when the endpoints' own limit answers throughout.
deploy__413='413 application/json {"detail":"Request body too large"}'
deploy__200='200 application/json {"access_token":...}'
DEPLOY_BODIES_JSON="declared_2MiB $deploy__413
chunked_100B $deploy__200
chunked_20KiB $deploy__200
chunked_64KiB $deploy__200
chunked_64KiB+1 $deploy__413
chunked_200KiB $deploy__413
chunked_2MiB $deploy__413"

# No AddressSanitizer or UBSan report (an --enable-sanitizers build) in
# what the server logged of the endpoints' stderr: for the servers that
# start the endpoints (lighttpd bin-path, mod_fcgid).  spawn-fcgi sends
# its children's stderr to /dev/null.
deploy_check_no_sanitizer_reports()
{
	if cat "$E2E_STATE/server.out" "$DEPLOY_SERVER_LOG" 2>/dev/null |
	    grep -E 'Sanitizer|runtime error:'; then
		return 1
	fi
}

# How the endpoints read Authorization, through this server: the scheme
# before the first space, any case; the token after that one space.  The
# server drops the spaces and tabs around the header's value (HTTP's
# optional whitespace) before the endpoint sees it.  (README.md, "HTTP
# contract".)
DEPLOY_BEARER="exact 200 ok
lower_case 200 ok
upper_case 200 ok
no_space_after_colon 200 ok
spaces_before 200 ok
space_after 200 ok
tab_after 200 ok
two_spaces 401 Invalid or expired token
tab_between 401 Not authenticated
scheme_only 401 Invalid or expired token
basic 401 Not authenticated"

deploy_check_bearer()
{
	deploy__tool_check "Authorization headers" "$DEPLOY_BEARER" bearer \
	    alice admin
}

# deploy__tool_check WHAT WANT COMMAND USER ROLE: tool.py COMMAND against
# the server, given a token for USER (on stdin, out of argv); its lines
# must be WANT.
deploy__tool_check()
{
	token=$("$E2E_PYTHON" "$E2E_SRCDIR/tests/e2e/helper.py" token \
	    "$E2E_SECRET_FILE" "$4" "$5")
	got=$(printf '%s\n' "$token" | "$E2E_PYTHON" "$DEPLOY_TOOL" "$3" \
	    "$E2E_URL")
	deploy__expect_lines "$1" "$2" "$got"
}

# deploy__expect_lines WHAT EXPECTED GOT: like e2e_expect, for lines, with
# a diff.
deploy__expect_lines()
{
	e2e_expect "$1" "$2" "$3" || {
		printf '%s\n' "$2" >"$E2E_STATE/lines.want"
		printf '%s\n' "$3" >"$E2E_STATE/lines.got"
		diff "$E2E_STATE/lines.want" "$E2E_STATE/lines.got" |
		    sed 's/^/#   /'
		return 1
	}
}

# A client that sends part of its body and then waits (issue 9, finding
# 3): as many such clients on /auth/login as the login pool has processes
# (DEPLOY_LOGIN_PROCS), and on /me as /me has (DEPLOY_ME_PROCS; a POST:
# lighttpd answers a GET with a body 400 at once), each sending
# "Content-Length: 30" and 14 bytes of body, then nothing.  A
# server that streams a body to the endpoint as it comes would hand each
# of them a process, which then waits for the rest: the whole pool.  Then
# an ordinary login and an ordinary GET /me must each be answered 200
# while every slow client is still waiting for its answer; under
# streaming they could only be answered after the server gave up on a
# slow client (every server's read timeout is 60 s here), later than the
# 30 s they are given.  Unless the server had read every slow client's
# head and partial body before the ordinary requests were sent (tool.py
# waits for that, and reports how many), the check fails: it would not
# have tested what it says.  And the slow clients must have reached no
# endpoint (no connection to the sockets in E2E_SOCKDIR), before the
# ordinary requests nor once they were answered: the server reads a
# whole body before it picks a process.
# lighttpd, nginx and mod_fcgid do that by themselves; mod_proxy_fcgi
# does it under proxy-sendcl with an input filter in the request's chain
# (fcgi-auth-proxy.conf: SetInputFilter BUFFER), and streams without.
# One slow client per process: a pool of N is pinned by N of them, and
# more would only queue behind those.  The pools tested: lighttpd's own
# (max-procs), login 1 and /me 2; deploy_spawn's, 2 and 2 (fcgi-auth-spawn
# alone gives login 1); mod_fcgid's classes, which it fills on demand up
# to MaxProcesses, 4 and 16: were it to stream, 4 slow logins would take
# every login process it may start, and the next login would wait.
deploy_check_slow_body()
{
	if [ -z "${DEPLOY_LOGIN_PROCS:-}" ] || [ -z "${DEPLOY_ME_PROCS:-}" ]; then
		e2e_die "DEPLOY_LOGIN_PROCS and DEPLOY_ME_PROCS not set: how" \
		    "many processes has each pool?"
	fi
	token=$("$E2E_PYTHON" "$E2E_SRCDIR/tests/e2e/helper.py" token \
	    "$E2E_SECRET_FILE" alice admin)
	got=$(printf '%s\n' "$token" | "$E2E_PYTHON" "$DEPLOY_TOOL" slowbody \
	    "$E2E_URL" "$E2E_SOCKDIR" "$DEPLOY_LOGIN_PROCS" "$DEPLOY_ME_PROCS")
	slow=$((DEPLOY_LOGIN_PROCS + DEPLOY_ME_PROCS))
	deploy__expect_lines "ordinary requests beside stalled bodies" \
	    "$(printf 'slow clients read by the server: %s/%s
slow clients at the endpoints: 0
login 200 slow-unanswered=%s/%s
me 200 slow-unanswered=%s/%s' "$slow" "$slow" \
	    "$DEPLOY_LOGIN_PROCS" "$DEPLOY_LOGIN_PROCS" \
	    "$DEPLOY_ME_PROCS" "$DEPLOY_ME_PROCS")" "$got"
}

deploy_common_checks()
{
	e2e_check "$DEPLOY_LABEL: contract (HTTP)" deploy_check_contract
	e2e_check "$DEPLOY_LABEL: /openapi.json, /healthz, /docs" \
	    deploy_check_served
	e2e_check "$DEPLOY_LABEL: /auth/signin and /auth/signout routed" \
	    "$E2E_PYTHON" "$E2E_SRCDIR/tests/deploy/signin.py" check \
	    "$E2E_URL" routed
	e2e_check "$DEPLOY_LABEL: Authorization header spellings" \
	    deploy_check_bearer
	e2e_check "$DEPLOY_LABEL: a refusal is logged by the server" \
	    deploy_check_log_line
	e2e_check "$DEPLOY_LABEL: the secret stays out of sight" \
	    deploy_check_secret_kept
	e2e_check "$DEPLOY_LABEL: a client stalled in its body holds no process" \
	    deploy_check_slow_body
	if [ -n "${SESSION_STORE:-}" ]; then
		e2e_check "$DEPLOY_LABEL: login, refresh, logout" \
		    deploy_check_refresh
	fi
}

# --- Apache ---------------------------------------------------------------

# deploy_apache_setup: APACHE (the binary), APACHE_MODULES (its modules'
# folder), or skip.
deploy_apache_setup()
{
	APACHE=$(deploy_find apache2 || deploy_find httpd) ||
	    e2e_skip "apache2 not installed"
	APACHE_MODULES=
	for d in /usr/lib/apache2/modules /usr/lib64/httpd/modules \
	    /usr/lib/httpd/modules; do
		if [ -f "$d/mod_authz_core.so" ]; then
			APACHE_MODULES=$d
			break
		fi
	done
	[ -n "$APACHE_MODULES" ] || e2e_skip "no Apache modules folder found"
	for m in "$@"; do
		[ -f "$APACHE_MODULES/mod_$m.so" ] ||
		    e2e_skip "no mod_$m in $APACHE_MODULES (apt-get install" \
		    "$([ "$m" = fcgid ] && echo libapache2-mod-fcgid ||
		    echo apache2))"
	done
	APACHE_DIR=$E2E_STATE/apache
	# mod_fcgid's sockets go in E2E_SOCKDIR/fcgid, short enough for a
	# unix socket path even in a deep build dir.  Not made here: mod_fcgid
	# makes it, and only then gives it to User.
	mkdir -p "$APACHE_DIR/run"
	DEPLOY_SERVER_LOG=$APACHE_DIR/error.log
}

# deploy_apache_conf SNIPPET MODULE... PORT: a main config for one
# foreground Apache (event MPM) whose state is all in APACHE_DIR, loading
# the modules a Debian install enables by default that the snippet uses,
# then the snippet, as a2enconf would.
deploy_apache_conf()
{
	snippet=$1
	shift
	modules=
	while [ $# -gt 1 ]; do
		modules="$modules $1"
		shift
	done
	{
		cat <<EOC
# written by tests/deploy/lib.sh
ServerRoot "$APACHE_DIR"
ServerName 127.0.0.1
Listen 127.0.0.1:$1
PidFile "$APACHE_DIR/run/httpd.pid"
DefaultRuntimeDir "$APACHE_DIR/run"
Mutex file:$APACHE_DIR/run default
ErrorLog "$DEPLOY_SERVER_LOG"
LogLevel warn
EOC
		for m in mpm_event authz_core alias env $modules; do
			echo "LoadModule ${m}_module $APACHE_MODULES/mod_$m.so"
		done
		if [ -n "$DEPLOY_WEB_USER" ]; then
			echo "User $DEPLOY_WEB_USER"
			echo "Group $DEPLOY_WEB_USER"
		fi
		cat <<EOC
StartServers 2
ServerLimit 2
ThreadsPerChild 64
MaxRequestWorkers 128
EnableMMAP Off
DocumentRoot "$E2E_STATE/www"
<Directory />
	AllowOverride None
	Require all denied
</Directory>
<Directory "$E2E_STATE/www">
	Require all granted
</Directory>
<IfModule fcgid_module>
	FcgidIPCDir "$E2E_SOCKDIR/fcgid"
	FcgidProcessTableFile "$APACHE_DIR/run/fcgid_shm"
</IfModule>
Include "$snippet"
EOC
	} >"$APACHE_DIR/httpd.conf"
}

# deploy_apache_start SNIPPET MODULE...: configtest, then Apache in the
# foreground (-DFOREGROUND: the real MPM, with its own child processes).
deploy_apache_start()
{
	deploy__apache_args=$*
	deploy_apache_conf "$@" 1
	if ! "$APACHE" -f "$APACHE_DIR/httpd.conf" -t >"$E2E_STATE/configtest" \
	    2>&1; then
		cat "$E2E_STATE/configtest" >&2
		e2e_die "apache2 -t refused the configuration"
	fi
	deploy_start_server deploy__apache_writer "$APACHE" \
	    -f "$APACHE_DIR/httpd.conf" -DFOREGROUND
}

deploy__apache_writer()
{
	# shellcheck disable=SC2086 # a snippet path and module names
	deploy_apache_conf $deploy__apache_args "$1"
}

# --- lighttpd -------------------------------------------------------------

# deploy_lighttpd_setup: LIGHTTPD, LIGHTTPD_DIR; as root, lighttpd runs as
# the web server's user, which then writes its log and (bin-path) creates
# the sockets.
deploy_lighttpd_setup()
{
	LIGHTTPD=$(deploy_find lighttpd) || e2e_skip "lighttpd not installed"
	LIGHTTPD_DIR=$E2E_STATE/lighttpd
	mkdir -p "$LIGHTTPD_DIR"
	DEPLOY_SERVER_LOG=$LIGHTTPD_DIR/error.log
	if [ -n "$DEPLOY_WEB_USER" ]; then
		chown "$DEPLOY_WEB_USER" "$LIGHTTPD_DIR"
		chmod 0770 "$E2E_SOCKDIR"
	fi
}

# deploy_lighttpd_conf PORT [LINES]: a main config that sets LINES (the
# snippet's variables, if any) and includes $deploy__snippet.
deploy_lighttpd_conf()
{
	{
		cat <<EOC
# written by tests/deploy/lib.sh
server.document-root = "$E2E_STATE/www"
server.bind = "127.0.0.1"
server.port = $1
server.errorlog = "$DEPLOY_SERVER_LOG"
server.max-connections = 1024
EOC
		if [ -n "$DEPLOY_WEB_USER" ]; then
			echo "server.username = \"$DEPLOY_WEB_USER\""
			echo "server.groupname = \"$DEPLOY_WEB_USER\""
		fi
		# As Debian's lighttpd.conf does: a long mimetype.assign.
		if [ -f /usr/share/lighttpd/create-mime.conf.pl ]; then
			echo 'include_shell' \
			    '"/usr/share/lighttpd/create-mime.conf.pl"'
		fi
		printf '%s\n' "$deploy__lighttpd_vars"
		echo "include \"$deploy__snippet\""
	} >"$LIGHTTPD_DIR/lighttpd.conf"
}

# deploy_lighttpd_start SNIPPET [VAR_LINES]: lighttpd -D as our child.
deploy_lighttpd_start()
{
	deploy__snippet=$1
	deploy__lighttpd_vars=${2:-}
	deploy_lighttpd_conf 1
	if ! "$LIGHTTPD" -tt -f "$LIGHTTPD_DIR/lighttpd.conf" \
	    >"$E2E_STATE/configtest" 2>&1; then
		cat "$E2E_STATE/configtest" >&2
		e2e_die "lighttpd -tt refused the configuration"
	fi
	deploy_start_server deploy_lighttpd_conf "$LIGHTTPD" -D \
	    -f "$LIGHTTPD_DIR/lighttpd.conf"
}

# lighttpd's own answers: both snippets point server.errorfile-prefix at
# the JSON 404 and 413 pages, and the endpoints' own refusals keep their
# bodies.  (Bodies over server.max-request-size, 1 MiB, get the JSON 413
# too: deploy_check_bodies "$DEPLOY_BODIES_JSON".)
DEPLOY_ERRORS_LIGHTTPD='unknown_path 404 application/json {"detail":"Not Found"}
unknown_path_post 404 application/json {"detail":"Not Found"}
me_slash 404 application/json {"detail":"Not Found"}
under_login 404 application/json {"detail":"Not Found"}
me_no_token 401 application/json {"detail":"Not authenticated"}
reports_as_bob 403 application/json {"detail":"Requires role: admin"}
delete_me 405 application/json {"detail":"Method Not Allowed"}
login_no_fields 422 application/json {"detail":[{"loc":["body","username"],"msg":"field required"'

deploy_check_errors()
{
	deploy__tool_check "error answers" "$1" errors bob user
}

# --- your own paths behind the authorizer (protect-*.sh) -------------------
#
# tests/deploy/protect.py has the site, the policy, the backend and the
# cases; each protect-SERVER.sh runs the server's installed snippet on them.

# deploy_protect_setup SERVER: the test site in E2E_STATE/www (static files,
# the CGI backend), the test policy next to the installed users file
# (POLICY_FILE, exported: fcgi-auth-spawn passes it on), and SERVER
# (lighttpd, apache, nginx, caddy) for the checks.
deploy_protect_setup()
{
	DEPLOY_PROTECT_SERVER=$1
	DEPLOY_PROTECT=$E2E_SRCDIR/tests/deploy/protect.py
	[ -x "$DEPLOY_DEST$FA_pkglibexecdir/authorize.fcgi" ] ||
	    e2e_die "make install put no $FA_pkglibexecdir/authorize.fcgi"
	"$E2E_PYTHON" "$DEPLOY_PROTECT" tree "$E2E_STATE/www" "$E2E_PYTHON" ||
	    e2e_die "cannot write the test site"
	POLICY_FILE=$DEPLOY_ETC/policy
	"$E2E_PYTHON" "$DEPLOY_PROTECT" policy "$POLICY_FILE" ||
	    e2e_die "cannot write the policy"
	chmod 0640 "$POLICY_FILE"
	[ -z "$DEPLOY_WEB_USER" ] || chgrp "$DEPLOY_WEB_USER" "$POLICY_FILE"
	export POLICY_FILE
}

# deploy_protect_check GROUP: protect.py's GROUP of cases through the
# server at E2E_URL.
deploy_protect_check()
{
	"$E2E_PYTHON" "$DEPLOY_PROTECT" check "$DEPLOY_PROTECT_SERVER" \
	    "$E2E_URL" "$E2E_SECRET_FILE" "$1"
}

deploy_protect_checks()
{
	e2e_check "$DEPLOY_LABEL: each kind of rule: status, JSON,\
 WWW-Authenticate" deploy_protect_check rules
	e2e_check "$DEPLOY_LABEL: the backend gets the user, role, scopes and\
 body, never a client's identity headers" deploy_protect_check backend
	e2e_check "$DEPLOY_LABEL: the method and path judged are the server's,\
 not a client's X-Original-* or X-Forwarded-*" deploy_protect_check routing
	e2e_check "$DEPLOY_LABEL: no spelling of a protected path gets through" \
	    deploy_protect_check bypass
	e2e_check "$DEPLOY_LABEL: browsers: the access cookie, the 302 to the\
 sign-in page, the 403 page" deploy_protect_check browser
}

# --- browser sign-in (issue 14) ---------------------------------------------
#
# The protected site of protect-*.sh, and fcgi-auth's /auth/signin and
# /auth/signout on the same host, as each snippet's header says: the
# curl-level cases (tests/deploy/signin.py) and the browser's
# (signin-browser.sh).

# deploy_signin_setup: a session store (refresh cookies, sign-out), and
# login throttling at 3 failures (signin.py's throttle group spends
# dave's; no other group fails more than twice per account).
deploy_signin_setup()
{
	deploy_sessions_on
	LOGIN_MAX_FAILURES=3
	export LOGIN_MAX_FAILURES
}

# deploy_tls_setup: a self-signed certificate for 127.0.0.1 in E2E_STATE/tls
# (DEPLOY_TLS_CERT, DEPLOY_TLS_KEY) and a free port for the server's
# HTTPS listener (DEPLOY_TLS_PORT, DEPLOY_TLS_URL); returns 1, saying so,
# without openssl.
deploy_tls_setup()
{
	command -v openssl >/dev/null 2>&1 || {
		e2e_log "e2e: no openssl: nothing over HTTPS"
		return 1
	}
	mkdir -p "$E2E_STATE/tls"
	DEPLOY_TLS_CERT=$E2E_STATE/tls/cert.pem
	DEPLOY_TLS_KEY=$E2E_STATE/tls/key.pem
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -days 1 -subj /CN=127.0.0.1 -keyout "$DEPLOY_TLS_KEY" \
	    -out "$DEPLOY_TLS_CERT" >"$E2E_STATE/tls/openssl.log" 2>&1 || {
		cat "$E2E_STATE/tls/openssl.log" >&2
		e2e_die "openssl could not make a certificate"
	}
	chmod 0644 "$DEPLOY_TLS_KEY"
	DEPLOY_TLS_PORT=$("$E2E_PYTHON" "$E2E_SRCDIR/tests/e2e/helper.py" \
	    port "$E2E_PORT_RANGE") || e2e_die "no free port"
	DEPLOY_TLS_URL=https://127.0.0.1:$DEPLOY_TLS_PORT
}

# deploy_protect_lighttpd_start: lighttpd with the installed
# fcgi-auth-protect.conf and fcgi-auth.conf (the endpoints, signin and
# signout among them), and the CGI backend of protect.py's site; HTTP/2
# off, as the snippet asks of lighttpd.conf.
deploy_protect_lighttpd_start()
{
	deploy__protect=$(deploy_conf \
	    "$FA_examplesdir/lighttpd/fcgi-auth-protect.conf")
	deploy__endpoints=$(deploy_conf "$FA_examplesdir/lighttpd/fcgi-auth.conf")
	deploy_lighttpd_start "$deploy__protect" "include \"$deploy__endpoints\"
server.feature-flags += ( \"server.h2proto\" => \"disable\" )
server.modules += ( \"mod_cgi\" )
\$HTTP[\"url\"] =~ \"^/private/(app|open)/\" {
	cgi.assign = ( \".cgi\" => \"\" )
}"
}

# deploy_protect_nginx_start: the installed fcgi-auth-protect*.conf and
# fcgi-auth.conf under nginx, the authorizer's verdicts cached, to the
# pools of the installed fcgi-auth-spawn (authorize, signin, signout and
# login; started here) and protect.py's upstream (deploy_upstream_start
# first); also over HTTPS on DEPLOY_TLS_PORT when deploy_tls_setup set
# it.
deploy_protect_nginx_start()
{
	deploy_nginx_prepare
	deploy__ex=$FA_examplesdir/nginx
	# The cache moved into the state dir (nginx makes the folder).
	deploy__cachedir=$(sed -n 's/^fastcgi_cache_path \([^ ]*\) .*/\1/p' \
	    "$DEPLOY_DEST$deploy__ex/fcgi-auth-protect-http.conf")
	[ -n "$deploy__cachedir" ] ||
	    e2e_die "no fastcgi_cache_path in the installed file"
	deploy__http=$(deploy_conf "$deploy__ex/fcgi-auth-protect-http.conf" \
	    "$deploy__cachedir=$DEPLOY_NGINX_DIR/cache")
	deploy__server=$(deploy_conf "$deploy__ex/fcgi-auth-protect-server.conf")
	deploy__location=$(deploy_conf "$deploy__ex/fcgi-auth-protect.conf")
	deploy__endpoints=$(deploy_conf "$deploy__ex/fcgi-auth.conf")
	deploy_spawn start authorize signin signout login ||
	    e2e_die "fcgi-auth-spawn start authorize signin signout login" \
	    "failed"
	deploy_start_server deploy__nginx_protect_writer "$NGINX" \
	    -p "$DEPLOY_NGINX_DIR/" -c "$DEPLOY_NGINX_DIR/nginx.conf" \
	    -e "$DEPLOY_SERVER_LOG" -g 'daemon off;'
}

deploy__nginx_protect_writer()
{
	# A port of its own at each try, as the plain one (e2e_start_server
	# tries again on another when one was taken meanwhile).
	if [ -n "${DEPLOY_TLS_PORT:-}" ]; then
		DEPLOY_TLS_PORT=$("$E2E_PYTHON" \
		    "$E2E_SRCDIR/tests/e2e/helper.py" port "$E2E_PORT_RANGE") ||
		    e2e_die "no free port"
		DEPLOY_TLS_URL=https://127.0.0.1:$DEPLOY_TLS_PORT
	fi
	deploy_nginx_write "$1" "	types {
		text/plain txt;
	}
	include $deploy__http;" "\
		${DEPLOY_TLS_PORT:+listen 127.0.0.1:$DEPLOY_TLS_PORT ssl;}
		${DEPLOY_TLS_PORT:+ssl_certificate $DEPLOY_TLS_CERT;}
		${DEPLOY_TLS_PORT:+ssl_certificate_key $DEPLOY_TLS_KEY;}
		root $E2E_STATE/www;
		include $deploy__endpoints;
		include $deploy__server;
		location /private/ {
			include $deploy__location;
		}
		location /private/app/ {
			include $deploy__location;
			proxy_pass http://127.0.0.1:$DEPLOY_UPSTREAM_PORT;
		}
		location /private/open/ {
			include $deploy__location;
			proxy_pass http://127.0.0.1:$DEPLOY_UPSTREAM_PORT;
		}"
}

# deploy_nginx_prepare: NGINX, its folder DEPLOY_NGINX_DIR in the state dir
# with its temp folders, and DEPLOY_SERVER_LOG.  fcgi-auth.conf includes
# nginx's own fastcgi_params relative to the main config's folder, as on
# any nginx install, so a copy goes next to it.
deploy_nginx_prepare()
{
	NGINX=$(deploy_find nginx)
	DEPLOY_NGINX_DIR=$E2E_STATE/nginx
	mkdir -p "$DEPLOY_NGINX_DIR/tmp"
	DEPLOY_SERVER_LOG=$DEPLOY_NGINX_DIR/error.log
	deploy__confdir=$("$NGINX" -V 2>&1 |
	    sed -n 's/.*--conf-path=\([^ ]*\)\/[^/ ]*.*/\1/p')
	cp "${deploy__confdir:-/etc/nginx}/fastcgi_params" "$DEPLOY_NGINX_DIR/" ||
	    e2e_skip "no fastcgi_params in ${deploy__confdir:-/etc/nginx}"
}

# deploy_nginx_write PORT HTTP SERVER: the nginx.conf of every nginx test,
# listening on 127.0.0.1:PORT, with the lines HTTP in its http block and
# SERVER in its server block.
deploy_nginx_write()
{
	cat >"$DEPLOY_NGINX_DIR/nginx.conf" <<EOC
# written by tests/deploy/lib.sh (deploy_nginx_write)
${DEPLOY_WEB_USER:+user $DEPLOY_WEB_USER;}
worker_processes 2;
pid $DEPLOY_NGINX_DIR/nginx.pid;
error_log $DEPLOY_SERVER_LOG notice;
events {
	worker_connections 1024;
}
http {
	access_log off;
	default_type application/octet-stream;
	client_body_temp_path $DEPLOY_NGINX_DIR/tmp/body;
	fastcgi_temp_path $DEPLOY_NGINX_DIR/tmp/fastcgi;
	proxy_temp_path $DEPLOY_NGINX_DIR/tmp/proxy;
	scgi_temp_path $DEPLOY_NGINX_DIR/tmp/scgi;
	uwsgi_temp_path $DEPLOY_NGINX_DIR/tmp/uwsgi;
$2
	server {
		listen 127.0.0.1:$1;
$3
	}
}
EOC
}

# deploy_signin_check GROUP...: signin.py's groups through the server.
deploy_signin_check()
{
	"$E2E_PYTHON" "$E2E_SRCDIR/tests/deploy/signin.py" check "$E2E_URL" "$@"
}

# deploy_https_checks signin|no-signin: over DEPLOY_TLS_URL, the
# authorizer's cookie names (protect.py) and, with signin, sign-in's
# (signin.py).
deploy_https_checks()
{
	e2e_check "$DEPLOY_LABEL: HTTPS: the authorizer reads __Host-fcgi-auth,\
 not the plain name" "$E2E_PYTHON" "$DEPLOY_PROTECT" check \
	    "$DEPLOY_PROTECT_SERVER" "$DEPLOY_TLS_URL" "$E2E_SECRET_FILE" https
	[ "$1" = signin ] || return 0
	e2e_check "$DEPLOY_LABEL: HTTPS: sign-in's cookies prefixed and Secure,\
 the plain names not read" "$E2E_PYTHON" \
	    "$E2E_SRCDIR/tests/deploy/signin.py" check "$DEPLOY_TLS_URL" https
}

# deploy_signin_checks_nosessions: the groups that hold with sessions off.
deploy_signin_checks_nosessions()
{
	e2e_check "$DEPLOY_LABEL: the sign-in page: headers, form, size" \
	    deploy_signin_check page
	e2e_check "$DEPLOY_LABEL: sessions off: the access cookie alone" \
	    deploy_signin_check nosessions
	e2e_check "$DEPLOY_LABEL: a failed sign-in: the 401 page" \
	    deploy_signin_check failures
	e2e_check "$DEPLOY_LABEL: next stays on the site" \
	    deploy_signin_check next
}

# deploy_signin_checks: with sessions on (deploy_signin_setup), and
# /auth/login on the same host.
deploy_signin_checks()
{
	e2e_check "$DEPLOY_LABEL: the sign-in page: headers, form, size" \
	    deploy_signin_check page
	e2e_check "$DEPLOY_LABEL: sign in: 303 to next, the cookies" \
	    deploy_signin_check signin
	e2e_check "$DEPLOY_LABEL: a failed sign-in: the 401 page" \
	    deploy_signin_check failures
	e2e_check "$DEPLOY_LABEL: cross-site POSTs refused (403)" \
	    deploy_signin_check crosssite
	e2e_check "$DEPLOY_LABEL: next stays on the site" \
	    deploy_signin_check next
	e2e_check "$DEPLOY_LABEL: silent sign-in with the refresh cookie;\
 reuse ends the session" deploy_signin_check silent
	e2e_check "$DEPLOY_LABEL: sign out" deploy_signin_check signout
	e2e_check "$DEPLOY_LABEL: sign-in throttled as login (429)" \
	    deploy_signin_check throttle
	e2e_check "$DEPLOY_LABEL: sign-in and login share the throttle" \
	    deploy_signin_check throttle_login
}

# deploy_upstream_start: protect.py's proxied backend (a copy in
# E2E_STATE, so that nothing runs from the checkout) on a free loopback
# port; sets DEPLOY_UPSTREAM_PORT.
deploy_upstream_start()
{
	cp "$DEPLOY_PROTECT" "$E2E_BINDIR/protect.py"
	rm -f "$E2E_STATE/upstream.port"
	"$E2E_PYTHON" "$E2E_BINDIR/protect.py" upstream \
	    "$E2E_STATE/upstream.port" >>"$E2E_STATE/upstream.out" 2>&1 &
	deploy__upstream_pid=$!
	fa_wait_for 20 "$deploy__upstream_pid" test -s \
	    "$E2E_STATE/upstream.port" || {
		cat "$E2E_STATE/upstream.out" >&2
		e2e_die "the upstream did not start"
	}
	DEPLOY_UPSTREAM_PORT=$(cat "$E2E_STATE/upstream.port")
}

deploy_upstream_stop()
{
	[ -n "$deploy__upstream_pid" ] || return 0
	fa_stop "$deploy__upstream_pid" || return 1
	deploy__upstream_pid=
}
