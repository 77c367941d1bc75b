#!/bin/sh
# PXE: QEMU's network boot ROM (iPXE) loads out/pxe/pxelinux.0 from the
# TFTP server of its user-mode network, pxelinux shows the menu naming the
# profile and boots its default entry, and the appliance reaches "ready"
# and powers off cleanly. Then the same with iPXE's own script boot.ipxe.
. "$(dirname "$0")/../lib/image.sh"
image_build
name=$(cat "$OUT/profile-name")
for bootfile in pxelinux.0 boot.ipxe; do
	echo "== PXE, bootfile $bootfile"
	boot "pxe-$bootfile" -boot n \
		-netdev "user,id=up,tftp=$OUT/pxe,bootfile=$bootfile" -device virtio-net-pci,netdev=up
	[ "$bootfile" = pxelinux.0 ] && expect "labinit $name: console on serial" 120 "pxelinux menu names the profile"
	boot_checks && poweroff_check 90
	show_console 30
	boot_end
done
t_exit
