#!/bin/sh
# labinit dhcpd against the real clients — busybox udhcpc, ISC dhclient,
# dhcpcd — each in its own guest namespace on virbr0, side by side: a lease
# from the range with the lab's options (mask, router, DNS, domain, lease
# time, MTU when asked for), the lease file line in dnsmasq's format, a
# renewal forced by the client (udhcpc SIGUSR1: RENEWING; dhclient run again:
# INIT-REBOOT; dhcpcd -n: INIT-REBOOT) and the one at T1 (30 s), each keeping
# the address, and a release that takes the line out of the lease file. A
# guest whose MAC the profile reserves gets its fixed address and its name
# (option 12). A client on the uplink side gets no offer. A client whose
# INIT-REBOOT names an address other than its binding ends with one binding.
# Each client's script only logs its environment (and udhcpc's and
# dhclient's set the address in their own namespace); dhcpcd runs in a
# private mount namespace where /run and /var/lib/dhcpcd are directories of
# $WORK, since it has no option to keep its pid file, control socket, DUID
# and lease files elsewhere.
. "$(dirname "$0")/../lib/net.sh"
. "$(dirname "$0")/../lib/dhcpd.sh"
for c in udhcpc dhclient dhcpcd unshare nsenter; do
	command -v $c > /dev/null || { echo "needs $c"; exit 77; }
done

RES_MAC=52:54:00:aa:bb:01
RES_IP=10.77.0.40
make_guest_files
dhcpd_profile 'CONFIG_DNS_DOMAIN="lab"' 'CONFIG_DHCP_LEASE_TIME=60' 'CONFIG_LAB_MTU=1400' \
	'CONFIG_GUEST1=y' 'CONFIG_GUEST1_NAME="fixed1"' 'CONFIG_GUEST1_KERNEL="guests/demo/vmlinux"' \
	"CONFIG_GUEST1_MAC=\"$RES_MAC\"" "CONFIG_GUEST1_IP=\"$RES_IP\""
dhcpd_lab
dhcpd_start

# opt KIND EVFILE FIELD: an option as the client reported it to its script.
opt() {
	case $1.$3 in
	udhcpc.ip) v=ip ;; udhcpc.mask) v=subnet ;; udhcpc.router) v=router ;; udhcpc.dns) v=dns ;;
	udhcpc.domain) v=domain ;; udhcpc.lease) v=lease ;; udhcpc.mtu) v=mtu ;; udhcpc.hostname) v=hostname ;;
	*.ip) v=new_ip_address ;; *.mask) v=new_subnet_mask ;; *.router) v=new_routers ;;
	*.dns) v=new_domain_name_servers ;; *.domain) v=new_domain_name ;; *.lease) v=new_dhcp_lease_time ;;
	*.mtu) v=new_interface_mtu ;; *.hostname) v=new_host_name ;;
	esac
	ev_get "$2" $v
}

# check_options NAME KIND EVFILE: the lab's options, the address in the range.
check_options() {
	[ -n "$3" ] || t_fail "$1: no lease event"
	ip=$(opt "$2" "$3" ip)
	case $ip in
	10.77.0.*) o=${ip#10.77.0.}; [ "$o" -ge 2 ] && [ "$o" -le 254 ] || t_fail "$1: address $ip outside the range" ;;
	*) t_fail "$1: address '$ip' outside the range" ;;
	esac
	for f in mask:255.255.255.0 router:10.77.0.1 dns:10.77.0.1 domain:lab lease:60 mtu:1400; do
		got=$(opt "$2" "$3" "${f%%:*}")
		[ "$got" = "${f#*:}" ] || t_fail "$1: option ${f%%:*} is '$got', wanted '${f#*:}' ($(basename "$3"))"
	done
}

