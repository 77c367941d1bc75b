#!/bin/sh
# Issue 14, IPv6 on the lab network (CONFIG_LAB_IPV6, on by default):
# `labinit up` puts the lab's /64 on the bridge and turns forwarding on
# without losing the uplink's own router advertisements; the DHCP worker
# sends router advertisements that a guest namespace's kernel configures
# itself from (SLAAC, default route), and that rdisc6 (ndisc6) reads
# back: prefix, flags, RDNSS, DNSSL. The lab's DNS answers over IPv6:
# AAAA for the gateway and for a profile guest (the EUI-64 address SLAAC
# gave its MAC), and the ip6.arpa PTR back to its name. A guest reaches an outside IPv6
# address through the host, masqueraded to the uplink's address; the
# outside cannot reach the guest; the ruleset read back with `nft` shows
# the IPv6 rules. A configured prefix replaces the derived one, and a bad
# one is refused by key.
. "$(dirname "$0")/../lib/net.sh"
. "$(dirname "$0")/../lib/dhcpd.sh"
t_need rdisc6 ndisc6
t_need nft nftables
t_need curl curl

# Refusals first: they need no namespace.
printf 'CONFIG_LAB_IPV6_PREFIX="fd00:1::/48"\n' > "$WORK/bad"
printf 'CONFIG_LAB_IPV6_PREFIX="fe80::/64"\n' > "$WORK/bad2"
for f in bad bad2; do
	if "$LABINIT" check-config "$WORK/$f" > "$WORK/$f.log" 2>&1; then t_fail "check-config accepted $(cat "$WORK/$f")"; fi
done
grep -q 'CONFIG_LAB_IPV6_PREFIX: "fd00:1::/48": expected an IPv6 /64 prefix' "$WORK/bad.log" || t_fail "$(cat "$WORK/bad.log")"
grep -q 'CONFIG_LAB_IPV6_PREFIX: fe80::/64: not a unicast prefix' "$WORK/bad2.log" || t_fail "$(cat "$WORK/bad2.log")"

make_guest_files
dhcpd_profile 'CONFIG_LAB_IPV6_PREFIX="fd00:1ab:0:1::/64"' 'CONFIG_DNS_DOMAIN="lab.test"' \
	'CONFIG_DNS_UPSTREAMS="none"' 'CONFIG_GUEST1=y' 'CONFIG_GUEST1_NAME="g6"' \
	'CONFIG_GUEST1_KERNEL="guests/demo/vmlinux"' 'CONFIG_GUEST1_MAC="52:54:00:12:34:56"' 'CONFIG_GUEST1_IP="10.77.0.20"' \
	'CONFIG_NAT_PORT_FORWARDS="tcp:8080:g6:80 udp:5353:g6:53"'
make_host_and_outside
# The outside's IPv6: the uplink takes it by SLAAC from the outside's own
# router advertisements, which forwarding must not turn off.
in_ns "$OUT" ip -6 addr add 2001:db8:30::1/64 dev eth0 nodad
in_ns "$OUT" sysctl -qw net.ipv6.conf.all.forwarding=1
in_ns "$HOST" "$LABINIT" up --config "$WORK/profile" > "$WORK/up.log" 2>&1 || { cat "$WORK/up.log"; t_fail "up failed"; }
grep -q 'bridge virbr0 .* stp off fd00:1ab:0:1::1/64: ok' "$WORK/up.log" || t_fail "up: $(cat "$WORK/up.log")"
[ "$(in_ns "$HOST" cat /proc/sys/net/ipv6/conf/all/forwarding)" = 1 ] || t_fail "IPv6 forwarding is off"
[ "$(in_ns "$HOST" cat /proc/sys/net/ipv6/conf/eth0/accept_ra)" = 2 ] || t_fail "the uplink would ignore router advertisements"
in_ns "$HOST" ip -6 addr show dev virbr0 | grep -q 'inet6 fd00:1ab:0:1::1/64' || t_fail "no lab address on the bridge"
# The outside's router advertisement: radvd is not here; the uplink's
# address is static, its route via the outside.
in_ns "$HOST" ip -6 addr add 2001:db8:30::2/64 dev eth0 nodad
in_ns "$HOST" ip -6 route add default via 2001:db8:30::1
dhcpd_start
grep -q 'ra: ' "$DHCPD_LOG" && t_fail "ra: $(grep 'ra: ' "$DHCPD_LOG")"

