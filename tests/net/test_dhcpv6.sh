#!/bin/sh
# Stateful DHCPv6 (CONFIG_LAB_DHCPV6, RFC 8415) against a real client,
# dhcpcd in IPv6-only mode: the worker's router advertisements set the M
# and O flags and keep the prefix autonomous (rdisc6 reads them back);
# dhcpcd, seeing M, solicits and gets an address of PREFIX::1000-1fff with
# the DNS server and search domain; the binding is in the lease file
# (DHCP_LEASE_FILE + ".v6", dnsmasq's IPv6 line) and survives a restart of
# the worker: a fresh dhcpcd with the same DUID gets the same address. A
# guest whose MAC the profile knows with a fixed IP, and whose DUID-LL
# carries that MAC, gets PREFIX::<its IPv4 address>. A release (dhcpcd -k)
# takes the line out of the file. The firewall opens UDP 547 on the
# bridge. The profile refuses DHCPv6 without IPv6.
# dhcpcd runs, as in test_dhcpd_clients.sh, in a private mount namespace
# where /run and /var/lib/dhcpcd are directories of $WORK.
. "$(dirname "$0")/../lib/net.sh"
. "$(dirname "$0")/../lib/dhcpd.sh"
t_need rdisc6 ndisc6
for c in dhcpcd unshare nsenter; do
	command -v $c > /dev/null || { echo "needs $c"; exit 77; }
done

# The refusal first: it needs no namespace.
printf 'CONFIG_LAB_DHCPV6=y\n# CONFIG_LAB_IPV6 is not set\n' > "$WORK/bad"
if "$LABINIT" check-config "$WORK/bad" > "$WORK/bad.log" 2>&1; then t_fail "check-config accepted DHCPv6 without IPv6"; fi
grep -q 'CONFIG_LAB_DHCPV6: needs CONFIG_LAB_IPV6=y' "$WORK/bad.log" || t_fail "$(cat "$WORK/bad.log")"

P=fd00:1ab:0:2
FIXED_MAC=52:54:00:12:34:57
FIXED_ADDR=$P::a4d:15 # PREFIX::10.77.0.21
LEASES6=$LEASES.v6
make_guest_files
dhcpd_profile "CONFIG_LAB_IPV6_PREFIX=\"$P::/64\"" 'CONFIG_LAB_DHCPV6=y' 'CONFIG_DNS_DOMAIN="lab.test"' \
	'CONFIG_DNS_UPSTREAMS="none"' 'CONFIG_GUEST1=y' 'CONFIG_GUEST1_NAME="fixed6"' \
	'CONFIG_GUEST1_KERNEL="guests/demo/vmlinux"' "CONFIG_GUEST1_MAC=\"$FIXED_MAC\"" 'CONFIG_GUEST1_IP="10.77.0.21"'
dhcpd_lab
dhcpd_start
grep -q "dhcp6: serving $P::1000-$P::1fff on virbr0" "$DHCPD_LOG" || t_fail "no DHCPv6 server: $(cat "$DHCPD_LOG")"

# The firewall lets DHCPv6 in from the bridge.
in_ns "$HOST" nft list table inet labinit | grep -q 'iifname "virbr0" udp dport 547 accept' ||
	t_fail "no DHCPv6 rule: $(in_ns "$HOST" nft list table inet labinit)"

# The router advertisement: M and O on, the prefix still autonomous.
GR=$(dhcp_guest r6)
t_wait_for 10 sh -c "ip netns exec $GR rdisc6 -1 -w 2000 eth0 > '$WORK/rdisc6' 2>&1" ||
	t_fail "rdisc6 got no answer: $(cat "$WORK/rdisc6")"
for want in 'Stateful address conf\. *: *Yes' 'Stateful other conf\. *: *Yes' "Prefix *: $P::/64" \
	'Autonomous address conf\. *: *Yes'; do
	grep -q "$want" "$WORK/rdisc6" || t_error "rdisc6 does not show $want: $(cat "$WORK/rdisc6")"
done

# dhcpcd_start NAME NS: dhcpcd -6 on NS's eth0 with its own files under
# $WORK/NAME; events in $WORK/ev.NAME. Sets DPID.
dhcpcd_start() {
	mkdir -p "$WORK/$1/run" "$WORK/$1/db"
	cat > "$WORK/$1.conf" <<EOC
ipv6only
duid ll
option dhcp6_name_servers, dhcp6_domain_search
env EV=$WORK/ev.$1
EOC
	ip netns exec "$2" unshare -m --propagation private sh -c 'mount --bind "$1/run" /run && mount --bind "$1/db" /var/lib/dhcpcd &&
		exec dhcpcd -B -d -6 -f "$1.conf" -c "$2" eth0' sh "$WORK/$1" "$WORK/client-script.sh" > "$WORK/$1.log" 2>&1 &
	DPID=$!
	t_track "$DPID"
}
dhcpcd_ctl() { p=$1; shift; nsenter -t "$p" -m -n dhcpcd "$@" >> "$WORK/dhcpcd-ctl.log" 2>&1; }
# dhcpcd_stop PID NS: dhcpcd -x through its control socket (a SIGTERM at
# the wrong moment was seen to be ignored), SIGKILL if it is still there;
# then until its privilege-separated helpers, which hold port 546 on the
# guest's addresses, are gone from NS too (by pid, killed after 10 s).
dhcpcd_stop() {
	dhcpcd_ctl "$1" -x eth0 || true
	t_wait_for 10 sh -c "! [ -e /proc/$1 ] || grep -q ') Z ' /proc/$1/stat" || kill -KILL "$1" 2> /dev/null || true
	wait "$1" 2> /dev/null || true
	t_untrack "$1"
	t_wait_for 10 sh -c "[ -z \"\$(ip netns pids $2)\" ]" || for p in $(ip netns pids "$2"); do kill -KILL "$p" 2> /dev/null || true; done
}
# v6_addr EVFILE: the IA_NA address dhcpcd reported to its script.
v6_addr() { ev_get "$1" new_dhcp6_ia_na1_ia_addr1; }
lease6_line() { awk -v a="$1" '$3 == a' "$LEASES6" 2> /dev/null; }

