#!/bin/sh
# macvtap NICs (CONFIG_GUESTn_NICS "macvtap"): refusals by key first; then
# `labinit up` in a lab host namespace whose uplink leads to a LAN with its
# own DHCP server (dnsmasq) makes the guest's second NIC a macvtap in
# bridge mode on the uplink, with the NIC's MAC and alias "labinit". Frames
# flow both ways: a DHCP DISCOVER written into its /dev/tapN reaches the
# LAN's server, whose OFFER comes back out of it. `down` removes it; a tap
# of ours or a foreign link of that name is refused before anything changes.
. "$(dirname "$0")/../lib/net.sh"
t_need dnsmasq dnsmasq-base
t_need python3 python3

make_host_and_outside
make_guest_files
MAC=52:54:00:4d:56:01

# Refusals, by key.
bad() { # bad EXPECTED LINES...: check-config refuses the profile with EXPECTED
	want=$1; shift
	printf '%s\n' "CONFIG_FILES_DIR=\"$WORK/files\"" 'CONFIG_GUEST1=y' 'CONFIG_GUEST1_NAME="vm1"' \
		'CONFIG_GUEST1_KERNEL="guests/demo/vmlinux"' "$@" > "$WORK/bad"
	if "$LABINIT" check-config "$WORK/bad" > "$WORK/bad.log" 2>&1; then t_fail "check-config accepted $(cat "$WORK/bad")"; fi
	grep -q "$want" "$WORK/bad.log" || t_fail "wanted \"$want\" in: $(cat "$WORK/bad.log")"
}
bad 'CONFIG_GUEST1_NICS: macvtap: a UML guest has no macvtap NIC' 'CONFIG_GUEST1_KIND="uml"' 'CONFIG_GUEST1_NICS="1 macvtap"'
bad 'CONFIG_GUEST1_NICS: macvtap: the uplink is a port of bridge network 2 (lan)' 'CONFIG_GUEST1_NICS="1 macvtap"' \
	'CONFIG_NET2=y' 'CONFIG_NET2_NAME="lan"' 'CONFIG_NET2_MODE="bridge"'
bad 'CONFIG_GUEST1_IP: its first NIC is a macvtap NIC' 'CONFIG_GUEST1_NICS="macvtap 1"' 'CONFIG_GUEST1_IP="10.77.0.50"'
bad 'CONFIG_GUEST1_NICS: "bogus": expected one of' 'CONFIG_GUEST1_NICS="1 macvtap:bogus"'

# The LAN: its DHCP server on the outside's eth0.
bg "$OUT" dnsmasq --no-daemon --port=0 --interface=eth0 --bind-interfaces --dhcp-range=172.30.0.100,172.30.0.150,1h \
	--dhcp-leasefile="$WORK/lan.leases" --pid-file="$WORK/dnsmasq.pid" --conf-file=/dev/null --log-dhcp
cat > "$WORK/profile" <<EOC
CONFIG_PROFILE_NAME="macvtap"
CONFIG_FILES_DIR="$WORK/files"
# CONFIG_UPLINK_DHCP is not set
CONFIG_UPLINK_STATIC=y
CONFIG_UPLINK_ADDRESS="172.30.0.2/24"
CONFIG_UPLINK_GATEWAY="172.30.0.1"
CONFIG_DNS_UPSTREAMS="none"
CONFIG_DHCP_LEASE_FILE="$WORK/dhcpd/dhcp.leases"
CONFIG_GUEST1=y
CONFIG_GUEST1_NAME="vm1"
CONFIG_GUEST1_KERNEL="guests/demo/vmlinux"
CONFIG_GUEST1_NICS="1 macvtap:$MAC"
EOC
"$LABINIT" check-config "$WORK/profile" > "$WORK/check.log" 2>&1 || t_fail "check-config: $(cat "$WORK/check.log")"
in_ns "$HOST" "$LABINIT" up --config "$WORK/profile" > "$WORK/up.log" 2>&1 || { cat "$WORK/up.log"; t_fail "up failed"; }
t_defer "ip netns exec $HOST $LABINIT down --config $WORK/profile > /dev/null 2>&1 || true"
grep -q "tap vm1 on virbr0: ok" "$WORK/up.log" || t_fail "$(cat "$WORK/up.log")"
grep -q "macvtap vm1.1 on eth0 $MAC: ok" "$WORK/up.log" || t_fail "$(cat "$WORK/up.log")"
in_ns "$HOST" ip -d link show vm1.1 > "$WORK/link" 2>&1 || t_fail "no vm1.1: $(cat "$WORK/link")"
grep -q 'vm1.1@eth0:' "$WORK/link" || t_fail "not on the uplink: $(cat "$WORK/link")"
grep -q 'macvtap mode bridge' "$WORK/link" || t_fail "not a macvtap in bridge mode: $(cat "$WORK/link")"
grep -q "link/ether $MAC " "$WORK/link" || t_fail "not the NIC's MAC: $(cat "$WORK/link")"
grep -q 'alias labinit' "$WORK/link" || t_fail "no alias: $(cat "$WORK/link")"
grep -q 'state UP\|,UP' "$WORK/link" || t_fail "not up: $(cat "$WORK/link")"

