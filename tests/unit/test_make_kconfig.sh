#!/bin/sh
# The Kconfig conventions through make: NAME_defconfig, savedefconfig,
# olddefconfig and list-defconfigs, with the resulting .config accepted by
# labinit itself.
set -eu
T_REPO=$(cd "$(dirname "$0")/../.." && pwd)
. "$T_REPO/tests/lib/lib.sh"
cd "$T_REPO"
t_tmpdir
mk() { make --no-print-directory -s KCONFIG_CONFIG="$tmp/.config" "$@"; }

mk list-defconfigs | tr -s " " > "$tmp/list"
for f in configs/*_defconfig; do
	desc=$(sed -n 's/^CONFIG_PROFILE_DESCRIPTION="\(.*\)"$/\1/p' "$f")
	[ -n "$desc" ] || t_fail "$f has no CONFIG_PROFILE_DESCRIPTION"
	grep -qF "$(basename "$f") - $desc" "$tmp/list" || { cat "$tmp/list"; t_fail "$f not listed"; }
done

mk kdebug_pair_defconfig > /dev/null
grep -qx 'CONFIG_GUEST2_GDB_PORT=1235' "$tmp/.config" || t_fail "kdebug_pair_defconfig not loaded"
grep -qx 'CONFIG_DHCP_LEASE_TIME=3600' "$tmp/.config" || t_fail "defaults not filled in"
mk DEFCONFIG="$tmp/saved" savedefconfig > /dev/null
sort "$tmp/saved" > "$tmp/a"
sort configs/kdebug_pair_defconfig > "$tmp/b"
diff -u "$tmp/b" "$tmp/a" || t_fail "savedefconfig does not give back the profile"

mkdir -p "$tmp/files/guests/demo"
: > "$tmp/files/guests/demo/vmlinux"
: > "$tmp/files/guests/demo/initramfs.cpio.gz"
build/labinit check-config --cmdline "labinit.FILES_DIR=$tmp/files" "$tmp/.config" ||
	t_fail "labinit rejects the .config Kconfig wrote"

# A symbol that no longer exists goes away; a missing one gets its default.
grep -v '^CONFIG_STOP_TIMEOUT=' "$tmp/.config" > "$tmp/old"
echo 'CONFIG_RETIRED_OPTION=y' >> "$tmp/old"
cp "$tmp/old" "$tmp/.config"
mk olddefconfig > /dev/null
grep -q RETIRED "$tmp/.config" && t_fail "olddefconfig kept a retired symbol"
grep -qx 'CONFIG_STOP_TIMEOUT=10' "$tmp/.config" || t_fail "olddefconfig did not add the default"
echo "make's Kconfig targets ok"
