#!/bin/sh
# `make demo-guest`: the demo guest that configs/default_defconfig boots,
# built from Debian packages into lab/guests/demo/:
#   bzImage            Debian's kernel (vmlinuz of linux-image-amd64's target)
#   vmlinux            the same kernel as an uncompressed ELF (PVH boot),
#                      taken out of the bzImage by image/extract-vmlinux.sh
#   initramfs.cpio.gz  busybox-static, the NIC and 9p modules of
#                      image/demo-guest/modules with their dependencies, and
#                      image/demo-guest/rootfs (/init, the udhcpc script)
#   README             what they are and from which package versions
# Packages are fetched by name with `apt-get download` into
# build/demo-guest/debs and unpacked with dpkg-deb -x: nothing is installed
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
export LC_ALL=C
out=${DEMO_GUEST_OUT:-lab/guests/demo}
work=build/demo-guest
debs=$work/debs
here=image/demo-guest

say() { echo "demo-guest: $*"; }
die() { echo "demo-guest: $*" >&2; exit 1; }

# refresh: apt-get update, at most once a run, and only after a look-up,
# a download or an install failed (the lists may be missing or stale).
# Status 1 if it fails or was done already.
updated=no
refresh() {
	[ "$updated" = no ] || return 1
	updated=yes
	say "refreshing the package lists (apt-get update)"
	apt-get update -qq
}

install_tools() {
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"
}
missing=""
for t in cpio:cpio depmod:kmod xz:xz-utils dpkg-deb:dpkg gzip:gzip; do
	command -v "${t%%:*}" >/dev/null 2>&1 || missing="$missing ${t#*:}"
done
if [ -n "$missing" ]; then
	say "installing build tools:$missing"
	# shellcheck disable=SC2086
	install_tools $missing || { refresh && install_tools $missing; } ||
		die "cannot fetch the build tools:$missing"
fi

# The kernel: the versioned package linux-image-amd64 depends on.
kernel_pkg() {
	apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\)$/\1/p' | head -n 1 | grep .
}

# deb_name PACKAGE: the file name `apt-get download` gives its candidate.
deb_name() {
	apt-cache show --no-all-versions "$1" 2>/dev/null | awk -v p="$1" '
		/^Version: / { v = $2 } /^Architecture: / { a = $2 }
		END { if (v == "" || a == "") exit 1; gsub(/:/, "%3a", v); print p "_" v "_" a ".deb" }'
}

# get PACKAGE: set $deb to its candidate's .deb in $debs, downloaded by
# name unless it is there already.
get() {
	name=$(deb_name "$1") || return 1
	if [ ! -f "$debs/$name" ]; then
		say "downloading $1 ($name)"
		# As root, apt's download sandbox user _apt cannot write here.
		(cd "$debs" && apt-get download -q -o APT::Sandbox::User="$(id -un)" "$1") || return 1
	fi
	[ -f "$debs/$name" ] && deb=$debs/$name
}

# fetch PACKAGE: get, with one refresh of the lists if that fails; offline,
# the newest .deb of PACKAGE already in $debs.
fetch() {
	get "$1" && return 0
	refresh && get "$1" && return 0
	deb=$(ls "$debs/$1"_*.deb 2>/dev/null | sort -V | tail -n 1)
	[ -n "$deb" ] || die "cannot fetch $1 (apt-get download failed; offline?) and none is cached in $debs"
	say "cannot fetch $1: using the cached $deb"
}

# unpack DEB: print the directory it is unpacked in (once) under $work/root.
unpack() {
	d=$work/root/$(basename "$1" .deb)
	if [ ! -f "$d.done" ]; then
		rm -rf "$d"
		mkdir -p "$d"
		dpkg-deb -x "$1" "$d"
		touch "$d.done"
	fi
	echo "$d"
}

mkdir -p "$debs" "$out"
kpkg=$(kernel_pkg) || { refresh && kpkg=$(kernel_pkg); } ||
	kpkg=$(ls "$debs" | sed -n 's/^\(linux-image-[0-9][^_]*\)_.*\.deb$/\1/p' | sort -V | tail -n 1)