# check_lease NAME IP MAC HOSTNAME CLIENT-ID-REGEX: the lease file's line
# for IP is "EXPIRY MAC IP HOSTNAME CLIENT-ID", expiring in about 60 s.
lease_has() { [ -n "$(lease_line "$1")" ]; }
check_lease() {
	# a change the journal took reaches the lease file once the server is quiet
	t_wait_for 3 lease_has "$2" || true
	leases_wellformed "$LEASES" || t_fail "$1: malformed lease file"
	line=$(lease_line "$2")
	[ -n "$line" ] || { cat "$LEASES"; t_fail "$1: no line for $2 in the lease file"; }
	[ "$(printf '%s\n' "$line" | wc -l)" = 1 ] || t_fail "$1: $2 is in the lease file more than once"
	set -f # the '*' fields
	set -- "$1" "$2" "$3" "$4" "$5" $line
	set +f
	[ "$7" = "$3" ] || t_fail "$1: lease line '$line': MAC is not $3"
	[ "$9" = "$4" ] || t_fail "$1: lease line '$line': host name is not $4"
	printf '%s\n' "${10}" | grep -qxE "$5" || t_fail "$1: lease line '$line': client id does not match $5"
	left=$(($6 - $(date +%s)))
	[ $left -ge 30 ] && [ $left -le 61 ] || t_fail "$1: lease line '$line' expires in $left s, wanted about 60"
}

# lease_expiry IP: the expiry the lease file holds for IP.
lease_expiry() { lease_line "$1" | awk '{ print $1 }'; }
lease_gone() { [ -z "$(lease_line "$1")" ]; }
acks_for() { grep -c "ACK $1\b" "$DHCPD_LOG" || true; }

# ---- the three clients, started together -----------------------------------
GU=$(dhcp_guest cu)
GD=$(dhcp_guest cd)
GP=$(dhcp_guest cp)
MU=$(mac_of "$GU")
MD=$(mac_of "$GD")
MP=$(mac_of "$GP")
EU=$(ev_dir udhcpc)
ED=$(ev_dir dhclient)
EP=$(ev_dir dhcpcd)

# Background processes whose pid is needed start with ip netns exec itself,
# which execs them (in_ns & would give the pid of a subshell).
# udhcpc: asks for the MTU, sends a host name; -R releases on exit.
ip netns exec "$GU" env EV="$EU" CONFIGURE=1 udhcpc -f -R -i eth0 -s "$WORK/client-script.sh" -t 5 -T 2 -A 2 \
	-O mtu -x hostname:ucli > "$WORK/udhcpc.log" 2>&1 &
UPID=$!
t_track "$UPID"

# dhclient: its own configuration, lease, pid and DUID files; -1: one try,
# then it backgrounds itself once bound.
cat > "$WORK/dhclient.conf" <<EOC
timeout 20;
send host-name "dcli";
request subnet-mask, broadcast-address, routers, domain-name, domain-name-servers, host-name, interface-mtu;
EOC
dhclient_run() { # [OPTIONS]: dhclient in its guest namespace with its private files
	in_ns "$GD" dhclient -4 -v "$@" -cf "$WORK/dhclient.conf" -lf "$WORK/dhclient.leases" -pf "$WORK/dhclient.pid" \
		-df "$WORK/dhclient.duid" -sf "$WORK/client-script.sh" -e EV="$ED" -e CONFIGURE=1 eth0 >> "$WORK/dhclient.log" 2>&1
}
dhclient_run -1 &
DHC_START=$!

# dhcpcd: IPv4 only, no ARP probe (speed), a DUID client id (RFC 4361).
mkdir -p "$WORK/dhcpcd/run" "$WORK/dhcpcd/db"
cat > "$WORK/dhcpcd.conf" <<EOC
ipv4only
noarp
noipv4ll
duid ll
hostname dcpcli
option subnet_mask, routers, domain_name_servers, domain_name, host_name, interface_mtu
env EV=$EP
EOC
ip netns exec "$GP" unshare -m --propagation private sh -c 'mount --bind "$1/run" /run && mount --bind "$1/db" /var/lib/dhcpcd &&
	exec dhcpcd -B -d -f "$1.conf" -c "$2" eth0' sh "$WORK/dhcpcd" "$WORK/client-script.sh" > "$WORK/dhcpcd.log" 2>&1 &
