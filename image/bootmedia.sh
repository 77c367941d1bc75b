#!/bin/sh
# `make image`, second part: what boots out/vmlinuz + out/initramfs.cpio.lz4
# (image/mkimage.sh makes them) on a machine.
#   out/labinit.iso   a hybrid image: boots as a CD and written to a USB
#                     stick (`dd if=out/labinit.iso of=/dev/sdX`), with
#                     BIOS (isolinux) and UEFI (GRUB) alike
#   out/pxe/          a TFTP root: pxelinux.0 (BIOS PXE ROMs), boot.ipxe
#                     (iPXE), the kernel, the initramfs, the menu
# Both menus name the profile and offer the console on the serial port
# (the default: nested VMs and lab boxes are headless), on the screen, or
# with the debug log. Files are dated SOURCE_DATE_EPOCH (default: the
# kernel's date), so the same inputs give the same ISO.
set -eu
cd "$(dirname "$0")/.."
TOOL=image
. image/lib.sh
image_dirs
syslinux=/usr/lib/syslinux/modules/bios
[ -f "$out/vmlinuz" ] && [ -f "$out/initramfs.cpio.lz4" ] && [ -f "$out/profile-name" ] ||
	die "$out has no kernel, initramfs and profile name (image/mkimage.sh makes them)"
name=$(cat "$out/profile-name")
epoch=${SOURCE_DATE_EPOCH:-$(stat -c %Y "$out/vmlinuz")}
export SOURCE_DATE_EPOCH=$epoch
export TZ=UTC # mtools dates FAT entries in local time

need_tools xorriso:xorriso mkfs.vfat:dosfstools mcopy:mtools grub-mkimage:grub-common
[ -f /usr/lib/ISOLINUX/isolinux.bin ] || need_tools isolinux-missing:isolinux
[ -f /usr/lib/PXELINUX/pxelinux.0 ] || need_tools pxelinux-missing:pxelinux
[ -f $syslinux/menu.c32 ] || need_tools syslinux-missing:syslinux-common
[ -d /usr/lib/grub/x86_64-efi ] || need_tools grub-efi-missing:grub-efi-amd64-bin

# The kernel command lines of the menu entries: NAME|LABEL|APPEND.
entries() {
	echo "serial|labinit $name: console on serial ttyS0|console=tty0 console=ttyS0,115200n8"
	echo "screen|labinit $name: console on screen|console=ttyS0,115200n8 console=tty0"
	echo "debug|labinit $name: serial console, debug log|console=tty0 console=ttyS0,115200n8 labinit.LOG_LEVEL=7"
}

# syslinux_menu DIR: the menu of isolinux and pxelinux, the kernel and the
# initramfs under DIR (relative to the boot medium's root).
syslinux_menu() {
	printf 'SERIAL 0 115200\nUI menu.c32\nMENU TITLE labinit - profile %s\nTIMEOUT 30\nDEFAULT serial\n' "$name"
	entries | while IFS='|' read -r label text append; do
		printf '\nLABEL %s\n  MENU LABEL %s\n  LINUX %s/vmlinuz\n  INITRD %s/initramfs.cpio.lz4\n  APPEND %s\n' \
			"$label" "$text" "$1" "$1" "$append"
	done
}

grub_menu() {
	printf 'serial --unit=0 --speed=115200\nterminal_input serial console\nterminal_output serial console\n'
	printf 'set timeout=3\nset default=0\n'
	entries | while IFS='|' read -r label text append; do
		printf 'menuentry "%s" --id %s {\n\tlinux /boot/vmlinuz %s\n\tinitrd /boot/initramfs.cpio.lz4\n}\n' \
			"$text" "$label" "$append"
	done
}

# efi_image FILE: a FAT image with GRUB as the removable-media loader
# EFI/BOOT/BOOTX64.EFI; its built-in config finds the ISO by label.
efi_image() {
	printf 'search --no-floppy --set=root --label LABINIT\nset prefix=($root)/boot/grub\nconfigfile $prefix/grub.cfg\n' \
		> "$work/grub-early.cfg"
	grub-mkimage -O x86_64-efi -p /boot/grub -c "$work/grub-early.cfg" -o "$work/BOOTX64.EFI" \
		iso9660 fat part_gpt part_msdos search search_label normal configfile linux echo test \
		serial terminal efi_gop efi_uga all_video
	touch -d "@$epoch" "$work/BOOTX64.EFI"
	rm -f "$1"
	mkfs.vfat -C --invariant -n EFIBOOT -i 4c414249 "$1" 4096 > /dev/null
	mmd -i "$1" ::/EFI ::/EFI/BOOT
	mcopy -m -i "$1" "$work/BOOTX64.EFI" ::/EFI/BOOT/BOOTX64.EFI
}

