#!/bin/bash
# End to end: a demo guest (QEMU, TCG) booted by labinit as PID 1 with
# NICS="1 macvtap": its first NIC on the lab bridge, its second a macvtap
# in bridge mode on the uplink. PID 1 opens the macvtap's /dev/tapN and
# passes it to the unprivileged QEMU as fd 4; the guest takes a lease on
# eth1 from the LAN's own DHCP server (dnsmasq in the outside namespace)
# and pings the LAN, while eth0 keeps its lab lease.
source "$(dirname "$0")/../lib/pid1.sh" || exit 2
t_init
command -v qemu-system-x86_64 >/dev/null || t_skip "needs qemu-system-x86_64"
command -v dnsmasq >/dev/null || t_skip "needs dnsmasq"
make -s -C "$T_REPO" demo-guest >"$T_DIR/demo-guest.log" 2>&1 || t_skip "the demo guest cannot be built: $(tail -n 3 "$T_DIR/demo-guest.log")"

mkdir -p "$T_DIR/files/guests" "$T_DIR/share"
cp -r "$T_REPO/lab/guests/demo" "$T_DIR/files/guests/" || t_fail "cannot copy the demo guest"
t_outside
ip netns exec "$T_OUT" dnsmasq --no-daemon --port=0 --interface=eth0 --bind-interfaces \
	--dhcp-range=172.30.0.100,172.30.0.150,1h --dhcp-leasefile="$T_DIR/lan.leases" --conf-file=/dev/null \
	>"$T_DIR/dnsmasq.log" 2>&1 &
t_track $!
MAC=52:54:00:4d:56:02
run='udhcpc -i eth1 -n -q -t 30 -T 2 -s /etc/udhcpc/default.script > /mnt/debug/vm1-dhcp 2>&1; echo $? >> /mnt/debug/vm1-dhcp; { ip -4 addr show dev eth1 || ifconfig eth1; } > /mnt/debug/vm1-eth1; ping -c 3 -W 5 -I eth1 172.30.0.1 > /mnt/debug/vm1-ping 2>&1; echo $? >> /mnt/debug/vm1-ping; echo vm1 > /mnt/debug/vm1-done'
cfg=$T_DIR/macvtap.config
t_static_uplink macvtap 172.30.0.1 >"$cfg"
cat >>"$cfg" <<EOC
CONFIG_FILES_DIR="$T_DIR/files"
CONFIG_SHARE_DIR="$T_DIR/share"
CONFIG_GUEST1=y
CONFIG_GUEST1_KERNEL="guests/demo/vmlinux"
CONFIG_GUEST1_INITRD="guests/demo/initramfs.cpio.gz"
CONFIG_GUEST1_APPEND="quiet lab.run=\\"$run\\""
CONFIG_GUEST1_MEMORY=192
CONFIG_GUEST1_NICS="1 macvtap:$MAC"
EOC
"$LABINIT" check-config "$cfg" >"$T_DIR/check.log" 2>&1 || t_fail "check-config: $(cat "$T_DIR/check.log")"
t_boot_with_uplink macvtap "$cfg"
t_wait_console "macvtap vm1.1 on eth0 $MAC: ok" 20 || t_fail "no macvtap: $(t_console | tail -n 20)"
t_wait_console 'service vm1: started' 20 || t_fail "vm1 was not started: $(t_console | tail -n 20)"
console() { nsenter -t "$LPID" -m cat "/run/labinit/guests/$1/console.log" 2>/dev/null | tr -d '\r'; }
for _ in $(seq 600); do [ -s "$T_DIR/share/vm1-done" ] && break; sleep 0.5; done
[ -s "$T_DIR/share/vm1-done" ] || t_fail "vm1 did not finish: $(console vm1 | tail -n 20)"
console vm1 | grep -q 'labguest: eth0 10.77.0.[0-9]*/24 gw 10.77.0.1' || t_fail "vm1's lab lease: $(console vm1 | grep labguest)"
[ "$(tail -n 1 "$T_DIR/share/vm1-dhcp")" = 0 ] || t_fail "no lease on eth1 from the LAN: $(cat "$T_DIR/share/vm1-dhcp")"
grep -Eq '172\.30\.0\.1[0-5][0-9]' "$T_DIR/share/vm1-eth1" || t_fail "eth1: $(cat "$T_DIR/share/vm1-eth1")"
grep -qi "$MAC" "$T_DIR/lan.leases" || t_fail "the LAN's server has no lease for $MAC: $(cat "$T_DIR/lan.leases")"
[ "$(tail -n 1 "$T_DIR/share/vm1-ping")" = 0 ] || t_fail "vm1 cannot reach the LAN through the macvtap: $(cat "$T_DIR/share/vm1-ping")"
t_log "vm1 eth1: $(grep -Eo '172\.30\.0\.1[0-5][0-9]' "$T_DIR/share/vm1-eth1" | head -n 1) from the LAN's dnsmasq"
# QEMU got the macvtap as an fd, unprivileged: no /dev node for it to open.
nsenter -t "$LPID" -m -p ps -eo uid=,args= >"$T_DIR/ps.out" || t_fail "ps in the lab's namespace failed"
grep -q '^ *64601 .*qemu-system-x86_64 -name vm1.*-netdev tap,id=n1,fd=4' "$T_DIR/ps.out" ||
	t_fail "vm1's QEMU: $(grep qemu "$T_DIR/ps.out" | cut -c1-400)"

kill -TERM "$LPID"
t_wait_end 150 || t_fail "the namespace did not end after SIGTERM"
t_pass