DPID=$!
t_track "$DPID"
dhcpcd_ctl() { nsenter -t "$DPID" -m -n dhcpcd "$@" >> "$WORK/dhcpcd-ctl.log" 2>&1; }

wait "$DHC_START" || { cat "$WORK/dhclient.log"; t_fail "dhclient got no lease"; }
ev_wait "$EU" bound 1 20 || { cat "$WORK/udhcpc.log" "$DHCPD_LOG"; t_fail "udhcpc got no lease"; }
ev_wait "$EP" BOUND 1 20 || { cat "$WORK/dhcpcd.log"; t_fail "dhcpcd got no lease"; }

check_options udhcpc udhcpc "$(ev_last "$EU" bound)"
check_options dhclient dhclient "$(ev_last "$ED" BOUND)"
check_options dhcpcd dhcpcd "$(ev_last "$EP" BOUND)"
IU=$(opt udhcpc "$(ev_last "$EU" bound)" ip)
ID=$(opt dhclient "$(ev_last "$ED" BOUND)" ip)
IP_=$(opt dhcpcd "$(ev_last "$EP" BOUND)" ip)
[ "$IU" != "$ID" ] && [ "$IU" != "$IP_" ] && [ "$ID" != "$IP_" ] || t_fail "two clients got one address: $IU $ID $IP_"
for a in "$IU" "$ID" "$IP_"; do [ "$a" != "$RES_IP" ] || t_fail "a client got the reserved address $RES_IP"; done
# The address is on the client's interface (set by the script or dhcpcd).
[ "$(addr_of "$GU")" = "$IU" ] || t_fail "udhcpc: eth0 has '$(addr_of "$GU")', not $IU"
[ "$(addr_of "$GD")" = "$ID" ] || t_fail "dhclient: eth0 has '$(addr_of "$GD")', not $ID"
t_wait_for 5 sh -c "[ \"\$(ip -n $GP -j -4 addr show dev eth0 | jq -r '.[0].addr_info[0].local')\" = $IP_ ]" ||
	t_fail "dhcpcd: eth0 has '$(addr_of "$GP")', not $IP_"
# udhcpc sends 01+MAC as its client id, dhclient none, dhcpcd a DUID-LL id.
check_lease udhcpc "$IU" "$MU" ucli "01:$MU"
check_lease dhclient "$ID" "$MD" dcli '\*'
check_lease dhcpcd "$IP_" "$MP" dcpcli "ff(:[0-9a-f]{2}){4}:00:03:00:01:$MP"
in_ns "$GU" "$BB" ping -c 1 -W 3 10.77.0.1 > /dev/null || t_fail "udhcpc's guest cannot reach the gateway"

# ---- renewal the client asks for: the same address, a later expiry ---------
sleep 1.1
EXU=$(lease_expiry "$IU") EXD=$(lease_expiry "$ID") EXP=$(lease_expiry "$IP_")
kill -USR1 "$UPID"
ev_wait "$EU" renew 1 10 || { cat "$WORK/udhcpc.log"; t_fail "udhcpc: no renewal after SIGUSR1"; }
[ "$(opt udhcpc "$(ev_last "$EU" renew)" ip)" = "$IU" ] || t_fail "udhcpc renewed to another address"
check_options udhcpc udhcpc "$(ev_last "$EU" renew)"
# dhclient again with its lease file: INIT-REBOOT (REQUEST, requested IP).
dhclient_run -x || t_fail "dhclient -x failed"
dhclient_run -1 || { cat "$WORK/dhclient.log"; t_fail "dhclient run again got no lease"; }
ev_wait "$ED" REBOOT 1 5 || { ls "$ED"; t_fail "dhclient run again did not confirm its lease (no REBOOT)"; }
[ "$(opt dhclient "$(ev_last "$ED" REBOOT)" ip)" = "$ID" ] || t_fail "dhclient rebooted to another address"
dhcpcd_ctl -n eth0 || { cat "$WORK/dhcpcd-ctl.log"; t_fail "dhcpcd -n failed"; }
ev_wait "$EP" 'REBOOT|RENEW|REBIND|BOUND' 2 10 || { ls "$EP"; t_fail "dhcpcd: no new lease after -n"; }
[ "$(opt dhcpcd "$(ev_last "$EP" 'REBOOT|RENEW|REBIND|BOUND')" ip)" = "$IP_" ] || t_fail "dhcpcd rebound to another address"
for c in "udhcpc $IU $EXU" "dhclient $ID $EXD" "dhcpcd $IP_ $EXP"; do
	set -- $c
	t_wait_for 3 sh -c "[ \"\$(awk -v ip=$2 '\$3 == ip { print \$1 }' '$LEASES')\" -gt $3 ]" ||
		t_fail "$1: lease file expiry for $2 did not move after the renewal ($(lease_line "$2"))"
