#!/bin/sh
# The layout docs/ARCHITECTURE.md describes, checked: no source file stands
# directly in a layer's folder but guests/guest.c (the guest model); every
# include is written from the repository's root and exists; the layers
# depend one way (lib <- net <- guests <- init); only lib/profile/ and the
# converters in init/labcfg/ have headers that include the profile, and no
# file under net/ or guests/ includes it; every exported C name carries its
# folder's prefix (read from the objects `make unit` compiled).
T_REPO=$(cd "$(dirname "$0")/../.." && pwd)
. "$T_REPO/tests/lib/lib.sh"
cd "$T_REPO"
bad=$(mktemp)
t_defer "rm -f '$bad'"
problem() { echo "$*" >> "$bad"; }

srcs=$(find lib net guests init -name '*.[ch]' | LC_ALL=C sort)

# 1. A folder per subsystem.
for f in $(find lib net init -maxdepth 1 -name '*.c') $(find guests -maxdepth 1 -name '*.c' ! -name guest.c); do
	problem "$f: a source file directly in its layer's folder (give its subsystem a folder)"
done

# 2. Includes from the root that exist; 3. the layers' direction.
rank() {
	case $1 in
	lib/*) echo 0 ;; net/*) echo 1 ;; guests/*) echo 2 ;; init/*) echo 3 ;; *) echo 9 ;;
	esac
}
for f in $srcs; do
	from=$(rank "$f")
	for inc in $(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f"); do
		[ -f "$inc" ] || problem "$f: #include \"$inc\" is not a path from the repository's root"
		[ "$(rank "$inc")" -le "$from" ] || problem "$f: includes $inc, a layer above its own"
	done
done
for f in $(find tests/unit tests/fuzz -name '*.c'); do
	for inc in $(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f"); do
		[ "$inc" = t.h ] || [ -f "$inc" ] || problem "$f: #include \"$inc\" is not a path from the repository's root"
	done
done

# 4. Who sees the profile.
for f in $(grep -l '^#include "lib/profile/profile.h"' $srcs); do
	case $f in
	lib/profile/* | init/labcfg/*) ;;
	*.h) problem "$f: a header outside lib/profile/ and init/labcfg/ includes the profile" ;;
	net/* | guests/*) problem "$f: the $(dirname "$f") layer reads struct profile (take its own config from init/labcfg/)" ;;
	esac
done

# 5. Exported names carry their folder's prefix.
prefixes() {
	case $1 in
	lib/core) echo "addr_ argv_ console_ daemon_ diag_ guesthw_ log_ loop_ name_ netem_ read_ sandbox_ sshkey_ strbuf_ words_ write_" ;;
	lib/profile) echo "profile_ config_ vc_" ;;
	init/pid1) echo "pid1_ mounts_ shutdown_" ;;
	init/boot) echo "boot_ labdata_ hosts_" ;;
	init/supervise) echo "sv_" ;;
	init/control) echo "ctl_" ;;
	init/labctl) echo "labctl_" ;;
	init/modules) echo "modules_ moddep_ uevent_" ;;
	init/labcfg) echo "labcfg_" ;;
	init/results) echo "results_" ;;
	init/cmd) echo "cmd_ main" ;;
	net/netlink) echo "nl_ rtnl_ tap_ netem_" ;;
	net/nft) echo "nft_" ;;
	net/labnet) echo "labnet_" ;;
	net/dhcp) echo "dhcp_" ;;
	net/dhcpc) echo "dhcpc_" ;;
	net/dhcpd) echo "dhcpd_" ;;
	net/dhcp6) echo "dhcp6_" ;;
	net/tftp) echo "tftp_ tftpd_" ;;
	net/dns) echo "dns_ dnsd_" ;;
	net/ndp) echo "ndp_" ;;
	net/capture) echo "capture_ pcap_" ;;
	net/netboot) echo "netboot_" ;;
	guests) echo "guest_" ;;
	guests/qemu) echo "qemu_ qmp_ kvm_" ;;
	guests/share) echo "share_" ;;
	guests/conlog) echo "conlog_" ;;
	guests/triage) echo "triage_" ;;
	guests/agent) echo "agent_" ;;
	guests/uml) echo "uml_" ;;
	guests/cloudinit) echo "seed_" ;;
	esac
}
t_need nm binutils
for f in $(find lib net guests init -name '*.c' ! -path init/cmd/main.c); do
	o=build/testobj/${f%.c}.o
	[ -f "$o" ] || t_fail "$o is missing: run make unit first"
	want=$(prefixes "$(dirname "$f")")
	[ -n "$want" ] || { problem "$(dirname "$f"): a folder without prefixes in $0 (add it, and to docs/ARCHITECTURE.md)"; continue; }
	for sym in $(nm -g --defined-only "$o" | awk '$2 ~ /^[TDBRC]$/ { print $3 }'); do
		sym=${sym#__odr_asan.} # ASan's ODR indicator of an exported variable: check its name
		ok=0
		for p in $want; do
			case $sym in "$p"*) ok=1 ;; esac
		done
		[ $ok = 1 ] || problem "$f: exports $sym, not prefixed by its folder ($want)"
	done
done

if [ -s "$bad" ]; then
	cat "$bad"
	t_fail "$(wc -l < "$bad") layout problems (above)"
fi
echo "layout ok: $(echo "$srcs" | wc -l) files"
