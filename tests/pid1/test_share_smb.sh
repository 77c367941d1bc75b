#!/bin/bash
# The SMB share for guests without 9p: labinit as PID 1 with CONFIG_SHARE_SMB
# supervises smbd serving CONFIG_SHARE_DIR on the gateway address. A client
# on the bridge lists it, fetches a file and writes one back; from the
# uplink side nothing answers, even to a neighbour that routes the lab
# subnet through the host. The uplink's gateway (172.30.0.99) does not
# exist, so a DNS query for the host's own name, which smbd makes for each
# session, would wait out the resolver (about 20 s, smbclient's timeout):
# PID 1 lists its name in /etc/hosts instead.
source "$(dirname "$0")/../lib/pid1.sh" || exit 2
t_init
command -v smbd >/dev/null || t_skip "needs smbd (samba)"
command -v smbclient >/dev/null || t_skip "needs smbclient"
t_outside
hosts_before=$(cksum </etc/hosts)
share=$T_DIR/share
mkdir -p "$share"
echo "from-the-host" >"$share/hello.txt"
cfg=$T_DIR/smb.config
t_static_uplink smb 172.30.0.99 >"$cfg"
cat >>"$cfg" <<EOC
CONFIG_SHARE_DIR="$share"
CONFIG_SHARE_SMB=y
EOC
t_boot_with_uplink smb "$cfg"
t_wait_console 'service smbd: started' 10 || t_fail "smbd was not started"
t_console | grep -q '/etc/hosts: lab.lab and lab are 127.0.1.1' || t_fail "no /etc/hosts line on the console"
self=$(nsenter -t "$LPID" -m -u getent hosts lab) || t_fail "the host's own name 'lab' does not resolve in its namespace"
[ "$self" = "127.0.1.1       lab.lab lab" ] || t_fail "getent hosts lab: '$self', wanted 127.0.1.1 lab.lab lab"
[ "$(cksum </etc/hosts)" = "$hosts_before" ] || t_fail "the machine's /etc/hosts was written"
t_guest_ns smbc
ip -n "$T_GUEST" addr add 10.77.0.50/24 dev eth0
smb() { # NS HOST COMMANDS [SECONDS]
	ip netns exec "$1" timeout "${4:-20}" smbclient "//$2/debug" -N -m SMB3 -c "$3"
}
ok=
for _ in $(seq 50); do
	smb "$T_GUEST" 10.77.0.1 ls >"$T_DIR/ls.out" 2>&1 && ok=1 && break
	sleep 0.2
done
[ -n "$ok" ] || t_fail "smbclient on the bridge could not list the share: $(cat "$T_DIR/ls.out")"
grep -q 'hello.txt' "$T_DIR/ls.out" || t_fail "the listing lacks hello.txt: $(cat "$T_DIR/ls.out")"
(cd "$T_DIR" && smb "$T_GUEST" 10.77.0.1 "get hello.txt fetched.txt" >/dev/null 2>&1) ||
	t_fail "smbclient could not fetch hello.txt"
[ "$(cat "$T_DIR/fetched.txt")" = from-the-host ] || t_fail "the fetched file differs"
echo "from-a-guest" >"$T_DIR/up.txt"
(cd "$T_DIR" && smb "$T_GUEST" 10.77.0.1 "put up.txt guest.txt" >/dev/null 2>&1) || t_fail "smbclient could not write"
[ "$(cat "$share/guest.txt" 2>/dev/null)" = from-a-guest ] || t_fail "the guest's file did not reach the share"

# From the uplink side: no SMB server answers, neither at the uplink's
# address nor at the gateway's for a neighbour that routes the lab subnet
# through the host (smbd binds the gateway's address, not the bridge).
if smb "$T_OUT" 172.30.0.2 ls 6 >"$T_DIR/out.out" 2>&1; then
	t_fail "the share answered on the uplink"
fi
ip -n "$T_OUT" route add 10.77.0.0/24 via 172.30.0.2
if smb "$T_OUT" 10.77.0.1 ls 6 >"$T_DIR/out.out" 2>&1; then
	t_fail "the share answered an uplink neighbour that routes the lab subnet through the host"
fi
grep -q 'hello.txt' "$T_DIR/out.out" && t_fail "the uplink neighbour listed the share"
t_labctl status | grep -Eq '^smbd +running' || t_fail "labctl status: $(t_labctl status)"
kill -TERM "$LPID"
t_wait_end 30 || t_fail "the namespace did not end after SIGTERM"
t_pass
