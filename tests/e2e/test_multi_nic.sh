#!/bin/bash
# Issue 14, end to end: labinit as PID 1 boots two demo guests under QEMU
# (TCG) on two networks. vm1 has a NIC on network 1 (NAT, its usual
# eth0) and a second one, an e1000, on a private link (network 2, its DHCP
# asked for: the host takes the link's gateway address to serve it and
# nothing else); vm2 has its one NIC on the link only. Both get leases on
# the link (no router there); vm1 pings vm2 across it and reaches the
# outside through NAT on eth0; vm2 cannot reach the outside. Each NIC's
# tap reached its QEMU as its own fd (one -netdev per NIC, fds 3 and 4).
# `labctl networks [--json]` lists both networks with their ports;
# `labctl capture link --count N` writes a pcap into the debug share that
# tcpdump reads; `labctl impair` sets and shows netem where the kernel has
# it (this test's own kernel may not: then the refusal names the cause).
source "$(dirname "$0")/../lib/pid1.sh" || exit 2
t_init
command -v qemu-system-x86_64 >/dev/null || t_skip "needs qemu-system-x86_64"
command -v jq >/dev/null || t_skip "needs jq"
command -v tcpdump >/dev/null || t_skip "needs tcpdump"
make -s -C "$T_REPO" demo-guest >"$T_DIR/demo-guest.log" 2>&1 || t_skip "the demo guest cannot be built: $(tail -n 3 "$T_DIR/demo-guest.log")"

mkdir -p "$T_DIR/files/guests" "$T_DIR/share" "$T_DIR/www"
cp -r "$T_REPO/lab/guests/demo" "$T_DIR/files/guests/" || t_fail "cannot copy the demo guest"
t_outside
echo "outside-page" >"$T_DIR/www/index.html"
ip netns exec "$T_OUT" busybox httpd -f -p 172.30.0.1:80 -h "$T_DIR/www" &
t_track $!

