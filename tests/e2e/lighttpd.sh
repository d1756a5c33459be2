#!/bin/sh
# lighttpd.sh -- the built endpoints behind lighttpd and its shipped snippet
#
# Run by "make check" from the top build dir.  The HTTP contract
# (contract.py) against lighttpd, then what HTTP alone cannot show: the
# error log, CGI from a shell, FastCGI start and stop (fcgi_checks.py),
# clients that vanish, and that nothing is left running.
set -eu

. "${abs_top_srcdir:-$(dirname "$0")/../..}/tests/e2e/lib.sh"

# The checks assume the defaults: e2e_setup unsets every setting.
e2e_setup
helper=$E2E_SRCDIR/tests/e2e/helper.py
secret=$(cat "$E2E_SECRET_FILE")

# --- checks (each prints expected/got and returns non-zero on failure) ---

check_contract()
{
	"$E2E_PYTHON" "$E2E_SRCDIR/tests/e2e/contract.py" --url "$E2E_URL" \
	    --secret-file "$E2E_SECRET_FILE" "$@"
}

# The worker pids lighttpd started from our bin dir, sorted.
worker_pids()
{
	e2e_pids_matching "$E2E_BINDIR/" | sort
}

# A refusal is one line in lighttpd's error log, FastCGI-stderr, with the
# user and reason; never the token, the password or the secret.
check_refusal_logged()
{
	before=$(wc -l <"$E2E_ERROR_LOG")
	token=$("$E2E_PYTHON" "$helper" token "$E2E_SECRET_FILE" carol user)
	got=$(printf 'Bearer %s\n' "$token" |
	    "$E2E_PYTHON" "$helper" http GET "$E2E_URL/me" 'Authorization: -')
	e2e_expect "/me with carol's token" \
	    "$(printf '401\n{"detail":"User disabled"}')" "$got" || return 1
	wrong=wrong-$$-$(date +%s)
	got=$(printf 'username=alice&password=%s' "$wrong" |
	    "$E2E_PYTHON" "$helper" http POST "$E2E_URL/auth/login" \
	    'Content-Type: application/x-www-form-urlencoded')
	e2e_expect "login with a wrong password" \
	    "$(printf '401\n{"detail":"Invalid username or password"}')" \
	    "$got" || return 1
	new=$(tail -n "+$((before + 1))" "$E2E_ERROR_LOG")
	e2e_expect "new error log lines" 2 \
	    "$(printf '%s\n' "$new" | grep -c .)" || {
		printf '%s\n' "$new" | sed 's/^/#     /'
		return 1
	}
	line='FastCGI-stderr:.* me\.fcgi: 401 "User disabled"'
	e2e_expect "the disabled user's refusal line" 1 "$(printf '%s\n' \
	    "$new" | grep -c "$line user=carol addr=127\\.0\\.0\\.1\$")" ||
	    return 1
	line='FastCGI-stderr:.* login\.fcgi: 401 "wrong password"'
	e2e_expect "the failed login's line" 1 "$(printf '%s\n' "$new" |
	    grep -c "$line user=alice addr=127\\.0\\.0\\.1\$")" || return 1
	# A name that would forge a field (user=x addr=203.0.113.9) stays
	# one field: a log filter keyed on addr= sees only the real address.
	before=$(wc -l <"$E2E_ERROR_LOG")
	got=$(printf 'username=x+addr%%3D203.0.113.9&password=x' |
	    "$E2E_PYTHON" "$helper" http POST "$E2E_URL/auth/login" \
	    'Content-Type: application/x-www-form-urlencoded' | sed -n 1p)
	e2e_expect "login with a field-forging name" 401 "$got" || return 1
	new=$(tail -n "+$((before + 1))" "$E2E_ERROR_LOG")
	e2e_expect "the forging name's line" 1 "$(printf '%s\n' "$new" |
	    grep -c 'login\.fcgi: 401 "unknown user" user=x\\x20addr\\x3d203\.0\.113\.9 addr=127\.0\.0\.1$')" || {
		printf '%s\n' "$new" | sed 's/^/#     /'
		return 1
	}
	e2e_expect "addr= fields naming the forged address" 0 "$(printf \
	    '%s\n' "$new" | grep -c ' addr=203\.' || true)" || return 1
	# Over the whole run so far, the contract's hundreds of requests
	# included: no token (they all start "eyJ"), password or secret.
	for needle in "${token#*.}" eyJ "$wrong" alicepass bobpass "$secret"; do
		e2e_expect "lines with a secret in the logs" 0 "$(cat \
		    "$E2E_ERROR_LOG" "$E2E_LIGHTTPD_OUT" |
		    grep -cF -- "$needle" || true)" || return 1
	done
}

