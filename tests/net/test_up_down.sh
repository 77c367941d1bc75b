#!/bin/sh
# labinit up / down in a namespace, read back with ip -j and nft -j: every
# link, address, MAC, master, route and rule as configured; only our nft
# table; a second up changes nothing; down leaves nothing of ours behind and
# keeps what is not ours.
. "$(dirname "$0")/../lib/net.sh"
make_host_and_outside
make_guest_files
cat > "$WORK/profile" <<EOC
CONFIG_PROFILE_NAME="nettest"
CONFIG_FILES_DIR="$WORK/files"
# CONFIG_UPLINK_DHCP is not set
CONFIG_UPLINK_STATIC=y
CONFIG_UPLINK_ADDRESS="172.30.0.2/24"
CONFIG_UPLINK_GATEWAY="172.30.0.1"
CONFIG_BRIDGE_MAC="52:54:00:be:ef:01"
CONFIG_BRIDGE_STP=y
CONFIG_BRIDGE_FORWARD_DELAY=4
CONFIG_NAT_PORT_FORWARDS="tcp:8080:10.77.0.50:80 udp:5353:vm2:53"
CONFIG_GUEST1=y
CONFIG_GUEST1_KERNEL="guests/demo/vmlinux"
CONFIG_GUEST2=y
CONFIG_GUEST2_KERNEL="guests/demo/vmlinux"
CONFIG_GUEST2_IP="10.77.0.12"
EOC
# Things that are not ours and must survive: a foreign table, a dummy link.
in_ns "$HOST" nft add table inet keepme
in_ns "$HOST" nft add chain inet keepme c
in_ns "$HOST" ip link add keep0 type veth peer name keep1

in_ns "$HOST" "$LABINIT" up --config "$WORK/profile" > "$WORK/up1.log" 2>&1 || { cat "$WORK/up1.log"; t_fail "up failed"; }
cat "$WORK/up1.log"
grep -q 'bridge virbr0 52:54:00:be:ef:01 10.77.0.1/24 stp on fd[0-9a-f:]*::1/64: ok' "$WORK/up1.log" || t_fail "no bridge step line"

j() { in_ns "$HOST" ip -j -d "$@"; }
[ "$(j link show virbr0 | jq -r '.[0].linkinfo.info_kind')" = bridge ] || t_fail "virbr0 is not a bridge"
[ "$(j link show virbr0 | jq -r '.[0].address')" = 52:54:00:be:ef:01 ] || t_fail "bridge MAC"
[ "$(j link show virbr0 | jq -r '.[0].ifalias')" = labinit ] || t_fail "bridge alias"
[ "$(j link show virbr0 | jq -r '.[0].linkinfo.info_data.stp_state')" = 1 ] || t_fail "stp state"
[ "$(j link show virbr0 | jq -r '.[0].linkinfo.info_data.forward_delay')" = 400 ] || t_fail "forward delay"
j link show virbr0 | jq -e '.[0].flags | index("UP")' > /dev/null || t_fail "virbr0 not up"
[ "$(j addr show virbr0 | jq -r '[.[0].addr_info[] | select(.family=="inet") | "\(.local)/\(.prefixlen)"] | join(" ")')" = 10.77.0.1/24 ] ||
	t_fail "virbr0 address"
# CONFIG_LAB_IPV6 (default on): the derived ULA's ::1, and the bridge's
# link-local address once it has a carrier.
v6=$(j addr show virbr0 | jq -r '[.[0].addr_info[] | select(.family=="inet6") | "\(.scope) \(.local)/\(.prefixlen)"] | sort | join(",")')
printf '%s\n' "$v6" | grep -Eqx 'global fd[0-9a-f]{2}:[0-9a-f]{1,4}:[0-9a-f]{1,4}:1::1/64(,link fe80::[0-9a-f:]+/64)?' ||
	t_fail "IPv6 on virbr0: $v6"
for t in vm1 vm2; do
	[ "$(j link show $t | jq -r '.[0].linkinfo.info_kind')" = tun ] || t_fail "$t is not a tap"
	[ "$(j link show $t | jq -r '.[0].master')" = virbr0 ] || t_fail "$t not in virbr0"
	j link show $t | jq -e '.[0].flags | index("UP")' > /dev/null || t_fail "$t not up"
done
[ "$(j addr show eth0 | jq -r '[.[0].addr_info[] | select(.family=="inet") | "\(.local)/\(.prefixlen)"] | join(" ")')" = 172.30.0.2/24 ] ||
	t_fail "uplink address"
