#!/bin/sh
# package.sh -- the Debian package: built from a copy of the tree, clean
# under lintian, its contents and modes, then installed, upgraded, removed
# and purged in a throwaway root with dpkg --root
#
# Out of the checkout: the tree (git's files, or all of a tree without
# git) is copied into a private state dir, where dpkg-buildpackage also
# writes the .deb; the state dir is removed at exit (kept if a check
# failed, or with E2E_KEEP=1).  The build skips the unit suites
# (DEB_BUILD_OPTIONS=nocheck): "make check" runs them already.  Skips (77)
# without dpkg-buildpackage, debhelper or lintian, or a debian/ dir (a
# dist tarball); the install part needs root (chown) and systemd-sysusers,
# and the test skips when it cannot run it, after the other checks.
#
# The install is dpkg --root with --force-script-chrootless: the
# maintainer scripts run on this host with DPKG_ROOT set, so they must
# honour it (they do: a postinst that wrote the host's /etc would fail
# the checks on the root's).  --force-depends, since the root's dpkg
# database is empty.
set -eu

# shellcheck disable=SC2034 # fa_prog: the name scripts/proc.sh prints
fa_prog=package.sh
# shellcheck source=tests/e2e/lib.sh
. "${abs_top_srcdir:-$(dirname "$0")/..}/tests/e2e/lib.sh"
src=$(cd "${abs_top_srcdir:-$(dirname "$0")/..}" && pwd -P)

for tool in dpkg-buildpackage dpkg-checkbuilddeps dh lintian; do
	command -v "$tool" >/dev/null 2>&1 ||
	    e2e_skip "$tool not installed (apt-get install dpkg-dev" \
	    "debhelper lintian)"
done
[ -f "$src/debian/control" ] ||
    e2e_skip "no debian/ in this tree (a dist tarball carries none)"
(cd "$src" && dpkg-checkbuilddeps) >/dev/null 2>&1 || {
	(cd "$src" && dpkg-checkbuilddeps) >&2 || true
	e2e_skip "build dependencies missing (above)"
}

