#!/bin/sh
# authorizer.sh -- authorize.fcgi as lighttpd's FastCGI Authorizer, in front
# of a folder of files and a CGI program, with a policy file
#
# Run by "make check" from the top build dir.  lighttpd runs the shipped
# endpoints (etc/lighttpd/fcgi-auth.conf, login reading the same policy
# for its scopes) and asks authorize.fcgi ("mode" => "authorizer") about
# everything under /files/ and /cgi/.  Then: the HTTP contract with the
# policy's scopes (contract.py --policy), what the protected site answers
# and what its CGI program is told (authorizer.py: allows, every refusal,
# forged identity headers, a POST body, the path tricks), the log lines,
# and that nothing is left running.
set -eu

. "${abs_top_srcdir:-$(dirname "$0")/../..}/tests/e2e/lib.sh"

e2e_setup
policy=$E2E_STATE/policy
www=$E2E_STATE/www

# --- the protected site ----------------------------------------------------

cat >"$policy" <<'EOF'
# tests/e2e/authorizer.sh: the policy (authorizer.py lists it too)
role admin reports:read projects:read users:admin
role user  projects:read
allow GET,HEAD      /files/reports/  scope=reports:read
allow GET,HEAD      /files/public/   anyone
allow GET,HEAD      /files/          authenticated
allow GET,POST      /cgi/            role=admin,user
allow GET,POST      /cgi/public.cgi  anyone
EOF
chmod 600 "$policy"
mkdir -p "$www/files/reports" "$www/files/public" "$www/cgi"
echo reports >"$www/files/reports/r.txt"
echo public >"$www/files/public/p.txt"
echo other >"$www/files/other.txt"
# What the program behind the authorizer is told: unset shows as "-".
cat >"$www/cgi/env.cgi" <<'EOF'
#!/bin/sh
printf 'Content-Type: text/plain\r\n\r\n'
printf 'REMOTE_USER=%s\n' "${REMOTE_USER--}"
printf 'AUTH_USER=%s\n' "${AUTH_USER--}"
printf 'AUTH_ROLE=%s\n' "${AUTH_ROLE--}"
printf 'AUTH_SCOPE=%s\n' "${AUTH_SCOPE--}"
printf 'BODY=%s\n' "$(head -c "${CONTENT_LENGTH:-0}")"
EOF
cp "$www/cgi/env.cgi" "$www/cgi/public.cgi"
chmod 755 "$www/cgi/env.cgi" "$www/cgi/public.cgi"

# mod_cgi before mod_staticfile (lighttpd appends that last), or an
# allowed .cgi would be served as its text.  lighttpd 1.4.69 hands an
# HTTP/2 request's body to the authorizer, and the program behind it
# then gets none: HTTP/1.1 only.  check-local disable: the authorizer is
# asked before lighttpd looks for the file (else a missing file answers
# 404 first, telling anyone which files exist).
E2E_CONF_EXTRA=$(cat <<EOF
server.modules += ( "mod_cgi" )
server.feature-flags += ( "server.h2proto" => "disable" )
\$HTTP["url"] =~ "^/(files|cgi)/" {
	fastcgi.server = ( "/" => ( "authorize" => (
		"bin-path" => "$E2E_BINDIR/authorize.fcgi",
		"socket" => "$E2E_SOCKDIR/authorize.sock",
		"max-procs" => 2,
		"mode" => "authorizer",
		"check-local" => "disable",
		"bin-environment" => (
			"JWT_SECRET_FILE" => "$E2E_SECRET_FILE",
			"USERS_FILE" => "$E2E_USERS_FILE",
			"POLICY_FILE" => "$policy",
		),
	)))
}
\$HTTP["url"] =^ "/cgi/" {
	cgi.assign = ( ".cgi" => "" )
}
EOF
)
export E2E_CONF_EXTRA

# --- checks ------------------------------------------------------------------

check_contract_with_policy()
{
	"$E2E_PYTHON" "$E2E_SRCDIR/tests/e2e/contract.py" --url "$E2E_URL" \
	    --secret-file "$E2E_SECRET_FILE" --policy "$policy" --no-load
}