# A guest: its kernel does SLAAC (EUI-64) from our RAs.
G=$(t_netns_add g6)
ip link add "g6$$" netns "$HOST" address 02:00:00:00:00:01 type veth peer name eth0 netns "$G" address 52:54:00:12:34:56
ip -n "$HOST" link set "g6$$" master virbr0 up
in_ns "$G" sysctl -qw net.ipv6.conf.eth0.accept_ra=1 net.ipv6.conf.eth0.autoconf=1
in_ns "$G" ip link set eth0 up
addr=fd00:1ab:0:1:5054:ff:fe12:3456
t_wait_for 20 sh -c "ip -n $G -6 addr show dev eth0 | grep -q 'inet6 $addr/64'" ||
	t_fail "the guest did not configure $addr by SLAAC: $(ip -n "$G" -6 addr show dev eth0; cat "$DHCPD_LOG")"
t_wait_for 10 sh -c "ip -n $G -6 route show default | grep -q 'via fe80::'" ||
	t_fail "no default route from the RA: $(ip -n "$G" -6 route)"

# rdisc6 solicits and prints what the RA says.
in_ns "$G" rdisc6 -1 -w 3000 eth0 > "$WORK/rdisc6" 2>&1 || t_fail "rdisc6 got no answer: $(cat "$WORK/rdisc6")"
for want in 'Prefix *: fd00:1ab:0:1::/64' 'Stateful address conf\. *: *No' 'Router preference *: *medium' \
	'Router lifetime *: *1800' 'DNS search list *: lab\.test' 'Source link-layer address: 02:' \
	'Recursive DNS server *: fd00:1ab:0:1::1'; do
	grep -q "$want" "$WORK/rdisc6" || t_error "rdisc6 does not show $want: $(cat "$WORK/rdisc6")"
done

# DNS over IPv6 at the address the RA names.
ns() { in_ns "$G" "$BB" nslookup "$@" fd00:1ab:0:1::1 2>&1; }
ns -type=AAAA g6.lab.test > "$WORK/ns-aaaa" || t_error "AAAA g6.lab.test: $(cat "$WORK/ns-aaaa")"
grep -q "$addr" "$WORK/ns-aaaa" || t_error "AAAA g6.lab.test is not $addr: $(cat "$WORK/ns-aaaa")"
ns -type=AAAA gateway.lab.test | grep -q 'fd00:1ab:0:1::1' || t_error "AAAA gateway: $(ns -type=AAAA gateway.lab.test)"
ns -type=PTR 6.5.4.3.2.1.e.f.f.f.0.0.4.5.0.5.1.0.0.0.0.0.0.0.b.a.1.0.0.0.d.f.ip6.arpa > "$WORK/ns-ptr"
grep -q 'g6\.lab\.test' "$WORK/ns-ptr" || t_error "PTR of $addr: $(cat "$WORK/ns-ptr")"

# Out through NAT: the outside sees the uplink's address.
mkdir -p "$WORK/www/cgi-bin"
cat > "$WORK/www/cgi-bin/addr" <<'EOS'
#!/bin/sh
printf 'Content-Type: text/plain\r\n\r\n%s\n' "$REMOTE_ADDR"
EOS
chmod +x "$WORK/www/cgi-bin/addr"
bg "$OUT" "$BB" httpd -f -p '[::]:80' -h "$WORK/www"
t_wait_for 10 in_ns "$OUT" curl -sf -m 2 'http://[::1]/cgi-bin/addr' > /dev/null || t_fail "outside web server did not start"
in_ns "$G" "$BB" ping -6 -c 1 -W 3 2001:db8:30::1 > /dev/null || t_fail "the guest cannot ping the outside over IPv6"
seen=$(in_ns "$G" curl -sf -m 5 'http://[2001:db8:30::1]/cgi-bin/addr') || t_fail "the guest cannot reach the outside over IPv6 TCP"
case $seen in *2001:db8:30::2*) ;; *) t_fail "the outside saw $seen, wanted the uplink's 2001:db8:30::2 (no IPv6 masquerade?)" ;; esac
# Not in: the outside has no way to a guest, even with a route.
in_ns "$OUT" ip -6 route add fd00:1ab:0:1::/64 via 2001:db8:30::2
if in_ns "$OUT" "$BB" ping -6 -c 1 -W 2 "$addr" > /dev/null 2>&1; then t_fail "the outside pinged a guest over IPv6"; fi
in_ns "$G" "$BB" ping -6 -c 1 -W 3 fd00:1ab:0:1::1 > /dev/null || t_fail "the guest cannot ping its gateway over IPv6"