# A second up changes nothing.
ifindex=$(in_ns "$HOST" cat /sys/class/net/vm1.1/ifindex)
in_ns "$HOST" "$LABINIT" up --config "$WORK/profile" > "$WORK/up2.log" 2>&1 || { cat "$WORK/up2.log"; t_fail "second up failed"; }
[ "$(in_ns "$HOST" cat /sys/class/net/vm1.1/ifindex)" = "$ifindex" ] || t_fail "a second up made the macvtap again"

# Frames both ways, through the macvtap's character device.
in_ns "$HOST" python3 "$T_REPO/tests/lib/macvtap_dhcp.py" vm1.1 "$MAC" "$WORK/tapnode" > "$WORK/offer" 2>&1 ||
	t_fail "no DHCP offer through the macvtap: $(cat "$WORK/offer")"
grep -Eq '^offer 172\.30\.0\.1[0-5][0-9]$' "$WORK/offer" || t_fail "offer: $(cat "$WORK/offer")"
t_log "$(cat "$WORK/offer") from the LAN's dnsmasq through /dev/tap$ifindex"

in_ns "$HOST" "$LABINIT" down --config "$WORK/profile" > "$WORK/down.log" 2>&1 || t_fail "down: $(cat "$WORK/down.log")"
in_ns "$HOST" ip link show vm1.1 > /dev/null 2>&1 && t_fail "down left vm1.1"

# The NIC was a tap at the last up: `down` first.
sed "s/^CONFIG_GUEST1_NICS=.*/CONFIG_GUEST1_NICS=\"1 1\"/" "$WORK/profile" > "$WORK/taps"
in_ns "$HOST" "$LABINIT" up --config "$WORK/taps" > "$WORK/up4.log" 2>&1 || { cat "$WORK/up4.log"; t_fail "up (two taps) failed"; }
if in_ns "$HOST" "$LABINIT" up --config "$WORK/profile" > "$WORK/up5.log" 2>&1; then t_fail "up made a macvtap over its own tap"; fi
grep -q 'vm1.1: labinit made it a tun, the profile now wants a macvtap; run labinit down first' "$WORK/up5.log" ||
	t_fail "$(cat "$WORK/up5.log")"
in_ns "$HOST" "$LABINIT" down --config "$WORK/taps" > "$WORK/down2.log" 2>&1 || t_fail "down: $(cat "$WORK/down2.log")"

# A foreign link with the macvtap's name: refused, nothing changed.
ip -n "$HOST" link add vm1.1 type veth peer name vm1peer
if in_ns "$HOST" "$LABINIT" up --config "$WORK/profile" > "$WORK/up3.log" 2>&1; then t_fail "up took a foreign vm1.1"; fi
grep -q 'vm1.1: a veth named vm1.1 already exists and was not made by labinit' "$WORK/up3.log" || t_fail "$(cat "$WORK/up3.log")"
in_ns "$HOST" ip link show virbr0 > /dev/null 2>&1 && t_fail "a refused up made virbr0"
ip -n "$HOST" link del vm1.1
t_pass
