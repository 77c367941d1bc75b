#!/bin/sh
# The appliance from out/vmlinuz + out/initramfs.cpio.lz4 under QEMU (TCG),
# as `make run` boots it: the console shows labinit's progress (modules,
# the uplink's lease from QEMU's user network, virbr0, the ruleset, the
# ready line), the console shell answers `labctl status`, and `poweroff`
# ends QEMU with status 0. A USB keyboard sits behind an xHCI controller:
# its drivers (usbhid, hid_generic) are loaded once it enumerates, on its
# uevent, by the "modules" service that `labctl status` lists. The demo guest is left off (labinit.GUEST1_AUTOSTART=n
# on the kernel command line, which also checks that override); the nested
# test boots it.
. "$(dirname "$0")/../lib/image.sh"
image_build
boot kernel -kernel "$OUT/vmlinuz" -initrd "$OUT/initramfs.cpio.lz4" \
	-append "console=ttyS0 labinit.GUEST1_AUTOSTART=n" \
	-netdev user,id=up -device virtio-net-pci,netdev=up -device qemu-xhci -device usb-kbd
if boot_checks; then
	expect 'console: shell on /dev/ttyS0' 20 "a shell on the console"
	type_line 'labctl status'
	expect 'uplink-dhcp +running' 30 "labctl status on the console lists the uplink's DHCP client"
	expect 'modules +running' 5 "labctl status lists the modules service (hotplug)"
	type_line 'ls -1d /sys/module/usbhid /sys/module/hid_generic'
	expect '^/sys/module/hid_generic' 20 "the USB keyboard's drivers are loaded"
	expect '^/sys/module/usbhid' 5 "usbhid is loaded"
	type_line 'ip -4 addr show virbr0'
	expect 'inet 10\.77\.0\.1/24' 20 "virbr0 has the lab's gateway address"
	grep -aq 'service demo: started' "$CONSOLE" && t_error "labinit.GUEST1_AUTOSTART=n on the command line, yet the guest started"
	poweroff_check 60
fi
show_console
t_exit
