#!/bin/sh
# The Kconfig menus and the binary's key table (lib/profile/profile_keys.h) must agree
# on every symbol, type and default: kconfig-conf writes a .config with all
# guest slots (PROFILE_GUEST_SLOTS) enabled, and every line of it must match what
# `labinit print-config --defaults` prints. The generated guest slots must
# match their generator.
set -eu
T_REPO=$(cd "$(dirname "$0")/../../../.." && pwd)
. "$T_REPO/tests/lib/lib.sh"
cd "$T_REPO"
t_tmpdir

sh guests/gen-kconfig-slots.sh | diff -u guests/Kconfig.slots - ||
	t_fail "guests/Kconfig.slots is stale: sh guests/gen-kconfig-slots.sh > guests/Kconfig.slots"
sh guests/gen-kconfig-slots.sh net | diff -u net/Kconfig.slots - ||
	t_fail "net/Kconfig.slots is stale: sh guests/gen-kconfig-slots.sh net > net/Kconfig.slots"

slots=$(sed -n 's/^#define PROFILE_GUEST_SLOTS \([0-9][0-9]*\)$/\1/p' lib/profile/profile_keys.h)
nets=$(sed -n 's/^#define PROFILE_NETS \([0-9][0-9]*\)$/\1/p' lib/profile/profile_keys.h)
{
	for n in $(seq "$slots"); do echo "CONFIG_GUEST$n=y"; done
	for n in $(seq 2 "$nets"); do echo "CONFIG_NET$n=y"; done
} > "$tmp/all_guests"
KCONFIG_CONFIG="$tmp/kconfig" kconfig-conf --defconfig="$tmp/all_guests" Kconfig > "$tmp/log" 2>&1 ||
	{ cat "$tmp/log"; t_fail "kconfig-conf failed (above)"; }
if grep -qi warning "$tmp/log"; then cat "$tmp/log"; t_fail "kconfig-conf warned (above)"; fi
# The static uplink's keys are only visible with CONFIG_UPLINK_STATIC=y.
{ cat "$tmp/all_guests"; echo "CONFIG_UPLINK_STATIC=y"; } > "$tmp/static"
KCONFIG_CONFIG="$tmp/kconfig_static" kconfig-conf --defconfig="$tmp/static" Kconfig > "$tmp/log" 2>&1 ||
	{ cat "$tmp/log"; t_fail "kconfig-conf failed (above)"; }
{
	grep -E '^(CONFIG_|# CONFIG_)' "$tmp/kconfig" | grep -v -E '^CONFIG_(GUEST|NET)[0-9]+=y$'
	grep -E '^CONFIG_UPLINK_(ADDRESS|GATEWAY|DNS)=' "$tmp/kconfig_static"
} | sort > "$tmp/from_kconfig"
"$LABINIT" print-config --defaults | grep -v -E '^# CONFIG_(GUEST|NET)[0-9]+ is not set$' | sort > "$tmp/from_binary"
if ! diff -u "$tmp/from_kconfig" "$tmp/from_binary"; then
	t_fail "Kconfig (-) and lib/profile/profile_keys.h (+) disagree"
fi
# Every symbol Kconfig declares is one the binary knows (and the reverse, above).
grep -h -E '^(config|menuconfig) ' Kconfig */Kconfig guests/Kconfig.slots net/Kconfig.slots | awk '{print $2}' | sort > "$tmp/symbols"
"$LABINIT" print-config --defaults | sed -E 's/^# CONFIG_([A-Z0-9_]+) is not set/\1/; s/^CONFIG_([A-Z0-9_]+)=.*/\1/' |
	sort > "$tmp/keys"
diff -u "$tmp/symbols" "$tmp/keys"
echo "$(wc -l < "$tmp/keys") keys agree"
