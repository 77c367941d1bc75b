#!/bin/sh
# Issue 15, a board on the lab host's second NIC netboots through the lab.
# The lab host (a namespace: `labinit up` and its DHCP worker, no PID 1)
# has its uplink eth0 and a second NIC eth1, a port of the lab bridge
# (CONFIG_BRIDGE_PORTS). The "board" is a QEMU machine the lab does not
# run, in a namespace of its own whose bridge holds the far end of eth1's
# cable (a veth) and QEMU's tap: the wiring of a real board plugged into
# the lab host. The profile knows it as CONFIG_GUEST1_KIND=board by its
# MAC, with the demo kernel and initramfs. Its SeaBIOS starts the NIC's
# iPXE ROM, which takes a lease from the lab's worker, is sent
# labinit/boot.ipxe, chains the board's own script, fetches the kernel
# and initramfs the worker exports over TFTP, and the demo guest then
# takes its lease (its fixed name) and reaches the outside through NAT.
# Boot-to-lease time printed, not asserted.
. "$(dirname "$0")/../lib/net.sh"
t_need qemu-system-x86_64 qemu-system-x86
t_need udhcpc udhcpc
[ -f /usr/lib/ipxe/qemu/efi-e1000.rom ] || t_skip "needs Debian's ipxe-qemu package (the NIC's iPXE ROM)"
make -s -C "$REPO" demo-guest > "$WORK/demo-guest.log" 2>&1 || t_skip "the demo guest cannot be built"
MAC=52:54:00:b0:a7:d1

make_host_and_outside
BOARD=$(t_netns_add bd)
ip link add "p$$" netns "$HOST" type veth peer name cable netns "$BOARD"
ip -n "$HOST" link set "p$$" name eth1
ip -n "$BOARD" link add br0 type bridge
ip -n "$BOARD" link set cable master br0 up
ip -n "$BOARD" tuntap add board0 mode tap
ip -n "$BOARD" link set board0 master br0 up
ip -n "$BOARD" link set br0 up

mkdir -p "$WORK/files/tftp" "$WORK/dhcpd"
cat > "$WORK/profile" <<EOC
CONFIG_PROFILE_NAME="board"
# CONFIG_UPLINK_DHCP is not set
CONFIG_UPLINK_STATIC=y
CONFIG_UPLINK_ADDRESS="172.30.0.2/24"
CONFIG_UPLINK_GATEWAY="172.30.0.1"
CONFIG_DNS_UPSTREAMS="none"
CONFIG_FILES_DIR="$WORK/files"
CONFIG_DHCP_LEASE_FILE="$WORK/dhcpd/dhcp.leases"
CONFIG_BRIDGE_PORTS="eth1"
CONFIG_TFTP_ROOT="tftp"
CONFIG_GUEST1=y
CONFIG_GUEST1_NAME="board1"
CONFIG_GUEST1_KIND="board"
CONFIG_GUEST1_MAC="$MAC"
CONFIG_GUEST1_IP="10.77.0.77"
CONFIG_GUEST1_KERNEL="$REPO/lab/guests/demo/bzImage"
CONFIG_GUEST1_INITRD="$REPO/lab/guests/demo/initramfs.cpio.gz"
CONFIG_GUEST1_APPEND="quiet lab.tag=none"
EOC
"$LABINIT" check-config "$WORK/profile" > "$WORK/check.log" 2>&1 || t_fail "the profile: $(cat "$WORK/check.log")"
in_ns "$HOST" "$LABINIT" up --config "$WORK/profile" > "$WORK/up.log" 2>&1 || { cat "$WORK/up.log"; t_fail "up failed"; }
grep -q 'port eth1 of bridge virbr0: ok' "$WORK/up.log" || t_fail "eth1 is no port: $(cat "$WORK/up.log")"
in_ns "$HOST" "$LABINIT" dhcpd --config "$WORK/profile" > "$WORK/worker.log" 2>&1 &
t_track $!
t_wait_for 10 grep -q 'tftp' "$WORK/worker.log" || t_fail "the worker serves no TFTP: $(cat "$WORK/worker.log")"
in_ns "$HOST" nft list table inet labinit | grep -q 'udp dport 69 accept' || t_fail "no TFTP rule on the bridge"

: > "$WORK/board.console"
start=$(t_now_ms)
in_ns "$BOARD" qemu-system-x86_64 -machine pc,accel=tcg -cpu max -nodefaults -no-user-config -no-reboot \
	-display none -m 256 -netdev tap,id=n0,ifname=board0,script=no,downscript=no \
	-device "e1000,netdev=n0,mac=$MAC,bootindex=0" -serial "file:$WORK/board.console" > "$WORK/qemu.log" 2>&1 &
t_track $!
console() { tr -d '\r' < "$WORK/board.console"; }
leased() { console | grep -q 'labguest: eth0 10.77.0.77/24 gw 10.77.0.1'; }
t_wait_for 600 leased || t_fail "the board got no lease within 600 s; worker: $(tail -n 15 "$WORK/worker.log"); console: $(console | tail -n 25)"
took=$(($(t_now_ms) - start))
t_log "board: power on to the demo guest's lease: $((took / 1000)).$((took % 1000 / 100)) s (TCG, iPXE over TFTP)"
console | grep -q 'hostname board1' || t_error "the board's lease carries no name board1: $(console | grep labguest)"
# What went over the wire, from the worker's log.
grep -q "boot labinit/boot.ipxe (ipxe)" "$WORK/worker.log" || t_error "iPXE was not sent labinit/boot.ipxe: $(grep -i boot "$WORK/worker.log" | head)"
for f in labinit/boot.ipxe labinit/guests/board1/kernel labinit/guests/board1/initrd; do
	grep -q "$f" "$WORK/worker.log" || t_error "no transfer of $f in the worker's log: $(grep tftp "$WORK/worker.log" | head)"
done
grep "$MAC" "$WORK/dhcpd/dhcp.leases" | grep -q 10.77.0.77 || t_error "no lease of 10.77.0.77 for $MAC: $(cat "$WORK/dhcpd/dhcp.leases")"
t_exit