[ -n "$kpkg" ] || die "cannot fetch linux-image-amd64: it is in no package list, and no kernel package is cached in $debs"
fetch "$kpkg"
kdeb=$deb
fetch busybox-static
bdeb=$deb

kroot=$(unpack "$kdeb")
broot=$(unpack "$bdeb")
kver=$(ls "$kroot/lib/modules" | head -n 1)
kmods=$kroot/lib/modules/$kver
[ -n "$kver" ] && [ -f "$kroot/boot/vmlinuz-$kver" ] || die "$kdeb: no /boot/vmlinuz-VERSION with /lib/modules/VERSION"
# Debian's kernel package ships no modules.dep (its postinst runs depmod):
# make it in the unpacked copy, as the postinst would.
if [ ! -f "$kmods/modules.dep" ]; then
	say "depmod for $kver in $kroot"
	depmod -b "$kroot" "$kver"
fi
busybox=$broot/bin/busybox
[ -x "$busybox" ] || die "$bdeb: no /bin/busybox"

ver_of() { dpkg-deb -f "$1" Version; }
kpkgver=$(ver_of "$kdeb") bbver=$(ver_of "$bdeb")
epoch=${SOURCE_DATE_EPOCH:-$(stat -c %Y "$kroot/boot/vmlinuz-$kver")}

# Nothing to do when the same inputs made what is in $out.
stamp=$({
	echo "$(basename "$kdeb") $(basename "$bdeb") $epoch"
	cat image/demo-guest.sh image/extract-vmlinux.sh "$here/modules"
	find "$here/rootfs" | sort | while read -r f; do echo "$f"; [ -f "$f" ] && cat "$f"; done
} | cksum)
if [ -f "$out/.stamp" ] && [ "$(cat "$out/.stamp")" = "$stamp" ] &&
	[ -f "$out/bzImage" ] && [ -f "$out/vmlinux" ] && [ -f "$out/initramfs.cpio.gz" ]; then
	say "$out is up to date ($kpkg $kpkgver, busybox-static $bbver)"
	exit 0
fi
rm -f "$out/.stamp"

# The kernel, twice.
cp "$kroot/boot/vmlinuz-$kver" "$out/bzImage.tmp"
mv "$out/bzImage.tmp" "$out/bzImage"
sh image/extract-vmlinux.sh "$out/bzImage" "$out/vmlinux" | tee "$work/extract.log"
comp=$(sed -n 's/^extract-vmlinux: \([a-z0-9]*\) payload.*/\1/p' "$work/extract.log")

