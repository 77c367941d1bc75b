#!/bin/sh
# The guests' files from a LABDATA disk: an image without embedded guest
# files boots with a disk whose filesystem label is LABDATA, labinit mounts
# it on FILES_DIR, validates the profile against it and starts the demo
# guest from it. Three disks: ext4 on virtio-blk (found at boot), FAT on a
# USB stick behind an xHCI controller (its disk appears only after
# usb-storage's settle delay: the "modules" service loads usb_storage and
# sd_mod from the kernel's uevents, and PID 1 waits for the disk), and ext4
# on NVMe. Each is unmounted at shutdown, after the guests stop.
. "$(dirname "$0")/../lib/image.sh"
build_variant configs/default_defconfig <<'CFG'
# CONFIG_IMAGE_EMBED_GUESTS is not set
CFG
out=$VOUT

files=$T_WORK/files
mkdir -p "$files/guests/demo"
cp lab/guests/demo/vmlinux lab/guests/demo/initramfs.cpio.gz "$files/guests/demo/"
# Apparent sizes: vmlinux may be sparse, and FAT stores the holes.
mb=$(( $(du -sm --apparent-size "$files" | cut -f1) + 32 ))
mkfs.ext4 -q -L LABDATA -d "$files" "$T_WORK/ext4.img" "${mb}M" || t_error "mkfs.ext4"
if command -v mkfs.vfat > /dev/null && command -v mcopy > /dev/null; then
	mkfs.vfat -n LABDATA -C "$T_WORK/vfat.img" $((mb * 1024)) > /dev/null &&
		mcopy -s -i "$T_WORK/vfat.img" "$files/guests" ::/ || t_error "mkfs.vfat/mcopy"
fi

for case in ext4:virtio vfat:usb ext4:nvme; do
	fs=${case%:*} bus=${case#*:}
	[ -f "$T_WORK/$fs.img" ] || { echo "no $fs image (dosfstools, mtools): skipped"; continue; }
	echo "== LABDATA on $fs, $bus"
	drive="file=$T_WORK/$fs.img,format=raw,snapshot=on"
	case $bus in
	virtio) disk="-drive $drive,if=virtio" dev=/dev/vda ;;
	usb) disk="-device qemu-xhci -drive $drive,if=none,id=stick -device usb-storage,drive=stick" dev=/dev/sda ;;
	nvme) disk="-drive $drive,if=none,id=ssd -device nvme,drive=ssd,serial=labdata" dev=/dev/nvme0n1 ;;
	esac
	# shellcheck disable=SC2086
	boot "labdata-$fs-$bus" -kernel "$out/vmlinuz" -initrd "$out/initramfs.cpio.lz4" -append "console=ttyS0 labinit.DEVICE_WAIT=120" \
		$disk -netdev user,id=up -device virtio-net-pci,netdev=up
	if boot_checks; then
		expect "lab files: $dev \\($fs, label LABDATA\\) on /lab" 5 "the LABDATA disk $dev mounted on /lab"
		expect 'service demo: started' 10 "the demo guest starts from the disk's files"
		[ "$bus" = usb ] && expect 'modules: hotplug scsi .*sd_mod' 5 "the USB stick's disk driver loaded on its uevent"
		grep -a 'CONFIG_GUEST1_KERNEL' "$CONSOLE" && t_error "the profile still misses the guest's files"
		poweroff_check 90
		# LABDATA holds persistent guest disks: unmounted after the guests stop.
		grep -aq "shutdown: /lab (the lab's files): unmounted" "$CONSOLE" ||
			t_error "the LABDATA disk $dev was not unmounted at shutdown"
	fi
	grep -a -E 'modules: (loaded|hotplug)|lab files' "$CONSOLE" | tr -d '\r' | cut -c1-220
	show_console 25
	boot_end
done
t_exit