state=$(fa_state_dir fcgi-auth-package "$src")
cleanup()
{
	status=$?
	trap - EXIT INT TERM HUP
	if [ "$status" -ne 0 ] && [ "$status" -ne 77 ] ||
	    [ "${E2E_KEEP:-0}" = 1 ]; then
		e2e_log "package: state kept in $state"
	else
		rm -rf "$state"
	fi
	exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

# --- build ------------------------------------------------------------------

# The tree as git has it (tracked and new files, not ignored ones: no
# in-tree build leaks in), else all of it.
tree=$state/fcgi-auth
mkdir "$tree"
if git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	git -C "$src" ls-files -z --cached --others --exclude-standard |
	    tar -C "$src" --null --ignore-failed-read -T - -cf - |
	    tar -C "$tree" -xf -
else
	tar -C "$src" -cf - . | tar -C "$tree" -xf -
fi

e2e_log "package: building (dpkg-buildpackage -us -uc -b)"
if ! (cd "$tree" && DEB_BUILD_OPTIONS="nocheck parallel=$(nproc 2>/dev/null || echo 2)" \
    dpkg-buildpackage -us -uc -b) >"$state/build.log" 2>&1; then
	tail -n 40 "$state/build.log" | sed 's/^/#   /'
	echo "not ok - dpkg-buildpackage -us -uc -b"
	exit 1
fi
echo "ok - dpkg-buildpackage -us -uc -b"
version=$(cd "$tree" && dpkg-parsechangelog -S Version)
arch=$(dpkg-architecture -q DEB_HOST_ARCH)
deb=$state/fcgi-auth_${version}_$arch.deb
changes=$state/fcgi-auth_${version}_$arch.changes
[ -f "$deb" ] || e2e_die "no $deb after the build"

# --- lintian ----------------------------------------------------------------

# No error, and no warning that debian/*lintian-overrides does not
# override with a reason (overridden tags are not printed).
check_lintian()
{
	lintian --fail-on none "$changes" >"$state/lintian.txt" 2>&1 || {
		sed 's/^/#   /' "$state/lintian.txt"
		return 1
	}
	if grep -E '^[EW]: ' "$state/lintian.txt" | sed 's/^/#   /' |
	    grep .; then
		return 1
	fi
	e2e_log "package: lintian: $(grep -c '^[A-Z]: ' \
	    "$state/lintian.txt") notes, none an error or a warning"
}

# --- contents ---------------------------------------------------------------

dpkg-deb -c "$deb" >"$state/contents.txt"
mkdir "$state/control"
dpkg-deb -e "$deb" "$state/control"

# entry PATH: "MODE OWNER/GROUP" of ./PATH in the .deb, or nothing.
entry()
{
	awk -v p="./$1" '$6 == p { print $1, $2 }' "$state/contents.txt"
}

# has PATH MODE: the .deb has ./PATH with MODE, owned by root/root.
has()
{
	e2e_expect "./$1" "$2 root/root" "$(entry "$1")"
}

# The endpoints Makefile.am builds (cgi-bin/NAME.fcgi), one a line.
endpoints=$(sed -n 's|^[[:space:]]*cgi-bin/\([a-z_]*\)\.fcgi.*|\1|p' \
    "$tree/Makefile.am" | sort -u)

# Each one installed, and no other.
check_endpoints()
{
	[ -n "$endpoints" ] ||
	    { echo "#   no endpoint in Makefile.am"; return 1; }
	for n in $endpoints; do
		has "usr/libexec/fcgi-auth/$n.fcgi" -rwxr-xr-x || return 1
	done
	got=$(sed -n 's|.* \./usr/libexec/fcgi-auth/\(.*\)\.fcgi$|\1|p' \
	    "$state/contents.txt" | sort)
	e2e_expect "endpoints installed" "$endpoints" "$got"
}

check_programs()
{
	has usr/sbin/authctl -rwxr-xr-x &&
	has usr/sbin/fcgi-auth-spawn -rwxr-xr-x &&
	has usr/share/man/man8/authctl.8.gz -rw-r--r-- &&
	has usr/share/man/man8/fcgi-auth-spawn.8.gz -rw-r--r--
}

# The unit where Debian 12's systemd reads it, naming the installed
# endpoints; the sysusers file, run by postinst (dh_installsysusers).
check_systemd()
{
	has lib/systemd/system/fcgi-auth@.service -rw-r--r-- || return 1
	has usr/lib/sysusers.d/fcgi-auth.conf -rw-r--r-- || return 1
	dpkg-deb --fsys-tarfile "$deb" |
	    tar -xOf - ./lib/systemd/system/fcgi-auth@.service |
	    grep -q '/usr/libexec/fcgi-auth/%i\.fcgi' || {
		echo "#   the unit does not run /usr/libexec/fcgi-auth/%i.fcgi"
		return 1
	}
	grep -q 'systemd-sysusers.* fcgi-auth\.conf' \
	    "$state/control/postinst" || {
		echo "#   postinst does not run systemd-sysusers fcgi-auth.conf"
		return 1
	}
}

# Every server snippet of etc/ (the .in templates but the unit and
# fcgi-auth-spawn), the drop-in and the two samples, under examples/; and
# deploy.md uncompressed, as the unit's Documentation= names it.
check_examples()
{
	ex=usr/share/doc/fcgi-auth/examples
	for f in "$tree"/etc/lighttpd/*.in "$tree"/etc/apache2/*.in \
	    "$tree"/etc/nginx/*.in "$tree"/etc/caddy/*.in; do
		d=$(basename "$(dirname "$f")")
		n=$(basename "$f" .in)
		[ "$n" != fcgi-auth-installed.conf ] || n=fcgi-auth.conf
		has "$ex/$d/$n" -rw-r--r-- || return 1
	done
	has "$ex/systemd/fcgi-auth-redis.conf" -rw-r--r-- &&
	has "$ex/users.example" -rw-r--r-- &&
	has "$ex/policy.example" -rw-r--r-- &&
	has usr/share/doc/fcgi-auth/deploy.md -rw-r--r-- &&
	has usr/share/fcgi-auth/users.initial -rw-r--r--
}

# No secret and no users file in the .deb (postinst makes them), no
# conffile for them, nothing world-writable, nothing set-id.
check_no_secret()
{
	if grep -E ' \./etc/fcgi-auth/.' "$state/contents.txt" |
	    sed 's/^/#   shipped: /' | grep .; then
		return 1
	fi
	has etc/fcgi-auth/ drwxr-xr-x || return 1
	if grep -i -E 'secret|password|/users$' "$state/contents.txt" |
	    sed 's/^/#   shipped: /' | grep .; then
		return 1
	fi
	if [ -f "$state/control/conffiles" ] &&
	    grep -E 'users|secret' "$state/control/conffiles" |
	    sed 's/^/#   conffile: /' | grep .; then
		return 1
	fi
	if awk '$1 ~ /^.{8}w/ || $1 ~ /[sS]/ { print "#   mode: " $0 }' \
	    "$state/contents.txt" | grep .; then
		return 1
	fi
}

# --- installed into a throwaway root ----------------------------------------

root=$state/root
host_etc=
[ ! -e /etc/fcgi-auth ] || host_etc=yes
# dpk ARGS: dpkg on the throwaway root, its own log.
dpk()
{
	dpkg --root="$root" --force-script-chrootless --force-depends \
	    --force-not-root --log="$state/dpkg.log" "$@" \
	    >>"$state/install.log" 2>&1 || {
		tail -n 20 "$state/install.log" | sed 's/^/#   /'
		return 1
	}
}

# mode_of PATH: "MODE OWNER:GROUP" of PATH in the root.
mode_of()
{
	stat -c '%a %U:%G' "$root$1" 2>/dev/null || echo "(missing)"
}

status_of()
{
	dpkg-query --admindir="$root/var/lib/dpkg" -W -f '${Status}' \
	    fcgi-auth 2>/dev/null || true
}

check_install()
{
	mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates" \
	    "$root/etc"
	: >"$root/var/lib/dpkg/status"
	: >"$root/var/lib/dpkg/available"
	dpk -i "$deb" || return 1
	e2e_expect "dpkg status" "install ok installed" "$(status_of)" ||
	    return 1
	# The scripts honoured DPKG_ROOT: the host's /etc is as it was.
	[ -n "$host_etc" ] || [ ! -e /etc/fcgi-auth ] ||
	    { echo "#   postinst wrote the host's /etc/fcgi-auth"; return 1; }
	e2e_expect "the fcgi-auth user (sysusers)" fcgi-auth \
	    "$(cut -d: -f1 "$root/etc/passwd" | grep -x fcgi-auth)" || return 1
	e2e_expect "users file" "640 root:www-data" \
	    "$(mode_of /etc/fcgi-auth/users)" || return 1
	cmp -s "$tree/etc/users.initial" "$root/etc/fcgi-auth/users" ||
	    { echo "#   the users file is not etc/users.initial"; return 1; }
	e2e_expect "jwt-secret" "640 root:www-data" \
	    "$(mode_of /etc/fcgi-auth/jwt-secret)" || return 1
	e2e_expect "jwt-secret: 64 random bytes, base64" 88 \
	    "$(tr -cd 'A-Za-z0-9+/=' <"$root/etc/fcgi-auth/jwt-secret" |
	    wc -c)" || return 1
	for f in "$root"/etc/fcgi-auth/* "$root"/etc/fcgi-auth/.[!.]*; do
		case ${f##*/} in
		users|jwt-secret|'*'|'.[!.]*') ;;
		*) echo "#   left in etc/fcgi-auth: ${f##*/}"; return 1 ;;
		esac
	done
	for n in $endpoints; do
		[ -x "$root/usr/libexec/fcgi-auth/$n.fcgi" ] ||
		    { echo "#   not installed: $n.fcgi"; return 1; }
	done
}

