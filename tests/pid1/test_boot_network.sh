#!/bin/bash
# labinit as PID 1 brings the lab network up at boot, as `labinit up` does:
# virbr0 with its address, the nftables table, and the uplink's address from
# a supervised DHCP client talking to dnsmasq in an "outside" namespace.
# A guest on the bridge gets a lease from the supervised DHCP worker; the
# worker killed with SIGKILL is restarted by PID 1 and keeps every lease.
source "$(dirname "$0")/../lib/pid1.sh" || exit 2
t_init
command -v dnsmasq >/dev/null || t_skip "needs dnsmasq"
t_outside
OUT=$T_OUT
ip netns exec "$OUT" dnsmasq --no-daemon --conf-file=/dev/null --user=root --group=root --port=0 \
	--interface=eth0 --bind-interfaces --dhcp-authoritative --no-ping --log-dhcp \
	--log-facility="$T_DIR/dnsmasq.log" --dhcp-leasefile="$T_DIR/dnsmasq.leases" \
	--dhcp-range=172.30.0.100,172.30.0.150,2m --dhcp-option=option:router,172.30.0.1 \
	>"$T_DIR/dnsmasq.out" 2>&1 &

cfg=$T_DIR/boot.config
cat >"$cfg" <<EOC
CONFIG_PROFILE_NAME="bootnet"
CONFIG_HOSTNAME="labboot"
CONFIG_NAT_PORT_FORWARDS="tcp:2222:10.77.0.9:22"
CONFIG_DHCP_LEASE_FILE="/run/labinit/dhcpd/dhcp.leases"
EOC
cat >"$T_DIR/udhcpc.script" <<EOS
#!/bin/sh
echo "\$1 \$ip" >>"$T_DIR/udhcpc.log"
EOS
chmod +x "$T_DIR/udhcpc.script"

t_boot_with_uplink boot "$cfg"

t_wait_console 'bridge virbr0 .* 10.77.0.1/24 stp off fd[0-9a-f:]*::1/64: ok' 10 || t_fail "no bridge step"
t_wait_console 'nftables table inet labinit \(NAT, filter\): ok' 10 || t_fail "no ruleset step"
t_wait_console 'service uplink-dhcp: started' 10 || t_fail "the DHCP client was not started"
t_wait_console 'dhcpc eth0: 172\.30\.0\.1[0-9][0-9]/24 via 172\.30\.0\.1' 30 || t_fail "no uplink lease"
t_wait_console 'lab "bootnet" ready' 5 || t_fail "no ready line"
nsenter -t "$LPID" -n ip -4 addr show dev virbr0 | grep -q 'inet 10.77.0.1/24' || t_fail "virbr0 has no address"
nsenter -t "$LPID" -n nft list table inet labinit | grep -q 'dnat ip to 10.77.0.9:22' || t_fail "no port forward rule"
t_labctl status | grep -Eq '^uplink-dhcp +running' || t_fail "labctl status: $(t_labctl status)"

