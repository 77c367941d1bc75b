#!/bin/bash
# Issue 15: guests that boot from the network, each to its DHCP lease:
#   ipxe   FIRMWARE=bios: the NIC's iPXE ROM (bootindex=0, QEMU's -boot n)
#   ovmf   FIRMWARE=uefi: OVMF's own PXE (the NIC has no ROM), grubnetx64.efi
#   ubx86  FIRMWARE=u-boot on x86_64 (pc): distro boot, boot.scr.uimg, pxe
#   ubarm  FIRMWARE=u-boot on aarch64 (virt): the same
# Each boots the demo kernel from the menus labinit generates for its MAC
# (`labinit netboot`), with the loaders of image/netboot-loaders.sh. At
# most two guests at a time (TCG on 2 cores); boot-to-lease times are
# printed, not asserted. NETBOOT_GUESTS picks some ("ipxe ovmf").
#
# The server (the one block to switch, NETBOOT_SERVER):
#   labinit  (the default) labinit as PID 1 with its own DHCP and TFTP:
#            CONFIG_TFTP_ROOT, the default CONFIG_BOOT_FILE_* names, the
#            guests' CONFIG_GUESTn_BOOT=network; needs the TFTP server and
#            the DHCP boot options (issue 15's other parts)
#   dnsmasq  the development step: the same QEMU command lines (the ones
#            guests/qemu builds, tests/unit/guests/qemu checks) run here
#            on a bridge where dnsmasq serves DHCP and TFTP with the same
#            boot file names per loader class; the DHCP requests are
#            captured and each firmware's option 93/60/77 is printed
source "$(dirname "$0")/../lib/pid1.sh" || exit 2
t_init
NETBOOT_SERVER=${NETBOOT_SERVER:-labinit}
GUESTS=${NETBOOT_GUESTS:-ipxe ovmf ubx86 ubarm}
ALL=$GUESTS
command -v qemu-system-x86_64 >/dev/null || t_skip "needs qemu-system-x86_64"
[ -f /usr/share/OVMF/OVMF_CODE_4M.fd ] || t_skip "needs Debian's ovmf package"
[ -f /usr/lib/u-boot/qemu-x86/u-boot.rom ] || t_skip "needs Debian's u-boot-qemu package"
[ -f /usr/lib/PXELINUX/pxelinux.0 ] || t_skip "needs pxelinux"
[ -d /usr/lib/grub/x86_64-efi ] || t_skip "needs grub-efi-amd64-bin"
make -s -C "$T_REPO" demo-guest >"$T_DIR/demo-guest.log" 2>&1 || t_skip "the demo guest cannot be built"
demo=$T_REPO/lab/guests

# The guests: NAME ARCH FIRMWARE MEMORY MAC NIC. U-Boot 2023.01 reads a
# virtio-net NIC's MAC as 52:52:52:52:52:52 (its first byte six times), so
# its guests have e1000 NICs (the validator refuses virtio-net there).
guest_line() {
	case $1 in
	ipxe) echo "ipxe x86_64 bios 256 52:54:00:15:00:01 virtio-net-pci" ;;
	ovmf) echo "ovmf x86_64 uefi 512 52:54:00:15:00:02 virtio-net-pci" ;;
	ubx86) echo "ubx86 x86_64 u-boot 256 52:54:00:15:00:03 e1000" ;;
	ubarm) echo "ubarm aarch64 u-boot 256 52:54:00:15:00:04 e1000" ;;
	esac
}
kernel_of() { [ "$1" = aarch64 ] && echo "$demo/demo-arm64/Image" || echo "$demo/demo/bzImage"; }
initrd_of() { [ "$1" = aarch64 ] && echo "$demo/demo-arm64/initramfs.cpio.gz" || echo "$demo/demo/initramfs.cpio.gz"; }

mkdir -p "$T_DIR/share"
# The TFTP root: the loaders, from Debian's packages.
root=$T_DIR/files/tftp
sh "$T_REPO/image/netboot-loaders.sh" "$root" >"$T_DIR/loaders.log" 2>&1 ||
	t_fail "image/netboot-loaders.sh failed: $(tail -n 3 "$T_DIR/loaders.log")"