# Modules: what image/demo-guest/modules names, with the dependencies from
# modules.dep, in an order where each comes after what it needs.
want=$(sed 's/#.*//' "$here/modules" | tr '\n' ' ')
order=$(awk -v want="$want" -v builtin="$kmods/modules.builtin" '
	function base(p) { sub(/.*\//, "", p); sub(/\.ko(\.[a-z0-9]+)?$/, "", p); gsub(/-/, "_", p); return p }
	function visit(p,   n, d, i) {
		if (p in seen) return
		seen[p] = 1
		n = split(deps[p], d, " ")
		for (i = n; i >= 1; i--) visit(d[i])
		print p
	}
	{ k = $1; sub(/:$/, "", k); path[base(k)] = k; $1 = ""; deps[k] = $0 }
	END {
		while ((getline line < builtin) > 0) inkernel[base(line)] = 1
		n = split(want, w, " ")
		for (i = 1; i <= n; i++) {
			m = w[i]; gsub(/-/, "_", m)
			if (m in path) visit(path[m])
			else if (!(m in inkernel)) { print "no module " m > "/dev/stderr"; bad = 1 }
		}
		exit bad
	}' "$kmods/modules.dep") || die "$kpkg lacks a module image/demo-guest/modules asks for"

# The initramfs tree, rebuilt each time.
st=$work/initramfs
rm -rf "$st"
mkdir -p "$st"
for d in bin sbin usr/bin usr/sbin etc proc sys run tmp root mnt/debug lib/modules/"$kver"; do
	mkdir -p "$st/$d"
done
cp "$busybox" "$st/bin/busybox"
for a in $("$busybox" --list-full); do
	case $a in bin/busybox | linuxrc) continue ;; esac
	[ -e "$st/$a" ] || ln -s /bin/busybox "$st/$a"
done
cp -R "$here/rootfs/." "$st/"
ln -s /proc/mounts "$st/etc/mtab"
dst=$st/lib/modules/$kver
for m in $order; do
	mkdir -p "$dst/${m%/*}"
	cp "$kmods/$m" "$dst/$m"
done
printf '%s\n' $order > "$dst/labguest.order"
# modules.dep and friends for modprobe inside the guest (busybox reads the
# text files; the .bin indexes are kmod's and left out).
cp "$kmods/modules.builtin" "$kmods/modules.builtin.modinfo" "$dst/"
grep -Fx -f "$dst/labguest.order" "$kmods/modules.order" > "$dst/modules.order" || true
depmod -b "$st" "$kver"
rm -f "$dst"/*.bin

find "$st" -type d -exec chmod 0755 {} +
find "$st" -type f -exec chmod 0644 {} +
chmod 0755 "$st/bin/busybox" "$st/init" "$st/etc/udhcpc/default.script" "$st/etc/acpi/PWRF/00000080"
chmod 1777 "$st/tmp"
chmod 0700 "$st/root"
find "$st" -exec touch -h -d "@$epoch" {} +

# newc INO NAME MODE NLINK RDEVMAJOR RDEVMINOR: one data-less cpio "newc"
# entry (the header that the kernel's init/initramfs.c reads), padded to 4.
newc() {
	printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%s' \
		"$1" "$3" 0 0 "$4" "$epoch" 0 0 0 "$5" "$6" $((${#2} + 1)) 0 "$2"
	head -c $((1 + (4 - (110 + ${#2} + 1) % 4) % 4)) /dev/zero
}
# /dev/console comes first, as a hand-made archive: the kernel opens it for
# /init's stdio before /init can mount devtmpfs, and making the node with
# mknod would need root. The kernel unpacks concatenated archives in turn.
{
	newc 1 dev $((0040755)) 2 0 0
	newc 2 dev/console $((0020600)) 1 5 1
	newc 0 'TRAILER!!!' 0 1 0 0
	(cd "$st" && find . -mindepth 1 -printf '%P\0' | sort -z |
		cpio --null --create --format=newc --reproducible --owner=0:0 --quiet)
} | gzip -9 -n > "$out/initramfs.cpio.gz.tmp"
mv "$out/initramfs.cpio.gz.tmp" "$out/initramfs.cpio.gz"

nmods=$(wc -l < "$dst/labguest.order")
cat > "$out/README" <<EOF
Demo guest for labinit, made by \`make demo-guest\` (image/demo-guest.sh) from Debian packages; remake it rather than edit it.
bzImage: Debian's kernel $kver, /boot/vmlinuz-$kver of $kpkg $kpkgver.
vmlinux: the same kernel as an uncompressed ELF ($comp payload taken out of bzImage by image/extract-vmlinux.sh); QEMU boots it through PVH, about twice as fast under TCG.
initramfs.cpio.gz: busybox-static $bbver, $nmods modules of $kpkg $kpkgver ($(echo $want)) with their dependencies, /init from image/demo-guest/rootfs; entries dated $epoch (SOURCE_DATE_EPOCH).
EOF
echo "$stamp" > "$out/.stamp"
say "$out: bzImage $(stat -c %s "$out/bzImage"), vmlinux $(stat -c %s "$out/vmlinux"), initramfs.cpio.gz $(stat -c %s "$out/initramfs.cpio.gz") bytes"
say "from $kpkg $kpkgver ($comp-compressed) and busybox-static $bbver; $nmods modules: $(echo $order | sed 's,[^ ]*/,,g; s,\.ko,,g')"