check_site()
{
	"$E2E_PYTHON" "$E2E_SRCDIR/tests/e2e/authorizer.py" --url "$E2E_URL" \
	    --secret-file "$E2E_SECRET_FILE"
}

# A refusal is one line with the method and the normalised path; an
# allow is none (AUTH_DEBUG is off); never a token.
check_log_lines()
{
	before=$(wc -l <"$E2E_ERROR_LOG")
	"$E2E_PYTHON" "$E2E_SRCDIR/tests/e2e/helper.py" http GET \
	    "$E2E_URL/files/public/../reports/r.txt?x=1" </dev/null >/dev/null
	"$E2E_PYTHON" "$E2E_SRCDIR/tests/e2e/helper.py" http GET \
	    "$E2E_URL/files/public/p.txt" </dev/null >/dev/null
	new=$(tail -n "+$((before + 1))" "$E2E_ERROR_LOG")
	e2e_expect "new error log lines" 1 "$(printf '%s\n' "$new" |
	    grep -c .)" || {
		printf '%s\n' "$new" | sed 's/^/#     /'
		return 1
	}
	e2e_expect "the refusal's line" 1 "$(printf '%s\n' "$new" | grep -c \
	    'authorize\.fcgi: 401 "Not authenticated" user=- addr=127\.0\.0\.1 method=GET path=/files/reports/r\.txt$')" ||
	    return 1
	e2e_expect "lines with a token in the logs" 0 "$(cat \
	    "$E2E_ERROR_LOG" "$E2E_LIGHTTPD_OUT" | grep -c eyJ || true)"
}

# The policy rewritten while lighttpd runs (replaced by rename, as an
# editor or a deploy does): the verdict changes without a restart, both
# ways.  An outcome, waited for up to 10 s, not a latency.
policy_verdict()
{
	curl -s -m 30 -o /dev/null -w '%{http_code}' \
	    "$E2E_URL/files/other.txt" || true
}

wait_verdict()
{
	i=0
	while [ "$(policy_verdict)" != "$1" ]; do
		i=$((i + 1))
		if [ "$i" -ge 100 ]; then
			echo "#   GET /files/other.txt, no token: $(policy_verdict)" \
			    "10 s after the policy changed, want $1"
			return 1
		fi
		sleep 0.1
	done
}

check_policy_reload()
{
	command -v curl >/dev/null 2>&1 || {
		echo "#   curl not installed (apt-get install curl)"
		return 1
	}
	e2e_expect "GET /files/other.txt, no token, before" 401 \
	    "$(policy_verdict)" || return 1
	cp "$policy" "$policy.orig"
	{
		cat "$policy.orig"
		echo 'allow GET,HEAD      /files/other.txt  anyone'
	} >"$policy.new"
	chmod 600 "$policy.new"
	mv "$policy.new" "$policy"
	wait_verdict 200 || return 1
	cp "$policy.orig" "$policy.new"
	mv "$policy.new" "$policy"
	wait_verdict 401
}

check_stop()
{
	e2e_stop_lighttpd || return 1
	if grep -E 'child exited: [1-9]|child signalled' "$E2E_ERROR_LOG"; then
		return 1
	fi
	e2e_no_sanitizer_reports
}

# --- the run ---------------------------------------------------------------

# The snippet hands POLICY_FILE to login (bin-copy-environment).
POLICY_FILE=$policy
export POLICY_FILE
e2e_start_lighttpd || e2e_die "lighttpd did not start"
unset POLICY_FILE
e2e_log "e2e: lighttpd $E2E_LIGHTTPD_PID on $E2E_URL, state in $E2E_STATE"

e2e_check "contract (HTTP) with a policy: login's scopes" \
    check_contract_with_policy
e2e_check "a site behind authorize.fcgi as lighttpd's authorizer" check_site
e2e_check "a refusal is one log line with the method and path" \
    check_log_lines
e2e_check "the policy rewritten while running: the verdict follows" \
    check_policy_reload
e2e_check "stopping lighttpd leaves no process behind" check_stop

e2e_finish