# profile GUESTS...: the lab profile with those guests netbooting.
profile() {
	local n=0 name arch fw mem mac nic
	t_static_uplink netboot
	echo "CONFIG_FILES_DIR=\"$T_DIR/files\""
	echo "CONFIG_SHARE_DIR=\"$T_DIR/share\""
	# labinit's TFTP server serves the loaders (dnsmasq's own root here)
	[ "$NETBOOT_SERVER" = dnsmasq ] || echo 'CONFIG_TFTP_ROOT="tftp"' 
	for g in "$@"; do
		n=$((n + 1))
		read -r name arch fw mem mac nic <<<"$(guest_line "$g")"
		cat <<EOC
CONFIG_GUEST$n=y
CONFIG_GUEST${n}_NAME="$name"
CONFIG_GUEST${n}_ARCH="$arch"
CONFIG_GUEST${n}_FIRMWARE="$fw"
CONFIG_GUEST${n}_BOOT="network"
CONFIG_GUEST${n}_MEMORY=$mem
CONFIG_GUEST${n}_MAC="$mac"
CONFIG_GUEST${n}_NIC="${nic%-pci}"
CONFIG_GUEST${n}_KERNEL="$(kernel_of "$arch")"
CONFIG_GUEST${n}_INITRD="$(initrd_of "$arch")"
CONFIG_GUEST${n}_APPEND="quiet"
EOC
	done
}

# ---- the server: dnsmasq (development) -------------------------------
# QEMU's command line as guests/qemu/qemu.c builds it for BOOT=network,
# the tap named instead of passed as a fd.
qemu_cmd() {
	local name=$1 arch=$2 fw=$3 mem=$4 mac=$5 model=$6 tap=$7 log=$8 nic=",bootindex=0"
	if [ "$arch" = aarch64 ]; then
		set -- qemu-system-aarch64 -machine virt,gic-version=3,accel=tcg -cpu max,pauth-impdef=on
	else
		set -- qemu-system-x86_64 -machine pc,accel=tcg -cpu max
	fi
	set -- "$@" -name "$name" -nodefaults -no-user-config -no-reboot -display none -m "$mem" -smp 1
	case $fw in
	uefi)
		cp /usr/share/OVMF/OVMF_VARS_4M.fd "$T_DIR/$name.vars"
		set -- "$@" -drive "if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd" \
			-drive "if=pflash,format=raw,unit=1,file=$T_DIR/$name.vars"
		nic=",bootindex=0,romfile="
		;;
	u-boot)
		[ "$arch" = aarch64 ] && set -- "$@" -bios /usr/lib/u-boot/qemu_arm64/u-boot.bin ||
			set -- "$@" -bios /usr/lib/u-boot/qemu-x86/u-boot.rom
		;;
	esac
	set -- "$@" -netdev "tap,id=n0,ifname=$tap,script=no,downscript=no" \
		-device "$model,netdev=n0,mac=$mac$nic" -serial "file:$log"
	"$@"
}

NS="" TAPS=0
dnsmasq_boot() {
	local br=nbr0
	[ -n "$NS" ] || dnsmasq_server
	for g in $GUESTS; do
		read -r name arch fw mem mac nic <<<"$(guest_line "$g")"
		TAPS=$((TAPS + 1))
		ip -n "$NS" tuntap add "tap$TAPS" mode tap
		ip -n "$NS" link set "tap$TAPS" master "$br" up
		: >"$T_DIR/$name.console"
		ip netns exec "$NS" bash -c "$(declare -f qemu_cmd); T_DIR='$T_DIR' qemu_cmd $name $arch $fw $mem $mac $nic tap$TAPS '$T_DIR/$name.console'" \
			>"$T_DIR/$name.qemu.log" 2>&1 &
		eval "qpid_$name=$!"
		t_track $!
	done
}
dnsmasq_server() {
	local br=nbr0
	NS=$(t_netns_add netboot)
	ip -n "$NS" link add "$br" type bridge
	ip -n "$NS" addr add 10.77.0.1/24 dev "$br"
	ip -n "$NS" link set "$br" up
	profile $ALL >"$T_DIR/netboot.config"
	"$LABINIT" netboot --config "$T_DIR/netboot.config" --dir "$root" >"$T_DIR/exports" ||
		t_fail "labinit netboot failed"
	# The exports, as labinit's TFTP server maps them.
	while read -r path file; do
		mkdir -p "$root/$(dirname "$path")" && cp "$file" "$root/$path"
	done <"$T_DIR/exports"
	ip netns exec "$NS" tcpdump -i "$br" -n -s 0 -w "$T_DIR/dhcp.pcap" udp port 67 >/dev/null 2>&1 &
	t_track $!
	ip netns exec "$NS" dnsmasq --no-daemon --conf-file=/dev/null --port=0 --interface="$br" --bind-interfaces \
		--dhcp-range=10.77.0.100,10.77.0.200,255.255.255.0,1h --dhcp-leasefile="$T_DIR/dnsmasq.leases" \
		--enable-tftp --tftp-root="$root" --log-dhcp --log-facility="$T_DIR/dnsmasq.log" \
		--dhcp-userclass=set:ipxe,iPXE --dhcp-vendorclass=set:uboot,U-Boot \
		--dhcp-match=set:bios,option:client-arch,0 \
		--dhcp-match=set:efi64,option:client-arch,7 --dhcp-match=set:efi64,option:client-arch,9 \
		--dhcp-boot=tag:ipxe,labinit/boot.ipxe \
		--dhcp-boot=tag:!ipxe,tag:!uboot,tag:bios,pxelinux.0 \
		--dhcp-boot=tag:!ipxe,tag:!uboot,tag:efi64,grubnetx64.efi >"$T_DIR/dnsmasq.out" 2>&1 &
	t_track $!
	sleep 1
}
dnsmasq_console() { tr -d '\r' <"$T_DIR/$1.console" 2>/dev/null; }
dnsmasq_stop() { eval "kill \${qpid_$1:-} 2>/dev/null"; }

