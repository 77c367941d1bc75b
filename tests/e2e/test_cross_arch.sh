#!/bin/bash
# End to end, CONFIG_GUESTn_ARCH: labinit as PID 1 in fresh namespaces boots
# the x86_64, the aarch64 and the riscv64 demo guest (make demo-guest) at
# once on one bridge, as configs/cross_arch_defconfig does; the two foreign
# ones under TCG whatever the host has. Each gets its lease, resolves "gateway" through the
# lab's DNS, writes into the 9p share what `uname -m` says, and answers
# gdb-multiarch on its stub from the "outside" namespace. `labctl stop`:
# the aarch64 guest sees its power button (gpio-keys) and powers off; the
# riscv64 one, whose machine has none, has its QEMU ended at once.
# Prints the boot-to-lease time of each (never asserted).
source "$(dirname "$0")/../lib/pid1.sh" || exit 2
t_init
for a in aarch64:arm riscv64:misc; do
	command -v "qemu-system-${a%%:*}" >/dev/null || t_skip "needs qemu-system-${a%%:*} (Debian package qemu-system-${a#*:})"
done
command -v gdb-multiarch >/dev/null || t_skip "needs gdb-multiarch"
make -s -C "$T_REPO" demo-guest >"$T_DIR/demo-guest.log" 2>&1 ||
	t_skip "the demo guests cannot be built: $(tail -n 3 "$T_DIR/demo-guest.log")"
mkdir -p "$T_DIR/files/guests" "$T_DIR/share"
cp -r "$T_REPO/lab/guests/demo" "$T_REPO/lab/guests/demo-arm64" "$T_REPO/lab/guests/demo-riscv64" "$T_DIR/files/guests/" ||
	t_fail "cannot copy the demo guests"
t_outside

# Each guest: the name "gateway" through the resolver its lease set up,
# its architecture and a marker into the share.
run='me=$(hostname); nslookup gateway > /mnt/debug/$me-dns 2>&1; uname -m > /mnt/debug/$me-uname; echo $me > /mnt/debug/$me-done'
cfg=$T_DIR/cross.config
t_static_uplink crossarch >"$cfg"
cat >>"$cfg" <<EOC
CONFIG_FILES_DIR="$T_DIR/files"
CONFIG_SHARE_DIR="$T_DIR/share"
CONFIG_STOP_TIMEOUT=60
CONFIG_GDB_LISTEN="uplink"
CONFIG_GUEST1=y
CONFIG_GUEST1_NAME="arm"
CONFIG_GUEST1_ARCH="aarch64"
CONFIG_GUEST1_KERNEL="guests/demo-arm64/Image"
CONFIG_GUEST1_INITRD="guests/demo-arm64/initramfs.cpio.gz"
CONFIG_GUEST1_APPEND="quiet lab.run=\\"$run\\""
CONFIG_GUEST1_MEMORY=256
CONFIG_GUEST1_GDB_PORT=1235
CONFIG_GUEST2=y
CONFIG_GUEST2_NAME="rv"
CONFIG_GUEST2_ARCH="riscv64"
CONFIG_GUEST2_KERNEL="guests/demo-riscv64/Image"
CONFIG_GUEST2_INITRD="guests/demo-riscv64/initramfs.cpio.gz"
CONFIG_GUEST2_APPEND="quiet lab.run=\\"$run\\""
CONFIG_GUEST2_MEMORY=256
CONFIG_GUEST2_NIC="e1000"
CONFIG_GUEST2_GDB_PORT=1236
CONFIG_GUEST3=y
CONFIG_GUEST3_NAME="x86"
CONFIG_GUEST3_KERNEL="guests/demo/vmlinux"
CONFIG_GUEST3_INITRD="guests/demo/initramfs.cpio.gz"
CONFIG_GUEST3_APPEND="quiet lab.run=\\"$run\\""
CONFIG_GUEST3_MEMORY=192
EOC
"$LABINIT" check-config "$cfg" >"$T_DIR/check.log" 2>&1 || t_fail "check-config: $(cat "$T_DIR/check.log")"
t_boot_with_uplink cross "$cfg"
t_wait_console 'guest arm: aarch64 .*gdb stub on port 1235' 10 || t_fail "no line for the aarch64 guest"
t_wait_console 'guest rv: riscv64 .*gdb stub on port 1236' 10 || t_fail "no line for the riscv64 guest"
t_wait_console 'guest x86: x86_64 ' 10 || t_fail "no line for the x86_64 guest"
t_log "$(t_console | grep -o 'guests: accelerator.*')"
console() { nsenter -t "$LPID" -m cat "/run/labinit/guests/$1/console.log" 2>/dev/null | tr -d '\r'; }

