#!/bin/sh
# The guests' files from a LABDATA disk: an image without embedded guest
# files boots with a disk whose filesystem label is LABDATA (ext4, then
# FAT), labinit mounts it on FILES_DIR, validates the profile against it
# and starts the demo guest from it.
. "$(dirname "$0")/lib.sh"
build_variant configs/default_defconfig <<'CFG'
# CONFIG_IMAGE_EMBED_GUESTS is not set
CFG
out=$VOUT

files=$T_WORK/files
mkdir -p "$files/guests/demo"
cp lab/guests/demo/vmlinux lab/guests/demo/initramfs.cpio.gz "$files/guests/demo/"
mb=$(( $(du -sm "$files" | cut -f1) + 32 ))
mkfs.ext4 -q -L LABDATA -d "$files" "$T_WORK/ext4.img" "${mb}M" || fail "mkfs.ext4"
if command -v mkfs.vfat > /dev/null && command -v mcopy > /dev/null; then
	mkfs.vfat -n LABDATA -C "$T_WORK/vfat.img" $((mb * 1024)) > /dev/null &&
		mcopy -s -i "$T_WORK/vfat.img" "$files/guests" ::/ || fail "mkfs.vfat/mcopy"
fi

for fs in ext4 vfat; do
	[ -f "$T_WORK/$fs.img" ] || { echo "no $fs image (dosfstools, mtools): skipped"; continue; }
	echo "== LABDATA on $fs"
	boot "labdata-$fs" -kernel "$out/vmlinuz" -initrd "$out/initramfs.cpio.zst" -append "console=ttyS0" \
		-drive "file=$T_WORK/$fs.img,if=virtio,format=raw,snapshot=on" \
		-netdev user,id=up -device virtio-net-pci,netdev=up
	if boot_checks; then
		expect "lab files: /dev/vda \\($fs, label LABDATA\\) on /lab" 5 "the LABDATA disk mounted on /lab"
		expect 'service demo: started' 10 "the demo guest starts from the disk's files"
		grep -a 'CONFIG_GUEST1_KERNEL' "$CONSOLE" && fail "the profile still misses the guest's files"
		poweroff_check 90
	fi
	show_console 25
	boot_end
done
exit $failed