# The installed authctl adds a user to the installed users file, which
# keeps its owner and mode; an upgrade (the same .deb again) keeps both
# the users and the secret.
check_upgrade()
{
	cp "$root/etc/fcgi-auth/jwt-secret" "$state/secret.before"
	printf '%s\n' 'a long enough passphrase' |
	    "$root/usr/sbin/authctl" --file "$root/etc/fcgi-auth/users" \
	    add alice --role admin --stdin >>"$state/install.log" 2>&1 || {
		tail -n 5 "$state/install.log" | sed 's/^/#   /'
		return 1
	}
	e2e_expect "users file after authctl" "640 root:www-data" \
	    "$(mode_of /etc/fcgi-auth/users)" || return 1
	dpk -i "$deb" || return 1
	grep -q '^alice:' "$root/etc/fcgi-auth/users" ||
	    { echo "#   the upgrade lost alice"; return 1; }
	cmp -s "$state/secret.before" "$root/etc/fcgi-auth/jwt-secret" ||
	    { echo "#   the upgrade changed the secret"; return 1; }
	e2e_expect "users file after the upgrade" "640 root:www-data" \
	    "$(mode_of /etc/fcgi-auth/users)"
}

# as UID GID PROGRAM ARGS: run PROGRAM with only that uid and gid, from /.
as()
{
	as_uid=$1
	as_gid=$2
	shift 2
	(cd / && setpriv --reuid="$as_uid" --regid="$as_gid" --clear-groups \
	    "$@")
}

