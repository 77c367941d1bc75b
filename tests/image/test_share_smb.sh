#!/bin/sh
# SMB on the appliance: an image built with CONFIG_SHARE_SMB carries smbd
# (image/lists/smb-files); booted with the project's lab/ as the 9p share "lab",
# labinit serves SHARE_DIR (/lab/share, i.e. lab/share here) as
# //10.77.0.1/debug. smbclient here reaches it through a port forward
# (127.0.0.1:4450 to the bridge's address, via the appliance's uplink),
# (open there by CONFIG_SHARE_SMB_LISTEN="both": the host answers nothing on
# the uplink that the profile does not expose),
# lists the shares, writes a file and reads one back: the file lands in
# lab/share on this side, through SMB, smbd and 9p. QEMU runs in this
# test's own network namespace.
. "$(dirname "$0")/../lib/image.sh"
command -v smbclient > /dev/null || t_skip "no smbclient (Debian package smbclient)"
build_variant configs/default_defconfig <<'CFG'
CONFIG_SHARE_SMB=y
CONFIG_SHARE_SMB_LISTEN="both"
CFG
image_files "$VOUT/initramfs.cpio.lz4" | grep -qx 'usr/sbin/smbd' ||
	t_error "CONFIG_SHARE_SMB=y, yet the image has no /usr/sbin/smbd"

mkdir -p lab/share
token=smb-test-$$-$(date +%s)
T_LABFILE=lab/share/$token.back
echo "$token" > "$T_WORK/put.txt"
image_netns
boot smb -kernel "$VOUT/vmlinuz" -initrd "$VOUT/initramfs.cpio.lz4" \
	-append "console=ttyS0 labinit.GUEST1_AUTOSTART=n" \
	-netdev "user,id=up,hostfwd=tcp:127.0.0.1:4450-10.77.0.1:445" -device virtio-net-pci,netdev=up \
	-virtfs "local,path=$PWD/lab,mount_tag=lab,security_model=none,id=lab"
smb() { ip netns exec "$T_NETNS" timeout 60 smbclient -p 4450 -N "$@"; }
if boot_checks; then
	expect 'service smbd: started' 10 "smbd started"
	# smbd listens a moment after it is started.
	i=0
	until smb -L //127.0.0.1 > "$T_WORK/list" 2>&1 && grep -q 'debug *Disk' "$T_WORK/list"; do
		i=$((i + 1))
		[ "$i" -lt 20 ] || break
		sleep 2
	done
	if grep -q 'debug *Disk' "$T_WORK/list"; then
		echo "ok: smbclient -L lists the share \"debug\""
	else
		cat "$T_WORK/list"
		t_error "smbclient -L does not list the share"
	fi
	if smb //127.0.0.1/debug -c "put $T_WORK/put.txt $token.back; get $token.back $T_WORK/got.txt" > "$T_WORK/put.log" 2>&1 &&
		cmp -s "$T_WORK/put.txt" "$T_WORK/got.txt" && cmp -s "$T_WORK/put.txt" "lab/share/$token.back"; then
		echo "ok: a file written over SMB lands in lab/share here, and reads back"
	else
		cat "$T_WORK/put.log"
		t_error "the SMB round trip through the appliance to lab/share"
	fi
	poweroff_check 60
fi
show_console 30
t_exit