[ "$(in_ns "$HOST" ip -j route show default | jq -r '.[0] | "\(.gateway) \(.dev) \(.protocol)"')" = "172.30.0.1 eth0 77" ] ||
	t_fail "default route: $(in_ns "$HOST" ip route show default)"
[ "$(in_ns "$HOST" cat /proc/sys/net/ipv4/ip_forward)" = 1 ] || t_fail "ip_forward"

in_ns "$HOST" nft -j list ruleset > "$WORK/ruleset.json"
[ "$(jq -r '[.nftables[] | select(.table) | "\(.table.family) \(.table.name)"] | join(",")' "$WORK/ruleset.json")" = "inet keepme,inet labinit" ] ||
	t_fail "tables: $(jq -c '[.nftables[] | select(.table) | .table.name]' "$WORK/ruleset.json")"
for c in postrouting prerouting forward input; do
	jq -e --arg c $c '.nftables[] | select(.chain and .chain.table=="labinit" and .chain.name==$c)' "$WORK/ruleset.json" > /dev/null ||
		t_fail "no chain $c"
done
in_ns "$HOST" nft list table inet labinit > "$WORK/ruleset.txt"
grep -q 'iifname "eth0" meta nfproto ipv4 tcp dport 8080 dnat ip to 10.77.0.50:80' "$WORK/ruleset.txt" || { cat "$WORK/ruleset.txt"; t_fail "tcp forward"; }
grep -q 'iifname "eth0" meta nfproto ipv4 udp dport 5353 dnat ip to 10.77.0.12:53' "$WORK/ruleset.txt" || { cat "$WORK/ruleset.txt"; t_fail "udp forward to vm2"; }
grep -q 'masquerade' "$WORK/ruleset.txt" || t_fail "no masquerade"
# On an ordinary host (labinit up) the input policy stays the host's; the
# bridge is judged whole, and the lab's addresses are closed to the rest.
for r in 'policy accept;' 'iifname "virbr0" ip saddr != 10.77.0.0/24 drop' 'iifname "virbr0" ip6 saddr != fe80::/10 ip6 saddr != fd' \
	'iifname "virbr0" reject' 'ip daddr 10.77.0.0/24 drop' 'ip6 daddr fd'; do
	grep -qF "$r" "$WORK/ruleset.txt" || { cat "$WORK/ruleset.txt"; t_fail "no rule: $r"; }
done

snapshot() {
	{
		in_ns "$HOST" ip -d link show | grep -v -e 'link/' -e 'RX:' -e 'TX:' |
			sed -E 's/state [A-Z]+//; s/(hello_timer|tcn_timer|topology_change_timer|gc_timer) +[0-9.]+//g'
		in_ns "$HOST" ip addr show | grep inet
		in_ns "$HOST" ip route show table all
		in_ns "$HOST" nft list ruleset
	} > "$1"
}
sleep 2 # let the kernel finish what it does by itself after links come up (IPv6 multicast routes)
snapshot "$WORK/before"
in_ns "$HOST" "$LABINIT" up --config "$WORK/profile" > "$WORK/up2.log" 2>&1 || { cat "$WORK/up2.log"; t_fail "second up failed"; }
grep -qi error "$WORK/up2.log" && { cat "$WORK/up2.log"; t_fail "second up reported an error"; }
snapshot "$WORK/after"
diff -u "$WORK/before" "$WORK/after" || t_fail "a second up changed something"

in_ns "$HOST" "$LABINIT" down --config "$WORK/profile" > "$WORK/down.log" 2>&1 || { cat "$WORK/down.log"; t_fail "down failed"; }
cat "$WORK/down.log"
for l in virbr0 vm1 vm2; do
	in_ns "$HOST" ip link show "$l" > /dev/null 2>&1 && t_fail "$l left behind"
done
in_ns "$HOST" nft list table inet labinit > /dev/null 2>&1 && t_fail "table labinit left behind"
in_ns "$HOST" nft list table inet keepme > /dev/null || t_fail "foreign table removed"
in_ns "$HOST" ip link show keep0 > /dev/null || t_fail "foreign link removed"
in_ns "$HOST" ip link show eth0 > /dev/null || t_fail "uplink link removed"
[ -z "$(in_ns "$HOST" ip -4 addr show dev eth0)" ] || t_fail "uplink address left behind"
[ -z "$(in_ns "$HOST" ip route show proto 77)" ] || t_fail "routes left behind"
in_ns "$HOST" "$LABINIT" down --config "$WORK/profile" > "$WORK/down2.log" 2>&1 || { cat "$WORK/down2.log"; t_fail "second down failed"; }
echo "up/down ok"
