#!/bin/sh
# `make image`, first part: the host kernel and initramfs in out/.
#   out/vmlinuz               the host kernel: Debian's linux-image-amd64
#                             (downloaded, not installed) or CONFIG_IMAGE_KERNEL
#   out/initramfs.cpio.lz4    labinit as /init, busybox, QEMU with exactly the
#                             libraries and firmware of image/lists/qemu-files
#                             (qemu-files-ARCH too for a guest of that ARCH; and
#                             smbd, image/lists/smb-files, for CONFIG_SHARE_SMB), the
#                             modules labinit loads (`labinit modules --list`
#                             and image/lists/host-modules) with their dependency
#                             data, the profile as /etc/labinit/config, and
#                             the guests' files when CONFIG_IMAGE_EMBED_GUESTS
#   out/config                the effective profile inside the image
# The profile is .config, else configs/default_defconfig (PROFILE=FILE to
# choose). The same inputs give the same bytes: entries are sorted, owned by
# root and dated SOURCE_DATE_EPOCH (default: the kernel file's date).
# Nothing is rebuilt when the archive's contents did not change.
#   IMAGE_OUT=DIR   write there instead of out/
# Exit 1 on failure, naming what is wrong.
set -eu
cd "$(dirname "$0")/.."
TOOL=image
. image/lib.sh
image_dirs
labinit=build/labinit
if [ -n "${PROFILE:-}" ]; then
	profile=$PROFILE
	[ -f "$profile" ] || die "PROFILE=$profile: no such file"
else
	profile=${KCONFIG_CONFIG:-.config}
	[ -f "$profile" ] || profile=configs/default_defconfig
fi
[ -x "$labinit" ] || die "$labinit is not built (make all)"

need_tools cpio:cpio depmod:kmod lz4:lz4 dpkg-deb:dpkg kconfig-conf:kconfig-frontends \
	qemu-system-x86_64:qemu-system-x86
mkdir -p "$out" "$work"

# The effective profile: every key, defaults filled in by Kconfig.
cp "$profile" "$work/config"
KCONFIG_CONFIG=$work/config kconfig-conf --olddefconfig Kconfig > "$work/kconfig.log" ||
	{ cat "$work/kconfig.log"; die "$profile: Kconfig cannot read it"; }
rm -f "$work/config.old"
cfg() { config_value "$work/config" "$1"; }
name=$(cfg PROFILE_NAME)
files_dir=$(cfg FILES_DIR)
say "profile $profile (\"$name\")"

# own_kernel BZIMAGE MODTREE: CONFIG_IMAGE_KERNEL and its module tree
# (CONFIG_IMAGE_KERNEL_MODULES, or none); sets kpkg, kver and kmods ("" when
# there is no tree), as debian_kernel does.
own_kernel() {
	[ -f "$1" ] || die "CONFIG_IMAGE_KERNEL: $1: no such file"
	kver=$(bzimage_release "$1") ||
		die "CONFIG_IMAGE_KERNEL: $1 is not a bzImage (an ELF vmlinux does not boot from isolinux, GRUB or PXE: use arch/x86/boot/bzImage)"
	kpkg="your kernel $kver" kmods=""
	[ -n "$2" ] || return 0
	[ -d "$2/lib/modules" ] ||
		die "CONFIG_IMAGE_KERNEL_MODULES: $2 has no lib/modules (make modules_install INSTALL_MOD_PATH=$2)"
	[ -d "$2/lib/modules/$kver" ] ||
		die "CONFIG_IMAGE_KERNEL_MODULES: $2/lib/modules has $(ls "$2/lib/modules" | tr '\n' ' ')but not $kver, the release of $1"
	kmods=$2/lib/modules/$kver
	if [ ! -f "$kmods/modules.dep" ]; then
		say "depmod for $kver in $2"
		depmod -b "$2" "$kver"
	fi
}

# The kernel and its modules.
kernel=$(cfg IMAGE_KERNEL)
if [ -z "$kernel" ]; then
	debian_kernel
	kernel=$kimage
	epoch=${SOURCE_DATE_EPOCH:-$(stat -c %Y "$kimage")}
else
	own_kernel "$kernel" "$(cfg IMAGE_KERNEL_MODULES)"
	epoch=${SOURCE_DATE_EPOCH:-$(stat -c %Y "$kernel")}
fi
fetch busybox-static
busybox=$(unpack "$deb")/bin/busybox

st=$work/root
rm -rf "$st"
mkdir -p "$st"
for d in dev proc sys run tmp var/tmp root mnt etc/labinit "${files_dir#/}"; do
	mkdir -p "$st/$d"
