#!/bin/sh
# CONFIG_IMAGE_KERNEL with CONFIG_IMAGE_KERNEL_MODULES, the way a kernel
# developer boots the lab host on a kernel of their own: a bzImage and the
# tree `make modules_install INSTALL_MOD_PATH=DIR` fills. Debian's unpacked
# kernel package stands in for it (a bzImage and DIR/lib/modules/RELEASE).
# The image carries that kernel and the modules labinit needs from that
# tree, and boots to "ready". Wrong inputs stop the build with an error
# naming them: an ELF vmlinux, a tree of another release, a tree that lacks
# a feature's module.
. "$(dirname "$0")/../lib/image.sh"
image_build
# The amd64 kernel's tree (the demo guests of other architectures unpack
# theirs beside it).
tree=$(ls -d build/debroot/linux-image-*_amd64/lib/modules/* | head -n 1)
kver=${tree##*/}
root=${tree%/lib/modules/*}
kernel=$root/boot/vmlinuz-$kver
[ -f "$kernel" ] || { echo "no unpacked kernel package in build/debroot"; exit 1; }

# must_fail REGEX LINES...: the build of the default profile plus LINES
# fails, and says REGEX.
must_fail() {
	want=$1
	shift
	printf '%s\n' "$@" | cat configs/default_defconfig - > "$T_WORK/bad.config"
	if IMAGE_OUT=$T_WORK/bad PROFILE=$T_WORK/bad.config sh image/mkimage.sh > "$T_WORK/bad.log" 2>&1; then
		t_error "the build succeeded with: $*"
	elif grep -Eq -- "$want" "$T_WORK/bad.log"; then
		echo "ok: refused: $(grep -E -- "$want" "$T_WORK/bad.log" | head -n 1)"
	else
		cat "$T_WORK/bad.log"
		t_error "the build failed without saying /$want/"
	fi
}
must_fail 'is not a bzImage .*use arch/x86/boot/bzImage' "CONFIG_IMAGE_KERNEL=\"$PWD/lab/guests/demo/vmlinux\""
mkdir -p "$T_WORK/other/lib/modules/9.9.9-other"
must_fail "has 9\\.9\\.9-other but not $kver" "CONFIG_IMAGE_KERNEL=\"$PWD/$kernel\"" \
	"CONFIG_IMAGE_KERNEL_MODULES=\"$T_WORK/other\""
# A tree with a modules.dep that has the bridge but no nf_tables.
mkdir -p "$T_WORK/thin/lib/modules/$kver"
grep -E '^kernel/net/(bridge/bridge|802/stp|llc/llc)\.ko:' "$tree/modules.dep" > "$T_WORK/thin/lib/modules/$kver/modules.dep"
must_fail 'nf_tables: not in modules.dep' "CONFIG_IMAGE_KERNEL=\"$PWD/$kernel\"" \
	"CONFIG_IMAGE_KERNEL_MODULES=\"$T_WORK/thin\""

build_variant configs/default_defconfig <<CFG
CONFIG_IMAGE_KERNEL="$PWD/$kernel"
CONFIG_IMAGE_KERNEL_MODULES="$PWD/$root"
CFG
cmp -s "$kernel" "$VOUT/vmlinuz" || t_error "out/vmlinuz is not CONFIG_IMAGE_KERNEL"
n=$(image_files "$VOUT/initramfs.cpio.lz4" | grep -c '\.ko$')
echo "the image carries $n modules from $root"
[ "$n" -gt 40 ] || t_error "only $n modules in the image"
boot own-kernel -kernel "$VOUT/vmlinuz" -initrd "$VOUT/initramfs.cpio.lz4" \
	-append "console=ttyS0 labinit.GUEST1_AUTOSTART=n" -netdev user,id=up -device virtio-net-pci,netdev=up
boot_checks && poweroff_check 60
show_console 20
t_exit
