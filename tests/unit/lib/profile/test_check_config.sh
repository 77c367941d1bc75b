#!/bin/sh
# `labinit check-config` as a user meets it: every shipped profile validates
# once its guest files exist; a broken profile gets every error, each naming
# file, line and key, a count, and exit status 1; print-config round-trips.
set -eu
T_REPO=$(cd "$(dirname "$0")/../../../.." && pwd)
. "$T_REPO/tests/lib/lib.sh"
cd "$T_REPO"
t_tmpdir

mkdir -p "$tmp/files/guests/demo" "$tmp/files/guests/demo-arm64" "$tmp/files/guests/demo-riscv64"
for f in demo/vmlinux demo/bzImage demo/initramfs.cpio.gz demo-arm64/Image demo-arm64/initramfs.cpio.gz \
	demo-riscv64/Image demo-riscv64/initramfs.cpio.gz; do
	: > "$tmp/files/guests/$f"
done
for f in configs/*_defconfig; do
	"$LABINIT" check-config --cmdline "labinit.FILES_DIR=$tmp/files" "$f" > "$tmp/out" 2>&1 ||
		{ cat "$tmp/out"; t_fail "$f does not validate"; }
	grep -q ": ok (profile " "$tmp/out" || t_fail "$f: no ok line"
done

# Without the guest files the same profile names each missing file.
if "$LABINIT" check-config --cmdline "labinit.FILES_DIR=$tmp/none" configs/default_defconfig > "$tmp/out" 2>&1; then
	t_fail "missing kernel accepted"
fi
grep -q "default_defconfig:5: CONFIG_GUEST1_KERNEL: $tmp/none/guests/demo/vmlinux: No such file or directory" "$tmp/out" ||
	{ cat "$tmp/out"; t_fail "missing kernel not named"; }

cat > "$tmp/broken" <<'EOC'
CONFIG_HOSTNAME="lab"
CONFIG_LOG_LEVEL=12
CONFIG_LAB_SUBNET="10.77.0.0/24
CONFIG_FROB=y
CONFIG_HOSTNAME="again"
CONFIG_DHCP_RANGE_START="10.88.0.2"
EOC
rc=0
"$LABINIT" check-config "$tmp/broken" > "$tmp/out" 2>&1 || rc=$?
[ $rc = 1 ] || t_fail "exit status $rc, wanted 1"
for want in "broken:2: CONFIG_LOG_LEVEL: \"12\" is out of range 0..7" \
	"broken:3: CONFIG_LAB_SUBNET: unterminated string" \
	"broken:4: CONFIG_FROB: unknown key" \
	"broken:5: CONFIG_HOSTNAME: set again (first set at line 1)" \
	"broken:6: CONFIG_DHCP_RANGE_START: 10.88.0.2 is not a host address inside the lab subnet" \
	"broken: 5 errors"; do
	grep -qF "$want" "$tmp/out" || { cat "$tmp/out"; t_fail "missing: $want"; }
done

# What a virt machine cannot do, refused by key and reason (CONFIG_GUESTn_ARCH).
cat > "$tmp/arch" <<'EOC'
CONFIG_GUEST1=y
CONFIG_GUEST1_ARCH="aarch64"
CONFIG_GUEST1_KERNEL="guests/demo-arm64/Image"
CONFIG_GUEST1_DISK_BUS="ide"
CONFIG_GUEST1_DISK="guests/demo-arm64/Image"
CONFIG_GUEST1_FIRMWARE="uefi"
CONFIG_GUEST2=y
CONFIG_GUEST2_ARCH="riscv64"
CONFIG_GUEST2_KERNEL="guests/demo-riscv64/Image"
CONFIG_GUEST2_EXTRA_DISKS="guests/demo-riscv64/Image:ide"
CONFIG_GUEST2_FIRMWARE="bios"
CONFIG_GUEST3=y
CONFIG_GUEST3_ARCH="arm"
CONFIG_GUEST3_KERNEL="guests/demo/vmlinux"
EOC
rc=0
"$LABINIT" check-config --cmdline "labinit.FILES_DIR=$tmp/files" "$tmp/arch" > "$tmp/out" 2>&1 || rc=$?
[ $rc = 1 ] || { cat "$tmp/out"; t_fail "arch refusals: exit status $rc, wanted 1"; }
for want in "arch:6: CONFIG_GUEST1_FIRMWARE: \"uefi\": SeaBIOS and OVMF are x86_64 firmware, and CONFIG_GUEST1_ARCH is aarch64" \
	"arch:4: CONFIG_GUEST1_DISK_BUS: \"ide\": the virt machine of CONFIG_GUEST1_ARCH=aarch64 has no such bus; it has virtio, scsi, sata, nvme or usb" \
	"arch:11: CONFIG_GUEST2_FIRMWARE: \"bios\": SeaBIOS and OVMF are x86_64 firmware, and CONFIG_GUEST2_ARCH is riscv64" \
	"arch:10: CONFIG_GUEST2_EXTRA_DISKS: \"guests/demo-riscv64/Image:ide\": \"ide\": the virt machine of CONFIG_GUEST2_ARCH=riscv64 has no such bus" \
	"arch:13: CONFIG_GUEST3_ARCH: \"arm\": expected x86_64, aarch64 or riscv64" \
	"arch: 5 errors"; do
	grep -qF "$want" "$tmp/out" || { cat "$tmp/out"; t_fail "missing: $want"; }
done

# A share directory that would inject options into QEMU's -virtfs or lines
# into smb.conf is refused, from the file and from the kernel command line.
printf 'CONFIG_SHARE_DIR="/lab/share,security_model=passthrough"\n' > "$tmp/inject"
if "$LABINIT" check-config --cmdline "labinit.FILES_DIR=$tmp/files" "$tmp/inject" > "$tmp/out" 2>&1; then
	t_fail "a ',' in CONFIG_SHARE_DIR was accepted"
fi
grep -qF "inject:1: CONFIG_SHARE_DIR: \"/lab/share,security_model=passthrough\": a ','" "$tmp/out" ||
	{ cat "$tmp/out"; t_fail "the ',' in CONFIG_SHARE_DIR was not named"; }
for bad in '/lab/%u' '/lab/a,b'; do
	if "$LABINIT" check-config --cmdline "labinit.FILES_DIR=$tmp/files labinit.SHARE_DIR=$bad" \
		configs/default_defconfig > "$tmp/out" 2>&1; then
		t_fail "labinit.SHARE_DIR=$bad on the kernel command line was accepted"
	fi
	grep -q "CONFIG_SHARE_DIR: \"$bad\"" "$tmp/out" || { cat "$tmp/out"; t_fail "SHARE_DIR=$bad not named"; }
done

# Sixteen guest slots: the last validates, the one after it is no key, in
# the file as on the kernel command line.
printf 'CONFIG_GUEST16=y\nCONFIG_GUEST16_KERNEL="guests/demo/vmlinux"\nCONFIG_GUEST17=y\n' > "$tmp/slots"
rc=0
"$LABINIT" check-config --cmdline "labinit.FILES_DIR=$tmp/files labinit.GUEST17_NIC=e1000" "$tmp/slots" > "$tmp/out" 2>&1 || rc=$?
[ $rc = 1 ] || { cat "$tmp/out"; t_fail "slot 17: exit status $rc, wanted 1"; }
grep -qF "slots:3: CONFIG_GUEST17: unknown key" "$tmp/out" || { cat "$tmp/out"; t_fail "CONFIG_GUEST17 not refused"; }
grep -q "GUEST17_NIC" "$tmp/out" || { cat "$tmp/out"; t_fail "labinit.GUEST17_NIC not refused"; }
grep -q "GUEST16" "$tmp/out" && { cat "$tmp/out"; t_fail "slot 16 refused"; }

# The effective configuration printed back is itself a valid profile.
"$LABINIT" print-config --cmdline "labinit.FILES_DIR=$tmp/files" configs/kdebug_pair_defconfig > "$tmp/effective"
"$LABINIT" check-config "$tmp/effective" > /dev/null || t_fail "print-config output does not validate"
grep -q '^CONFIG_GUEST2_IP="10.77.0.12"$' "$tmp/effective" || t_fail "print-config lost a value"
[ "$("$LABINIT" check-config 2>&1 >/dev/null; echo $?)" != 0 ] || t_fail "no usage error without FILE"
echo "check-config ok"