build_iso() {
	iso=$work/iso
	rm -rf "$iso"
	mkdir -p "$iso/isolinux" "$iso/boot/grub"
	ln "$out/vmlinuz" "$iso/boot/vmlinuz" 2>/dev/null || cp "$out/vmlinuz" "$iso/boot/vmlinuz"
	ln "$out/initramfs.cpio.lz4" "$iso/boot/initramfs.cpio.lz4" 2>/dev/null ||
		cp "$out/initramfs.cpio.lz4" "$iso/boot/initramfs.cpio.lz4"
	cp /usr/lib/ISOLINUX/isolinux.bin "$iso/isolinux/"
	for m in ldlinux.c32 menu.c32 libutil.c32 libcom32.c32; do cp "$syslinux/$m" "$iso/isolinux/"; done
	syslinux_menu /boot > "$iso/isolinux/isolinux.cfg"
	grub_menu > "$iso/boot/grub/grub.cfg"
	efi_image "$iso/boot/efiboot.img"
	find "$iso" -exec touch -h -d "@$epoch" {} +
	xorriso -as mkisofs -quiet -o "$out/labinit.iso.tmp" -V LABINIT -r -J \
		-isohybrid-mbr /usr/lib/ISOLINUX/isohdpfx.bin \
		-c isolinux/boot.cat -b isolinux/isolinux.bin -no-emul-boot -boot-load-size 4 -boot-info-table \
		-eltorito-alt-boot -e boot/efiboot.img -no-emul-boot -isohybrid-gpt-basdat \
		"$iso" > "$work/xorriso.log" 2>&1 || { cat "$work/xorriso.log"; die "xorriso failed"; }
	mv "$out/labinit.iso.tmp" "$out/labinit.iso"
}

build_pxe() {
	pxe=$out/pxe
	rm -rf "$pxe"
	mkdir -p "$pxe/pxelinux.cfg"
	cp /usr/lib/PXELINUX/pxelinux.0 "$pxe/"
	for m in ldlinux.c32 menu.c32 libutil.c32 libcom32.c32; do cp "$syslinux/$m" "$pxe/"; done
	syslinux_menu . | sed 's,\./,,' > "$pxe/pxelinux.cfg/default"
	entries | head -n 1 | {
		IFS='|' read -r label text append
		printf '#!ipxe\n# %s\nkernel vmlinuz %s\ninitrd initramfs.cpio.lz4\nboot\n' "$text" "$append"
	} > "$pxe/boot.ipxe"
	ln "$out/vmlinuz" "$pxe/vmlinuz" 2>/dev/null || cp "$out/vmlinuz" "$pxe/vmlinuz"
	ln "$out/initramfs.cpio.lz4" "$pxe/initramfs.cpio.lz4" 2>/dev/null ||
		cp "$out/initramfs.cpio.lz4" "$pxe/initramfs.cpio.lz4"
}

# What the ISO and the PXE tree are made of: the kernel, the initramfs, the
# menus' inputs, this script and the boot loaders' packages.
sum=$({
	sha256sum "$out/vmlinuz" "$out/initramfs.cpio.lz4"
	echo "$name $epoch"
	cat image/bootmedia.sh
	dpkg-query -W isolinux pxelinux syslinux-common grub-common grub-efi-amd64-bin xorriso mtools dosfstools
} | sha256sum)
if [ -f "$out/labinit.iso" ] && [ -f "$out/pxe/boot.ipxe" ] && [ -f "$out/.bootmedia.sum" ] &&
	[ "$(cat "$out/.bootmedia.sum")" = "$sum" ]; then
	say "$out/labinit.iso and $out/pxe/ are up to date"
else
	rm -f "$out/.bootmedia.sum"
	mkdir -p "$work"
	build_iso
	build_pxe
	echo "$sum" > "$out/.bootmedia.sum"
fi
say "$out/labinit.iso: $(stat -c %s "$out/labinit.iso") bytes (BIOS and UEFI; CD or USB stick)"
say "$out/pxe/: $(ls "$out/pxe" | wc -l) entries (pxelinux.0, boot.ipxe)"
