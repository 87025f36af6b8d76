#!/usr/bin/env bats
# deploy/: checked offline (no Docker engine here): every program has its
# image target, the runtime image installs exactly the packages that
# provide the libraries the programs link, and images run as non-root.

load helper

DOCKERFILE=$TOP/deploy/Dockerfile

progs() {
	sed -n 's/^PROGS[[:space:]]*=//p' "$TOP/Makefile" | tr ' ' '\n' | grep .
}

# Package names installed by the runtime stage's apt-get line.
runtime_pkgs() {
	awk '/^FROM .* AS runtime/ {r=1; next} /^FROM / {r=0} r' "$DOCKERFILE" |
		sed -n '/install -y/,/rm -rf/p' | tr -s ' \t\\' '\n' |
		grep -E '^[a-z0-9][a-z0-9.+-]+$' |
		grep -v -x -E 'apt-get|install|rm|DEBIAN_FRONTEND=noninteractive|-y|--no-install-recommends|-rf|&&'
}

# The Debian package that owns a shared library.  With merged /usr a path
# may be packaged under /lib or /usr/lib, and ldd may show either.
pkg_of() {
	local lib=$1 real cand dir
	real=$(readlink -f "$lib")
	for dir in /lib /usr/lib; do
		for cand in "$dir/${lib#*/lib/}" "$dir/${real#*/lib/}"; do
			dpkg -S "$cand" 2>/dev/null | head -n 1 | cut -d: -f1 | grep . && return 0
		done
	done
	return 1
}

@test "every program has a Dockerfile target that runs it" {
	for p in $(progs); do
		grep -q "^FROM runtime AS $p\$" "$DOCKERFILE"
		grep -q "^ENTRYPOINT \[\"/usr/bin/$p\"\]" "$DOCKERFILE"
	done
}

@test "the runtime image has the package of every library the programs link" {
	# The release build: the sanitizer build links libasan, which no
	# image carries.
	pkgs=$(runtime_pkgs)
	[ -n "$pkgs" ]
	for p in $(progs); do
		bin=$TOP/build/bin/$p
		[ -x "$bin" ]
		# Direct dependencies only: apt brings the rest along.
		for so in $(readelf -d "$bin" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p'); do
			lib=$(ldd "$bin" | awk -v so="$so" '$1 == so {print $3}')
			pkg=$(pkg_of "$lib")
			# libc6 and libgcc-s1 are in every Debian image.
			case $pkg in libc6 | libgcc-s1) continue ;; esac
			echo "$p needs $lib from $pkg"
			grep -q -x "$pkg" <<<"$pkgs"
		done
	done
}

@test "images run as a non-root user" {
	user=$(awk '/^FROM .* AS runtime/ {r=1} r && /^USER / {print $2; exit}' "$DOCKERFILE")
	[ -n "$user" ]
	[ "${user%%:*}" != 0 ] && [ "${user%%:*}" != root ]
}
