#!/bin/sh
# Issue 14, networks as slots: one `labinit up` with four networks, one
# per mode that keeps the host's address (nat, routed, isolated) and a
# private link, each with guests (namespaces on veth pairs standing in
# for taps). Traffic shows what each mode promises and nothing more:
#   nat       guests reach the outside as the uplink's address;
#   routed    guests reach the outside with their own address, and the
#             outside (which routes the subnet to the host) reaches them;
#   isolated  guests reach the host, not the outside, not other networks;
#   private   guests reach each other; the host has no address there.
# Networks do not reach each other except a routed one, which is open to
# everyone as to the LAN. Network 2's own DHCP worker (`labinit dhcpd
# --net`) leases in its subnet with its gateway and domain. Then the
# public bridge: a second lab host whose bridge network takes the uplink
# as its port, takes its own address there by DHCP from the LAN's server
# (dnsmasq), and whose guest takes a lease from that same server.
. "$(dirname "$0")/../lib/net.sh"
t_need nft nftables
t_need curl curl
t_need dnsmasq dnsmasq-base
t_need udhcpc udhcpc

make_host_and_outside
cat > "$WORK/profile" <<EOC
CONFIG_PROFILE_NAME="networks"
# CONFIG_UPLINK_DHCP is not set
CONFIG_UPLINK_STATIC=y
CONFIG_UPLINK_ADDRESS="172.30.0.2/24"
CONFIG_UPLINK_GATEWAY="172.30.0.1"
CONFIG_DNS_UPSTREAMS="none"
CONFIG_DHCP_LEASE_FILE="$WORK/dhcpd/dhcp.leases"
CONFIG_NET2=y
CONFIG_NET2_NAME="routed"
CONFIG_NET2_MODE="routed"
CONFIG_NET3=y
CONFIG_NET3_NAME="iso"
CONFIG_NET3_MODE="isolated"
CONFIG_NET4=y
CONFIG_NET4_NAME="link"
CONFIG_NET4_MODE="private"
EOC
# Refusals first, by key.
printf 'CONFIG_NET2=y\nCONFIG_NET2_MODE="bridge"\nCONFIG_NET2_DHCP="y"\nCONFIG_NET3=y\nCONFIG_NET3_SUBNET="10.77.0.0/23"\n' > "$WORK/bad"
if "$LABINIT" check-config "$WORK/bad" > "$WORK/bad.log" 2>&1; then t_fail "check-config accepted $(cat "$WORK/bad")"; fi
grep -q 'CONFIG_NET2_DHCP: a bridge network is the LAN' "$WORK/bad.log" || t_fail "$(cat "$WORK/bad.log")"
grep -q 'CONFIG_NET3_SUBNET: 10.77.0.0/23 overlaps the subnet of network 1 (lab)' "$WORK/bad.log" || t_fail "$(cat "$WORK/bad.log")"

in_ns "$HOST" "$LABINIT" up --config "$WORK/profile" > "$WORK/up.log" 2>&1 || { cat "$WORK/up.log"; t_fail "up failed"; }
grep -q 'bridge virbr1 .* 10.77.1.1/24 stp off' "$WORK/up.log" || t_fail "no routed bridge: $(cat "$WORK/up.log")"
grep -q 'bridge virbr3 .* (no host address)' "$WORK/up.log" || t_fail "private bridge: $(cat "$WORK/up.log")"
grep -q 'nftables table inet labinit (NAT, filter, 4 networks): ok' "$WORK/up.log" || t_fail "$(cat "$WORK/up.log")"
in_ns "$HOST" ip -4 addr show dev virbr3 | grep -q inet && t_fail "the private bridge has an address"

# net_guest NAME BRIDGE ADDR/LEN [GATEWAY]
net_guest() {
	g=$(t_netns_add "$1")
	ip link add "g$1$$" netns "$HOST" type veth peer name eth0 netns "$g"
	ip -n "$HOST" link set "g$1$$" master "$2" up
	ip -n "$g" addr add "$3" dev eth0
	ip -n "$g" link set eth0 up
	[ -z "${4:-}" ] || ip -n "$g" route add default via "$4"
	echo "$g"
}
GN=$(net_guest gn virbr0 10.77.0.50/24 10.77.0.1)
GR=$(net_guest gr virbr1 10.77.1.50/24 10.77.1.1)
GI=$(net_guest gi virbr2 10.77.2.50/24 10.77.2.1)
GP1=$(net_guest gp1 virbr3 192.168.50.1/24)
GP2=$(net_guest gp2 virbr3 192.168.50.2/24)

