#!/bin/sh
# out/labinit.iso boots as a CD and as a disk (a USB stick is a disk to
# the firmware) with BIOS, and the same two with UEFI (OVMF) when Debian's
# ovmf is installed: each reaches "ready" and powers off cleanly.
. "$(dirname "$0")/../lib/image.sh"
image_build
name=$(cat "$OUT/profile-name")
iso=$OUT/labinit.iso

one() { # NAME MENU-REGEX QEMU-ARGS...
	what=$1 menu=$2
	shift 2
	echo "== $what"
	boot "$what" "$@" -netdev user,id=up -device virtio-net-pci,netdev=up
	expect "$menu" 120 "$what: the boot menu names the profile"
	boot_checks && poweroff_check 90
	show_console 25
	boot_end
}
one bios-cd "labinit $name: console on serial" -drive "file=$iso,media=cdrom,readonly=on" -boot d
one bios-disk "labinit $name: console on serial" -drive "file=$iso,format=raw,if=ide,snapshot=on" -boot c
if [ -f /usr/share/ovmf/OVMF.fd ]; then
	cp /usr/share/ovmf/OVMF.fd "$T_WORK/OVMF.fd"
	one uefi-cd "labinit $name: console on serial" -bios "$T_WORK/OVMF.fd" \
		-drive "file=$iso,media=cdrom,readonly=on"
	one uefi-disk "labinit $name: console on serial" -bios "$T_WORK/OVMF.fd" \
		-drive "file=$iso,format=raw,if=ide,snapshot=on"
else
	echo "no /usr/share/ovmf/OVMF.fd (Debian package ovmf): UEFI boot not tried"
fi
t_exit