done
# QEMU runs unprivileged and puts a snapshot disk's overlay in /var/tmp.
chmod 1777 "$st/tmp" "$st/var/tmp"
stage_busybox "$st" "$busybox"
cp "$labinit" "$st/init"
ln -s /init "$st/bin/labinit"
ln -s /init "$st/bin/labctl"
cp -R image/rootfs/. "$st/"
ln -s /proc/mounts "$st/etc/mtab"
cp "$work/config" "$st/etc/labinit/config"

# stage_file SRC DEST: copy SRC (following links) to DEST in the image.
stage_file() {
	mkdir -p "$st$(dirname "$2")"
	cp -L "$1" "$st$2"
}

# stage_listed LIST PACKAGES: the files LIST names (one path a line) and
# the libraries of every ELF file among them (into $work/libs.all).
stage_listed() {
	for f in $(sed 's/#.*//' "$1"); do
		[ -f "$f" ] || die "$1: $f: missing (Debian package $2)"
		stage_file "$f" "$f"
		case $(od -An -c -N4 "$f" | tr -d ' ') in
		177ELF)
			ldd "$f" > "$work/ldd" || die "ldd $f failed"
			if grep 'not found' "$work/ldd" >&2; then die "$f: a library it needs is missing here"; fi
			awk '/=> \// { print $3 } /^[ \t]*\/[^ ]* \(0x/ { print $1 }' "$work/ldd" ;;
		esac
	done >> "$work/libs.all"
}
: > "$work/libs.all"
stage_listed image/lists/qemu-files "qemu-system-x86, seabios or ipxe-qemu"
# any_guest KEY VALUE: some guest the profile enables has CONFIG_GUESTn_KEY=VALUE.
any_guest() {
	for n in $(config_guests "$work/config"); do
		if [ "$(cfg "GUEST${n}_$1")" = "$2" ]; then return 0; fi
	done
	return 1
}
if any_guest FIRMWARE uefi; then stage_listed image/lists/ovmf-files ovmf; fi
if any_guest FIRMWARE u-boot; then stage_listed image/lists/uboot-files u-boot-qemu; fi
# The other architectures' QEMU, only for a profile with such a guest.
if any_guest ARCH aarch64; then stage_listed image/lists/qemu-files-aarch64 "qemu-system-arm or ipxe-qemu"; fi
if any_guest ARCH riscv64; then
	stage_listed image/lists/qemu-files-riscv64 "qemu-system-misc, qemu-system-data or ipxe-qemu"
fi
# Debian's UML kernel, for a profile's UML guests that run it.
if any_guest KERNEL /usr/bin/linux.uml; then stage_listed image/lists/uml-files user-mode-linux; fi
if [ "$(cfg SHARE_SMB)" = y ]; then
	stage_listed image/lists/smb-files samba
	mkdir -p "$st/var/log/samba" # samba-dcerpcd's log, whatever smb.conf says
fi
sort -u "$work/libs.all" > "$work/libs"
while read -r lib; do stage_file "$lib" "$lib"; done < "$work/libs"

# Modules: the lab's features and the drivers of image/lists/host-modules.
if [ -n "$kmods" ]; then
	features=$("$labinit" modules --list) || die "$labinit modules --list failed"
	drivers=$(sed 's/#.*//' image/lists/host-modules)
	if [ -n "$(cfg IMAGE_KERNEL)" ]; then
		# Your kernel may lack a driver of the list, not a feature.
		have=""
		for d in $drivers; do
			if module_order "$kmods" "$d" > /dev/null 2>&1; then have="$have $d"; fi
		done
		drivers=$have
	fi
	# shellcheck disable=SC2086
	order=$(module_order "$kmods" $features $drivers) ||
		die "$kpkg lacks a module labinit or image/lists/host-modules asks for (neither built in nor in $kmods)"
	# shellcheck disable=SC2086
	stage_modules "$st" "$kmods" "$kver" "" $order
fi

