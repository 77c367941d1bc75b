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
# and, when linux-headers-VERSION of the same kernel upload is installable
# (it is installed here if missing), labcrash.ko (image/demo-guest/labcrash:
# /proc/labcrash provokes a WARN, an Oops or a NULL dereference) in the initramfs's
# /lib/modules/VERSION/extra, loaded by /init with lab.crash=1.
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

# The kernel's headers for labcrash.ko: the same upload ($kpkgver) or none.
hdrs=/usr/src/linux-headers-$kver
hdrver() { dpkg-query -W -f '${Version}' "linux-headers-$kver" 2>/dev/null || true; }
if [ "$(hdrver)" != "$kpkgver" ]; then
	say "installing linux-headers-$kver $kpkgver for labcrash.ko"
	install_pkgs "linux-headers-$kver=$kpkgver" || { refresh && install_pkgs "linux-headers-$kver=$kpkgver"; } || true
fi
labcrash_why=""
[ "$(hdrver)" = "$kpkgver" ] && [ -f "$hdrs/Makefile" ] ||
	labcrash_why="linux-headers-$kver $kpkgver is not installable (installed: $(hdrver))"

# Nothing to do when the same inputs made what is in $out.
stamp=$(demo_stamp image/demo-guest.sh image/lib.sh image/extract-vmlinux.sh image/lists/demo-guest-modules \
	image/demo-guest/labcrash/labcrash.c image/demo-guest/labcrash/Kbuild build/labinit)
stamp="$stamp headers:$(hdrver)"
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
labcrash=$st/lib/modules/$kver/extra/labcrash.ko
if [ -z "$labcrash_why" ]; then
	rm -rf "$work/labcrash"
	cp -R "$here/labcrash" "$work/labcrash"
	make -s -C "$hdrs" M="$PWD/$work/labcrash" modules > "$work/labcrash.log" 2>&1 ||
		{ cat "$work/labcrash.log"; die "labcrash.ko does not build against $hdrs"; }
	mkdir -p "${labcrash%/*}"
	# No debug info: smaller, and no build paths in the archive.
	strip --strip-debug -o "$labcrash" "$work/labcrash/labcrash.ko"
else
	say "no labcrash.ko: $labcrash_why"
fi
pack_demo_initramfs "$st" "$epoch" "$work" "$out"

nmods=$(echo $order | wc -w)
cat > "$out/README" <<EOF
Demo guest for labinit, made by \`make demo-guest\` (image/demo-guest.sh) from Debian packages; remake it rather than edit it.
bzImage: Debian's kernel $kver, /boot/vmlinuz-$kver of $kpkg $kpkgver.
vmlinux: the same kernel as an uncompressed ELF ($comp payload taken out of bzImage by image/extract-vmlinux.sh); QEMU boots it through PVH, about twice as fast under TCG.
initramfs.cpio.gz: busybox-static $bbver, $nmods modules of $kpkg $kpkgver ($(echo $want)) with their dependencies, /init from image/demo-guest/rootfs; entries dated $epoch (SOURCE_DATE_EPOCH).
labcrash.ko: $([ -z "$labcrash_why" ] && echo "built from image/demo-guest/labcrash against linux-headers-$kver $kpkgver; lab.crash=1 loads it, then \`echo warn|oops|null > /proc/labcrash\` provokes a WARN, an Oops (GPF) or a NULL dereference" || echo "absent: $labcrash_why").
EOF
echo "$stamp" > "$out/.stamp"
say "$out: bzImage $(stat -c %s "$out/bzImage"), vmlinux $(stat -c %s "$out/vmlinux"), initramfs.cpio.gz $(stat -c %s "$out/initramfs.cpio.gz") bytes"
say "from $kpkg $kpkgver ($comp-compressed) and busybox-static $bbver; $nmods modules: $(echo $order | sed 's,[^ ]*/,,g; s,\.ko,,g')"
