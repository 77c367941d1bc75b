#!/bin/sh
# image/netboot-loaders.sh DIR: fills DIR, a TFTP root (CONFIG_TFTP_ROOT),
# with the loaders the DHCP server names to netbooting machines, from
# Debian packages (`make deps` installs them). The menus the loaders then
# read are not here: labinit generates them per guest MAC (net/netboot/)
# into a tree the TFTP server lays over DIR.
#   pxelinux.0, ldlinux.c32   BIOS PXE ROMs (pxelinux; syslinux-common):
#                             pxelinux.0 loads ldlinux.c32 from its own
#                             directory, then pxelinux.cfg/01-MAC; a menu
#                             without UI needs no other .c32
#   grubnetx64.efi            x86_64 UEFI PXE (OVMF): GRUB built here with
#                             grub-mkimage (grub-efi-amd64-bin), prefix
#                             (tftp)/grub: it reads grub/grub.cfg-01-MAC
#                             (or grub/grub.cfg, which picks by MAC) from
#                             the server it came from
#   grubnetaa64.efi           the same for arm64 UEFI, if grub-efi-arm64-bin
#                             is installed (not a dependency)
#   ipxe.efi, undionly.kpxe   iPXE for UEFI and for BIOS PXE ROMs (ipxe),
#                             for machines whose ROM is not iPXE already;
#                             iPXE then asks DHCP again and gets
#                             labinit/boot.ipxe
# U-Boot needs no loader: its distro boot reads boot.scr.uimg (generated).
# Idempotent: files are replaced by rename.
set -eu
TOOL=netboot-loaders
say() { echo "$TOOL: $*"; }
die() { echo "$TOOL: $*" >&2; exit 1; }
[ $# -eq 1 ] || die "usage: image/netboot-loaders.sh DIR"
dir=$1
mkdir -p "$dir"

# put SRC NAME PACKAGE
put() {
	[ -f "$1" ] || die "$1: missing (Debian package $3; make deps)"
	cp "$1" "$dir/.$2.tmp" && mv -f "$dir/.$2.tmp" "$dir/$2"
}
put /usr/lib/PXELINUX/pxelinux.0 pxelinux.0 pxelinux
put /usr/lib/syslinux/modules/bios/ldlinux.c32 ldlinux.c32 syslinux-common
put /usr/lib/ipxe/ipxe.efi ipxe.efi ipxe
put /usr/lib/ipxe/undionly.kpxe undionly.kpxe ipxe

# GRUB's netboot image: the modules for DHCP (net efinet: the UEFI NIC,
# configured from the PXE DHCP reply), TFTP, the config and a Linux kernel.
grub_modules="net efinet tftp normal configfile linux echo test"
# mkgrub FORMAT DIRNAME NAME PACKAGE
mkgrub() {
	command -v grub-mkimage > /dev/null || die "grub-mkimage: missing (Debian package grub-common)"
	grub-mkimage -O "$1" -d "/usr/lib/grub/$2" -p '(tftp)/grub' -o "$dir/.$3.tmp" $grub_modules
	mv -f "$dir/.$3.tmp" "$dir/$3"
}
[ -d /usr/lib/grub/x86_64-efi ] || die "/usr/lib/grub/x86_64-efi: missing (Debian package grub-efi-amd64-bin)"
mkgrub x86_64-efi x86_64-efi grubnetx64.efi grub-efi-amd64-bin
if [ -d /usr/lib/grub/arm64-efi ]; then mkgrub arm64-efi arm64-efi grubnetaa64.efi grub-efi-arm64-bin; fi
say "$dir: $(ls "$dir" | tr '\n' ' ')"
