# common.sh -- sourced by scripts/check and scripts/demo: packages and builds
#
# The caller sets fa_prog (its name, for messages) and fa_root (the
# repository's top dir, absolute) and runs under "set -eu".  It also gets
# scripts/proc.sh (stopping processes, waits, secrets).

. "$fa_root/scripts/proc.sh"

fa_say()
{
	printf '%s: %s\n' "$fa_prog" "$*" >&2
}

fa_die()
{
	fa_say "$*"
	exit 1
}

fa_jobs=$(nproc 2>/dev/null || echo 2)

# fa_need_packages "package:why" ...: install the missing Debian packages
# with apt-get when root; otherwise say which are missing and why, and
# exit 1.  Off Debian, say what is needed and carry on.
fa_need_packages()
{
	if ! command -v dpkg-query >/dev/null 2>&1; then
		fa_say "not Debian: make sure these are installed:"
		for spec in "$@"; do
			fa_say "  ${spec%%:*} (${spec#*:})"
		done
		return 0
	fi
	fa_missing=
	for spec in "$@"; do
		pkg=${spec%%:*}
		if [ "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null)" != \
		    "install ok installed" ]; then
			fa_say "missing Debian package $pkg: ${spec#*:}"
			fa_missing="$fa_missing $pkg"
		fi
	done
	[ -n "$fa_missing" ] || return 0
	if [ "$(id -u)" -ne 0 ]; then
		fa_say "not root, so not installing them; run as root, or:"
		fa_say "  sudo apt-get install$fa_missing"
		exit 1
	fi
	fa_say "installing:$fa_missing"
	apt-get update -qq
	# shellcheck disable=SC2086 # one word per package
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    --no-install-recommends $fa_missing
}

# fa_need_build_packages ["package:why"...]: what the build needs (the
# .pc files configure.ac asks for), and the caller's own extras.
fa_need_build_packages()
{
	fa_need_packages \
	    "gcc:the C compiler" \
	    "make:the build" \
	    "libc6-dev:the C library's headers" \
	    "autoconf:generating ./configure" \
	    "automake:generating Makefile.in" \
	    "libtool:autoreconf" \
	    "pkg-config:configure finds the libraries" \
	    "libfcgi-dev:FastCGI (fcgiapp.h, libfcgi)" \
	    "libjwt-dev:JWT signing and verification" \
	    "libjson-c-dev:JSON bodies and claims" \
	    "libcrypt-dev:password hashes (libxcrypt)" \
	    "libsqlite3-dev:the session store on one host (SESSION_STORE=sqlite:)" \
	    "libssl-dev:refresh tokens' SHA-256 (libcrypto)" \
	    "libhiredis-dev:the session store on several hosts (SESSION_STORE=redis://)" \
	    "$@"
}

# Generate ./configure if it is missing or older than configure.ac.
fa_bootstrap()
{
	if [ ! -x "$fa_root/configure" ] || [ ! -f "$fa_root/Makefile.in" ] ||
	    [ "$fa_root/configure.ac" -nt "$fa_root/configure" ]; then
		fa_say "autoreconf -fi"
		(cd "$fa_root" && autoreconf -fi)
	fi
}

# Whether the source tree itself is configured (./configure run in it):
# then automake refuses builds in other directories.
fa_configured_in_tree()
{
	[ -f "$fa_root/config.status" ]
}

# fa_configure DIR [CONFIGURE_ARGS...]: configure a build in DIR unless it
# already is, with these arguments (plain words: no quoting games).
fa_configure()
{
	fa_dir=$1
	shift
	if [ -f "$fa_dir/config.status" ] && [ -f "$fa_dir/Makefile" ] &&
	    [ "$("$fa_dir/config.status" --config | tr -d "'")" = "$*" ]; then
		return 0
	fi
	mkdir -p "$fa_dir"
	fa_say "configure $* (in ${fa_dir#"$fa_root"/})"
	(cd "$fa_dir" && "$fa_root/configure" -q "$@")
}

# fa_swagger_ui DIR: Swagger UI for the /docs page, so that it works with
# no CDN in reach: Debian has no package of it, so swagger-ui-dist from
# the npm registry, fetched once into DIR/swagger-ui-dist-VERSION and
# checked against this digest (npm's own tarball of the version
# configure.ac pins).  Sets fa_swagger_ui_dir to the unpacked folder, or
# to "" (then the page loads it from jsDelivr) when it cannot be had.
fa_swagger_ui_version=5.17.14
fa_swagger_ui_sha256=c57badf459aa6e65cc036b3862d0502a63f9a22546407ffcb0e64f85f816bb28
fa_swagger_ui()
{
	fa_swagger_ui_dir=$1/swagger-ui-dist-$fa_swagger_ui_version
	if [ -f "$fa_swagger_ui_dir/package.json" ]; then
		return 0
	fi
	fa_tgz=$fa_swagger_ui_dir.tgz
	fa_say "fetching swagger-ui-dist $fa_swagger_ui_version from the npm" \
	    "registry"
	if mkdir -p "$1" && command -v curl >/dev/null 2>&1 &&
	    curl -fsS --max-time 60 -o "$fa_tgz" \
	    "https://registry.npmjs.org/swagger-ui-dist/-/swagger-ui-dist-$fa_swagger_ui_version.tgz" &&
	    echo "$fa_swagger_ui_sha256  $fa_tgz" | sha256sum -c --quiet - &&
	    rm -rf "$fa_swagger_ui_dir.tmp" &&
	    mkdir -p "$fa_swagger_ui_dir.tmp" &&
	    tar -xzf "$fa_tgz" -C "$fa_swagger_ui_dir.tmp" \
	    --strip-components=1 &&
	    mv "$fa_swagger_ui_dir.tmp" "$fa_swagger_ui_dir"; then
		:
	else
		rm -rf "$fa_swagger_ui_dir.tmp"
		fa_say "no swagger-ui-dist: /docs will load it from jsDelivr"
		fa_swagger_ui_dir=
	fi
	rm -f "$fa_tgz"
}
