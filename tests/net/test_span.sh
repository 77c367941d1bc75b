#!/bin/sh
# Span networks: one L2 lab network across two lab hosts on one LAN, over
# VXLAN. A "LAN" namespace with a bridge; lab hosts A (172.30.0.2) and B
# (172.30.0.3), each with its uplink on that bridge and network 2 in span
# mode (VNI 42, the other host as its peer): A has 10.77.1.1 there and
# serves DHCP (`labinit dhcpd --net 2`), B has 10.77.1.2 and serves none.
#   LAN ns:   lanbr 172.30.0.1
#              |                     |
#   A: eth0 172.30.0.2         B: eth0 172.30.0.3
#      vxvirbr1 (vni 42) ~~~~~~~~~ vxvirbr1
#      virbr1 10.77.1.1            virbr1 10.77.1.2
#      guest GA 10.77.1.100        guest GB: a lease from A
# GB takes its lease (and the 1450 MTU) from A's server across the VXLAN,
# pings GA and both hosts, and reaches nothing beyond (isolated towards
# the uplink). `down` removes the VXLAN device. Then the same with a
# multicast group instead of peers, and the refusals by key.
. "$(dirname "$0")/../lib/net.sh"
t_need udhcpc udhcpc
t_need bridge iproute2

LAN=$(t_netns_add span-lan)
ip -n "$LAN" link add lanbr type bridge
ip -n "$LAN" addr add 172.30.0.1/24 dev lanbr
ip -n "$LAN" link set lanbr up

# lab_host NAME ADDR: a lab host namespace whose eth0 is a port of lanbr.
lab_host() {
	h=$(t_netns_add "$1")
	ip link add "u$1$$" netns "$h" type veth peer name "l$1$$" netns "$LAN"
	ip -n "$h" link set "u$1$$" name eth0
	ip -n "$LAN" link set "l$1$$" master lanbr up
	echo "$h"
}
A=$(lab_host spa)
B=$(lab_host spb)

# profile FILE UPLINK GATEWAY DHCP SPAN-KEY SPAN-VALUE [MORE LINES]
profile() {
	cat > "$1" <<EOC
CONFIG_PROFILE_NAME="span"
CONFIG_HOSTNAME="$(basename "$1")"
# CONFIG_UPLINK_DHCP is not set
CONFIG_UPLINK_STATIC=y
CONFIG_UPLINK_ADDRESS="$2/24"
CONFIG_DNS_UPSTREAMS="none"
CONFIG_DHCP_LEASE_FILE="$WORK/$(basename "$1").d/dhcpd/dhcp.leases"
CONFIG_NET2=y
CONFIG_NET2_NAME="span"
CONFIG_NET2_MODE="span"
CONFIG_NET2_GATEWAY="$3"
CONFIG_NET2_DHCP="$4"
CONFIG_NET2_RANGE_START="10.77.1.10"
CONFIG_NET2_RANGE_END="10.77.1.50"
CONFIG_NET2_SPAN_VNI=42
CONFIG_NET2_$5="$6"
${7:-}
EOC
	mkdir -p "$WORK/$(basename "$1").d/dhcpd"
}
profile "$WORK/A" 172.30.0.2 10.77.1.1 y SPAN_PEERS 172.30.0.3
profile "$WORK/B" 172.30.0.3 10.77.1.2 n SPAN_PEERS 172.30.0.2

# Refusals first, by key.
profile "$WORK/bad" 172.30.0.2 10.77.1.1 n SPAN_GROUP 10.1.2.3 "CONFIG_NET3=y
CONFIG_NET3_MODE=\"span\"
CONFIG_NET3_SPAN_VNI=16777216
CONFIG_NET4=y
CONFIG_NET4_MODE=\"span\"
CONFIG_NET4_GATEWAY=\"10.77.3.9\"
CONFIG_NET4_SPAN_PEERS=\"172.30.0.3 239.0.0.1\"
CONFIG_NET4_SPAN_GROUP=\"239.1.1.1\""
if "$LABINIT" check-config "$WORK/bad" > "$WORK/bad.log" 2>&1; then t_fail "check-config accepted $(cat "$WORK/bad")"; fi
for want in 'CONFIG_NET2_SPAN_GROUP: 10.1.2.3 is not a multicast address' \
	'CONFIG_NET3_SPAN_VNI: "16777216" is out of range 1..16777215' \
	'CONFIG_NET3_GATEWAY: a span network'"'"'s hosts share its subnet' \
	'CONFIG_NET3_SPAN_PEERS: a span network needs exactly one of' \
	'CONFIG_NET4_SPAN_GROUP: a span network needs exactly one of' \
	'CONFIG_NET4_SPAN_PEERS: "239.0.0.1" is not a unicast IPv4 address'; do
	grep -qF "$want" "$WORK/bad.log" || t_fail "no '$want' in: $(cat "$WORK/bad.log")"
