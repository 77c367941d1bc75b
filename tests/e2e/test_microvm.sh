#!/bin/bash
# End to end (issue 17, CONFIG_GUESTn_MACHINE): labinit as PID 1 starts
# the demo guest three ways under TCG:
#   vm1  MACHINE=auto (the default): its vmlinux has a PVH note and its
#        initrd an uncompressed virtio_mmio.ko, so microvm; the console
#        says so. It gets its lease, mounts the 9p share, answers
#        `labctl run` (no PCI bus in it: every device on virtio-mmio),
#        and `labctl stop` powers it off with its power button (ACPI GED).
#   vm2  MACHINE=pc: the same guest on pc, with PCI, still gets its
#        lease and answers `labctl run`.
#   vm3  MACHINE=auto with an e1000 NIC: pc, and the console says why
#        (not started: the reason line is what is checked).
# And check-config refuses MACHINE=microvm with an e1000, naming the key.
source "$(dirname "$0")/../lib/pid1.sh" || exit 2
t_init
t_demo_lab microvm 192 'quiet'
cat >>"$CFG" <<EOC
CONFIG_GUEST2=y
CONFIG_GUEST2_MACHINE="pc"
CONFIG_GUEST2_KERNEL="guests/demo/vmlinux"
CONFIG_GUEST2_INITRD="guests/demo/initramfs.cpio.gz"
CONFIG_GUEST2_APPEND="quiet lab.tag=none"
CONFIG_GUEST2_MEMORY=192
CONFIG_GUEST3=y
CONFIG_GUEST3_KERNEL="guests/demo/vmlinux"
CONFIG_GUEST3_INITRD="guests/demo/initramfs.cpio.gz"
CONFIG_GUEST3_NIC="e1000"
CONFIG_GUEST3_AUTOSTART=n
EOC
cfg=$CFG

bad=$T_DIR/bad.config
sed 's/^CONFIG_GUEST3_NIC="e1000"$/CONFIG_GUEST3_NIC="e1000"\nCONFIG_GUEST3_MACHINE="microvm"/' "$cfg" >"$bad"
"$LABINIT" check-config "$bad" >"$T_DIR/check.log" 2>&1 && t_fail "check-config accepted microvm with an e1000"
grep -q 'CONFIG_GUEST3_MACHINE: microvm has no PCI bus: the NIC e1000 is a PCI card' "$T_DIR/check.log" ||
	t_fail "check-config: $(cat "$T_DIR/check.log")"

t_boot_with_uplink microvm "$cfg"
t_wait_console 'service vm1: started' 60 || t_fail "vm1 was not started"
t_console | grep -q 'guest vm1: machine microvm: ' || t_error "no microvm line for vm1: $(t_console | grep 'guest vm')"
t_console | grep -q 'guest vm2: machine' && t_error "vm2's MACHINE=pc is not auto's choice: $(t_console | grep 'guest vm2')"
t_console | grep -q 'guest vm3: machine pc, not microvm: its NIC e1000 is a PCI card (MACHINE=auto)' ||
	t_error "no reason line for vm3: $(t_console | grep 'guest vm3')"
console() { nsenter -t "$LPID" -m cat "/run/labinit/guests/$1/console.log" 2>/dev/null | tr -d '\r'; }
args() { nsenter -t "$LPID" -m -p sh -c 'for p in /proc/[0-9]*; do tr "\0" " " < $p/cmdline; echo; done' | grep -- "-name $1,"; }
args vm1 | grep -q -- '-machine microvm,acpi=on,x-option-roms=off,accel=tcg' || t_error "vm1's QEMU: $(args vm1)"
args vm2 | grep -q -- '-machine pc,accel=tcg' || t_error "vm2's QEMU: $(args vm2)"

# The agent answers once the guest is up; the lease and share lines come
# before "ready" on the console.
for g in vm1 vm2; do
	t_labctl run "$g" --boot-timeout 400 -- sh -c 'ls /sys/bus/pci/devices | wc -l' >"$T_DIR/$g.pci" 2>"$T_DIR/$g.err" ||
		t_fail "labctl run $g: $(cat "$T_DIR/$g.err"); console: $(console "$g" | tail -n 15)"
	t_wait_for 120 sh -c "nsenter -t $LPID -m cat /run/labinit/guests/$g/console.log | grep -q 'labguest: ready'" ||
		t_fail "$g not ready: $(console "$g" | tail -n 15)"
	console "$g" | grep -Eq 'labguest: eth0 10\.77\.0\.[0-9]+/24 gw 10\.77\.0\.1' || t_error "$g lease: $(console "$g" | grep labguest)"
done
[ "$(cat "$T_DIR/vm1.pci")" = 0 ] || t_error "vm1 on microvm has PCI devices: $(cat "$T_DIR/vm1.pci")"
[ "$(cat "$T_DIR/vm2.pci")" -gt 0 ] || t_error "vm2 on pc has no PCI devices"
console vm1 | grep -q 'labguest: share debug on /mnt/debug' || t_error "vm1 share: $(console vm1 | grep labguest)"
t_labctl leases | grep -q 'vm1' || t_error "labctl leases lacks vm1: $(t_labctl leases)"
t_labctl run vm1 -- cat /proc/cmdline >"$T_DIR/cmdline" 2>&1 || t_error "labctl run vm1 cat"
grep -q 'tsc_early_khz=[0-9]' "$T_DIR/cmdline" || t_error "vm1 under TCG has no tsc_early_khz: $(cat "$T_DIR/cmdline")"

# labctl stop: the power button over QMP, QEMU exits by itself.
t_labctl stop vm1 >/dev/null || t_fail "labctl stop vm1 failed"
t_wait_console 'service vm1: stopped \(exit 0\)' 90 || t_fail "vm1 did not power down: $(console vm1 | tail -n 5)"
console vm1 | grep -q 'power button: powering off' || t_error "vm1 did not see the power button"
t_exit
