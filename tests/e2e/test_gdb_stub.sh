#!/bin/bash
# A guest's gdb stub: labinit as PID 1 starts a guest halted at its first
# instruction (CONFIG_GUESTn_GDB_WAIT) with its stub on CONFIG_GUESTn_GDB_PORT;
# gdb in the "outside" namespace attaches through the uplink address, reads
# the registers, lets it run, and the guest boots to its lease.
source "$(dirname "$0")/../lib/pid1.sh" || exit 2
t_init
command -v qemu-system-x86_64 >/dev/null || t_skip "needs qemu-system-x86_64"
command -v gdb >/dev/null || t_skip "needs gdb"
make -s -C "$T_REPO" demo-guest >"$T_DIR/demo-guest.log" 2>&1 || t_skip "the demo guest cannot be built"
mkdir -p "$T_DIR/files/guests"
cp -r "$T_REPO/lab/guests/demo" "$T_DIR/files/guests/" || t_fail "cannot copy the demo guest"
t_outside
cfg=$T_DIR/gdb.config
t_static_uplink gdbstub >"$cfg"
cat >>"$cfg" <<EOC
CONFIG_FILES_DIR="$T_DIR/files"
CONFIG_SHARE_DIR="$T_DIR/share"
CONFIG_GUEST1=y
CONFIG_GUEST1_NAME="dbg"
CONFIG_GUEST1_KERNEL="guests/demo/vmlinux"
CONFIG_GUEST1_INITRD="guests/demo/initramfs.cpio.gz"
CONFIG_GUEST1_APPEND="quiet"
CONFIG_GUEST1_MEMORY=192
CONFIG_GUEST1_GDB_PORT=1234
CONFIG_GUEST1_GDB_WAIT=y
CONFIG_GDB_LISTEN="uplink"
CONFIG_SHARE_PER_GUEST=y
EOC
t_boot_with_uplink gdb "$cfg"
t_wait_console 'guest dbg: .*gdb stub on port 1234 \(halted\)' 10 || t_fail "no gdb stub line"
t_wait_console 'service dbg: started' 10 || t_fail "the guest was not started"
console() { nsenter -t "$LPID" -m cat /run/labinit/guests/dbg/console.log 2>/dev/null | tr -d '\r'; }
sleep 3
console | grep -q 'labguest' && t_fail "the guest ran before gdb attached"

ok=
for _ in $(seq 20); do
	ip netns exec "$T_OUT" timeout 30 gdb -nx -batch -ex 'target remote 172.30.0.2:1234' -ex 'info registers rip' \
		-ex 'detach' >"$T_DIR/gdb.out" 2>&1 && grep -q '^rip' "$T_DIR/gdb.out" && ok=1 && break
	sleep 0.5
done
[ -n "$ok" ] || t_fail "gdb could not attach: $(cat "$T_DIR/gdb.out")"
t_log "gdb: $(grep '^rip' "$T_DIR/gdb.out")"
for _ in $(seq 300); do console | grep -q 'labguest: eth0 10.77.0.' && break; sleep 1; done
console | grep -q 'labguest: eth0 10.77.0.' || t_fail "the guest did not boot after gdb let it go: $(console | tail -n 5)"
# The guest's own share directory is its QEMU's (slot 1: uid and group
# SANDBOX_UID + 1), handed over without following a link.
[ "$(stat -c %u:%g "$T_DIR/share/dbg" 2>/dev/null)" = 64601:64601 ] ||
	t_fail "the guest's share directory: $(stat -c '%u:%g %A' "$T_DIR/share/dbg" 2>&1)"
kill -TERM "$LPID"
t_wait_end 90 || t_fail "the namespace did not end after SIGTERM"
t_pass
