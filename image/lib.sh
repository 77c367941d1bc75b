# Shared by image/demo-guest.sh and image/mkimage.sh (sourced, not run):
# Debian packages fetched by name and unpacked without installing them,
# kernel modules with their dependencies, and reproducible initramfs
# archives. The caller sets TOOL (its name in messages) and runs from the
# source tree's root with `set -eu`.
#
# Packages land in build/debs, unpacked once each under build/debroot. The
# package lists are refreshed (apt-get update) only when a look-up or a
# download fails.

export LC_ALL=C
# depmod, mkfs.vfat: also when PATH lacks the sbin directories (`su` without -)
PATH=$PATH:/usr/sbin:/sbin
umask 022 # the modes in the archives must not depend on the caller's
debs=build/debs
debroot=build/debroot
aptcache=build/apt

say() { echo "$TOOL: $*"; }
die() { echo "$TOOL: $*" >&2; exit 1; }

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

# image_dirs: $out, the image's directory (IMAGE_OUT, default out/), and
# $work, its staging under build/image: a test's build into a directory of
# its own never clobbers out/'s.
image_dirs() {
	out=${IMAGE_OUT:-out}
	work=build/image/$(printf '%s' "$out" | tr -c 'A-Za-z0-9._-' _)
}

# config_value FILE KEY: CONFIG_KEY's value in a full .config, unquoted.
config_value() {
	sed -n "s/^CONFIG_$2=\"\{0,1\}\([^\"]*\)\"\{0,1\}\$/\1/p" "$1"
}

# config_guests FILE: the slot numbers of the guests a full .config
# enables, in order. Read from the file rather than counted here: the number
# of slots is defined once, PROFILE_GUEST_SLOTS in lib/profile/profile_keys.h.
config_guests() {
	sed -n 's/^CONFIG_GUEST\([0-9][0-9]*\)=y$/\1/p' "$1"
}

# need_tools COMMAND:PACKAGE...: install the packages of missing commands.
need_tools() {
	missing=""
	for t in "$@"; do
		command -v "${t%%:*}" >/dev/null 2>&1 || missing="$missing ${t#*:}"
	done
	[ -n "$missing" ] || return 0
	say "installing build tools:$missing"
	# shellcheck disable=SC2086
	install_pkgs $missing || { refresh && install_pkgs $missing; } ||
		die "cannot fetch the build tools:$missing"
}
install_pkgs() {
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"
}

# apt_cache ARGS: apt-cache with its binary cache kept under build/apt.
# Container images of Debian turn the system's off (docker-clean), and then
# each look-up parses every package list again: 1.2 s, against 0.25 s with
# the cache. apt rebuilds it by itself when the lists change.
apt_cache() {
	mkdir -p "$aptcache"
	apt-cache -o Dir::Cache::pkgcache="$PWD/$aptcache/pkgcache.bin" \
		-o Dir::Cache::srcpkgcache="$PWD/$aptcache/srcpkgcache.bin" "$@"
}

# deb_name PACKAGE: the file name `apt-get download` gives its candidate.
deb_name() {
	apt_cache show --no-all-versions "$1" 2>/dev/null | awk -v p="$1" '
		/^Version: / { v = $2 } /^Architecture: / { a = $2 }
		END { if (v == "" || a == "") exit 1; gsub(/:/, "%3a", v); print p "_" v "_" a ".deb" }'
}

# get PACKAGE: set $deb to its candidate's .deb in $debs, downloaded by
# name unless it is there already.
get() {
	dname=$(deb_name "$1") || return 1
	if [ ! -f "$debs/$dname" ]; then
		say "downloading $1 ($dname)"
		# As root, apt's download sandbox user _apt cannot write here.
		(cd "$debs" && apt-get download -q -o APT::Sandbox::User="$(id -un)" "$1") || return 1
	fi
	[ -f "$debs/$dname" ] && deb=$debs/$dname
}

# fetch PACKAGE: get, with one refresh of the lists if that fails; offline,
# the newest .deb of PACKAGE already in $debs.
fetch() {
	mkdir -p "$debs"
	get "$1" && return 0
	refresh && get "$1" && return 0
	deb=$(ls "$debs/$1"_*.deb 2>/dev/null | sort -V | tail -n 1)
	[ -n "$deb" ] || die "cannot fetch $1 (apt-get download failed; offline?) and none is cached in $debs"
	say "download of $1 failed: using the cached $deb"
}

