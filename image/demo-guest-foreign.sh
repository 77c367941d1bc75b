#!/bin/sh
# `make demo-guest` for the other architectures: the arm64 and riscv64
# demo guests of configs/cross_arch_defconfig, made the way
# image/demo-guest.sh makes the x86_64 one, from Debian's packages of that
# architecture, into lab/guests/demo-ARCH/:
#   Image              Debian's kernel, uncompressed: QEMU's -kernel loads
#                      an arm64 or riscv64 Image as it is (riscv64 cannot
#                      take a gzip'ed one)
#   initramfs.cpio.gz  busybox-static of that architecture, the modules of
#                      image/lists/demo-guest-modules.ARCH with their
#                      dependencies, and image/demo-guest/rootfs
#   README             what they are and from which package versions
# The packages come from the archive's index (image/lib.sh, foreign_index):
# arm64 from bookworm, riscv64 from trixie (bookworm has no riscv64).
# Usage: image/demo-guest-foreign.sh arm64|riscv64
#   DEMO_GUEST_OUT=DIR    write into DIR-ARCH instead of lab/guests/demo-ARCH
#                         (`make demo-guest DEMO_GUEST_OUT=DIR` builds all
#                         three: the x86_64 one goes to DIR itself)
#   SOURCE_DATE_EPOCH=N   mtime of every initramfs entry
set -eu
cd "$(dirname "$0")/.."
TOOL=demo-guest
. image/lib.sh
arch=${1:-}
case $arch in
arm64) suite=bookworm ;;
riscv64) suite=trixie ;;
*) die "usage: $0 arm64|riscv64" ;;
esac
out=${DEMO_GUEST_OUT:+$DEMO_GUEST_OUT-$arch}
out=${out:-lab/guests/demo-$arch}
work=build/demo-guest-$arch
here=image/demo-guest
list=image/lists/demo-guest-modules.$arch

need_tools cpio:cpio depmod:kmod xz:xz-utils dpkg-deb:dpkg gzip:gzip curl:curl
[ -x build/labinit ] || die "build/labinit is not built (make all): it orders the modules"
mkdir -p "$out" "$work" "$debs"
foreign_kernel "$suite" "$arch"
foreign_fetch busybox-static
bdeb=$deb
broot=$(unpack "$bdeb")
# trixie's is in /usr/bin (merged /usr)
busybox=$(ls "$broot/bin/busybox" "$broot/usr/bin/busybox" 2>/dev/null | head -n 1)
[ -n "$busybox" ] || die "$bdeb: no /bin/busybox"

ver_of() { dpkg-deb -f "$1" Version; }
kpkgver=$(ver_of "$kdeb") bbver=$(ver_of "$bdeb")
epoch=${SOURCE_DATE_EPOCH:-$(stat -c %Y "$kimage")}

stamp=$(demo_stamp image/demo-guest-foreign.sh image/lib.sh "$list")
if [ -f "$out/.stamp" ] && [ "$(cat "$out/.stamp")" = "$stamp" ] &&
	[ -f "$out/Image" ] && [ -f "$out/initramfs.cpio.gz" ]; then
	say "$out is up to date ($kpkg $kpkgver, busybox-static $bbver)"
	exit 0
fi
rm -f "$out/.stamp"

# Debian's arm64 vmlinuz is a gzip'ed Image; riscv64's may be plain.
if gzip -t "$kimage" 2>/dev/null; then
	gzip -dc "$kimage" > "$out/Image.tmp"
else
	cp "$kimage" "$out/Image.tmp"
fi
mv "$out/Image.tmp" "$out/Image"

demo_modules "$kmods" "$list"

st=$work/initramfs
demo_tree "$st"
# The applet links come from the build machine's busybox-static: the
# foreign one cannot run here to list them, and both are Debian's
# busybox-static of the same configuration.
stage_busybox "$st" "$(command -v busybox)"
cp "$busybox" "$st/bin/busybox"
cp -R "$here/rootfs/." "$st/"
ln -s /proc/mounts "$st/etc/mtab"
# shellcheck disable=SC2086
stage_modules "$st" "$kmods" "$kver" labguest.order $order
# trixie's modules are xz-compressed: stored plain, so /init's insmod
# needs neither busybox's nor the kernel's decompressor.
sdir=$st/lib/modules/$kver
if grep -q '\.ko\.xz$' "$sdir/labguest.order"; then
	find "$sdir" -name '*.ko.xz' -exec xz -d {} +
	sed -i 's/\.ko\.xz/.ko/g' "$sdir/labguest.order" "$sdir/modules.order"
	depmod -b "$st" "$kver"
	rm -f "$sdir"/*.bin
fi
pack_demo_initramfs "$st" "$epoch" "$work" "$out"

nmods=$(echo $order | wc -w)
cat > "$out/README" <<EOR
Demo guest ($arch) for labinit, made by \`make demo-guest\` (image/demo-guest-foreign.sh) from Debian $suite packages; remake it rather than edit it.
Image: Debian's kernel $kver, /boot/$(basename "$kimage") of $kpkg $kpkgver, uncompressed.
initramfs.cpio.gz: busybox-static $bbver ($arch), $nmods modules of $kpkg $kpkgver ($(echo $want)) with their dependencies, /init from image/demo-guest/rootfs; entries dated $epoch (SOURCE_DATE_EPOCH).
EOR
echo "$stamp" > "$out/.stamp"
say "$out: Image $(stat -c %s "$out/Image"), initramfs.cpio.gz $(stat -c %s "$out/initramfs.cpio.gz") bytes"
say "from $kpkg $kpkgver and busybox-static $bbver; $nmods modules: $(echo $order | sed 's,[^ ]*/,,g; s,\.ko,,g')"