mkdir -p "$WORK/www/cgi-bin"
cat > "$WORK/www/cgi-bin/addr" <<'EOS'
#!/bin/sh
a=${REMOTE_ADDR#"[::ffff:"}
printf 'Content-Type: text/plain\r\n\r\n%s\n' "${a%]}"
EOS
chmod +x "$WORK/www/cgi-bin/addr"
for ns in "$OUT" "$GN" "$GR" "$GI"; do bg "$ns" "$BB" httpd -f -p 80 -h "$WORK/www"; done
get() { in_ns "$1" curl -sf -m 3 "$2"; }
t_wait_for 10 get "$OUT" http://127.0.0.1/cgi-bin/addr || t_fail "the outside's web server did not start"
# The outside routes the routed network to the lab host, as a LAN would.
in_ns "$OUT" ip route add 10.77.1.0/24 via 172.30.0.2
in_ns "$OUT" ip route add 10.77.2.0/24 via 172.30.0.2
in_ns "$OUT" ip route add 10.77.0.0/24 via 172.30.0.2

# nat: out as the uplink's address; the outside cannot come in.
[ "$(get "$GN" http://172.30.0.1/cgi-bin/addr)" = 172.30.0.2 ] || t_fail "nat: not masqueraded to 172.30.0.2"
get "$OUT" http://10.77.0.50/cgi-bin/addr > /dev/null 2>&1 && t_fail "nat: the outside reached a guest"
# routed: out with its own address, and in from the outside.
[ "$(get "$GR" http://172.30.0.1/cgi-bin/addr)" = 10.77.1.50 ] || t_fail "routed: the outside did not see 10.77.1.50"
[ "$(get "$OUT" http://10.77.1.50/cgi-bin/addr)" = 172.30.0.1 ] || t_fail "routed: the outside cannot reach its guest"
# isolated: the host only.
in_ns "$GI" "$BB" ping -c 1 -W 3 10.77.2.1 > /dev/null || t_fail "isolated: the guest cannot ping its gateway"
get "$GI" http://172.30.0.1/cgi-bin/addr > /dev/null 2>&1 && t_fail "isolated: the guest reached the outside"
get "$OUT" http://10.77.2.50/cgi-bin/addr > /dev/null 2>&1 && t_fail "isolated: the outside reached its guest"
# Between networks: nat and isolated do not meet; a routed one is open as the LAN is.
get "$GN" http://10.77.2.50/cgi-bin/addr > /dev/null 2>&1 && t_fail "a nat guest reached the isolated network"
get "$GI" http://10.77.0.50/cgi-bin/addr > /dev/null 2>&1 && t_fail "an isolated guest reached the nat network"
get "$GN" http://10.77.1.50/cgi-bin/addr > /dev/null || t_fail "a nat guest cannot reach the routed network"
# private: the two guests and nothing else.
in_ns "$GP1" "$BB" ping -c 1 -W 3 192.168.50.2 > /dev/null || t_fail "private: the guests cannot ping each other"
in_ns "$HOST" "$BB" ping -c 1 -W 1 192.168.50.2 > /dev/null 2>&1 && t_fail "private: the host reached a guest"
# The ruleset read back shows each mode.
rules=$(in_ns "$HOST" nft list table inet labinit)
for want in 'oifname "virbr1" ip daddr 10.77.1.0/24 accept' 'oifname "virbr2" reject' \
	'iifname "virbr3" reject' 'iifname "virbr1" ip saddr 10.77.1.0/24 accept'; do
	echo "$rules" | grep -qF "$want" || t_fail "ruleset lacks '$want': $rules"
done

# Network 2's worker: a lease in its subnet, its gateway, its domain.
mkdir -p "$WORK/dhcpd"
bg "$HOST" "$LABINIT" dhcpd --config "$WORK/profile" --net routed
WORKER=$!
GD=$(net_guest gd virbr1 169.254.0.9/16)
in_ns "$GD" ip addr flush dev eth0
# (udhcpc does not give up while its link is down: bounded from outside)
cat > "$WORK/udhcpc.sh" <<'EOS'
#!/bin/sh
[ "$1" = bound ] && echo "ip=$ip router=$router domain=$domain dns=$dns" > "$LEASE_OUT"
exit 0
EOS
chmod +x "$WORK/udhcpc.sh"
in_ns "$GD" env LEASE_OUT="$WORK/lease" timeout 30 udhcpc -f -q -n -t 10 -T 1 -i eth0 -s "$WORK/udhcpc.sh" > "$WORK/udhcpc.log" 2>&1 ||
	t_fail "no lease on the routed network: $(cat "$WORK/udhcpc.log")"
grep -Eq '^ip=10\.77\.1\.[0-9]+ router=10.77.1.1 domain=routed.lab dns=10.77.1.1$' "$WORK/lease" ||
	t_fail "lease: $(cat "$WORK/lease")"
[ -s "$WORK/dhcpd/routed.leases" ] || t_fail "no lease file beside network 1's: $(ls -l "$WORK/dhcpd")"

kill "$WORKER"
in_ns "$HOST" "$LABINIT" down --config "$WORK/profile" > "$WORK/down.log" 2>&1 || t_fail "down: $(cat "$WORK/down.log")"
for br in virbr0 virbr1 virbr2 virbr3; do
	in_ns "$HOST" ip link show "$br" > /dev/null 2>&1 && t_fail "down left $br"
done

# The public bridge: the LAN (the outside) has its own DHCP server.
H2=$(t_netns_add lh2)
ip link add "up2$$" netns "$H2" type veth peer name "lan2$$" netns "$OUT"
ip -n "$H2" link set "up2$$" name eth0
ip -n "$OUT" link add lanbr type bridge
ip -n "$OUT" link set "lan2$$" master lanbr up
ip -n "$OUT" addr flush dev eth0
ip -n "$OUT" link set eth0 master lanbr
ip -n "$OUT" addr add 172.30.0.1/24 dev lanbr
ip -n "$OUT" link set lanbr up
bg "$OUT" dnsmasq --no-daemon --port=0 --interface=lanbr --bind-interfaces --dhcp-range=172.30.0.100,172.30.0.150,1h \
	--dhcp-leasefile="$WORK/lan.leases" --pid-file="$WORK/dnsmasq.pid" --conf-file=/dev/null
cat > "$WORK/public" <<EOC
CONFIG_PROFILE_NAME="public"
CONFIG_HOSTNAME="pub"
CONFIG_UPLINK_DHCP=y
# CONFIG_NAT is not set
CONFIG_LAB_SUBNET="10.78.0.0/24"
CONFIG_DHCP_LEASE_FILE="$WORK/h2/dhcpd/dhcp.leases"
CONFIG_NET2=y
CONFIG_NET2_NAME="lan"
CONFIG_NET2_MODE="bridge"
CONFIG_NET2_BRIDGE="br-lan"
EOC
in_ns "$H2" "$LABINIT" up --config "$WORK/public" > "$WORK/up2.log" 2>&1 || { cat "$WORK/up2.log"; t_fail "up (bridge network) failed"; }
t_defer "ip netns exec $H2 $LABINIT down --config $WORK/public > /dev/null 2>&1 || true"
grep -q 'uplink eth0 up as a port of bridge br-lan (address by DHCP on the bridge): ok' "$WORK/up2.log" || t_fail "$(cat "$WORK/up2.log")"
[ "$(in_ns "$H2" cat /sys/class/net/eth0/master/uevent | sed -n 's/^INTERFACE=//p')" = br-lan ] || t_fail "the uplink is not a port of br-lan"
t_wait_for 20 sh -c "ip -n $H2 -4 addr show dev br-lan | grep -q 'inet 172.30.0.1[0-5][0-9]/24'" ||
	t_fail "the bridge took no address from the LAN's DHCP: $(ip -n "$H2" addr; cat "$WORK/up2.log")"
H2G=$(t_netns_add pg)
ip link add "pg$$" netns "$H2" type veth peer name eth0 netns "$H2G"
ip -n "$H2" link set "pg$$" master br-lan up
ip -n "$H2G" link set eth0 up
in_ns "$H2G" env LEASE_OUT="$WORK/lease2" timeout 30 udhcpc -f -q -n -t 10 -T 1 -i eth0 -s "$WORK/udhcpc.sh" > "$WORK/udhcpc2.log" 2>&1 ||
	t_fail "the bridge network's guest took no lease from the LAN: $(cat "$WORK/udhcpc2.log")"
grep -Eq '^ip=172\.30\.0\.1[0-5][0-9] ' "$WORK/lease2" || t_fail "lease from the LAN: $(cat "$WORK/lease2")"
ip=$(sed -n 's/^ip=\([0-9.]*\) .*/\1/p' "$WORK/lease2")
in_ns "$H2G" ip addr add "$ip/24" dev eth0
in_ns "$H2G" "$BB" ping -c 1 -W 3 172.30.0.1 > /dev/null || t_fail "the bridge network's guest cannot reach the LAN"
t_pass
