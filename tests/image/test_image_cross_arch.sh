#!/bin/sh
# The image of configs/cross_arch_defconfig carries qemu-system-aarch64
# and -riscv64 with what they need (image/lists/qemu-files-ARCH, OpenSBI),
# proved by running each chrooted into the unpacked archive: it boots the
# embedded demo guest of its architecture to a lease from QEMU's user-mode
# network. No appliance boots here (nested TCG would take minutes);
# test_image_build checks that the default profile's image has neither.
. "$(dirname "$0")/../lib/image.sh"
for a in aarch64:arm riscv64:misc; do
	t_need "qemu-system-${a%%:*}" "Debian package qemu-system-${a#*:}"
done
for a in arm64 riscv64; do
	[ -f "lab/guests/demo-$a/Image" ] || sh image/demo-guest-foreign.sh "$a" > "$T_WORK/demo-$a.log" 2>&1 ||
		{ cat "$T_WORK/demo-$a.log"; t_skip "no $a demo guest (make demo-guest failed)"; }
done
build_variant configs/cross_arch_defconfig < /dev/null
cat "$T_WORK/image.log"

root=$T_WORK/root
mkdir -p "$root"
lz4 -dc "$VOUT/initramfs.cpio.lz4" | tail -c +365 | (cd "$root" && cpio -id --quiet) ||
	t_error "the initramfs does not unpack"
for f in usr/bin/qemu-system-x86_64 usr/bin/qemu-system-aarch64 usr/bin/qemu-system-riscv64 \
	usr/share/qemu/opensbi-riscv64-generic-fw_dynamic.bin usr/lib/ipxe/qemu/pxe-eepro100.rom \
	lab/guests/demo-arm64/Image lab/guests/demo-riscv64/Image lab/guests/demo-riscv64/initramfs.cpio.gz; do
	[ -e "$root/$f" ] || t_error "the initramfs has no /$f"
done
chroot "$root" /init check-config /etc/labinit/config || t_error "the image's profile does not validate inside the image"

mkdir -p "$root/dev" "$root/proc"
for n in null zero urandom; do cp -a "/dev/$n" "$root/dev/$n"; done
# boot_chrooted ARCH MACHINE CPU CONSOLE DEMO [QEMU ARGS]: in the background.
boot_chrooted() {
	arch=$1 machine=$2 cpu=$3 con=$4 demo=$5
	shift 5
	timeout 240 chroot "$root" "/usr/bin/qemu-system-$arch" -nodefaults -no-user-config -display none \
		-machine "$machine,accel=tcg" -cpu "$cpu" -m 256 -no-reboot -serial stdio "$@" \
		-kernel "/lab/guests/$demo/Image" -initrd "/lab/guests/$demo/initramfs.cpio.gz" \
		-append "console=$con lab.poweroff=1" -netdev user,id=n0 -device e1000,netdev=n0 \
		> "$T_WORK/guest-$arch.log" 2>&1 &
	t_track $!
}
boot_chrooted aarch64 virt,gic-version=3 max,pauth-impdef=on ttyAMA0 demo-arm64
boot_chrooted riscv64 virt rv64 ttyS0 demo-riscv64 -bios default
for arch in aarch64 riscv64; do
	if t_wait_for 240 grep -aq 'labguest: power off' "$T_WORK/guest-$arch.log" &&
		grep -aq 'labguest: eth0 10\.0\.2\.15/24' "$T_WORK/guest-$arch.log"; then
		echo "ok: the image's qemu-system-$arch boots its demo guest with e1000 to its lease"
	else
		tail -n 20 "$T_WORK/guest-$arch.log"
		t_error "the image's qemu-system-$arch cannot boot its demo guest"
	fi
done
t_exit
