#!/bin/sh
# `make image`: out/ has the kernel, the initramfs, the ISO and the PXE
# tree; the initramfs holds labinit as /init, busybox, QEMU with every
# library and firmware file it needs (proved by running that QEMU chrooted
# into the unpacked archive: it boots the embedded demo guest with each NIC
# labinit offers), the modules with their dependency data, the profile and
# the guests' files. A second build into another directory gives the same
# bytes.
. "$(dirname "$0")/../lib/image.sh"
image_build
for f in vmlinuz initramfs.cpio.lz4 labinit.iso config pxe/pxelinux.0 pxe/pxelinux.cfg/default pxe/boot.ipxe \
	pxe/vmlinuz pxe/initramfs.cpio.lz4 pxe/ldlinux.c32; do
	[ -s "$OUT/$f" ] || t_error "make image left no $OUT/$f"
done
grep -q 'initramfs.cpio.lz4: [0-9]* bytes' "$T_WORK/image.log" || t_error "make image does not print the image's size"

# The first archive is the hand-made /dev/console one (364 bytes).
root=$T_WORK/root
mkdir -p "$root"
lz4 -dc "$OUT/initramfs.cpio.lz4" | tail -c +365 | (cd "$root" && cpio -id --quiet) ||
	t_error "the initramfs does not unpack"
kver=$(ls "$root/lib/modules" | head -n 1)
for f in init bin/busybox bin/sh bin/labctl usr/bin/qemu-system-x86_64 lib64/ld-linux-x86-64.so.2 \
	usr/lib/x86_64-linux-gnu/qemu/accel-tcg-x86_64.so usr/share/seabios/bios-256k.bin \
	lib/modules/$kver/modules.dep lib/modules/$kver/modules.alias lib/modules/$kver/kernel/net/bridge/bridge.ko \
	etc/labinit/config lab/guests/demo/vmlinux lab/guests/demo/initramfs.cpio.gz; do
	[ -e "$root/$f" ] || [ -L "$root/$f" ] || t_error "the initramfs has no /$f"
done
# Other architectures' QEMU only for a profile with such a guest
# (test_image_cross_arch): the default profile has none.
for f in usr/bin/qemu-system-aarch64 usr/bin/qemu-system-riscv64 usr/share/qemu/opensbi-riscv64-generic-fw_dynamic.bin; do
	[ ! -e "$root/$f" ] || t_error "the default profile's image carries /$f"
done
[ -e "$root/sbin/init" ] && t_error "busybox's init is in the image: /init (labinit) must be the only init"
chroot "$root" /init check-config /etc/labinit/config || t_error "the image's profile does not validate inside the image"
chroot "$root" /init modules --order --root / --kver "$kver" > "$T_WORK/order" ||
	t_error "labinit modules --order fails inside the image"
echo "modules labinit loads, in order: $(sed 's,.*/,,; s,\.ko$,,' "$T_WORK/order" | tr '\n' ' ')"

# QEMU from the image, nothing else: it boots the embedded demo guest.
mkdir -p "$root/dev" "$root/proc"
for n in null zero urandom; do cp -a "/dev/$n" "$root/dev/$n"; done
for nic in virtio-net-pci e1000 rtl8139; do
	if timeout 120 chroot "$root" /usr/bin/qemu-system-x86_64 -nodefaults -no-user-config -display none \
		-machine pc,accel=tcg -cpu max -m 256 -no-reboot -serial stdio \
		-kernel /lab/guests/demo/vmlinux -initrd /lab/guests/demo/initramfs.cpio.gz \
		-append "console=ttyS0 lab.poweroff=1" \
		-netdev user,id=n0 -device "$nic,netdev=n0" > "$T_WORK/guest-$nic.log" 2>&1 &&
		grep -aq 'labguest: eth0 10\.0\.2\.15/24' "$T_WORK/guest-$nic.log"; then
		echo "ok: the image's QEMU boots the demo guest with $nic to its lease"
	else
		tail -n 20 "$T_WORK/guest-$nic.log"
		t_error "the image's QEMU cannot boot the demo guest with $nic"
	fi
done

echo "== reproducibility: a second build into $T_WORK/again (umask 077, TZ=Pacific/Chatham)"
# Another umask and time zone must not show in the bytes.
(umask 077; TZ=Pacific/Chatham IMAGE_OUT=$T_WORK/again PROFILE=configs/default_defconfig make -s image) \
	> "$T_WORK/again.log" 2>&1 || { cat "$T_WORK/again.log"; t_error "the second make image"; }
for f in vmlinuz initramfs.cpio.lz4 labinit.iso pxe/pxelinux.cfg/default pxe/boot.ipxe; do
	if cmp -s "$OUT/$f" "$T_WORK/again/$f"; then echo "same bytes: $f"; else t_error "$f differs between two builds"; fi
done
t_exit
