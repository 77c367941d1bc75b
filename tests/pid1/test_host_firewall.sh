#!/bin/bash
# What the lab host answers, with real listeners: labinit as PID 1 runs
# three TCP services of its own (EXTRA_SERVICES, socat on every IPv4 and
# IPv6 address) and one UDP receiver, and the firewall lets each answer
# only where EXTRA_SERVICES_PORTS says: "closed" nowhere, "up" on the
# uplink, "lab" and the UDP receiver on the bridge. An uplink neighbour
# that routes the lab subnet through the host reaches only "up"; a guest
# reaches only "lab", over IPv4 and over the bridge's IPv6 link-local
# address; a guest that forges its source address is not heard.
source "$(dirname "$0")/../lib/pid1.sh" || exit 2
t_init
t_need socat
t_need busybox
t_outside
cfg=$T_DIR/fw.config
t_static_uplink fw >"$cfg"
lsn() { echo "$1=$(command -v socat) TCP6-LISTEN:$2,fork,reuseaddr EXEC:/bin/hostname"; }
cat >>"$cfg" <<EOC
CONFIG_BRIDGE_IPV6=y
CONFIG_EXTRA_SERVICES="$(lsn closed 2222); $(lsn up 2223); $(lsn lab 2224); udp=$(command -v socat) -u UDP4-RECV:7777 OPEN:$T_DIR/udp.log,creat,append"
CONFIG_EXTRA_SERVICES_PORTS="tcp:2223:uplink tcp:2224 udp:7777:bridge"
EOC
t_boot_with_uplink fw "$cfg"
t_wait_console 'nftables table inet labinit .*: ok' 10 || t_fail "no ruleset step"
t_wait_console 'service udp: started' 20 || t_fail "the extra services were not started"
t_guest_ns fw
ip -n "$T_GUEST" addr add 10.77.0.50/24 dev eth0
ip -n "$T_OUT" route add 10.77.0.0/24 via 172.30.0.2

# reach NS ADDRESS PORT: the listener's answer (its hostname), or nothing
# when the connection is refused or dropped (3 s).
reach() { ip netns exec "$1" timeout 3 socat -u "TCP:$2:$3,connect-timeout=2" - 2>/dev/null; }
opens() { [ "$(reach "$@")" = lab ] || t_fail "$1 cannot reach $2 port $3"; }
shut() { [ -z "$(reach "$@")" ] || t_fail "$1 reached $2 port $3"; }

for _ in $(seq 50); do [ "$(reach "$T_GUEST" 10.77.0.1 2224)" = lab ] && break; sleep 0.2; done
opens "$T_GUEST" 10.77.0.1 2224
shut "$T_GUEST" 10.77.0.1 2222
shut "$T_GUEST" 10.77.0.1 2223
opens "$T_OUT" 172.30.0.2 2223
for a in 172.30.0.2 10.77.0.1; do
	shut "$T_OUT" $a 2222
	shut "$T_OUT" $a 2224
done
ip netns exec "$T_OUT" ping -c 1 -W 2 10.77.0.1 >/dev/null 2>&1 && t_fail "the gateway answered a ping from the uplink"
ip netns exec "$T_GUEST" timeout 10 busybox nslookup lab 10.77.0.1 >"$T_DIR/dns.out" 2>&1
grep -q 'Address: 10.77.0.1' "$T_DIR/dns.out" || t_fail "DNS does not answer the guest: $(cat "$T_DIR/dns.out")"

# IPv6: the bridge's link-local address, once both ends are past DAD.
ll=
for _ in $(seq 50); do
	ll=$(nsenter -t "$LPID" -n ip -6 -o addr show dev virbr0 scope link | grep -v tentative | awk '{print $4}')
	[ -n "$ll" ] && [ -z "$(ip -n "$T_GUEST" -6 -o addr show dev eth0 tentative)" ] && break
	sleep 0.2
done
[ -n "$ll" ] || t_fail "virbr0 has no IPv6 link-local address"
ll=${ll%/*}
for _ in $(seq 20); do [ "$(reach "$T_GUEST" "[$ll%eth0]" 2224)" = lab ] && break; sleep 0.2; done
opens "$T_GUEST" "[$ll%eth0]" 2224
shut "$T_GUEST" "[$ll%eth0]" 2222
t_log "IPv6: a guest reaches [$ll]:2224 and not [$ll]:2222"

# A datagram from the guest's own address arrives; one that claims to come
# from elsewhere (a resolver on the uplink side) does not.
send() { echo "$1" | ip netns exec "$T_GUEST" socat -u - "UDP4-SENDTO:10.77.0.1:7777,bind=$2"; }
ip -n "$T_GUEST" addr add 172.30.0.1/32 dev eth0
send forged 172.30.0.1
send honest 10.77.0.50
for _ in $(seq 25); do grep -q honest "$T_DIR/udp.log" 2>/dev/null && break; sleep 0.2; done
grep -q honest "$T_DIR/udp.log" || t_fail "the guest's own datagram did not arrive"
grep -q forged "$T_DIR/udp.log" && t_fail "a datagram with a forged source arrived"
kill -TERM "$LPID"
t_wait_end 30 || t_fail "the namespace did not end after SIGTERM"
t_pass