# unpack DEB: print the directory it is unpacked in (once) under $debroot.
unpack() {
	d=$debroot/$(basename "$1" .deb)
	if [ ! -f "$d.done" ]; then
		rm -rf "$d"
		mkdir -p "$d"
		dpkg-deb -x "$1" "$d"
		touch "$d.done"
	fi
	echo "$d"
}

# The kernel: the versioned package linux-image-amd64 depends on.
kernel_pkg() {
	apt_cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\)$/\1/p' | head -n 1 | grep .
}

# debian_kernel: fetch and unpack Debian's current kernel package; sets
# kpkg, kdeb, kroot (the unpacked tree), kver, kmods (its module tree,
# with modules.dep) and kimage (its bzImage).
debian_kernel() {
	kpkg=$(kernel_pkg) || { refresh && kpkg=$(kernel_pkg); } ||
		kpkg=$(ls "$debs" 2>/dev/null | sed -n 's/^\(linux-image-[0-9][^_]*\)_.*\.deb$/\1/p' | sort -V | tail -n 1)
	[ -n "$kpkg" ] || die "cannot fetch linux-image-amd64: it is in no package list, and no kernel package is cached in $debs"
	fetch "$kpkg"
	kdeb=$deb
	kroot=$(unpack "$kdeb")
	kver=$(ls "$kroot/lib/modules" | head -n 1)
	kmods=$kroot/lib/modules/$kver
	kimage=$kroot/boot/vmlinuz-$kver
	[ -n "$kver" ] && [ -f "$kimage" ] || die "$kdeb: no /boot/vmlinuz-VERSION with /lib/modules/VERSION"
	# Debian's kernel package ships no modules.dep (its postinst runs
	# depmod): make it in the unpacked copy, as the postinst would.
	if [ ! -f "$kmods/modules.dep" ]; then
		say "depmod for $kver in $kroot"
		depmod -b "$kroot" "$kver"
	fi
}

# bzimage_release FILE: the kernel release a bzImage names in its setup
# header (Documentation/x86/boot.rst: "HdrS" at 0x202, the offset of the
# version string less 0x200 at 0x20E), e.g. "6.1.0-57-amd64"; status 1 if
# FILE is no bzImage.
bzimage_release() {
	[ "$(od -An -c -j 514 -N 4 "$1" 2>/dev/null | tr -d ' ')" = HdrS ] || return 1
	br_off=$(od -An -tu2 -j 526 -N 2 "$1" | tr -d ' ')
	[ -n "$br_off" ] && [ "$br_off" -gt 0 ] || return 1
	dd if="$1" bs=1 skip=$((br_off + 512)) count=128 2>/dev/null | tr '\0' '\n' | head -n 1 | cut -d' ' -f1 | grep .
}