# The port forward over IPv6: from the outside to the uplink's address,
# from the host itself; the guest sees the outside's own address.
mkdir -p "$WORK/www-g/cgi-bin"
cp "$WORK/www/cgi-bin/addr" "$WORK/www-g/cgi-bin/addr"
bg "$G" "$BB" httpd -f -p '[::]:80' -h "$WORK/www-g"
t_wait_for 10 in_ns "$G" curl -sf -m 2 'http://[::1]/cgi-bin/addr' > /dev/null || t_fail "the guest's web server did not start"
seen=$(in_ns "$OUT" curl -sf -m 5 'http://[2001:db8:30::2]:8080/cgi-bin/addr') || t_fail "the IPv6 port forward does not work from the outside"
case $seen in *2001:db8:30::1*) ;; *) t_fail "the guest saw the forwarded connection from $seen, wanted 2001:db8:30::1" ;; esac
in_ns "$HOST" curl -sf -m 5 'http://[2001:db8:30::2]:8080/cgi-bin/addr' > /dev/null || t_fail "the IPv6 port forward does not work from the host"
# And UDP: the guest's server answers with the address it saw.
bg "$G" socat UDP6-RECVFROM:53,fork SYSTEM:'echo "g6-udp $SOCAT_PEERADDR"'
udp6() { # up to three tries: UDP may lose a datagram on a loaded machine
	for _ in 1 2 3; do
		a=$(in_ns "$1" sh -c "echo ping | socat -t 3 - 'UDP6:[2001:db8:30::2]:5353'" 2>/dev/null) && [ -n "$a" ] && break
	done
	echo "$a"
}
t_wait_for 10 sh -c "ip netns exec $G sh -c \"echo x | socat -t 1 - 'UDP6:[::1]:53'\" | grep -q g6-udp" ||
	t_fail "the guest's UDP server did not start"
case $(udp6 "$OUT") in "g6-udp [2001:0db8:0030:0000:0000:0000:0000:0001]" | "g6-udp [2001:db8:30::1]") ;; *) t_fail "the IPv6 UDP forward from the outside: $(udp6 "$OUT")" ;; esac
case $(udp6 "$HOST") in "g6-udp "*) ;; *) t_fail "the IPv6 UDP forward from the host does not work" ;; esac

# The ruleset, read back with nft.
in_ns "$HOST" nft list table inet labinit > "$WORK/ruleset"
for want in 'ip6 saddr fd00:1ab:0:1::/64 ip6 daddr != fd00:1ab:0:1::/64 masquerade' \
	'iifname "virbr0" ip6 saddr fd00:1ab:0:1::/64 accept' 'icmpv6 type nd-router-solicit accept' \
	'fib daddr type local tcp dport 8080 dnat ip6 to [fd00:1ab:0:1:5054:ff:fe12:3456]:80'; do
	grep -qF "$want" "$WORK/ruleset" || t_error "the ruleset lacks \"$want\": $(cat "$WORK/ruleset")"
done
dhcpd_kill
in_ns "$HOST" "$LABINIT" down --config "$WORK/profile" > "$WORK/down.log" 2>&1 || t_fail "down failed: $(cat "$WORK/down.log")"
[ "$T_ERRORS" = 0 ] || exit 1
echo "ipv6 ok"
