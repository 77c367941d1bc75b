#!/bin/bash
# Issue 13: guests booted by firmware from a disk's own bootloader, with no
# -kernel. The test packs the demo guest's bzImage and initramfs into a
# hybrid disk image the way image/bootmedia.sh packs the appliance
# (isolinux behind an MBR for BIOS, GRUB on an EFI system partition for
# UEFI). labinit as PID 1 boots it twice: through SeaBIOS from a SATA
# disk (CONFIG_GUEST1_FIRMWARE=bios, DISK_BUS=sata) and through OVMF from
# a virtio disk (CONFIG_GUEST2_FIRMWARE=uefi). Both must get their DHCP
# lease on the lab bridge; the UEFI guest's variable store is its own copy,
# owned by its QEMU's user: its disk is persistent (a copy of the image),
# so the store is kept beside that disk, as it would be on LABDATA. Boot-to-lease times are printed, not asserted.
# The UEFI guest has 512 MiB: with 256, GRUB 2.06 under OVMF runs out of
# memory loading Debian's kernel ("error: out of memory.").
source "$(dirname "$0")/../lib/pid1.sh" || exit 2
t_init
command -v qemu-system-x86_64 >/dev/null || t_skip "needs qemu-system-x86_64"
[ -f /usr/share/OVMF/OVMF_CODE_4M.fd ] || t_skip "needs Debian's ovmf package"
for t in xorriso:xorriso mkfs.vfat:dosfstools mcopy:mtools grub-mkimage:grub-common; do
	t_need "${t%%:*}" "${t#*:}"
done
[ -f /usr/lib/ISOLINUX/isohdpfx.bin ] || t_skip "needs isolinux"
[ -d /usr/lib/grub/x86_64-efi ] || t_skip "needs grub-efi-amd64-bin"
make -s -C "$T_REPO" demo-guest >"$T_DIR/demo-guest.log" 2>&1 || t_skip "the demo guest cannot be built"

# build_disk OUT: the demo guest behind both bootloaders, one menu entry
# each, no timeout to wait out.
build_disk() {
	local d=$T_DIR/disk cmdline="console=ttyS0 quiet"
	mkdir -p "$d/iso/isolinux" "$d/iso/boot/grub"
	cp "$T_REPO/lab/guests/demo/bzImage" "$d/iso/boot/vmlinuz"
	cp "$T_REPO/lab/guests/demo/initramfs.cpio.gz" "$d/iso/boot/initrd"
	cp /usr/lib/ISOLINUX/isolinux.bin /usr/lib/syslinux/modules/bios/ldlinux.c32 "$d/iso/isolinux/"
	printf 'SERIAL 0 115200\nDEFAULT demo\nPROMPT 0\nLABEL demo\n  LINUX /boot/vmlinuz\n  INITRD /boot/initrd\n  APPEND %s\n' \
		"$cmdline" >"$d/iso/isolinux/isolinux.cfg"
	printf 'serial --unit=0 --speed=115200\nterminal_output serial console\nset timeout=0\n' >"$d/iso/boot/grub/grub.cfg"
	printf 'menuentry demo {\n\tlinux /boot/vmlinuz %s\n\tinitrd /boot/initrd\n}\n' "$cmdline" >>"$d/iso/boot/grub/grub.cfg"
	printf 'search --no-floppy --set=root --label DEMOBOOT\nset prefix=($root)/boot/grub\nconfigfile $prefix/grub.cfg\n' \
		>"$d/grub-early.cfg"
	grub-mkimage -O x86_64-efi -p /boot/grub -c "$d/grub-early.cfg" -o "$d/BOOTX64.EFI" \
		iso9660 fat part_gpt part_msdos search search_label normal configfile linux echo test serial terminal \
		efi_gop all_video || return 1
	mkfs.vfat -C -n EFIBOOT "$d/iso/boot/efiboot.img" 4096 >/dev/null || return 1
	mmd -i "$d/iso/boot/efiboot.img" ::/EFI ::/EFI/BOOT || return 1
	mcopy -i "$d/iso/boot/efiboot.img" "$d/BOOTX64.EFI" ::/EFI/BOOT/BOOTX64.EFI || return 1
	xorriso -as mkisofs -quiet -o "$1" -V DEMOBOOT -r -J -isohybrid-mbr /usr/lib/ISOLINUX/isohdpfx.bin \
		-c isolinux/boot.cat -b isolinux/isolinux.bin -no-emul-boot -boot-load-size 4 -boot-info-table \
		-eltorito-alt-boot -e boot/efiboot.img -no-emul-boot -isohybrid-gpt-basdat "$d/iso" >"$d/xorriso.log" 2>&1
}
mkdir -p "$T_DIR/files/guests" "$T_DIR/share"
build_disk "$T_DIR/files/guests/demo-boot.img" || t_fail "the boot disk could not be built: $(tail -n 5 "$T_DIR/disk/xorriso.log")"
cp "$T_DIR/files/guests/demo-boot.img" "$T_DIR/files/guests/ovmf-disk.img"