# vm1: eth0 by the demo guest's own DHCP; eth1 (the link) by a second
# udhcpc; then waits for vm2 on the link and pings it.
run1='udhcpc -i eth1 -n -q -t 20 -T 2 -s /etc/udhcpc/default.script > /dev/null 2>&1; ip -4 -o addr show eth1 > /mnt/debug/vm1-eth1; n=0; until ping -c 1 -W 1 10.77.1.20 > /dev/null 2>&1 || [ $n -ge 200 ]; do n=$((n + 1)); sleep 1; done; ping -c 3 -W 5 10.77.1.20 > /mnt/debug/vm1-ping 2>&1; echo $? >> /mnt/debug/vm1-ping; (echo GET /index.html HTTP/1.0; echo) | nc -w 10 172.30.0.1 80 > /mnt/debug/vm1-http; echo vm1 > /mnt/debug/vm1-done'
run2='ip route > /mnt/debug/vm2-routes; (echo GET /index.html HTTP/1.0; echo) | nc -w 5 172.30.0.1 80 > /mnt/debug/vm2-http 2>&1; echo $? >> /mnt/debug/vm2-http; echo vm2 > /mnt/debug/vm2-done'
cfg=$T_DIR/multinic.config
t_static_uplink multinic 172.30.0.1 >"$cfg"
cat >>"$cfg" <<EOC
CONFIG_FILES_DIR="$T_DIR/files"
CONFIG_SHARE_DIR="$T_DIR/share"
CONFIG_STOP_TIMEOUT=60
CONFIG_SHUTDOWN_TIMEOUT=120
CONFIG_NET2=y
CONFIG_NET2_NAME="link"
CONFIG_NET2_MODE="private"
CONFIG_NET2_DHCP="y"
CONFIG_GUEST1=y
CONFIG_GUEST1_KERNEL="guests/demo/vmlinux"
CONFIG_GUEST1_INITRD="guests/demo/initramfs.cpio.gz"
CONFIG_GUEST1_APPEND="quiet lab.run=\\"$run1\\""
CONFIG_GUEST1_IP="10.77.0.11"
CONFIG_GUEST1_NICS="lab link:e1000"
CONFIG_GUEST1_MEMORY=192
CONFIG_GUEST2=y
CONFIG_GUEST2_KERNEL="guests/demo/vmlinux"
CONFIG_GUEST2_INITRD="guests/demo/initramfs.cpio.gz"
CONFIG_GUEST2_APPEND="quiet lab.run=\\"$run2\\""
CONFIG_GUEST2_NICS="link"
CONFIG_GUEST2_IP="10.77.1.20"
CONFIG_GUEST2_MEMORY=192
EOC
"$LABINIT" check-config "$cfg" >"$T_DIR/check.log" 2>&1 || t_fail "check-config: $(cat "$T_DIR/check.log")"
t_boot_with_uplink multinic "$cfg"
t_wait_console 'tap vm1.1 on virbr1: ok' 20 || t_fail "no tap for vm1's second NIC"
t_wait_console 'bridge virbr1 .* 10.77.1.1/24' 5 || t_fail "the private link's host address (for its DHCP) is missing"
t_wait_console 'service dhcpd-link: started' 20 || t_fail "the link's DHCP worker did not start"
t_wait_console 'service vm1: started' 20 || t_fail "vm1 was not started"
t_wait_console 'service vm2: started' 20 || t_fail "vm2 was not started"
console() { nsenter -t "$LPID" -m cat "/run/labinit/guests/$1/console.log" 2>/dev/null | tr -d '\r'; }
wait_file() { # FILE SECONDS
	local i
	for i in $(seq $(($2 * 2))); do [ -s "$1" ] && return 0; sleep 0.5; done
	return 1
}
wait_file "$T_DIR/share/vm2-done" 400 || t_fail "vm2 did not finish: $(console vm2 | tail -n 20)"
wait_file "$T_DIR/share/vm1-done" 400 || t_fail "vm1 did not finish: $(console vm1 | tail -n 20)"

# QEMU's line: one netdev per NIC, each from its own inherited fd.
nsenter -t "$LPID" -m -p ps -eo args= >"$T_DIR/ps.out"
grep 'qemu-system-x86_64 -name vm1' "$T_DIR/ps.out" | grep -q -- '-netdev tap,id=n0,fd=3 .*-netdev tap,id=n1,fd=4 -device e1000,netdev=n1' ||
	t_fail "vm1's QEMU line: $(grep -o -- '-netdev.*' "$T_DIR/ps.out" | head -n 2)"
console vm1 | grep -q 'labguest: eth0 10.77.0.11/24 gw 10.77.0.1' || t_fail "vm1 lease on eth0: $(console vm1 | grep labguest)"
grep -q 'inet 10.77.1.[0-9]*/24' "$T_DIR/share/vm1-eth1" || t_fail "vm1 has no lease on the link: $(cat "$T_DIR/share/vm1-eth1")"
console vm2 | grep -q 'labguest: eth0 10.77.1.20/24 gw none' || t_fail "vm2 lease on the link (no router): $(console vm2 | grep labguest)"
[ "$(tail -n 1 "$T_DIR/share/vm1-ping")" = 0 ] || t_fail "vm1 cannot reach vm2 on the link: $(cat "$T_DIR/share/vm1-ping")"
grep -q '^outside-page' "$T_DIR/share/vm1-http" || t_fail "vm1 cannot reach the outside: $(cat "$T_DIR/share/vm1-http")"
grep -q default "$T_DIR/share/vm2-routes" && t_fail "vm2 got a default route on the private link"
grep -q '^outside-page' "$T_DIR/share/vm2-http" && t_fail "vm2 reached the outside from a private link"