# run_cgi NAME [VAR=value...]: run an endpoint as plain CGI from the shell,
# as the README shows, with only these settings: exported by the shell, so
# in its environment and on no command line (ps shows argv to everyone).
# stdin is $cgi_stdin (default /dev/null).  Sets $cgi_out (CRs removed),
# $cgi_status and leaves its stderr in $E2E_STATE/cgi.stderr.
run_cgi()
{
	cgi_bin=$1
	shift
	cgi_status=0
	(
		unset JWT_SECRET JWT_SECRET_FILE USERS_FILE POLICY_FILE
		for a in "$@"; do
			# shellcheck disable=SC2163 # a is NAME=value
			export "$a"
		done
		cd "$E2E_STATE"
		exec "$E2E_BINDIR/$cgi_bin.fcgi"
	) <"${cgi_stdin:-/dev/null}" >"$E2E_STATE/cgi.out" \
	    2>"$E2E_STATE/cgi.stderr" || cgi_status=$?
	cgi_out=$(tr -d '\r' <"$E2E_STATE/cgi.out")
	cgi_stdin=
}

check_cgi_from_shell()
{
	body='username=alice&password=alicepass'
	printf '%s' "$body" >"$E2E_STATE/cgi.body"
	cgi_stdin=$E2E_STATE/cgi.body
	run_cgi login REQUEST_METHOD=POST \
	    CONTENT_TYPE=application/x-www-form-urlencoded \
	    CONTENT_LENGTH=${#body} JWT_SECRET_FILE="$E2E_SECRET_FILE" \
	    USERS_FILE="$E2E_USERS_FILE"
	e2e_expect "login.fcgi exit status" 0 "$cgi_status" || return 1
	e2e_expect "login.fcgi head" "$(printf '%s\n' 'Status: 200 OK' \
	    'Content-Type: application/json')" \
	    "$(printf '%s\n' "$cgi_out" | sed -n '1,2p')" || return 1
	printf '%s\n' "$cgi_out" | grep -qx 'Cache-Control: no-store' || {
		e2e_expect "Cache-Control" "no-store" "$cgi_out"
		return 1
	}
	token=$(printf '%s\n' "$cgi_out" | sed -n \
	    's/^{"access_token":"\([^"]*\)","token_type":"bearer"}$/\1/p')
	[ -n "$token" ] || {
		e2e_expect "login.fcgi body" \
		    '{"access_token":"...","token_type":"bearer"}' "$cgi_out"
		return 1
	}

	# JWT_SECRET itself this time, from a variable.
	run_cgi me REQUEST_METHOD=GET JWT_SECRET="$secret" \
	    HTTP_AUTHORIZATION="Bearer $token" USERS_FILE="$E2E_USERS_FILE"
	e2e_expect "me.fcgi as CGI" "$(printf '%s\n' 'Status: 200 OK' \
	    'Content-Type: application/json' 'Content-Length: 35' '' \
	    '{"username":"alice","role":"admin"}')" "$cgi_out" || return 1
	e2e_expect "me.fcgi exit status" 0 "$cgi_status" || return 1
	run_cgi reports REQUEST_METHOD=DELETE \
	    JWT_SECRET_FILE="$E2E_SECRET_FILE" USERS_FILE="$E2E_USERS_FILE"
	e2e_expect "reports.fcgi DELETE as CGI" "$(printf '%s\n' \
	    'Status: 405 Method Not Allowed' 'Content-Type: application/json' \
	    'Content-Length: 31' 'Allow: GET' '' \
	    '{"detail":"Method Not Allowed"}')" "$cgi_out" || return 1

	# The authorizer, as the README shows: the method and path from
	# REQUEST_METHOD and REQUEST_URI, the policy from POLICY_FILE.
	# alice's token (minted with the scope; the login above asked none)
	# passes with the X-Auth-* headers; no token is the 401 JSON.
	printf '%s\n' 'role admin reports:read' \
	    'allow GET /private/reports/ scope=reports:read' \
	    >"$E2E_STATE/cgi.policy"
	scoped=$("$E2E_PYTHON" "$E2E_SRCDIR/tests/e2e/helper.py" token \
	    --scope reports:read "$E2E_SECRET_FILE" alice admin) || return 1
	run_cgi authorize REQUEST_METHOD=GET REQUEST_URI=/private/reports/q3 \
	    POLICY_FILE="$E2E_STATE/cgi.policy" \
	    JWT_SECRET_FILE="$E2E_SECRET_FILE" USERS_FILE="$E2E_USERS_FILE" \
	    HTTP_AUTHORIZATION="Bearer $scoped"
	e2e_expect "authorize.fcgi as CGI, alice" "$(printf '%s\n' \
	    'Status: 200 OK' 'Content-Type: application/json' \
	    'Content-Length: 58' 'X-Auth-User: alice' 'X-Auth-Role: admin' \
	    'X-Auth-Scope: reports:read' 'X-Accel-Expires: 1' '' \
	    '{"username":"alice","role":"admin","scope":"reports:read"}')" \
	    "$cgi_out" || return 1
	e2e_expect "authorize.fcgi exit status" 0 "$cgi_status" || return 1
	run_cgi authorize REQUEST_METHOD=GET REQUEST_URI=/private/reports/q3 \
	    POLICY_FILE="$E2E_STATE/cgi.policy" \
	    JWT_SECRET_FILE="$E2E_SECRET_FILE" USERS_FILE="$E2E_USERS_FILE"
	e2e_expect "authorize.fcgi as CGI, no token" "$(printf '%s\n' \
	    'Status: 401 Unauthorized' 'Content-Type: application/json' \
	    'Content-Length: 30' 'WWW-Authenticate: Bearer' \
	    'Cache-Control: no-store' '' '{"detail":"Not authenticated"}')" \
	    "$cgi_out" || return 1
}

# No secret, or a short one: 500 Server misconfigured, exit 1, one line.
check_cgi_misconfigured()
{
	want=$(printf '%s\n' 'Status: 500 Internal Server Error' \
	    'Content-Type: application/json' 'Content-Length: 33' '' \
	    '{"detail":"Server misconfigured"}')
	short=0123456789abcdef0123456789abcde
	for b in me login; do
		run_cgi "$b" REQUEST_METHOD=GET USERS_FILE="$E2E_USERS_FILE"
		e2e_expect "$b.fcgi without a secret" "$want" "$cgi_out" ||
		    return 1
		e2e_expect "$b.fcgi without a secret: exit status" 1 \
		    "$cgi_status" || return 1
		e2e_expect "$b.fcgi without a secret: stderr lines" 1 \
		    "$(wc -l <"$E2E_STATE/cgi.stderr")" || return 1
		run_cgi "$b" REQUEST_METHOD=GET JWT_SECRET="$short" \
		    USERS_FILE="$E2E_USERS_FILE"
		e2e_expect "$b.fcgi with a 31-byte secret" "$want" "$cgi_out" ||
		    return 1
		e2e_expect "$b.fcgi with a 31-byte secret: exit status" 1 \
		    "$cgi_status" || return 1
		e2e_expect "$b.fcgi with a 31-byte secret: stderr" \
		    1 "$(grep -c 'the secret is 31 bytes' \
		    "$E2E_STATE/cgi.stderr")" || return 1
		e2e_expect "the secret on stderr" 0 "$(grep -cF -- "$short" \
		    "$E2E_STATE/cgi.stderr" || true)" || return 1
	done
}

check_fcgi_processes()
{
	mkdir -m 700 "$E2E_SOCKDIR/direct"
	"$E2E_PYTHON" "$E2E_SRCDIR/tests/e2e/fcgi_checks.py" "$E2E_BINDIR" \
	    "$E2E_SOCKDIR/direct" "$E2E_SECRET_FILE" "$E2E_USERS_FILE"
}

# Clients that reset the connection while login hashes: lighttpd drops
# the backend connection, the worker's write fails, and it must live on.
check_clients_vanish()
{
	pids=$(worker_pids)
	"$E2E_PYTHON" "$helper" abort "$E2E_URL" 30
	got=$(printf 'username=bob&password=bobpass' |
	    "$E2E_PYTHON" "$helper" http POST "$E2E_URL/auth/login" \
	    'Content-Type: application/x-www-form-urlencoded' | sed -n 1p)
	e2e_expect "a login after 30 aborted ones" 200 "$got" || return 1
	e2e_expect "worker pids after 30 aborted logins" "$pids" \
	    "$(worker_pids)" || return 1
}

# lighttpd's own stop sends SIGTERM; here one worker gets it alone.
check_worker_sigterm()
{
	pid=$(e2e_pids_matching "$E2E_BINDIR/me.fcgi" | sed -n 1p)
	[ -n "$pid" ] || { echo "#   no me.fcgi worker found"; return 1; }
	kill -TERM "$pid"
	e2e_expect "me.fcgi $pid gone 10 s after SIGTERM" no \
	    "$(fa_wait_gone "$pid" 10 && echo no || echo still running)" ||
	    return 1
	# lighttpd uses the other worker and restarts this one.
	for _ in 1 2 3 4; do
		got=$("$E2E_PYTHON" "$helper" http GET "$E2E_URL/me" </dev/null |
		    sed -n 1p)
		e2e_expect "/me after a worker stopped" 401 "$got" || return 1
	done
}

# Sanitizer reports (the --enable-sanitizers build), from the endpoints'
# stderr: lighttpd's own output, or the direct runs' files.
check_no_sanitizer_reports()
{
	e2e_no_sanitizer_reports "$E2E_SOCKDIR"/direct/*.stderr \
	    "$E2E_STATE/cgi.stderr"
}

# Stop lighttpd; nothing of ours may be left, and no worker may have died
# of anything but our SIGTERM while it ran.
check_stop()
{
	e2e_stop_lighttpd || return 1
	if grep -E 'child exited: [1-9]|child signalled' "$E2E_ERROR_LOG"; then
		return 1
	fi
	check_no_sanitizer_reports
}

# A deployment with a weak secret serves nothing, and says why.  Each
# endpoint exits 1 at start with one line on its stderr (lighttpd's own).
# If that happens while lighttpd is still starting, lighttpd gives up
# ("spawning gw failed"); if later, it runs and answers 5xx (its own 500
# or 503 page) in place of the endpoint.
short_secret_requests()
{
	for path in /me /reports /projects; do
		got=$("$E2E_PYTHON" "$helper" http GET "$E2E_URL$path" \
		    </dev/null | sed -n 1p)
		case $got in
		50[03]) ;;
		*) e2e_expect "GET $path" "500 or 503" "$got"; return 1 ;;
		esac
	done
	got=$(printf 'username=alice&password=alicepass' |
	    "$E2E_PYTHON" "$helper" http POST "$E2E_URL/auth/login" \
	    'Content-Type: application/x-www-form-urlencoded' | sed -n 1p)
	case $got in
	50[03]) ;;
	*) e2e_expect "POST /auth/login" "500 or 503" "$got"; return 1 ;;
	esac
}

check_short_secret_serves_nothing()
{
	short=$E2E_STATE/short-secret
	(umask 077 && printf '%s\n' 0123456789abcdef >"$short")
	: >"$E2E_LIGHTTPD_OUT"
	if e2e_start_lighttpd "$short" 2>/dev/null; then
		ok=0
		short_secret_requests || ok=1
		e2e_stop_lighttpd || return 1
		[ "$ok" -eq 0 ] || return 1
		names='login me reports projects'
	else
		e2e_stop_lighttpd || return 1
		e2e_expect "lighttpd's reason for stopping" 1 "$(grep -c \
		    'spawning gw failed' "$E2E_ERROR_LOG")" || return 1
		# The endpoint lighttpd saw die while it was starting.
		names=$(sed -n 's|.*gw-backend failed to start: .*/\([a-z]*\)\.fcgi$|\1|p' \
		    "$E2E_ERROR_LOG")
		[ -n "$names" ] || {
			echo "#   no \"gw-backend failed to start\" line"
			return 1
		}
	fi
	for b in $names; do
		e2e_expect "$b.fcgi says why on stderr" yes "$(grep -q \
		    "$b\\.fcgi: JWT_SECRET_FILE .*short-secret: the secret is 16 bytes; HS256 needs at least 32" \
		    "$E2E_LIGHTTPD_OUT" && echo yes || echo no)" || return 1
	done
	e2e_expect "the secret in lighttpd's output" 0 "$(grep -c \
	    0123456789abcdef "$E2E_LIGHTTPD_OUT" || true)" || return 1
}

# JWT_ALG and ACCESS_TOKEN_TTL_MIN reach the endpoints through lighttpd's
# environment (the snippet's bin-copy-environment).
check_alg_and_ttl_from_env()
{
	JWT_ALG=HS512 ACCESS_TOKEN_TTL_MIN=5
	export JWT_ALG ACCESS_TOKEN_TTL_MIN
	e2e_start_lighttpd || return 1
	unset JWT_ALG ACCESS_TOKEN_TTL_MIN
	ok=0
	check_contract --alg HS512 --ttl-min 5 --no-load --only login.alice \
	    --only token.other_hs_algorithm --only token.exp_required \
	    --only token.pyjwt || ok=1
	e2e_stop_lighttpd || return 1
	return "$ok"
}

# JWT_AUDIENCE and JWT_ISSUER reach the endpoints the same way: login's
# tokens carry both, a token for another audience or issuer (or none) is
# refused, and the contract's own tokens, carrying both, still pass.
check_aud_iss_from_env()
{
	JWT_AUDIENCE=https://api.example.test/v1 JWT_ISSUER=fcgi-auth-e2e
	export JWT_AUDIENCE JWT_ISSUER
	e2e_start_lighttpd || return 1
	unset JWT_AUDIENCE JWT_ISSUER
	ok=0
	check_contract --audience https://api.example.test/v1 \
	    --issuer fcgi-auth-e2e --no-load --only login.alice \
	    --only login.bob --only token. --only authz. || ok=1
	e2e_stop_lighttpd || return 1
	return "$ok"
}

# --- the run ------------------------------------------------------------

e2e_start_lighttpd || e2e_die "lighttpd did not start"
e2e_log "e2e: lighttpd $E2E_LIGHTTPD_PID on $E2E_URL, state in $E2E_STATE"

e2e_check "contract (HTTP) against lighttpd" check_contract
e2e_check "a refusal is one log line, without token or secret" \
    check_refusal_logged
e2e_check "an endpoint run as CGI from a shell" check_cgi_from_shell
e2e_check "CGI without a good secret: 500 Server misconfigured" \
    check_cgi_misconfigured
e2e_check "FastCGI processes: start, stop, vanishing clients" \
    check_fcgi_processes
e2e_check "workers survive clients resetting mid-request" check_clients_vanish
e2e_check "a worker ends on SIGTERM and lighttpd carries on" \
    check_worker_sigterm
e2e_check "stopping lighttpd leaves no process behind" check_stop
e2e_check "with a short secret nothing is served, and the log says why" \
    check_short_secret_serves_nothing
e2e_check "JWT_ALG and ACCESS_TOKEN_TTL_MIN from lighttpd's environment" \
    check_alg_and_ttl_from_env
e2e_check "JWT_AUDIENCE and JWT_ISSUER from lighttpd's environment" \
    check_aud_iss_from_env
e2e_check "no sanitizer report in any output" check_no_sanitizer_reports

e2e_finish
