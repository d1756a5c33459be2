#!/bin/sh
# keys.sh -- key pairs through lighttpd and its shipped snippet: ES256 and
# RS256 login -> /me, /.well-known/jwks.json, interop with PyJWT and
# python-jose both ways, a handful of attacks over HTTP, and the rotation
# of README (new key in the set, signing key switched without a restart,
# old key removed) under load with zero refused requests
#
# Run by "make check" from the top build dir; keys.py drives the checks.
# The keys are made by authctl key new and the sets by authctl key jwks,
# as an admin would.  The snippet passes JWT_PRIVATE_KEY_FILE to login
# and refresh only; this test checks that the token endpoints and
# jwks.fcgi never have it in their environment.  Skipped (77) without
# python-jose or cryptography.
set -eu

. "${abs_top_srcdir:-$(dirname "$0")/../..}/tests/e2e/lib.sh"

e2e_setup
py=$E2E_SRCDIR/tests/e2e/keys.py
authctl=$E2E_BUILDDIR/tools/authctl
[ -x "$authctl" ] || e2e_die "$authctl not built (run make)"
"$E2E_PYTHON" -c 'import jose, cryptography' 2>/dev/null ||
    e2e_skip "$E2E_PYTHON has no python-jose or cryptography" \
    "(apt-get install python3-jose python3-cryptography)"
# Many logins from one address: the throttle has its own test.
LOGIN_MAX_FAILURES=0
# Key pairs: no secret beside them (the snippet's secret variable empty).
E2E_SECRET_FILE=
me_sockets="$E2E_SOCKDIR/me.sock-0,$E2E_SOCKDIR/me.sock-1"
export LOGIN_MAX_FAILURES E2E_SECRET_FILE

# start_with ALG [BITS]: lighttpd with JWT_ALG=ALG, a new key signing and
# the set of it, in E2E_STATE/keys-ALG.
start_with()
{
	K=$E2E_STATE/keys-$1
	mkdir -m 700 "$K"
	"$authctl" key new --alg "$1" ${2:+--bits "$2"} --out "$K/a.pem" \
	    >/dev/null || return 1
	cp "$K/a.pem" "$K/signing.pem"
	"$authctl" key jwks --alg "$1" "$K/a.pem" >"$K/jwks.json" || return 1
	JWT_ALG=$1 JWT_KEYS_FILE=$K/jwks.json \
	    JWT_PRIVATE_KEY_FILE=$K/signing.pem
	export JWT_ALG JWT_KEYS_FILE JWT_PRIVATE_KEY_FILE
	e2e_start_lighttpd
}

# env_has NAME VAR: whether VAR is in the environment of every process of
# endpoint NAME (found by its program's path in E2E_BINDIR).
env_has()
{
	found=0
	for p in $(e2e_pids_matching "$E2E_BINDIR/$1.fcgi"); do
		if tr '\0' '\n' <"/proc/$p/environ" | grep -q "^$2="; then
			found=$((found + 1))
		else
			return 1
		fi
	done
	[ "$found" -gt 0 ]
}

check_private_key_where()
{
	# lighttpd starts every endpoint at once; each one served above.
	for ep in login refresh; do
		env_has "$ep" JWT_PRIVATE_KEY_FILE || {
			echo "#   $ep lacks JWT_PRIVATE_KEY_FILE"; return 1; }
	done
	for ep in me reports projects logout revoke jwks; do
		for p in $(e2e_pids_matching "$E2E_BINDIR/$ep.fcgi"); do
			if tr '\0' '\n' <"/proc/$p/environ" |
			    grep -q '^JWT_PRIVATE_KEY_FILE='; then
				echo "#   $ep (pid $p) has JWT_PRIVATE_KEY_FILE"
				return 1
			fi
		done
		env_has "$ep" JWT_KEYS_FILE || {
			echo "#   $ep lacks JWT_KEYS_FILE"; return 1; }
	done
}

check_basic()
{
	"$E2E_PYTHON" "$py" basic "$E2E_URL" "$JWT_ALG" "$K/a.pem" \
	    "$me_sockets"
}

check_rotate()
{
	"$E2E_PYTHON" "$py" rotate "$E2E_URL" "$me_sockets" "$K" \
	    "$authctl" 4
}

start_with RS256 || e2e_die "lighttpd did not start with RS256"
e2e_check "RS256: login, /me, JWKS, interop, attacks" check_basic
e2e_stop_lighttpd || e2e_check "RS256: lighttpd stopped cleanly" false

start_with ES256 || e2e_die "lighttpd did not start with ES256"
e2e_check "ES256: login, /me, JWKS, interop, attacks" check_basic
e2e_check "JWT_PRIVATE_KEY_FILE given to login and refresh only" \
    check_private_key_where
e2e_check "ES256: rotation under load, zero refused" check_rotate
e2e_stop_lighttpd || e2e_check "ES256: lighttpd stopped cleanly" false

e2e_finish
