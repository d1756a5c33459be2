#!/bin/sh
# reference-diff.sh -- the FastAPI reference app and ours, side by side
#
#	tests/e2e/reference-diff.sh [BUILDDIR]
#
# Optional and manual: not in TESTS, not in CI.  Starts the reference app
# from ../shared/reference/seed_app (beside the repository) if it is there,
# and ours behind lighttpd from BUILDDIR (default: the first of ., .check/build
# and .demo/build that holds cgi-bin/me.fcgi), both with the same secret;
# runs contract.py --reference against each, then the full contract
# against both (the reference is expected to fail our extensions), and
# prints where they differ: check outcomes, then every exchange (tokens
# masked).  Outputs stay in BUILDDIR/tests/e2e/reference-diff/.
# Exit status 0 if both pass the reference subset.
set -eu

root=$(cd "$(dirname "$0")/../.." && pwd)
ref_app=$root/../shared/reference/seed_app
if [ ! -x "$ref_app/run" ]; then
	echo "reference-diff: no reference app at ../shared/reference/seed_app;" \
	    "nothing to compare"
	exit 0
fi
if [ $# -ge 1 ]; then
	builddir=$1
else
	builddir=
	for d in "$root" "$root/.check/build" "$root/.demo/build"; do
		if [ -x "$d/cgi-bin/me.fcgi" ]; then
			builddir=$d
			break
		fi
	done
	[ -n "$builddir" ] || {
		echo "reference-diff: build first (scripts/check or make)" >&2
		exit 2
	}
fi
abs_top_srcdir=$root
abs_top_builddir=$(cd "$builddir" && pwd)

. "$root/tests/e2e/lib.sh"
e2e_setup	# unsets the endpoints' settings
helper=$E2E_SRCDIR/tests/e2e/helper.py
contract=$E2E_SRCDIR/tests/e2e/contract.py
out=$E2E_BUILDDIR/tests/e2e/reference-diff
rm -rf "$out"
mkdir -p "$out"

e2e_start_lighttpd || e2e_die "lighttpd did not start"

# The reference reads JWT_SECRET from its environment: an assignment, so
# the value is on no command line.  uvicorn is exec'd: $! is its pid.
ref_port=$("$E2E_PYTHON" "$helper" port "$E2E_PORT_RANGE")
ref_url=http://127.0.0.1:$ref_port
JWT_SECRET=$(cat "$E2E_SECRET_FILE") "$ref_app/run" "$ref_port" \
    >"$out/reference-app.log" 2>&1 &
ref_pid=$!
e2e_at_exit 'fa_stop "$ref_pid" || true'
"$E2E_PYTHON" "$helper" wait "$ref_url/" 30 "$ref_pid" || {
	cat "$out/reference-app.log" >&2
	e2e_die "the reference app did not start"
}

rc=0
for side in reference ours; do
	url=$ref_url
	[ "$side" = ours ] && url=$E2E_URL
	"$E2E_PYTHON" "$contract" --url "$url" \
	    --secret-file "$E2E_SECRET_FILE" --reference \
	    --record "$out/$side.exchanges" >"$out/$side.tap" || rc=1
	sed 's/^\(not ok\|ok\) [0-9]* - /\1 - /' "$out/$side.tap" |
	    grep -E '^(ok|not ok) - ' >"$out/$side.outcomes" || true
done
"$E2E_PYTHON" "$contract" --url "$E2E_URL" --secret-file "$E2E_SECRET_FILE" \
    --record "$out/ours-full.exchanges" >"$out/ours-full.tap" || rc=1
# The ours-only checks against the reference: what it does differently.
# They are expected to fail there (and the users carol, dave and erin do
# not exist there), so this only informs.
"$E2E_PYTHON" "$contract" --url "$ref_url" --secret-file "$E2E_SECRET_FILE" \
    --no-load >"$out/reference-full.tap" || true

echo "== contract.py --reference: the reference app ($ref_url)"
grep -v '^ok ' "$out/reference.tap" || true
echo "== contract.py --reference: ours, lighttpd ($E2E_URL)"
grep -v '^ok ' "$out/ours.tap" || true
echo "== full contract.py: ours"
tail -n 1 "$out/ours-full.tap"
echo "== full contract.py (no load): the reference, for information"
tail -n 1 "$out/reference-full.tap"
echo "== check outcomes that differ (- reference, + ours)"
diff -u "$out/reference.outcomes" "$out/ours.outcomes" | sed -n '3,$p' ||
    true
echo "== exchanges that differ (- reference, + ours; tokens masked)"
diff -u "$out/reference.exchanges" "$out/ours.exchanges" | sed -n '3,$p' ||
    true
echo "== outputs in $out"
e2e_stop_lighttpd
exit "$rc"
