#!/bin/sh
# Issue 15, boards on a second NIC: CONFIG_BRIDGE_PORTS makes a NIC of the
# lab host a port of the lab bridge, so a machine plugged into it (here a
# "board" namespace at the far end of a veth standing in for the cable)
# is on the lab network: it takes a lease from the lab's DHCP worker and
# reaches the outside through the lab's NAT, as the uplink's address.
# Refused first, by the preflight, with nothing changed: a port that does
# not exist, and one with an address of its own (it would be cut off).
# `down` removes the bridge and leaves the NIC in place, no bridge's port.
. "$(dirname "$0")/../lib/net.sh"
t_need nft nftables
t_need curl curl
t_need udhcpc udhcpc

make_host_and_outside
BOARD=$(t_netns_add bd)
ip link add "p$$" netns "$HOST" type veth peer name eth0 netns "$BOARD"
ip -n "$HOST" link set "p$$" name eth1
profile() {
	cat <<EOC
CONFIG_PROFILE_NAME="ports"
# CONFIG_UPLINK_DHCP is not set
CONFIG_UPLINK_STATIC=y
CONFIG_UPLINK_ADDRESS="172.30.0.2/24"
CONFIG_UPLINK_GATEWAY="172.30.0.1"
CONFIG_DNS_UPSTREAMS="none"
CONFIG_DHCP_LEASE_FILE="$WORK/dhcpd/dhcp.leases"
CONFIG_BRIDGE_PORTS="$1"
EOC
}
profile "eth1 eth9" > "$WORK/missing"
in_ns "$HOST" "$LABINIT" up --config "$WORK/missing" > "$WORK/missing.log" 2>&1 && t_fail "up took a missing port"
grep -q 'port eth9 of bridge virbr0: no such interface (CONFIG_BRIDGE_PORTS)' "$WORK/missing.log" ||
	t_fail "missing port: $(cat "$WORK/missing.log")"
in_ns "$HOST" ip link show virbr0 > /dev/null 2>&1 && t_fail "a refused up left virbr0"
in_ns "$HOST" ip addr add 192.168.9.1/24 dev eth1
profile "eth1" > "$WORK/profile"
in_ns "$HOST" "$LABINIT" up --config "$WORK/profile" > "$WORK/addr.log" 2>&1 && t_fail "up took a port with an address"
grep -q 'port eth1 of bridge virbr0 has the address 192.168.9.1 of its own' "$WORK/addr.log" ||
	t_fail "port with an address: $(cat "$WORK/addr.log")"
in_ns "$HOST" ip addr flush dev eth1

in_ns "$HOST" "$LABINIT" up --config "$WORK/profile" > "$WORK/up.log" 2>&1 || { cat "$WORK/up.log"; t_fail "up failed"; }
grep -q 'port eth1 of bridge virbr0: ok' "$WORK/up.log" || t_fail "no port step: $(cat "$WORK/up.log")"
in_ns "$HOST" ip -o link show eth1 | grep -q 'master virbr0' || t_fail "eth1 is not a port: $(in_ns "$HOST" ip -o link show eth1)"
# A second up changes nothing and says the port is fine.
in_ns "$HOST" "$LABINIT" up --config "$WORK/profile" > "$WORK/up2.log" 2>&1 || t_fail "second up: $(cat "$WORK/up2.log")"

mkdir -p "$WORK/dhcpd" "$WORK/www/cgi-bin"
bg "$HOST" "$LABINIT" dhcpd --config "$WORK/profile"
cat > "$WORK/www/cgi-bin/addr" <<'EOS'
#!/bin/sh
a=${REMOTE_ADDR#"[::ffff:"}
printf 'Content-Type: text/plain\r\n\r\n%s\n' "${a%]}"
EOS
chmod +x "$WORK/www/cgi-bin/addr"
bg "$OUT" "$BB" httpd -f -p 80 -h "$WORK/www"
cat > "$WORK/udhcpc.sh" <<'EOS'
#!/bin/sh
case $1 in
bound) ip addr add "$ip/$mask" dev "$interface"; ip route add default via "$router"
	echo "ip=$ip router=$router" > "$LEASE_OUT" ;;
esac
exit 0
EOS
chmod +x "$WORK/udhcpc.sh"
in_ns "$BOARD" ip link set eth0 up
in_ns "$BOARD" env LEASE_OUT="$WORK/lease" timeout 30 udhcpc -f -q -n -t 10 -T 1 -i eth0 -s "$WORK/udhcpc.sh" \
	> "$WORK/udhcpc.log" 2>&1 || t_fail "the board got no lease through eth1: $(cat "$WORK/udhcpc.log")"
grep -Eq '^ip=10\.77\.0\.[0-9]+ router=10.77.0.1$' "$WORK/lease" || t_fail "lease: $(cat "$WORK/lease")"
t_wait_for 10 in_ns "$OUT" curl -sf -m 2 -o /dev/null http://127.0.0.1/cgi-bin/addr || t_fail "no web server outside"
seen=$(in_ns "$BOARD" curl -sf -m 5 http://172.30.0.1/cgi-bin/addr) || t_fail "the board cannot reach the outside"
[ "$seen" = 172.30.0.2 ] || t_fail "the outside saw the board as $seen, not the uplink's 172.30.0.2 (NAT)"

in_ns "$HOST" "$LABINIT" down --config "$WORK/profile" > "$WORK/down.log" 2>&1 || t_fail "down: $(cat "$WORK/down.log")"
in_ns "$HOST" ip link show virbr0 > /dev/null 2>&1 && t_fail "down left virbr0"
in_ns "$HOST" ip -o link show eth1 | grep -q master && t_fail "eth1 is still a port after down"
t_exit
