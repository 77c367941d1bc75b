#!/bin/sh
# The uplink's built-in DHCP client against a real server (dnsmasq) in the
# outside namespace: a lease with address, route and resolvers; renewal at
# T1; the server going away (the lease is kept while valid); a new server
# and a carrier flap (INIT-REBOOT, NAK, a new lease); release on down.
. "$(dirname "$0")/../lib/net.sh"
command -v dnsmasq > /dev/null || { echo "needs dnsmasq"; exit 77; }
make_host_and_outside
cat > "$WORK/profile" <<EOC
CONFIG_PROFILE_NAME="dhcpuplink"
CONFIG_HOSTNAME="labhost"
EOC

DNSMASQ_PID=
start_dnsmasq() { # RANGE_START RANGE_END
	bg "$OUT" dnsmasq --no-daemon --conf-file=/dev/null --user=root --group=root --port=0 \
		--interface=eth0 --bind-interfaces --dhcp-authoritative --log-dhcp \
		--log-facility="$WORK/dnsmasq.log" --dhcp-leasefile="$WORK/dnsmasq.leases" \
		--dhcp-range="$1,$2,255.255.255.0,2m" --dhcp-option=option:router,172.30.0.1 \
		--dhcp-option=option:dns-server,172.30.0.53 --dhcp-option=option:T1,4 --dhcp-option=option:T2,7
	DNSMASQ_PID=${T_TRACKED##* }
}
uplink_addr() { in_ns "$HOST" ip -j addr show dev eth0 | jq -r '[.[0].addr_info[] | select(.family=="inet") | .local] | join(" ")'; }
client_log() { cat /run/labinit/dhcpc/dhcpc.eth0.log 2> /dev/null; }

start_dnsmasq 172.30.0.100 172.30.0.150
rm -f /run/labinit/dhcpc/dhcpc.eth0.log
in_ns "$HOST" "$LABINIT" up --config "$WORK/profile" > "$WORK/up.log" 2>&1 || { cat "$WORK/up.log"; t_fail "up failed"; }
cat "$WORK/up.log"
grep -q "uplink eth0: DHCP lease bound" "$WORK/up.log" || t_fail "up did not wait for the lease"
addr=$(uplink_addr)
case $addr in 172.30.0.1[0-4][0-9] | 172.30.0.150) ;; *) t_fail "uplink address '$addr' not from the range" ;; esac
[ "$(in_ns "$HOST" ip -j route show default | jq -r '.[0] | "\(.gateway) \(.protocol)"')" = "172.30.0.1 77" ] ||
	t_fail "default route: $(in_ns "$HOST" ip route show default)"
ino=$(in_ns "$HOST" stat -L -c %i /proc/self/ns/net)
grep -qx 'nameserver 172.30.0.53' /run/labinit/dhcpc/resolv/resolv.eth0 || t_fail "resolvers not written"
grep -q "DHCPACK(eth0) $addr" "$WORK/dnsmasq.log" || t_fail "dnsmasq logged no ACK for $addr"
[ -f "/run/labinit/dhcpc/dhcpc.$ino.eth0.pid" ] || t_fail "no pid file"

# Renewal at T1 (4 s): a unicast REQUEST and a second ACK for the same address.
t_wait_for 15 sh -c "[ \$(grep -c 'DHCPACK(eth0) $addr' '$WORK/dnsmasq.log') -ge 2 ]" || { client_log; t_fail "no renewal"; }
client_log | grep -q "T1: renewing" || t_fail "the client did not log its renewal"

# The server goes away: renewing, then rebinding at T2; the address stays.
kill "$DNSMASQ_PID"
t_wait_for 20 sh -c "grep -q 'T2: rebinding' /run/labinit/dhcpc/dhcpc.eth0.log" || { client_log; t_fail "no rebinding after the server left"; }
[ "$(uplink_addr)" = "$addr" ] || t_fail "the address went away before the lease expired"

# A new server with another range, then the carrier drops and returns: the
# client confirms its lease (INIT-REBOOT), gets a NAK, starts over.
: > "$WORK/dnsmasq.log"
start_dnsmasq 172.30.0.200 172.30.0.210
in_ns "$OUT" ip link set eth0 down
sleep 1
in_ns "$OUT" ip link set eth0 up
t_wait_for 40 sh -c "ip netns exec $HOST ip -4 addr show dev eth0 | grep -q 'inet 172.30.0.2[01][0-9]/'" ||
	{ client_log; cat "$WORK/dnsmasq.log"; t_fail "no new lease from the new server"; }
[ "$(uplink_addr | wc -w)" = 1 ] || t_fail "old address left behind: $(uplink_addr)"
client_log | grep -q "carrier lost" || t_fail "carrier loss not seen"
client_log | grep -q "NAK" || t_fail "no NAK for the old address"
new=$(uplink_addr)

in_ns "$HOST" "$LABINIT" down --config "$WORK/profile" > "$WORK/down.log" 2>&1 || { cat "$WORK/down.log"; t_fail "down failed"; }
t_wait_for 5 grep -q "DHCPRELEASE(eth0) $new" "$WORK/dnsmasq.log" || t_fail "no release"
[ -z "$(uplink_addr)" ] || t_fail "address left after down"
[ -f "/run/labinit/dhcpc/dhcpc.$ino.eth0.pid" ] && t_fail "pid file left after down"
echo "uplink DHCP ok"