# ---- the server: labinit as PID 1 (the product) ----------------------
# One lab per pair: PID 1 starts every guest of its profile.
labinit_boot() {
	[ -z "${T_OUT:-}" ] || ip netns del "$T_OUT" 2>/dev/null
	t_outside
	profile $GUESTS >"$T_DIR/netboot.config"
	"$LABINIT" check-config "$T_DIR/netboot.config" || t_fail "the profile does not validate"
	t_boot_with_uplink netboot "$T_DIR/netboot.config"
	for g in $GUESTS; do
		t_wait_console "service $g: started" 30 || t_fail "$g was not started"
	done
}
labinit_console() { nsenter -t "$LPID" -m cat "/run/labinit/guests/$1/console.log" 2>/dev/null | tr -d '\r'; }
labinit_end() {
	local args
	args=$(nsenter -t "$LPID" -m -p sh -c 'for p in /proc/[0-9]*; do tr "\0" " " < $p/cmdline; echo; done' | grep -- '-name .*process=qemu-')
	case $args in *-kernel*) t_error "a netbooting guest was given -kernel: $args" ;; esac
	kill -TERM "$LPID"
	t_wait_end 120 || t_fail "the namespace did not end after SIGTERM"
}

# Two at a time: the x86 pair, then the U-Boot pair.
run_batch() {
	local start took g
	GUESTS=$*
	"${NETBOOT_SERVER}_boot"
	start=$(t_now_ms)
	declare -A took
	for _ in $(seq 600); do
		for g in $GUESTS; do
			[ -z "${took[$g]:-}" ] && "${NETBOOT_SERVER}_console" "$g" | grep -q 'labguest: eth0 10.77.0.' &&
				took[$g]=$(($(t_now_ms) - start))
		done
		local all=1
		for g in $GUESTS; do [ -n "${took[$g]:-}" ] || all=0; done
		[ $all = 1 ] && break
		sleep 1
	done
	for g in $GUESTS; do
		if [ -n "${took[$g]:-}" ]; then
			t_log "$g: lease $("${NETBOOT_SERVER}_console" "$g" | sed -n 's/.*labguest: eth0 \(10\.77\.0\.[0-9./]*\).*/\1/p' | head -n 1)" \
				"$((took[$g] / 1000)).$((took[$g] % 1000 / 100)) s after start (TCG, netboot)"
		else
			t_error "$g: no lease within 600 s; its console ends: $("${NETBOOT_SERVER}_console" "$g" | tail -n 25)"
		fi
	done
}

dhcp_report() {
	[ -s "$T_DIR/dhcp.pcap" ] || return 0
	tcpdump -r "$T_DIR/dhcp.pcap" -n -vvv 2>/dev/null |
		awk '/Client-Ethernet-Address/ { mac = $2 } /DHCP-Message.*Discover/ { d = 1 }
		     /Vendor-Class|Client-Arch|ARCH|user-class|User-Class|Option 93|Option 77/ { if (d) print mac ": " $0 }
		     /^[0-9][0-9]:/ { d = 0 }' | sort -u >&2
}

if [ "$NETBOOT_SERVER" = dnsmasq ]; then
	t_need dnsmasq dnsmasq-base
	t_need tcpdump tcpdump
elif ! "$LABINIT" print-config --defaults 2>/dev/null | grep -q '^CONFIG_TFTP_ROOT='; then
	t_skip "labinit has no TFTP server yet (CONFIG_TFTP_ROOT); NETBOOT_SERVER=dnsmasq runs the guests against dnsmasq"
fi
batch1="" batch2=""
for g in $GUESTS; do
	case $g in ipxe | ovmf) batch1="$batch1 $g" ;; *) batch2="$batch2 $g" ;; esac
done
if [ "$NETBOOT_SERVER" = dnsmasq ]; then
	[ -z "$batch1" ] || run_batch $batch1
	for g in $batch1; do dnsmasq_stop "$g"; done
	[ -z "$batch2" ] || run_batch $batch2
	dhcp_report
else
	[ -z "$batch1" ] || { run_batch $batch1; labinit_end; }
	[ -z "$batch2" ] || { run_batch $batch2; labinit_end; }
fi
[ "$T_ERRORS" = 0 ] && t_pass
t_exit