done
[ "$(acks_for "$IU")" -ge 2 ] || t_fail "udhcpc: the worker logged no second ACK for $IU"

# ---- the reservation: fixed address and the guest's name, whatever is asked --
GR=$(dhcp_guest cr "$RES_MAC")
ER=$(ev_dir reserved)
in_ns "$GR" env EV="$ER" udhcpc -f -q -n -i eth0 -s "$WORK/client-script.sh" -t 5 -T 2 -r 10.77.0.77 \
	-x hostname:other > "$WORK/udhcpc-res.log" 2>&1 || { cat "$WORK/udhcpc-res.log"; t_fail "reserved guest got no lease"; }
f=$(ev_last "$ER" bound)
[ "$(opt udhcpc "$f" ip)" = "$RES_IP" ] || t_fail "reserved guest got $(opt udhcpc "$f" ip), not $RES_IP"
[ "$(opt udhcpc "$f" hostname)" = fixed1 ] || t_fail "reserved guest's option 12 is '$(opt udhcpc "$f" hostname)', not fixed1"
[ -z "$(opt udhcpc "$f" mtu)" ] || t_fail "MTU sent to a client that did not ask for it"
check_lease reserved "$RES_IP" "$RES_MAC" fixed1 "01:$RES_MAC"

# ---- nothing answers DHCP on the uplink ------------------------------------
EO=$(ev_dir outside)
MO=$(mac_of "$OUT")
if in_ns "$OUT" env EV="$EO" udhcpc -f -q -n -i eth0 -s "$WORK/client-script.sh" -t 3 -T 1 \
	> "$WORK/udhcpc-out.log" 2>&1; then
	t_fail "a client on the uplink got a lease: $(cat "$WORK/udhcpc-out.log")"
fi
[ "$(ev_count "$EO" bound)" = 0 ] || t_fail "a client on the uplink was bound"
grep -qi "$MO" "$DHCPD_LOG" && t_fail "the worker answered the uplink's $MO: $(grep -i "$MO" "$DHCPD_LOG")"

# ---- renewal at T1 = 30 s, by the clients' own timers -----------------------
ev_wait "$EU" renew 2 40 || { cat "$WORK/udhcpc.log"; t_fail "udhcpc did not renew at T1"; }
[ "$(opt udhcpc "$(ev_last "$EU" renew)" ip)" = "$IU" ] || t_fail "udhcpc renewed at T1 to another address"
ev_wait "$ED" RENEW 1 10 || { ls "$ED"; t_fail "dhclient did not renew at T1"; }
[ "$(opt dhclient "$(ev_last "$ED" RENEW)" ip)" = "$ID" ] || t_fail "dhclient renewed at T1 to another address"
# (dhcpcd -n above was logged as a RENEW too)
ev_wait "$EP" RENEW 2 10 || { ls "$EP"; t_fail "dhcpcd did not renew at T1"; }
[ "$(opt dhcpcd "$(ev_last "$EP" RENEW)" ip)" = "$IP_" ] || t_fail "dhcpcd renewed at T1 to another address"
check_lease udhcpc "$IU" "$MU" ucli "01:$MU"
check_lease dhclient "$ID" "$MD" dcli '\*'
check_lease dhcpcd "$IP_" "$MP" dcpcli "ff(:[0-9a-f]{2}){4}:00:03:00:01:$MP"

