# proc.sh -- sourced by scripts/, tests/ and bench/: processes stopped with
# a bound and none of ours left behind, waits with a bound, a random secret,
# and a state dir that a server running as another user can reach
#
#	. "$abs_top_srcdir/scripts/proc.sh"
#
# POSIX sh, for callers under "set -eu"; each function returns a status and
# never exits.  Public names start with fa_, internal ones with fa__ (sh has
# no "local": a caller's variables are left alone).  Messages go to stderr,
# prefixed with $fa_prog if the caller set it, else the script's name.
#
#	fa_pids_matching STRING		pids whose command line holds STRING
#	fa_tree PID			PID and its descendants
#	fa_alive PID			running (a zombie is not)
#	fa_wait_gone PID SECONDS	until PID is gone, at most SECONDS
#	fa_stop PID [SECONDS]		SIGTERM, SIGKILL after SECONDS (10);
#					sets fa_status
#	fa_none_left LABEL WHAT...	nothing of ours left, else kill it
#	fa_wait_for SECONDS PID CMD...	until CMD succeeds, while PID runs
#	fa_secret_file FILE [BYTES]	a new random secret, 0600
#	fa_state_dir NAME [AVOID...]	a new private dir every user can reach

fa__note()
{
	printf '%s: %s\n' "${fa_prog:-${0##*/}}" "$*" >&2
}

# fa_pids_matching STRING: the pids whose command line contains STRING (a
# plain string, not a pattern), one a line; pgrep leaves itself out.
fa_pids_matching()
{
	pgrep -f -- "$(printf '%s\n' "$1" | sed 's/[][\.*^$+?(){}|]/\\&/g')" ||
	    true
}

# fa_tree PID: PID and every process descended from it, one a line (a
# server's workers, and the programs those started).
fa_tree()
{
	fa__todo=$1
	while [ -n "$fa__todo" ]; do
		fa__next=
		for fa__p in $fa__todo; do
			echo "$fa__p"
			for fa__c in $(pgrep -P "$fa__p"); do
				fa__next="$fa__next $fa__c"
			done
		done
		fa__todo=$fa__next
	done
}

# fa_alive PID: whether PID runs.  A zombie (exited, its parent has not
# reaped it yet) counts as gone, though kill -0 still finds it.
fa_alive()
{
	kill -0 "$1" 2>/dev/null || return 1
	[ -r "/proc/$1/stat" ] || return 0
	fa__state=$(sed 's/.*) \(.\).*/\1/' "/proc/$1/stat" 2>/dev/null) ||
	    return 1
	[ "$fa__state" != Z ]
}

# fa_wait_gone PID SECONDS: 0 as soon as PID is gone, 1 if it still runs
# after SECONDS (polled 10 times a second: on a loaded machine the wait is
# longer, never shorter).
fa_wait_gone()
{
	fa_wait_for "$2" - fa__gone "$1"
}

fa__gone()
{
	! fa_alive "$1"
}

# fa_stop PID [SECONDS]: SIGTERM, then wait for PID to be gone for at most
# SECONDS (default 10); if it is still there, say so, SIGKILL it and
# return 1.  Reaps PID if it is our child, and sets fa_status to its exit
# status (127 if it was not our child).  (A shell's child signalled before
# it has exec'd its program may lose the SIGTERM, and then gets SIGKILL.)
# shellcheck disable=SC2034 # fa_status is for the caller
fa_stop()
{
	fa__rc=0
	kill -TERM "$1" 2>/dev/null || true
	if ! fa_wait_gone "$1" "${2:-10}"; then
		fa__note "pid $1 ($(ps -o args= -p "$1" 2>/dev/null ||
		    echo '?')) ignored SIGTERM for ${2:-10} s; killing it"
		kill -KILL "$1" 2>/dev/null || true
		fa__rc=1
	fi
	fa_status=0
	wait "$1" 2>/dev/null || fa_status=$?
	return "$fa__rc"
}

# fa__left WHAT...: the pids of WHAT still running: each WHAT is a pid (all
# digits) or a string to find on command lines (fa_pids_matching).
fa__left()
{
	for fa__w in "$@"; do
		case $fa__w in
		''|*[!0-9]*) fa_pids_matching "$fa__w" ;;
		*) echo "$fa__w" ;;
		esac
	done | sort -u | while read -r fa__p; do
		if fa_alive "$fa__p"; then
			echo "$fa__p"
		fi
	done
}