# Boot to lease: from the moment PID 1 reports QEMU started to the lease
# line on the guest's console, polled every 0.2 s.
declare -A started leased
for _ in $(seq 1500); do # 300 s
	now=$(date +%s.%N)
	for g in arm rv x86; do
		[ -n "${started[$g]:-}" ] || ! t_console | grep -q "service $g: started" || started[$g]=$now
		[ -n "${leased[$g]:-}" ] || [ -z "${started[$g]:-}" ] || ! console $g | grep -q 'labguest: eth0 10\.77\.0\.' ||
			leased[$g]=$now
	done
	[ -n "${leased[arm]:-}" ] && [ -n "${leased[rv]:-}" ] && [ -n "${leased[x86]:-}" ] && break
	sleep 0.2
done
for g in x86 arm rv; do
	[ -n "${leased[$g]:-}" ] || t_fail "$g got no lease: $(console $g | tail -n 15)"
	t_log "boot to lease under TCG, $g: $(awk "BEGIN { printf \"%.1f\", ${leased[$g]} - ${started[$g]} }") s ($(console $g | grep -o 'labguest: ready.*'))"
done

wait_file() { # FILE SECONDS
	local i
	for i in $(seq $(($2 * 2))); do [ -s "$1" ] && return 0; sleep 0.5; done
	return 1
}
# Each names its files after the host name its lease gave it (option 12).
for g in x86 arm rv; do
	wait_file "$T_DIR/share/$g-done" 120 || t_fail "$g did not write into the share: $(console $g | tail -n 15)"
	grep -q 'Address.*10\.77\.0\.1' "$T_DIR/share/$g-dns" || t_fail "$g cannot resolve gateway: $(cat "$T_DIR/share/$g-dns")"
done
[ "$(cat "$T_DIR/share/arm-uname")" = aarch64 ] || t_fail "the arm guest says uname -m $(cat "$T_DIR/share/arm-uname")"
[ "$(cat "$T_DIR/share/rv-uname")" = riscv64 ] || t_fail "the rv guest says uname -m $(cat "$T_DIR/share/rv-uname")"
[ "$(cat "$T_DIR/share/x86-uname")" = x86_64 ] || t_fail "the x86 guest says uname -m $(cat "$T_DIR/share/x86-uname")"
console arm | grep -q 'labguest: share debug on /mnt/debug' || t_fail "arm did not mount the share"

# The gdb stubs, through the uplink: the guest's program counter.
gdb_pc() { # PORT ARCH
	local ok=
	for _ in $(seq 10); do
		ip netns exec "$T_OUT" timeout 60 gdb-multiarch -nx -batch -ex "set architecture $2" \
			-ex "target remote 172.30.0.2:$1" -ex 'info registers pc' -ex 'detach' >"$T_DIR/gdb-$1.out" 2>&1 &&
			grep -q '^pc ' "$T_DIR/gdb-$1.out" && ok=1 && break
		sleep 1
	done
	[ -n "$ok" ] || t_fail "gdb ($2) could not read pc on port $1: $(cat "$T_DIR/gdb-$1.out")"
	t_log "gdb $2: $(grep '^pc ' "$T_DIR/gdb-$1.out")"
}
gdb_pc 1235 aarch64
gdb_pc 1236 riscv:rv64

# labctl stop: aarch64 through its power button, riscv64 by ending QEMU.
t_labctl stop arm >/dev/null || t_fail "labctl stop arm failed"
t_labctl stop rv >/dev/null || t_fail "labctl stop rv failed"
t_wait_console 'service arm: stopped \(exit 0\)' 90 || t_fail "arm did not power down: $(console arm | tail -n 5)"
console arm | grep -q 'power button: powering off' || t_fail "arm did not see the power button"
t_wait_console 'guest rv: its machine has no power button; ending its QEMU \(SIGTERM\)' 10 ||
	t_fail "no line on how rv is stopped"
t_wait_console 'service rv: stopped' 30 || t_fail "rv was not stopped"
console rv | grep -q 'acpid: no power button on this machine' || t_fail "the rv guest did not say it has no power button"
t_console | grep -Eq 'service (arm|rv): no exit' && t_fail "a guest needed SIGKILL"
t_pass