done

up() { # NS PROFILE
	in_ns "$1" "$LABINIT" up --config "$2" > "$2.up.log" 2>&1 || { cat "$2.up.log"; t_fail "up $2 failed"; }
	t_defer "ip netns exec $1 $LABINIT down --config $2 > /dev/null 2>&1 || true"
}
up "$A" "$WORK/A"
up "$B" "$WORK/B"
grep -q 'span virbr1 vni 42 via eth0 peers 172.30.0.2 mtu 1450 (uplink 1500 - 50), device vxvirbr1 port 4789: ok' \
	"$WORK/B.up.log" || t_fail "no span step: $(cat "$WORK/B.up.log")"
in_ns "$B" ip -d link show vxvirbr1 | grep -q 'vxlan id 42 .*dstport 4789' || t_fail "$(in_ns "$B" ip -d link show vxvirbr1)"
in_ns "$B" ip -d link show vxvirbr1 | grep -q 'master virbr1' || t_fail "vxvirbr1 is not a port of virbr1"
[ "$(in_ns "$B" cat /sys/class/net/virbr1/mtu)" = 1450 ] || t_fail "virbr1's MTU: $(in_ns "$B" cat /sys/class/net/virbr1/mtu)"
in_ns "$B" bridge fdb show dev vxvirbr1 | grep -q '^00:00:00:00:00:00 dst 172.30.0.2 ' ||
	t_fail "no flood entry for the peer: $(in_ns "$B" bridge fdb show dev vxvirbr1)"
# A second up changes nothing and fails in nothing.
in_ns "$B" "$LABINIT" up --config "$WORK/B" > "$WORK/B.up2.log" 2>&1 || t_fail "second up: $(cat "$WORK/B.up2.log")"
[ "$(in_ns "$B" bridge fdb show dev vxvirbr1 | grep -c '^00:00:00:00:00:00')" = 1 ] ||
	t_fail "flood entries after a second up: $(in_ns "$B" bridge fdb show dev vxvirbr1)"
# A changed list of peers is what the device floods to after the next up.
profile "$WORK/B" 172.30.0.3 10.77.1.2 n SPAN_PEERS "172.30.0.9 172.30.0.2"
in_ns "$B" "$LABINIT" up --config "$WORK/B" > "$WORK/B.up3.log" 2>&1 || t_fail "up, more peers: $(cat "$WORK/B.up3.log")"
[ "$(in_ns "$B" bridge fdb show dev vxvirbr1 | grep -c '^00:00:00:00:00:00 dst 172.30.0.[29] ')" = 2 ] ||
	t_fail "flood entries for two peers: $(in_ns "$B" bridge fdb show dev vxvirbr1)"
profile "$WORK/B" 172.30.0.3 10.77.1.2 n SPAN_PEERS 172.30.0.2
in_ns "$B" "$LABINIT" up --config "$WORK/B" > "$WORK/B.up4.log" 2>&1 || t_fail "up, one peer again: $(cat "$WORK/B.up4.log")"
in_ns "$B" bridge fdb show dev vxvirbr1 | grep -q 'dst 172.30.0.9' && t_fail "a dropped peer stayed: $(in_ns "$B" bridge fdb show dev vxvirbr1)"
rules=$(in_ns "$B" nft list table inet labinit)
for want in 'iifname "eth0" ip saddr 172.30.0.2 udp dport 4789 accept' 'oifname "virbr1" reject' 'iifname "virbr1" reject'; do
	echo "$rules" | grep -qF "$want" || t_fail "ruleset lacks '$want': $rules"
done