t_outside
cfg=$T_DIR/firmware.config
t_static_uplink firmware >"$cfg"
cat >>"$cfg" <<EOC
CONFIG_FILES_DIR="$T_DIR/files"
CONFIG_SHARE_DIR="$T_DIR/share"
CONFIG_GUEST1=y
CONFIG_GUEST1_NAME="seabios"
CONFIG_GUEST1_FIRMWARE="bios"
CONFIG_GUEST1_DISK="guests/demo-boot.img"
CONFIG_GUEST1_DISK_BUS="sata"
CONFIG_GUEST1_MEMORY=256
CONFIG_GUEST2=y
CONFIG_GUEST2_NAME="ovmf"
CONFIG_GUEST2_FIRMWARE="uefi"
CONFIG_GUEST2_DISK="guests/ovmf-disk.img"
CONFIG_GUEST2_DISK_PERSISTENT=y
CONFIG_GUEST2_MEMORY=512
EOC
"$LABINIT" check-config "$cfg" || t_fail "the profile does not validate"
t_boot_with_uplink firmware "$cfg"
start=$(t_now_ms)
for g in seabios ovmf; do
	t_wait_console "service $g: started" 30 || t_fail "$g was not started"
done
console() { nsenter -t "$LPID" -m cat "/run/labinit/guests/$1/console.log" 2>/dev/null | tr -d '\r'; }
declare -A took
for _ in $(seq 600); do
	for g in seabios ovmf; do
		[ -z "${took[$g]:-}" ] && console "$g" | grep -q 'labguest: eth0 10.77.0.' &&
			took[$g]=$(($(t_now_ms) - start))
	done
	[ -n "${took[seabios]:-}" ] && [ -n "${took[ovmf]:-}" ] && break
	sleep 1
done
for g in seabios ovmf; do
	if [ -n "${took[$g]:-}" ]; then
		t_log "$g: lease $(console "$g" | sed -n 's/.*labguest: eth0 \(10\.77\.0\.[0-9./]*\).*/\1/p' | head -n 1)" \
			"$((took[$g] / 1000)).$((took[$g] % 1000 / 100)) s after the guest services started (TCG)"
	else
		t_error "$g: no lease within 600 s; its console ends: $(console "$g" | tail -n 15)"
	fi
done
# No -kernel: the firmware booted the disk.
args=$(nsenter -t "$LPID" -m -p sh -c 'for p in /proc/[0-9]*; do tr "\0" " " < $p/cmdline; echo; done' | grep -- '-name ovmf,')
case $args in *-kernel*) t_error "the UEFI guest was given -kernel: $args" ;; esac
case $args in *"if=pflash,format=raw,unit=1,file=/run/labinit/guests/ovmf/disk0.d/ovmf.OVMF_VARS.fd"*) ;;
*) t_error "the UEFI guest has no pflash store of its own beside its persistent disk: $args" ;; esac
owner=$(stat -c %u "$T_DIR/files/guests/ovmf.OVMF_VARS.fd" 2>/dev/null)
[ -n "$owner" ] && [ "$owner" != 0 ] || t_error "ovmf.OVMF_VARS.fd is not owned by the guest's user (uid ${owner:-none})"
nsenter -t "$LPID" -m test -e /run/labinit/guests/ovmf/OVMF_VARS.fd && t_error "a second store in the run directory"
kill -TERM "$LPID"
t_wait_end 120 || t_fail "the namespace did not end after SIGTERM"
cmp -s /usr/share/OVMF/OVMF_VARS_4M.fd "$T_DIR/files/guests/ovmf.OVMF_VARS.fd" &&
	t_log "note: OVMF wrote nothing into its store this boot"
[ -s "$T_DIR/files/guests/ovmf.OVMF_VARS.fd" ] || t_error "the UEFI store did not outlive the lab"
[ "$T_ERRORS" = 0 ] && t_pass
t_exit