# fa_none_left LABEL WHAT...: after LABEL was stopped, give what it leaves
# (WHAT: pids, or strings on command lines, as for fa__left; a state dir's
# path, say) 5 s to end; then name each process still there on stderr,
# SIGKILL it by pid, and return 1.
fa_none_left()
{
	fa__label=$1
	shift
	fa__n=50
	fa__pids=$(fa__left "$@")
	while [ -n "$fa__pids" ] && [ "$fa__n" -gt 0 ]; do
		sleep 0.1
		fa__n=$((fa__n - 1))
		fa__pids=$(fa__left "$@")
	done
	[ -n "$fa__pids" ] || return 0
	fa__note "processes left after $fa__label stopped:"
	for fa__p in $fa__pids; do
		ps -o pid=,args= -p "$fa__p" >&2 || true
		kill -KILL "$fa__p" 2>/dev/null || true
	done
	return 1
}

# fa_wait_for SECONDS PID CMD [ARG...]: run CMD every 0.1 s until it
# succeeds (0).  Gives up when PID (the process that should make CMD
# succeed; "-" for none) has ended (2), or after SECONDS x 10 tries (1).
fa_wait_for()
{
	fa__n=$(($1 * 10))
	fa__pid=$2
	shift 2
	until "$@"; do
		if [ "$fa__pid" != - ] && ! fa_alive "$fa__pid"; then
			return 2
		fi
		[ "$fa__n" -gt 0 ] || return 1
		sleep 0.1
		fa__n=$((fa__n - 1))
	done
}

# fa_secret_file FILE [BYTES]: a new file (an existing FILE is an error),
# 0600, holding BYTES (default 48) random bytes as one line of base64url
# without padding: 48 make 64 characters, enough for HS512.  The secret
# is on no command line.
fa_secret_file()
{
	fa__s=$(head -c "${2:-48}" /dev/urandom | base64 | tr -d '\n=' |
	    tr '+/' '-_')
	[ -n "$fa__s" ] || return 1
	(umask 077 && set -C && printf '%s\n' "$fa__s" >"$1") || return 1
	fa__s=
}

# fa__reachable DIR: every folder from / down to DIR lets every user
# through (o+x), so a server that drops to its own user (www-data) can
# reach what is below; and DIR is not on a noexec mount, so the programs
# copied there can run.
fa__reachable()
{
	[ -d "$1" ] || return 1
	fa__d=$(cd "$1" && pwd -P) || return 1
	if command -v findmnt >/dev/null 2>&1; then
		case ,$(findmnt -n -o OPTIONS -T "$fa__d" 2>/dev/null), in
		*,noexec,*) return 1 ;;
		esac
	fi
	while :; do
		case $(stat -L -c %A "$fa__d" 2>/dev/null) in
		?????????[xt]) ;;
		*) return 1 ;;
		esac
		[ "$fa__d" != / ] || return 0
		fa__d=$(dirname "$fa__d")
	done
}

# fa_state_dir NAME [AVOID...]: make a new dir NAME.XXXXXX (mode 0700; its
# owner opens it up as far as it must) and print its path.  It goes in the
# first of $TMPDIR, /tmp and /var/tmp that every user can reach (above) and
# that is not inside an AVOID dir (the checkout: a test's servers must not
# depend on where it lives).  A checkout under a private folder (/root, a
# mktemp -d) then still gives a server running as www-data its files.
# Without such a dir, ${TMPDIR:-/tmp}.
fa_state_dir()
{
	fa__name=$1
	shift
	fa__base=
	for fa__b in ${TMPDIR:+"$TMPDIR"} /tmp /var/tmp; do
		fa__reachable "$fa__b" || continue
		fa__b=$(cd "$fa__b" && pwd -P)
		for fa__a in "$@"; do
			fa__a=$(cd "$fa__a" 2>/dev/null && pwd -P) || continue
			case $fa__b/ in
			"$fa__a"/*) fa__b= ;;
			esac
		done
		if [ -n "$fa__b" ]; then
			fa__base=$fa__b
			break
		fi
	done
	if [ -z "$fa__base" ]; then
		fa__base=${TMPDIR:-/tmp}
		fa__note "no temp dir every user can reach: using $fa__base"
	fi
	mktemp -d "$fa__base/$fa__name.XXXXXX"
}