# stage_lab_file KEY PATH: a guest's file, where labinit will look for it.
stage_lab_file() {
	case $2 in
	/*) src=$2 dst=$2 ;;
	*) src=lab/$2 dst=$files_dir/$2 ;;
	esac
	# The shipped profiles' demo guest: built, or found up to date.
	case $src in lab/guests/demo/*)
		if [ -z "${demo_done:-}" ]; then
			sh image/demo-guest.sh || die "CONFIG_$1: the demo guest (make demo-guest) failed to build"
			demo_done=1
		fi ;;
	esac
	[ -f "$src" ] || die "CONFIG_$1: $src: no such file (build it, or turn CONFIG_IMAGE_EMBED_GUESTS off)"
	stage_file "$src" "$dst"
}
if [ "$(cfg IMAGE_EMBED_GUESTS)" = y ]; then
	for n in $(config_guests "$work/config"); do
		for k in KERNEL INITRD DISK; do
			v=$(cfg GUEST${n}_$k)
			[ -z "$v" ] || stage_lab_file "GUEST${n}_$k" "$v"
		done
		for e in $(cfg GUEST${n}_EXTRA_DISKS); do # FILE[:BUS][:rw]
			stage_lab_file "GUEST${n}_EXTRA_DISKS" "${e%%:*}"
		done
		case $(cfg GUEST${n}_FIRMWARE) in /*) stage_lab_file "GUEST${n}_FIRMWARE" "$(cfg GUEST${n}_FIRMWARE)" ;; esac
	done
	# The keys of the cloud-init seeds, when they are a file's.
	case $(cfg SSH_AUTHORIZED_KEYS) in
	'' | ssh-* | ecdsa-* | sk-*) ;;
	*) stage_lab_file SSH_AUTHORIZED_KEYS "$(cfg SSH_AUTHORIZED_KEYS)" ;;
	esac
fi

for e in $(cfg IMAGE_EXTRA_FILES); do
	src=${e%%:*} dst=${e#*:}
	[ -f "$src" ] && [ "${dst#/}" != "$dst" ] ||
		die "CONFIG_IMAGE_EXTRA_FILES: $e: want HOSTPATH:IMAGEPATH, an existing file and an absolute path"
	stage_file "$src" "$dst"
done

# The netboot loaders (image/netboot-loaders.sh), in CONFIG_TFTP_ROOT when
# the profile serves TFTP (relative: below FILES_DIR), only then: 1.6 MB.
tftp_root=$(cfg TFTP_ROOT)
if [ -n "$tftp_root" ]; then
	case $tftp_root in /*) ;; *) tftp_root=$files_dir/$tftp_root ;; esac
	sh image/netboot-loaders.sh "$st$tftp_root" > /dev/null || die "CONFIG_TFTP_ROOT: the netboot loaders (above)"
fi

# The profile must hold for the files the image carries.
if [ "$(cfg IMAGE_EMBED_GUESTS)" = y ]; then
	"$labinit" check-config --cmdline "labinit.FILES_DIR=\"$PWD/$st$files_dir\"" "$work/config" ||
		die "$profile does not validate against the image's files (errors above)"
fi

normalize_tree "$st" "$epoch"
write_cpio "$st" "$epoch" > "$work/initramfs.cpio"
# What the compressed archive is made of: the contents and the compressor.
lz4_flags="-q -f -l -9"
sum=$({ sha256sum < "$work/initramfs.cpio"; lz4 -V; echo "$lz4_flags"; } | sha256sum)
if [ -f "$out/initramfs.cpio.lz4" ] && [ -f "$out/.initramfs.sum" ] && [ "$(cat "$out/.initramfs.sum")" = "$sum" ] &&
	cmp -s "$kernel" "$out/vmlinuz"; then
	say "$out/initramfs.cpio.lz4 is up to date"
else
	# lz4 (-l: the legacy frame, the one the kernel reads): the kernel
	# unpacks the archive before it runs /init, and under TCG lz4 takes
	# 1.2 s where zstd took 2.7 s (147 MB unpacked; make bench's
	# appliance_boot). It costs 30% more bytes than zstd -9 (48 MB
	# against 37 MB): a CD or a TFTP server reads more. Level 9: 3.7 s
	# here, one thread, the same bytes on every machine.
	# shellcheck disable=SC2086
	rm -f "$out/initramfs.cpio.zst" # what make image wrote before lz4
	lz4 $lz4_flags "$work/initramfs.cpio" "$out/initramfs.cpio.lz4.tmp"
	mv "$out/initramfs.cpio.lz4.tmp" "$out/initramfs.cpio.lz4"
	cp "$kernel" "$out/vmlinuz.tmp"
	mv "$out/vmlinuz.tmp" "$out/vmlinuz"
	echo "$sum" > "$out/.initramfs.sum"
fi
# Dated like their contents: image/bootmedia.sh dates the ISO's files so.
touch -d "@$epoch" "$out/vmlinuz" "$out/initramfs.cpio.lz4"
cp "$work/config" "$out/config"
echo "$name" > "$out/profile-name"
nmods=$(echo ${order:-} | wc -w)
say "$out/vmlinuz: $(stat -c %s "$out/vmlinuz") bytes ($kpkg)"
say "$out/initramfs.cpio.lz4: $(stat -c %s "$out/initramfs.cpio.lz4") bytes ($(stat -c %s "$work/initramfs.cpio") unpacked; $nmods modules, $(wc -l < "$work/libs") libraries)"