# The installed login.fcgi (as plain CGI), run as the unit runs it:
# User=fcgi-auth (the root's), Group=www-data, no other group; it reads
# the secret and users file postinst made, and logs alice in.  Anyone
# else (nobody) reads neither.  The state dir is opened for traversal
# only, so that the files' own modes are what is checked.
check_login()
{
	chmod 0711 "$state"
	uid=$(awk -F: '$1 == "fcgi-auth" { print $3 }' "$root/etc/passwd")
	gid=$(getent group www-data | cut -d: -f3)
	if [ -z "$uid" ] || [ -z "$gid" ]; then
		echo "#   no fcgi-auth user or www-data group"
		return 1
	fi
	body='username=alice&password=a+long+enough+passphrase'
	printf '%s' "$body" | as "$uid" "$gid" env -i PATH=/usr/bin:/bin \
	    REQUEST_METHOD=POST CONTENT_LENGTH=${#body} \
	    CONTENT_TYPE=application/x-www-form-urlencoded \
	    JWT_SECRET_FILE="$root/etc/fcgi-auth/jwt-secret" \
	    USERS_FILE="$root/etc/fcgi-auth/users" \
	    "$root/usr/libexec/fcgi-auth/login.fcgi" >"$state/login.out" \
	    2>"$state/login.err" || {
		sed 's/^/#   /' "$state/login.err"
		return 1
	}
	e2e_expect "login as alice, as fcgi-auth:www-data" "Status: 200 OK" \
	    "$(head -n 1 "$state/login.out" | tr -d '\r')" || return 1
	grep -q '"access_token"' "$state/login.out" ||
	    { echo "#   no access_token"; return 1; }
	for f in jwt-secret users; do
		if as 65534 65534 cat "$root/etc/fcgi-auth/$f" \
		    >/dev/null 2>&1; then
			echo "#   nobody can read $f"
			return 1
		fi
	done
}

# Remove keeps the admin's files; purge takes them, and /etc/fcgi-auth.
check_remove_purge()
{
	dpk -r fcgi-auth || return 1
	[ ! -e "$root/usr/sbin/authctl" ] ||
	    { echo "#   authctl left after remove"; return 1; }
	grep -q '^alice:' "$root/etc/fcgi-auth/users" ||
	    { echo "#   remove took the users file"; return 1; }
	dpk -P fcgi-auth || return 1
	e2e_expect "dpkg status after purge" "" \
	    "$(status_of | grep -v 'not-installed')" || return 1
	if [ -e "$root/etc/fcgi-auth" ]; then
		echo "#   purge left: $(ls -A "$root/etc/fcgi-auth")"
		return 1
	fi
	grep -q ' install fcgi-auth:' "$state/dpkg.log" ||
	    { echo "#   nothing in dpkg's log"; return 1; }
}

e2e_check "lintian: no error, no warning not overridden" check_lintian
e2e_check "the endpoints, in /usr/libexec/fcgi-auth" check_endpoints
e2e_check "authctl, fcgi-auth-spawn and their man pages" check_programs
e2e_check "the systemd unit and the sysusers file" check_systemd
e2e_check "the examples" check_examples
e2e_check "no secret, no users file, nothing world-writable" \
    check_no_secret
if [ "$(id -u)" -ne 0 ]; then
	e2e_finish || exit 1
	e2e_skip "the install into a throwaway root needs root (chown)"
fi
for tool in systemd-sysusers setpriv; do
	command -v "$tool" >/dev/null 2>&1 || {
		e2e_finish || exit 1
		e2e_skip "no $tool here (the install part needs it)"
	}
done
e2e_check "installed with dpkg --root: user, users file, secret" \
    check_install
e2e_check "authctl on it, then an upgrade keeps users and secret" \
    check_upgrade
e2e_check "login.fcgi as the unit's user logs alice in; nobody reads" \
    check_login
e2e_check "remove keeps the users file, purge removes it all" \
    check_remove_purge
e2e_finish