# A guest: a namespace whose veth peer joins virbr0 inside labinit's namespace.
t_guest_ns guest
GUEST=$T_GUEST
t_wait_console 'dhcpd: serving ' 20 || t_fail "the DHCP worker is not serving"
# The two parsers of DHCP from the networks are not root: the worker is
# CONFIG_SANDBOX_UID with no capabilities, the uplink's client the user
# after the guest slots' keeping CAP_NET_ADMIN (bit 12) alone.
status_of() { # PATTERN FIELD
	local p
	for p in $(nsenter -t "$LPID" -m -p sh -c 'for p in /proc/[0-9]*; do
			tr "\0" " " <$p/cmdline 2>/dev/null | grep -q -- "$0" && echo $p; done' "$1"); do
		nsenter -t "$LPID" -m -p awk -v f="$2:" '$1 == f { print $2; exit }' "$p/status" 2>/dev/null && return
	done
}
[ "$(status_of ' dhcpd ' Uid)" = 64600 ] || t_fail "the worker's uid: '$(status_of ' dhcpd ' Uid)'"
[ "$(status_of ' dhcpd ' CapEff)" = 0000000000000000 ] || t_fail "the worker's capabilities: $(status_of ' dhcpd ' CapEff)"
[ "$(status_of ' dhcpc ' Uid)" = $((64600 + T_GUEST_SLOTS + 1)) ] || t_fail "the uplink client's uid: '$(status_of ' dhcpc ' Uid)'"
[ "$(status_of ' dhcpc ' CapEff)" = 0000000000001000 ] || t_fail "the uplink client's capabilities: $(status_of ' dhcpc ' CapEff)"
[ "$(status_of ' dhcpc ' Seccomp)" = 2 ] || t_fail "the uplink client has no seccomp filter"
lease() { ip netns exec "$GUEST" busybox udhcpc -i eth0 -f -q -n -t 10 -T 1 -s "$T_DIR/udhcpc.script" "$@"; }
lease >/dev/null 2>&1 || t_fail "the guest got no lease: $(cat "$T_DIR/udhcpc.log" 2>/dev/null)"
ip=$(awk '$1 == "bound" { print $2 }' "$T_DIR/udhcpc.log" | tail -n 1)
case $ip in 10.77.0.*) ;; *) t_fail "guest lease '$ip' not in the lab subnet" ;; esac
t_labctl leases | grep -q " $ip/24 " || t_fail "labctl leases does not show $ip: $(t_labctl leases)"
t_labctl leases --json | grep -q "\"ip\": \"$ip/24\"" || t_fail "labctl leases --json: $(t_labctl leases --json)"
# A DHCPv6 binding beside the IPv4 file, as the worker writes it with
# CONFIG_LAB_DHCPV6 (tests/net/test_dhcpv6.sh): labctl lists it after them.
v6='2000000000 7 fd00:1ab:0:1::1234 vm6 00:03:00:01:52:54:00:aa:bb:cc'
nsenter -t "$LPID" -m sh -c 'echo "$0" > /run/labinit/dhcpd/dhcp.leases.v6' "$v6"
t_labctl leases | grep -Eq '^2033-05-18 03:33:20 +52:54:00:aa:bb:cc +ipv6 +fd00:1ab:0:1::1234/64 +vm6 +00:03:00:01:52:54:00:aa:bb:cc iaid 7$' ||
	t_fail "labctl leases does not show the DHCPv6 binding: $(t_labctl leases)"
t_labctl leases --json | jq -e '.[] | select(.protocol == "ipv6" and .ip == "fd00:1ab:0:1::1234/64" and .iaid == 7 and
	.hostname == "vm6" and .mac == "52:54:00:aa:bb:cc" and .client_id == "00:03:00:01:52:54:00:aa:bb:cc")' > /dev/null ||
	t_fail "labctl leases --json: $(t_labctl leases --json)"

# SIGKILL the worker: PID 1 restarts it, and the lease is still there.
wpid=$(t_labctl status | awk '$1 == "dhcpd" { print $3 }')
[ -n "$wpid" ] && [ "$wpid" != - ] || t_fail "no dhcpd pid in labctl status"
nsenter -t "$LPID" -p kill -KILL "$wpid"
t_wait_console 'service dhcpd: killed by signal 9' 20 || t_fail "the worker's death was not noticed"
t_wait_count 'service dhcpd: started' 2 20 "$CONSOLE" || t_fail "the worker was not restarted"
t_wait_console 'dhcpd: 1 lease from /run/labinit/dhcpd/dhcp.leases' 20 || t_fail "the restarted worker did not reload the lease"
t_labctl leases | grep -q " $ip/24 " || t_fail "the lease is gone after the restart"
t_wait_count 'dhcpd: serving ' 2 20 "$CONSOLE" || t_fail "the restarted worker is not serving"
: >"$T_DIR/udhcpc.log"
lease -r "$ip" >/dev/null 2>&1 || t_fail "the guest could not get its address back"
grep -q "bound $ip" "$T_DIR/udhcpc.log" || t_fail "the guest got another address: $(cat "$T_DIR/udhcpc.log")"

kill -TERM "$LPID"
t_wait_end 30 || t_fail "the namespace did not end after SIGTERM"
[ "$T_RC" = 129 ] || t_fail "unshare status $T_RC, wanted 129 (reboot)"
# dnsmasq (outside) may log the packet a moment after the namespace ended
t_wait_console 'DHCPRELEASE' 10 "$T_DIR/dnsmasq.log" || t_fail "the client did not release its lease at shutdown"
t_pass