# labctl networks: both, with their ports.
t_labctl networks >"$T_DIR/networks.txt" || t_fail "labctl networks failed"
grep -Eq '^1 lab +nat +virbr0 +up +ipv4 10.77.0.1/24 ' "$T_DIR/networks.txt" || t_fail "networks: $(cat "$T_DIR/networks.txt")"
grep -Eq '^2 link +private +virbr1 ' "$T_DIR/networks.txt" || t_fail "networks: $(cat "$T_DIR/networks.txt")"
t_labctl networks --json >"$T_DIR/networks.json" || t_fail "labctl networks --json failed"
[ "$(jq -r '.[1].ports | map(.name) | sort | join(",")' "$T_DIR/networks.json")" = "vm1.1,vm2" ] ||
	t_fail "the link's ports: $(cat "$T_DIR/networks.json")"
[ "$(jq -r '.[0].mode' "$T_DIR/networks.json")" = nat ] || t_fail "networks --json: $(cat "$T_DIR/networks.json")"

# labctl leases: every network's lease file.
t_labctl leases >"$T_DIR/leases.txt" || t_fail "labctl leases failed"
grep -q ' 10.77.0.11/24 ' "$T_DIR/leases.txt" && grep -q ' 10.77.1.20/24 ' "$T_DIR/leases.txt" ||
	t_fail "labctl leases lacks a network: $(cat "$T_DIR/leases.txt")"

# labctl capture: the link's frames into the share, read by tcpdump.
nsenter -t "$LPID" -m -p -n sh -c "$LABCTL capture link --count 6 > $T_DIR/capture.out 2>&1" &
cap=$!
sleep 2
nsenter -t "$LPID" -n busybox ping -c 6 -W 1 10.77.1.20 >"$T_DIR/ping.out" 2>&1
wait "$cap" || t_fail "labctl capture failed: $(cat "$T_DIR/capture.out")"
pcap=$(ls "$T_DIR"/share/capture-link-*.pcap 2>/dev/null | head -n 1)
[ -n "$pcap" ] || t_fail "no capture file in the share: $(cat "$T_DIR/capture.out")"
[ "$(tcpdump -r "$pcap" -n 2>/dev/null | wc -l)" = 6 ] || t_fail "tcpdump -r $pcap: $(tcpdump -r "$pcap" -n 2>&1)"
tcpdump -r "$pcap" -n 2>/dev/null | grep -q 'ICMP echo' || t_fail "no ping in the capture: $(tcpdump -r "$pcap" -n 2>&1)"

# labctl impair: netem where the kernel has it; a refusal that says why
# otherwise. labctl runs in the lab's network namespace, as on the appliance.
ctl() { nsenter -t "$LPID" -m -p -n "$LABCTL" "$@"; }
if out=$(ctl impair vm1:1 delay=50ms loss=0% 2>&1); then
	[ "$out" = "impair vm1.1: delay 50ms" ] || t_fail "labctl impair: $out"
	ctl networks | grep -q 'port vm1.1  impaired: delay 50ms' || t_fail "networks: $(t_labctl networks)"
	[ "$(ctl impair vm1:1 off)" = "impair vm1.1: off" ] || t_fail "labctl impair off"
else
	echo "$out" | grep -q 'impair: vm1.1: .*no sch_netem in this kernel' || t_fail "labctl impair: $out"
	t_log "this kernel has no netem: $out"
fi
ctl impair vm1:3 delay=1ms >"$T_DIR/impair.out" 2>&1 && t_fail "impair on a NIC vm1 does not have"
grep -q 'guest vm1 has no NIC 3' "$T_DIR/impair.out" || t_fail "impair vm1:3: $(cat "$T_DIR/impair.out")"
ctl impair vm1 delay=fast >"$T_DIR/impair.out" 2>&1 && t_fail "impair took a bad spec"
grep -q 'delay' "$T_DIR/impair.out" || t_fail "impair bad spec: $(cat "$T_DIR/impair.out")"

kill -TERM "$LPID"
t_wait_end 150 || t_fail "the namespace did not end after SIGTERM"
t_pass
