# Shared by scripts/*: paths and small helpers. Sourced, not run.
SECSETUP_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SECSETUP_BUILD=${SECSETUP_BUILD:-$SECSETUP_ROOT/build}
SECSETUP_DEPS=$SECSETUP_BUILD/deps

say() { printf '== %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# The Kamailio source tree matching the installed binary package.
kamailio_src_dir() {
	local ver
	ver=$(dpkg-query -W -f='${Version}' kamailio 2>/dev/null) || return 1
	ver=${ver#*:}
	printf '%s/kamailio-%s\n' "$SECSETUP_DEPS" "${ver%-*}"
}
