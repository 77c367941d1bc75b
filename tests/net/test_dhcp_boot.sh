#!/bin/sh
# The DHCP boot options (issue 15) with a real client: busybox udhcpc made
# to look like each loader (-V vendor class 60, -x 0x5d: arch 93, -x 0x4d:
# user class 77, -O tftp/bootfile: 66/67 in 55), one guest namespace each
# on virbr0, its script recording what it got: $siaddr (the header's
# next server), $boot_file (the header's 'file'), $tftp (66), $bootfile
# (67). OVMF-like x64 UEFI, arm64 UEFI, a BIOS PXE ROM, iPXE, U-Boot arm64
# and x86 (BOOT_FILE_UBOOT empty: next server only), a plain client (nothing), and
# a profile guest with GUESTn_BOOT_FILE that gets its own file even as a
# plain client. The worker's ACK lines name the file and the loader.
. "$(dirname "$0")/../lib/net.sh"
. "$(dirname "$0")/../lib/dhcpd.sh"
t_need udhcpc

KNOWN_MAC=52:54:00:aa:bb:15
make_guest_files
dhcpd_profile 'CONFIG_BOOT_NEXT_SERVER="10.77.0.1"' \
	'CONFIG_GUEST1=y' 'CONFIG_GUEST1_NAME="nb1"' 'CONFIG_GUEST1_KERNEL="guests/demo/vmlinux"' \
	"CONFIG_GUEST1_MAC=\"$KNOWN_MAC\"" 'CONFIG_GUEST1_BOOT_FILE="nb1/ipxe.efi"'
dhcpd_lab
dhcpd_start

# client NAME [MAC] -- UDHCPC-ARGS: one lease, then the env of its bound event.
client() {
	name=$1 mac=$2
	shift 2
	g=$(dhcp_guest "$name" "$mac")
	ev=$(ev_dir "$name")
	ip netns exec "$g" env EV="$ev" udhcpc -f -q -n -i eth0 -s "$WORK/client-script.sh" -t 5 -T 1 "$@" \
		> "$WORK/udhcpc.$name.log" 2>&1 || { cat "$WORK/udhcpc.$name.log" "$DHCPD_LOG"; t_fail "$name: no lease"; }
	EVF=$(ev_last "$ev" bound)
	[ -n "$EVF" ] || t_fail "$name: no bound event"
}

# expect NAME VAR VALUE: what the client's script saw ("" : unset).
expect() {
	got=$(ev_get "$EVF" "$2")
	[ "$got" = "$3" ] || { cat "$EVF"; t_fail "$1: \$$2 is '$got', wanted '$3'"; }
}

client ovmf "" -V PXEClient:Arch:00007:UNDI:003000 -x 0x5d:0007 -O tftp -O bootfile
expect ovmf siaddr 10.77.0.1
expect ovmf boot_file grubnetx64.efi
expect ovmf tftp 10.77.0.1
expect ovmf bootfile grubnetx64.efi

client aa64 "" -x 0x5d:000b -O bootfile
expect aa64 boot_file grubnetaa64.efi
expect aa64 bootfile grubnetaa64.efi

# 66/67 not asked for: the header only
client bios "" -V PXEClient:Arch:00000:UNDI:002001 -x 0x5d:0000
expect bios siaddr 10.77.0.1
expect bios boot_file pxelinux.0
expect bios tftp ""
expect bios bootfile ""

# iPXE's plain user class "iPXE" (69 50 58 45), on x64 UEFI
client ipxe "" -V PXEClient:Arch:00007:UNDI:003010 -x 0x5d:0007 -x 0x4d:69505845 -O bootfile
expect ipxe boot_file labinit/boot.ipxe
expect ipxe bootfile labinit/boot.ipxe

client uboot "" -V U-Boot.armv8 -x 0x5d:0016
expect uboot siaddr 10.77.0.1
expect uboot boot_file ""

# U-Boot on x86: no 93, no 60, only 94 as UNDI 0.0
client ubootx86 "" -V "" -x 0x5e:010000
expect ubootx86 siaddr 10.77.0.1
expect ubootx86 boot_file ""

# 32-bit x86 UEFI: no loader for it, so nothing
client ia32 "" -x 0x5d:0006 -O bootfile
expect ia32 siaddr ""
expect ia32 boot_file ""

client plain "" -O tftp -O bootfile
expect plain siaddr ""
expect plain boot_file ""
expect plain tftp ""
expect plain bootfile ""

client known "$KNOWN_MAC" -O bootfile
expect known siaddr 10.77.0.1
expect known boot_file nb1/ipxe.efi
expect known bootfile nb1/ipxe.efi

grep -q "ACK 10\.77\.0\.[0-9]* boot grubnetx64.efi (uefi-x64)" "$DHCPD_LOG" ||
	{ cat "$DHCPD_LOG"; t_fail "no ACK line naming grubnetx64.efi (uefi-x64)"; }
grep -q "ACK 10\.77\.0\.[0-9]* nb1 boot nb1/ipxe.efi (no loader named, the guest's own)" "$DHCPD_LOG" ||
	{ cat "$DHCPD_LOG"; t_fail "no ACK line naming nb1's file"; }
grep -q "boot without a file (u-boot)" "$DHCPD_LOG" || { cat "$DHCPD_LOG"; t_fail "no line for U-Boot"; }
alive "$DHCPD_PID" || t_fail "the worker died"
echo "dhcp boot ok"