# span_guest NAME HOST-NS [ADDR/LEN]: a namespace on the host's virbr1.
span_guest() {
	g=$(t_netns_add "$1")
	ip link add "g$1$$" netns "$2" type veth peer name eth0 netns "$g"
	ip -n "$2" link set "g$1$$" master virbr1 up
	[ -z "${3:-}" ] || ip -n "$g" addr add "$3" dev eth0
	ip -n "$g" link set eth0 up
	echo "$g"
}
GA=$(span_guest sga "$A" 10.77.1.100/24)
GB=$(span_guest sgb "$B")
bg "$A" "$LABINIT" dhcpd --config "$WORK/A" --net 2
cat > "$WORK/udhcpc.sh" <<'EOS'
#!/bin/sh
[ "$1" = bound ] && echo "ip=$ip router=$router mtu=$mtu" > "$LEASE_OUT"
exit 0
EOS
chmod +x "$WORK/udhcpc.sh"
# (udhcpc does not give up while its link is down: bounded from outside)
in_ns "$GB" env LEASE_OUT="$WORK/lease" timeout 30 udhcpc -f -q -n -t 10 -T 1 -O mtu -i eth0 -s "$WORK/udhcpc.sh" \
	> "$WORK/udhcpc.log" 2>&1 || t_fail "B's guest took no lease from A across the span: $(cat "$WORK/udhcpc.log")"
grep -Eq '^ip=10\.77\.1\.([1-4][0-9]|50) router=10.77.1.1 mtu=1450$' "$WORK/lease" || t_fail "lease: $(cat "$WORK/lease")"
ip=$(sed -n 's/^ip=\([0-9.]*\) .*/\1/p' "$WORK/lease")
in_ns "$GB" ip addr add "$ip/24" dev eth0
in_ns "$GB" ip route add default via 10.77.1.2
in_ns "$GB" "$BB" ping -c 1 -W 3 10.77.1.100 > /dev/null || t_fail "B's guest cannot ping A's guest across the VXLAN"
in_ns "$GB" "$BB" ping -c 1 -W 3 10.77.1.1 > /dev/null || t_fail "B's guest cannot ping host A"
in_ns "$GB" "$BB" ping -c 1 -W 3 10.77.1.2 > /dev/null || t_fail "B's guest cannot ping host B"
in_ns "$GA" "$BB" ping -c 1 -W 3 -s 1422 "$ip" > /dev/null || t_fail "a 1450-byte packet did not cross the span"
# Isolated towards the uplink: nothing forwarded out of the span network.
in_ns "$GB" "$BB" ping -c 1 -W 1 172.30.0.1 > /dev/null 2>&1 && t_fail "B's guest reached the LAN"

in_ns "$B" "$LABINIT" down --config "$WORK/B" > "$WORK/B.down.log" 2>&1 || t_fail "down: $(cat "$WORK/B.down.log")"
in_ns "$B" ip link show vxvirbr1 > /dev/null 2>&1 && t_fail "down left vxvirbr1"
in_ns "$B" ip link show virbr1 > /dev/null 2>&1 && t_fail "down left virbr1"
in_ns "$A" "$LABINIT" down --config "$WORK/A" > "$WORK/A.down.log" 2>&1 || t_fail "down A: $(cat "$WORK/A.down.log")"

# A foreign link by the VXLAN device's name is refused before anything changes.
in_ns "$B" ip link add vxvirbr1 type veth peer name vxpeer
in_ns "$B" "$LABINIT" up --config "$WORK/B" > "$WORK/B.foreign.log" 2>&1 && t_fail "up took a foreign vxvirbr1"
grep -q 'vxvirbr1: a veth named vxvirbr1 already exists and was not made by labinit; choose another CONFIG_NET2_BRIDGE' \
	"$WORK/B.foreign.log" || t_fail "$(cat "$WORK/B.foreign.log")"
in_ns "$B" ip link show virbr1 > /dev/null 2>&1 && t_fail "a refused up left virbr1"
in_ns "$B" ip link del vxvirbr1

# The multicast variant: both hosts join 239.1.1.42 on their uplinks.
profile "$WORK/A" 172.30.0.2 10.77.1.1 n SPAN_GROUP 239.1.1.42
profile "$WORK/B" 172.30.0.3 10.77.1.2 n SPAN_GROUP 239.1.1.42
up "$A" "$WORK/A"
up "$B" "$WORK/B"
grep -q 'span virbr1 vni 42 via eth0 group 239.1.1.42 mtu 1450' "$WORK/B.up.log" || t_fail "$(cat "$WORK/B.up.log")"
in_ns "$B" ip -d link show vxvirbr1 | grep -q 'vxlan id 42 group 239.1.1.42' || t_fail "$(in_ns "$B" ip -d link show vxvirbr1)"
in_ns "$A" ip link set "gsga$$" master virbr1
in_ns "$B" ip link set "gsgb$$" master virbr1
in_ns "$GB" "$BB" ping -c 1 -W 3 10.77.1.100 > /dev/null || t_fail "multicast group: B's guest cannot ping A's guest"
t_pass