# module_order KMODS NAME...: the modules.dep paths of the named modules
# and everything they need, each after what it needs: labinit's own
# resolver (`labinit modules --order`, init/modules/moddep.c), so the image carries
# exactly what the boot will load. A name the kernel has built in is
# skipped; an unknown name fails, naming it.
module_order() {
	mo_dir=$1
	shift
	mo_rel=${mo_dir##*/lib/modules/}
	build/labinit modules --order --root "${mo_dir%/lib/modules/*}" --kver "$mo_rel" "$@" > "$work/order" ||
		return 1
	sed "s,^$mo_dir/,," "$work/order"
}

# stage_modules ROOT KMODS KVER ORDERFILE ORDER...: copy the modules
# (paths from module_order) into ROOT/lib/modules/KVER with their
# dependency data (modules.dep, .alias, .builtin as text; kmod's .bin
# indexes left out), and the load order as ORDERFILE there, unless "".
stage_modules() {
	sroot=$1 smods=$2 sver=$3 sorder=${4:-.order}
	shift 4
	sdst=$sroot/lib/modules/$sver
	mkdir -p "$sdst"
	for m in "$@"; do
		mkdir -p "$sdst/${m%/*}"
		cp "$smods/$m" "$sdst/$m"
	done
	printf '%s\n' "$@" > "$sdst/$sorder"
	for f in modules.builtin modules.builtin.modinfo; do
		[ ! -f "$smods/$f" ] || cp "$smods/$f" "$sdst/"
	done
	grep -Fx -f "$sdst/$sorder" "$smods/modules.order" > "$sdst/modules.order" || true
	depmod -b "$sroot" "$sver"
	rm -f "$sdst"/*.bin "$sdst/.order"
}

# stage_busybox ROOT BUSYBOX: busybox and a link for each applet but init
# (PID 1 is labinit's).
stage_busybox() {
	mkdir -p "$1/bin" "$1/sbin" "$1/usr/bin" "$1/usr/sbin"
	cp "$2" "$1/bin/busybox"
	chmod 0755 "$1/bin/busybox"
	for a in $("$2" --list-full); do
		case $a in bin/busybox | linuxrc | sbin/init) continue ;; esac
		[ -e "$1/$a" ] || [ -L "$1/$a" ] || ln -s /bin/busybox "$1/$a"
	done
}

# demo_stamp FILE...: what a demo guest is made from, as one checksum: the
# kernel and busybox packages ($kdeb, $bdeb), the epoch, the FILEs (the
# scripts and the module list) and the rootfs under $here.
demo_stamp() {
	{
		echo "$(basename "$kdeb") $(basename "$bdeb") $epoch"
		cat "$@"
		find "$here/rootfs" | sort | while read -r f; do echo "$f"; [ -f "$f" ] && cat "$f"; done
	} | cksum
}

# demo_modules KMODS LIST: the modules LIST names (# comments) with their
# dependencies from KMODS' modules.dep, each after what it needs; dies
# naming LIST if the kernel ($kpkg) lacks one. Sets $want and $order.
demo_modules() {
	want=$(sed 's/#.*//' "$2" | tr '\n' ' ')
	# shellcheck disable=SC2086
	order=$(module_order "$1" $want) || die "$kpkg lacks a module $2 asks for"
}

# demo_tree ROOT: the demo guest's initramfs tree, empty but for its
# directories (made anew each time).
demo_tree() {
	rm -rf "$1"
	mkdir -p "$1"
	for d in etc proc sys run tmp root mnt/debug; do
		mkdir -p "$1/$d"
	done
}

# pack_demo_initramfs ROOT EPOCH WORK OUT: the demo guest's tree ROOT as
# OUT/initramfs.cpio.gz (its cpio kept in WORK), every file readable, the
# scripts executable, reproducible; OUT's old one is replaced atomically.
pack_demo_initramfs() {
	find "$1" -type f -exec chmod 0644 {} +
	chmod 0755 "$1/bin/busybox" "$1/init" "$1/etc/udhcpc/default.script" "$1/etc/acpi/PWRF/00000080"
	[ ! -f "$1/sbin/labinit-agent" ] || chmod 0755 "$1/sbin/labinit-agent"
	# virtio_mmio.ko (x86_64's list has it) in an uncompressed archive
	# ahead of the gzip one, as early microcode is: the lab host reads
	# its name there (guests/qemu/microvm.c) to know that the guest can
	# run on the microvm machine, without unpacking the rest.
	mmio=$(cd "$1" && find lib/modules -name 'virtio_mmio.ko*' 2> /dev/null | head -n 1)
	: > "$4/initramfs.cpio.gz.tmp"
	if [ -n "$mmio" ]; then
		rm -rf "$3/mmio"
		mkdir -p "$3/mmio/${mmio%/*}"
		mv "$1/$mmio" "$3/mmio/$mmio" # before normalize_tree "$1": mv dates its directory
		normalize_tree "$3/mmio" "$2"
		(cd "$3/mmio" && find . -mindepth 1 -printf '%P\0' | sort -z |
			cpio --null --create --format=newc --reproducible --owner=0:0 --quiet) > "$4/initramfs.cpio.gz.tmp"
	fi
	normalize_tree "$1" "$2"
	write_cpio "$1" "$2" > "$3/initramfs.cpio"
	gzip -9 -n < "$3/initramfs.cpio" >> "$4/initramfs.cpio.gz.tmp"
	mv "$4/initramfs.cpio.gz.tmp" "$4/initramfs.cpio.gz"
}

# normalize_tree ROOT EPOCH: readable by all, written by the owner only,
# every entry dated EPOCH, so the archive depends on the contents alone.
normalize_tree() {
	chmod -R a+rX,go-w "$1"
	[ -d "$1/tmp" ] && chmod 1777 "$1/tmp"
	[ -d "$1/root" ] && chmod 0700 "$1/root"
	find "$1" -exec touch -h -d "@$2" {} +
}

# newc INO NAME MODE NLINK RDEVMAJOR RDEVMINOR: one data-less cpio "newc"
# entry (the header that the kernel's init/initramfs.c reads), padded to 4.
newc() {
	printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%s' \
		"$1" "$3" 0 0 "$4" "$epoch" 0 0 0 "$5" "$6" $((${#2} + 1)) 0 "$2"
	head -c $((1 + (4 - (110 + ${#2} + 1) % 4) % 4)) /dev/zero
}

# write_cpio ROOT EPOCH: the initramfs of ROOT on stdout, uncompressed.
# /dev/console comes first, as a hand-made archive: the kernel opens it
# for /init's stdio before /init can mount devtmpfs, and making the node
# with mknod would need root. The kernel unpacks concatenated archives in
# turn. Entries are sorted and owned by root: the same tree gives the same
# bytes.
write_cpio() {
	epoch=$2
	newc 1 dev $((0040755)) 2 0 0
	newc 2 dev/console $((0020600)) 1 5 1
	newc 0 'TRAILER!!!' 0 1 0 0
	(cd "$1" && find . -mindepth 1 -printf '%P\0' | sort -z |
		cpio --null --create --format=newc --reproducible --owner=0:0 --quiet)
}

# Packages of another architecture, which apt-get download cannot fetch
# without dpkg --add-architecture (a change to this machine's apt setup):
# read the archive's own index instead, download the pool file and check
# it against the index's SHA256. Bookworm has no riscv64; trixie does.
#   DEBIAN_MIRROR=URL   the archive (default http://deb.debian.org/debian)
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

# foreign_index SUITE ARCH: set $index to the suite's package index for
# ARCH, downloaded once a run (a stale one names pool files that are gone)
# or, offline, the copy from an earlier run.
foreign_index() {
	index=$debs/Packages-$1-$2
	[ "$(cat "$index.run" 2>/dev/null)" = "$$" ] && return 0
	say "reading $mirror/dists/$1/main/binary-$2/Packages.xz"
	if curl -fsSL --retry 2 "$mirror/dists/$1/main/binary-$2/Packages.xz" | xz -d > "$index.tmp"; then
		mv "$index.tmp" "$index"
		echo "$$" > "$index.run"
	elif [ -s "$index" ]; then
		rm -f "$index.tmp"
		say "cannot read the index (offline?): using the one of an earlier run"
	else
		rm -f "$index.tmp"
		die "cannot fetch the $1 $2 package index from $mirror (offline?)"
	fi
}

# foreign_field PACKAGE FIELD: FIELD of PACKAGE's stanza in $index.
foreign_field() {
	awk -v p="$1" -v f="$2:" '
		$1 == "Package:" { inp = ($2 == p) }
		inp && $1 == f { sub(/^[^:]*: */, ""); print; exit }' "$index"
}

# foreign_fetch PACKAGE: set $deb to PACKAGE's .deb from $index, in $debs,
# downloaded unless there already with the right SHA256.
foreign_fetch() {
	ff_file=$(foreign_field "$1" Filename)
	ff_sum=$(foreign_field "$1" SHA256)
	[ -n "$ff_file" ] && [ -n "$ff_sum" ] || die "$1 is not in $index"
	deb=$debs/${ff_file##*/}
	if ! echo "$ff_sum  $deb" | sha256sum -c --status 2>/dev/null; then
		say "downloading $1 (${ff_file##*/})"
		curl -fsSL --retry 2 -o "$deb.tmp" "$mirror/$ff_file" || die "cannot fetch $mirror/$ff_file"
		echo "$ff_sum  $deb.tmp" | sha256sum -c --status || die "$mirror/$ff_file: SHA256 differs from the index's"
		mv "$deb.tmp" "$deb"
	fi
}

# foreign_kernel SUITE ARCH: like debian_kernel, for linux-image-ARCH of
# SUITE; sets kpkg, kdeb, kroot, kver, kmods and kimage.
foreign_kernel() {
	foreign_index "$1" "$2"
	kpkg=$(foreign_field "linux-image-$2" Depends | tr ',' '\n' |
		sed -n 's/^ *\(linux-image-[0-9][^ ]*\).*/\1/p' | head -n 1)
	[ -n "$kpkg" ] || die "linux-image-$2 of $1 depends on no versioned kernel package"
	foreign_fetch "$kpkg"
	kdeb=$deb
	kroot=$(unpack "$kdeb")
	# trixie's packages put the modules under /usr (merged /usr)
	fk_base=$kroot
	[ -d "$kroot/lib/modules" ] || fk_base=$kroot/usr
	kver=$(ls "$fk_base/lib/modules" 2>/dev/null | head -n 1)
	kmods=$fk_base/lib/modules/$kver
	kimage=$(ls "$kroot/boot/vmlinuz-$kver" "$kroot/boot/vmlinux-$kver" 2>/dev/null | head -n 1)
	[ -n "$kver" ] && [ -n "$kimage" ] || die "$kdeb: no /boot/vmlinuz-VERSION with /lib/modules/VERSION"
	if [ ! -f "$kmods/modules.dep" ]; then
		say "depmod for $kver in $fk_base"
		depmod -b "$fk_base" "$kver"
	fi
}