# ---- one binding per client ------------------------------------------------
# dhclient's lease file names a free address other than the one the server
# bound to it (a guest moved between labs, an old lease file): whether the
# server NAKs (RFC 2131 §4.3.2) or moves the client, the client ends with one
# address and the lease file with one line for its MAC, which its release
# removes.
for FREE in 10.77.0.250 10.77.0.251 10.77.0.252; do
	[ -z "$(lease_line "$FREE")" ] && break
done
dhclient_run -x || t_fail "dhclient -x failed"
sed -i "s/fixed-address $ID;/fixed-address $FREE;/" "$WORK/dhclient.leases"
dhclient_run -1 || { cat "$WORK/dhclient.log"; t_fail "dhclient with $FREE in its lease file got no lease"; }
f=$(ev_last "$ED" 'BOUND|REBOOT')
ID=$(opt dhclient "$f" ip)
t_wait_for 3 sh -c "[ \"\$(awk -v m=$MD '\$2 == m' '$LEASES' | wc -l)\" = 1 ] && [ \"\$(awk -v m=$MD '\$2 == m { print \$3 }' '$LEASES')\" = $ID ]" ||
	[ "$(awk -v m="$MD" '$2 == m' "$LEASES" | wc -l)" = 1 ] ||
	t_fail "after an INIT-REBOOT for $FREE, dhclient ($MD, now on $ID) has $(awk -v m="$MD" '$2 == m' "$LEASES" | wc -l) lines in the lease file: $(awk -v m="$MD" '$2 == m { printf "%s; ", $0 }' "$LEASES")"
[ "$(awk -v m="$MD" '$2 == m { print $3 }' "$LEASES")" = "$ID" ] || t_fail "dhclient is on $ID, the lease file says $(awk -v m="$MD" '$2 == m' "$LEASES")"

# ---- release: the line leaves the lease file ---------------------------------
kill -TERM "$UPID"
wait "$UPID" 2> /dev/null || true
t_untrack "$UPID"
t_wait_for 5 lease_gone "$IU" || t_fail "udhcpc -R: $IU still in the lease file after its release"
dhclient_run -r || t_fail "dhclient -r failed"
t_wait_for 5 lease_gone "$ID" || t_fail "dhclient -r: $ID still in the lease file"
[ -z "$(awk -v m="$MD" '$2 == m' "$LEASES")" ] || t_fail "dhclient -r: a line for its MAC $MD is left: $(awk -v m="$MD" '$2 == m' "$LEASES")"
dhcpcd_ctl -k eth0 || { cat "$WORK/dhcpcd-ctl.log"; t_fail "dhcpcd -k failed"; }
t_wait_for 5 lease_gone "$IP_" || t_fail "dhcpcd -k: $IP_ still in the lease file"
# With no interface left, dhcpcd exits (a zombie until reaped).
t_wait_for 5 sh -c "[ ! -e /proc/$DPID ] || grep -q ') Z ' /proc/$DPID/stat" && { wait "$DPID" 2> /dev/null || true; t_untrack "$DPID"; }
for a in "$IU" "$ID" "$IP_"; do grep -q "RELEASE $a\b" "$DHCPD_LOG" || t_fail "the worker logged no RELEASE of $a"; done
[ -n "$(lease_line "$RES_IP")" ] || t_fail "the reserved guest's lease went with the others"
leases_wellformed "$LEASES" || t_fail "malformed lease file at the end"
alive "$DHCPD_PID" || t_fail "the worker died"
echo "dhcpd clients ok"
