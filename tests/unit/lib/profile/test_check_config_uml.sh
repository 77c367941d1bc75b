#!/bin/sh
# `labinit check-config` on UML guests (CONFIG_GUESTn_KIND=uml): a valid
# one passes, and every key a UML guest cannot honour is refused by name,
# with the reason.
set -eu
T_REPO=$(cd "$(dirname "$0")/../../../.." && pwd)
. "$T_REPO/tests/lib/lib.sh"
cd "$T_REPO"
t_tmpdir

mkdir -p "$tmp/files"
printf '#!/bin/sh\n' > "$tmp/files/linux"
chmod +x "$tmp/files/linux"
: > "$tmp/files/initrd"
: > "$tmp/files/disk.img"
: > "$tmp/files/extra.img"
: > "$tmp/files/notexec"
mkdir -p "$tmp/files/a:b" && : > "$tmp/files/a:b/disk.img"

# base [KIND [KERNEL]]
base() {
	printf 'CONFIG_FILES_DIR="%s"\nCONFIG_GUEST1=y\nCONFIG_GUEST1_NAME="um1"\n' "$tmp/files"
	printf 'CONFIG_GUEST1_KIND="%s"\nCONFIG_GUEST1_KERNEL="%s"\n' "${1:-uml}" "${2-linux}"
	printf 'CONFIG_GUEST1_INITRD="initrd"\n'
}

base > "$tmp/ok"
printf 'CONFIG_GUEST1_DISK="disk.img"\nCONFIG_GUEST1_EXTRA_DISKS="extra.img:rw"\nCONFIG_GUEST1_MEMORY=128\n' >> "$tmp/ok"
"$LABINIT" check-config "$tmp/ok" > "$tmp/out" 2>&1 || { cat "$tmp/out"; t_fail "a valid UML guest was refused"; }

# refuse LINE WANT [KIND [KERNEL]]: base + LINE is refused, WANT said
refuse() {
	base "${3:-}" "${4-linux}" > "$tmp/p"
	printf '%s\n' "$1" >> "$tmp/p"
	if "$LABINIT" check-config "$tmp/p" > "$tmp/out" 2>&1; then
		t_error "accepted: $1"
		return
	fi
	grep -qF "$2" "$tmp/out" || { cat "$tmp/out"; t_error "$1: missing \"$2\""; }
}

refuse '' 'CONFIG_GUEST1_KIND: "xen": expected qemu, uml (User-Mode Linux) or board' xen
refuse 'CONFIG_GUEST1_FIRMWARE="bios"' 'CONFIG_GUEST1_FIRMWARE: a UML guest is its kernel, run as a host process: no firmware'
refuse 'CONFIG_GUEST1_DISK_BUS="ide"' 'CONFIG_GUEST1_DISK_BUS: a UML guest has ubd disks'
refuse 'CONFIG_GUEST1_EXTRA_DISKS="extra.img:nvme"' 'CONFIG_GUEST1_EXTRA_DISKS: '"$tmp"'/files/extra.img: a UML guest has ubd disks: no bus to choose'
refuse 'CONFIG_GUEST1_NIC="e1000"' "CONFIG_GUEST1_NIC: a UML guest has UML's own NIC (vec0 in the guest)"
refuse 'CONFIG_GUEST1_CPUS=2' 'CONFIG_GUEST1_CPUS: a UML guest runs one CPU'
refuse 'CONFIG_GUEST1_GDB_PORT=1234' 'CONFIG_GUEST1_GDB_PORT: a UML guest is a host process: debug it with gdb -p PID'
refuse 'CONFIG_GUEST1_GDB_WAIT=y' 'CONFIG_GUEST1_GDB_WAIT: a UML guest is a host process: debug it with gdb -p PID'
refuse 'CONFIG_GUEST1_QEMU_ARGS="-s"' 'CONFIG_GUEST1_QEMU_ARGS: a UML guest runs no QEMU'
refuse 'CONFIG_GUEST1_CLOUD_INIT=y' 'CONFIG_GUEST1_CLOUD_INIT: a UML guest gets no cloud-init seed'
refuse 'CONFIG_GUEST1_DISK="a:b/disk.img"' "CONFIG_GUEST1_DISK: $tmp/files/a:b/disk.img: UML's ubd option takes ':' as a separator"
refuse '' "CONFIG_GUEST1_KERNEL: $tmp/files/notexec: a UML kernel is a program, and this one is not executable" uml notexec
refuse '' "CONFIG_GUEST1_KERNEL: a UML guest needs its UML kernel (Debian's /usr/bin/linux.uml" uml ''
t_exit
