#!/bin/sh
# The image of configs/netboot_defconfig (four guests that netboot: iPXE,
# OVMF PXE, U-Boot x86, U-Boot arm64) carries what they need: the loaders
# in CONFIG_TFTP_ROOT (image/netboot-loaders.sh: pxelinux.0 and
# ldlinux.c32, grubnetx64.efi, ipxe.efi, undionly.kpxe), U-Boot for both
# machines (image/lists/uboot-files), OVMF, the NICs' iPXE ROMs, the
# guests' kernels and initramfs, and qemu-system-aarch64; its profile
# validates inside the image, and labinit there writes the menus for the
# four guests' MACs. tests/e2e/test_netboot boots the same four guests
# under labinit as PID 1; no appliance boots here (nested TCG).
. "$(dirname "$0")/../lib/image.sh"
t_need qemu-system-aarch64 "Debian package qemu-system-arm"
[ -f /usr/lib/u-boot/qemu-x86/u-boot.rom ] || t_skip "needs Debian's u-boot-qemu package"
[ -f lab/guests/demo-arm64/Image ] || sh image/demo-guest-foreign.sh arm64 > "$T_WORK/demo-arm64.log" 2>&1 ||
	{ cat "$T_WORK/demo-arm64.log"; t_skip "no arm64 demo guest (make demo-guest failed)"; }
build_variant configs/netboot_defconfig < /dev/null
cat "$T_WORK/image.log"

root=$T_WORK/root
mkdir -p "$root"
lz4 -dc "$VOUT/initramfs.cpio.lz4" | tail -c +365 | (cd "$root" && cpio -id --quiet) ||
	t_error "the initramfs does not unpack"
for f in lab/tftp/pxelinux.0 lab/tftp/ldlinux.c32 lab/tftp/grubnetx64.efi lab/tftp/ipxe.efi lab/tftp/undionly.kpxe \
	usr/lib/u-boot/qemu-x86/u-boot.rom usr/lib/u-boot/qemu_arm64/u-boot.bin usr/share/OVMF/OVMF_CODE_4M.fd \
	usr/bin/qemu-system-aarch64 usr/lib/ipxe/qemu/efi-virtio.rom usr/lib/ipxe/qemu/efi-e1000.rom \
	lab/guests/demo/bzImage lab/guests/demo/initramfs.cpio.gz lab/guests/demo-arm64/Image; do
	[ -e "$root/$f" ] || t_error "the initramfs has no /$f"
done
chroot "$root" /init check-config /etc/labinit/config || t_error "the image's profile does not validate inside the image"
chroot "$root" /init netboot --config /etc/labinit/config --dir /tmp/netboot > "$T_WORK/exports" ||
	t_error "labinit netboot fails inside the image"
for g in ipxe ovmf ubx86 ubarm; do
	grep -q "^labinit/guests/$g/kernel " "$T_WORK/exports" || t_error "no kernel export for $g: $(cat "$T_WORK/exports")"
done
for f in labinit/boot.ipxe boot.scr.uimg grub/grub.cfg; do
	[ -s "$root/tmp/netboot/$f" ] || t_error "labinit netboot wrote no $f"
done
[ "$(ls "$root/tmp/netboot/pxelinux.cfg" | wc -l)" = 4 ] || t_error "not one pxelinux menu per guest: $(ls "$root/tmp/netboot/pxelinux.cfg")"
t_exit