# ---- a pool address, the DNS server and domain ---------------------------
G1=$(dhcp_guest c6)
M1=$(mac_of "$G1")
E1=$(ev_dir c6)
dhcpcd_start c6 "$G1"
D1=$DPID
ev_wait "$E1" BOUND6 1 30 || { cat "$WORK/c6.log" "$DHCPD_LOG"; t_fail "dhcpcd got no DHCPv6 address"; }
F=$(ev_last "$E1" BOUND6)
A1=$(v6_addr "$F")
case $A1 in $P::1[0-9a-f][0-9a-f][0-9a-f]) ;; *) t_fail "dhcpcd got '$A1', not an address of $P::1000-1fff: $(cat "$F")" ;; esac
[ "$(ev_get "$F" new_dhcp6_name_servers)" = "$P::1" ] || t_error "DNS server: '$(ev_get "$F" new_dhcp6_name_servers)'"
[ "$(ev_get "$F" new_dhcp6_domain_search)" = lab.test ] || t_error "search domain: '$(ev_get "$F" new_dhcp6_domain_search)'"
t_wait_for 5 sh -c "ip -n $G1 -6 addr show dev eth0 | grep -q 'inet6 $A1/'" ||
	t_error "dhcpcd did not put $A1 on eth0: $(ip -n "$G1" -6 addr show dev eth0)"
in_ns "$G1" "$BB" ping -6 -c 1 -W 3 "$P::1" > /dev/null || t_error "the DHCPv6 guest cannot ping its gateway"
# The lease file: "EXPIRY IAID ADDRESS NAME DUID", the DUID-LL of its MAC.
L=$(lease6_line "$A1")
echo "$L" | grep -Eq "^[0-9]+ [0-9]+ $A1 \\* 00:03:00:01:$M1\$" || t_fail "lease line for $A1: '$L' in $(cat "$LEASES6" 2>&1)"
grep -q "dhcp6: REQUEST from $M1: REPLY bound $A1\|dhcp6: SOLICIT from $M1: REPLY bound $A1" "$DHCPD_LOG" ||
	t_error "no REPLY logged for $A1: $(grep dhcp6 "$DHCPD_LOG")"

# ---- a restart of the worker keeps the binding ----------------------------
dhcpd_kill
dhcpd_start
grep -q "dhcp6: 1 lease from $LEASES6" "$DHCPD_LOG" || t_fail "the restarted worker did not load its binding: $(grep dhcp6 "$DHCPD_LOG")"
# A fresh dhcpcd, same DUID, no lease of its own: it solicits again.
dhcpcd_stop "$D1" "$G1"
rm -f "$WORK/c6/db/"*lease6*
ip -n "$G1" -6 addr flush dev eth0 scope global
dhcpcd_start c6 "$G1"
D1=$DPID
ev_wait "$E1" BOUND6 2 30 || { cat "$WORK/c6.log"; t_fail "dhcpcd got no address after the restart"; }
[ "$(v6_addr "$(ev_last "$E1" BOUND6)")" = "$A1" ] || t_fail "after the restart: $(v6_addr "$(ev_last "$E1" BOUND6)"), not $A1"

# ---- the known guest: its fixed address by the MAC in its DUID-LL ----------
G2=$(dhcp_guest f6 "$FIXED_MAC")
E2=$(ev_dir f6)
dhcpcd_start f6 "$G2"
D2=$DPID
ev_wait "$E2" BOUND6 1 30 || { cat "$WORK/f6.log"; t_fail "the known guest got no DHCPv6 address"; }
[ "$(v6_addr "$(ev_last "$E2" BOUND6)")" = "$FIXED_ADDR" ] ||
	t_fail "the known guest got $(v6_addr "$(ev_last "$E2" BOUND6)"), not $FIXED_ADDR"
t_wait_for 3 sh -c "awk -v a=$FIXED_ADDR '\$3 == a && \$4 == \"fixed6\"' '$LEASES6' | grep -q ." ||
	t_error "no lease line naming fixed6: $(cat "$LEASES6")"

# ---- a release frees the binding ------------------------------------------
dhcpcd_ctl "$D1" -6 -k eth0 || t_error "dhcpcd -k failed: $(cat "$WORK/dhcpcd-ctl.log")"
t_wait_for 10 sh -c "! awk -v a=$A1 '\$3 == a' '$LEASES6' | grep -q ." ||
	t_fail "the released $A1 is still in the lease file: $(cat "$LEASES6")"
grep -q "dhcp6: RELEASE from $M1: REPLY released $A1" "$DHCPD_LOG" || t_error "no RELEASE logged: $(grep dhcp6 "$DHCPD_LOG")"
[ -n "$(lease6_line "$FIXED_ADDR")" ] || t_error "the release took the other guest's binding too"

dhcpcd_stop "$D1" "$G1"
dhcpcd_stop "$D2" "$G2"
dhcpd_kill
grep -q 'dhcp6: stopped' "$DHCPD_LOG" || t_error "no DHCPv6 summary at stop"
[ "$T_ERRORS" = 0 ] || exit 1
echo "dhcpv6 ok"
