#!/bin/sh
# `make demo-guest`: the demo guest that configs/default_defconfig boots,
# built from Debian packages into lab/guests/demo/:
#   bzImage            Debian's kernel (vmlinuz of linux-image-amd64's target)
#   vmlinux            the same kernel as an uncompressed ELF (PVH boot),
#                      taken out of the bzImage by image/extract-vmlinux.sh
#   initramfs.cpio.gz  busybox-static, the NIC, disk and 9p modules of
#                      image/lists/demo-guest-modules with their dependencies
#                      (/init loads those its devices ask for), and
#                      image/demo-guest/rootfs (/init, the udhcpc script),
#                      and build/labinit as /sbin/labinit-agent (the
#                      guest agent of `labctl run`, docs/AGENT.md)
#   README             what they are and from which package versions
# Packages are fetched by name with `apt-get download` into
# build/debs and unpacked with dpkg-deb -x (image/lib.sh): nothing is installed
# on this machine but missing build tools (cpio, kmod, xz-utils).
# The package lists are refreshed (apt-get update) only when a look-up or a
# download fails. The initramfs is reproducible: same packages and same
# files here give the same bytes.
#   DEMO_GUEST_OUT=DIR    write there instead of lab/guests/demo
#   SOURCE_DATE_EPOCH=N   mtime of every initramfs entry (default: the
#                         kernel package's build time)
# Exit 1 on failure; "cannot fetch" in the message means the packages could
# not be downloaded (offline).
set -eu
cd "$(dirname "$0")/.."
TOOL=demo-guest
. image/lib.sh
out=${DEMO_GUEST_OUT:-lab/guests/demo}
work=build/demo-guest
here=image/demo-guest

need_tools cpio:cpio depmod:kmod xz:xz-utils dpkg-deb:dpkg gzip:gzip
[ -x build/labinit ] || die "build/labinit is not built (make all): it orders the modules"
mkdir -p "$out" "$work"
debian_kernel
fetch busybox-static
bdeb=$deb
broot=$(unpack "$bdeb")
busybox=$broot/bin/busybox
[ -x "$busybox" ] || die "$bdeb: no /bin/busybox"

ver_of() { dpkg-deb -f "$1" Version; }
kpkgver=$(ver_of "$kdeb") bbver=$(ver_of "$bdeb")
epoch=${SOURCE_DATE_EPOCH:-$(stat -c %Y "$kroot/boot/vmlinuz-$kver")}

# Nothing to do when the same inputs made what is in $out.
stamp=$(demo_stamp image/demo-guest.sh image/lib.sh image/extract-vmlinux.sh image/lists/demo-guest-modules build/labinit)
if [ -f "$out/.stamp" ] && [ "$(cat "$out/.stamp")" = "$stamp" ] &&
	[ -f "$out/bzImage" ] && [ -f "$out/vmlinux" ] && [ -f "$out/initramfs.cpio.gz" ]; then
	say "$out is up to date ($kpkg $kpkgver, busybox-static $bbver)"
	exit 0
fi
rm -f "$out/.stamp"

# The kernel, twice.
cp "$kroot/boot/vmlinuz-$kver" "$out/bzImage.tmp"
mv "$out/bzImage.tmp" "$out/bzImage"
sh image/extract-vmlinux.sh "$out/bzImage" "$out/vmlinux" > "$work/extract.log" ||
	{ cat "$work/extract.log"; die "extract-vmlinux failed"; }
cat "$work/extract.log"
comp=$(sed -n 's/^extract-vmlinux: \([a-z0-9]*\) payload.*/\1/p' "$work/extract.log")

# Modules: what image/lists/demo-guest-modules names, with the dependencies from
# modules.dep, in an order where each comes after what it needs.
demo_modules "$kmods" image/lists/demo-guest-modules

# The initramfs tree, rebuilt each time.
st=$work/initramfs
demo_tree "$st"
stage_busybox "$st" "$busybox"
cp -R "$here/rootfs/." "$st/"
cp build/labinit "$st/sbin/labinit-agent"
ln -s /proc/mounts "$st/etc/mtab"
# shellcheck disable=SC2086
stage_modules "$st" "$kmods" "$kver" labguest.order $order
pack_demo_initramfs "$st" "$epoch" "$work" "$out"

nmods=$(echo $order | wc -w)
cat > "$out/README" <<EOF
Demo guest for labinit, made by \`make demo-guest\` (image/demo-guest.sh) from Debian packages; remake it rather than edit it.
bzImage: Debian's kernel $kver, /boot/vmlinuz-$kver of $kpkg $kpkgver.
vmlinux: the same kernel as an uncompressed ELF ($comp payload taken out of bzImage by image/extract-vmlinux.sh); QEMU boots it through PVH, about twice as fast under TCG.
initramfs.cpio.gz: busybox-static $bbver, $nmods modules of $kpkg $kpkgver ($(echo $want)) with their dependencies, /init from image/demo-guest/rootfs; entries dated $epoch (SOURCE_DATE_EPOCH).
EOF
echo "$stamp" > "$out/.stamp"
say "$out: bzImage $(stat -c %s "$out/bzImage"), vmlinux $(stat -c %s "$out/vmlinux"), initramfs.cpio.gz $(stat -c %s "$out/initramfs.cpio.gz") bytes"
say "from $kpkg $kpkgver ($comp-compressed) and busybox-static $bbver; $nmods modules: $(echo $order | sed 's,[^ ]*/,,g; s,\.ko,,g')"
