#!/bin/sh
# labinit capture on one end of a veth between two namespaces, read back
# with tcpdump -r (a test-only tool: the image has no tcpdump):
#  - a DHCP exchange (dnsmasq serving, busybox udhcpc asking), captured on
#    the server's end until SIGTERM: both directions are in the file
#    (DISCOVER and REQUEST in, OFFER and ACK out), the file is complete,
#    owned by the unprivileged user, mode 0644, and its records are the
#    count the summary line gives;
#  - --count N: exactly N records, and the capture ends by itself;
#  - --seconds S: it ends by itself, with a file tcpdump reads;
#  - a VLAN tag the kernel took out of a frame is put back;
#  - an old FILE is replaced, not written through (a hard link); a symlink
#    at FILE is refused;
#  - a bad argument exits 2 naming it, an unknown interface 1 saying so.
. "$(dirname "$0")/../lib/net.sh"
t_need dnsmasq "the DHCP server of the exchange"
t_need udhcpc "the DHCP client of the exchange"
t_need tcpdump "reads the capture (make deps)"
[ -x "$LABINIT" ] || t_fail "$LABINIT missing: run make all (or set LABINIT)"
CAPUID=64998
CAPGID=64997

SRV=$(t_netns_add cs)
CLI=$(t_netns_add cc)
ip link add "cs$$" netns "$SRV" type veth peer name "cc$$" netns "$CLI"
for n in "$SRV:cs$$" "$CLI:cc$$"; do
	ip -n "${n%%:*}" link set "${n#*:}" name eth0
	# No IPv6 chatter (DAD, MLD, router solicitations) in the counts.
	in_ns "${n%%:*}" sysctl -qw net.ipv6.conf.eth0.disable_ipv6=1
	ip -n "${n%%:*}" link set eth0 up
done
ip -n "$SRV" addr add 10.88.0.1/24 dev eth0

# capture_start NAME ARGS...: labinit capture on the server's eth0 into
# $WORK/NAME.pcap, in the background (ip netns exec execs it: $CAP is its
# pid); returns once the file header is there (the socket is bound).
capture_start() {
	f=$WORK/$1.pcap
	shift
	ip netns exec "$SRV" "$LABINIT" capture eth0 "$f" --user "$CAPUID:$CAPGID" "$@" > "$WORK/$(basename "$f" .pcap).log" 2>&1 &
	CAP=$!
	t_track "$CAP"
	t_wait_for 10 sh -c "[ \$(stat -c %s '$f' 2> /dev/null || echo 0) -ge 24 ]" ||
		{ cat "$WORK/$(basename "$f" .pcap).log"; t_fail "capture $f did not start"; }
}

# records NAME: the records tcpdump read (one line each, starting with the
# time; an unknown protocol's hex dump follows on lines of its own).
records() { grep -c '^[0-9][0-9]:[0-9][0-9]:' "$WORK/$1.txt"; }

# capture_end NAME: waits for the capture to exit 0 and checks its summary.
capture_end() {
	wait "$CAP" || { cat "$WORK/$1.log"; t_fail "capture $1 exited $?"; }
	t_untrack "$CAP"
	cat "$WORK/$1.log"
	grep -Eq "^capture eth0: [0-9]+ packets \(0 dropped by the kernel\) in [0-9]+\.[0-9] s -> $WORK/$1.pcap$" "$WORK/$1.log" ||
		t_fail "capture $1: no summary line"
	tcpdump -r "$WORK/$1.pcap" -n > "$WORK/$1.txt" 2> "$WORK/$1.err" ||
		{ cat "$WORK/$1.err"; t_fail "tcpdump cannot read $1.pcap"; }
	grep -q "link-type EN10MB (Ethernet)" "$WORK/$1.err" || t_fail "$1.pcap: not Ethernet: $(cat "$WORK/$1.err")"
	n=$(sed -n 's/^capture eth0: \([0-9]*\) packets.*/\1/p' "$WORK/$1.log")
	[ "$(records "$1")" = "$n" ] || t_fail "$1.pcap: $(records "$1") records, the summary says $n"
}

# ---- a DHCP exchange, stopped by SIGTERM ------------------------------------
bg "$SRV" dnsmasq --no-daemon --conf-file=/dev/null --user=root --group=root --port=0 \
	--interface=eth0 --bind-interfaces --dhcp-authoritative --no-ping --log-dhcp \
	--log-facility="$WORK/dnsmasq.log" --dhcp-leasefile="$WORK/dnsmasq.leases" --pid-file="$WORK/dnsmasq.pid" \
	--dhcp-range=10.88.0.100,10.88.0.150,255.255.255.0,2m
# --no-daemon writes no pid file: its log says when it serves.
t_wait_for 10 grep -q "sockets bound exclusively to interface eth0" "$WORK/dnsmasq.log" || t_fail "dnsmasq did not start: $(cat "$WORK/dnsmasq.log")"
capture_start dhcp --seconds 120
# The client's script does nothing: no address, no /etc/resolv.conf.
printf '#!/bin/sh\nexit 0\n' > "$WORK/udhcpc.sh"
chmod +x "$WORK/udhcpc.sh"
in_ns "$CLI" timeout 30 udhcpc -f -q -n -i eth0 -s "$WORK/udhcpc.sh" -t 5 -T 1 > "$WORK/udhcpc.log" 2>&1 ||
	{ cat "$WORK/udhcpc.log" "$WORK/dnsmasq.log"; t_fail "udhcpc got no lease"; }
grep -q "DHCPACK(eth0)" "$WORK/dnsmasq.log" || t_fail "dnsmasq logged no ACK"
t_pid_running "$CAP" || t_fail "the capture ended before its SIGTERM"
kill -TERM "$CAP"
capture_end dhcp
tcpdump -r "$WORK/dhcp.pcap" -n -v port 67 > "$WORK/dhcp-v.txt" 2> /dev/null
for m in Discover Offer Request ACK; do
	grep -Eq "DHCP-Message \(53\), length 1: $m" "$WORK/dhcp-v.txt" ||
		{ cat "$WORK/dhcp-v.txt"; t_fail "no DHCP $m in the capture"; }
done
# Both directions: the client's broadcasts in, the server's answers out.
grep -Eq '0\.0\.0\.0\.68 > 255\.255\.255\.255\.67' "$WORK/dhcp.txt" || t_fail "no client frame (incoming)"
grep -Eq '10\.88\.0\.1\.67 > ' "$WORK/dhcp.txt" || t_fail "no server frame (outgoing)"
[ "$(stat -c '%u:%g %a' "$WORK/dhcp.pcap")" = "$CAPUID:$CAPGID 644" ] ||
	t_fail "dhcp.pcap is $(stat -c '%u:%g %a' "$WORK/dhcp.pcap"), want $CAPUID:$CAPGID 644"

# ---- --count: exactly N records, and the capture ends by itself --------------
ip -n "$CLI" addr add 10.88.0.2/24 dev eth0
capture_start count --count 3 --seconds 60
in_ns "$CLI" timeout 20 "$BB" ping -c 10 -i 0.2 10.88.0.1 > /dev/null 2>&1 || true
capture_gone() { ! t_pid_running "$CAP"; }
t_wait_for 10 capture_gone || t_fail "--count 3: the capture still runs after 10 pings"
capture_end count
[ "$(records count)" = 3 ] || { cat "$WORK/count.txt"; t_fail "--count 3 wrote $(records count) records"; }
grep -q '^capture eth0: 3 packets' "$WORK/count.log" || t_fail "--count 3: the summary does not say 3"

# ---- --seconds: ends by itself; a VLAN tag is put back ----------------------
# The tagged frame is sent raw from the client: the receiving side moves the
# tag into the packet's metadata (skb_vlan_untag), where capture reads it
# from PACKET_AUXDATA. python3 sends it (no VLAN module needed).
start=$(t_now_ms)
capture_start seconds --seconds 2
in_ns "$CLI" timeout 20 "$BB" ping -c 3 -i 0.2 10.88.0.1 > /dev/null 2>&1 || true
vlan=0
if command -v python3 > /dev/null 2>&1; then
	in_ns "$CLI" python3 -c '
import socket
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("eth0", 0))
s.send(bytes.fromhex("ffffffffffff020000000001" "81002005" "88b5") + b"labinit-vlan-test".ljust(46, b"\0"))' ||
		t_fail "python3 could not send the tagged frame"
	vlan=1
fi
capture_end seconds
el=$(($(t_now_ms) - start))
[ "$el" -ge 1900 ] && [ "$el" -lt 10000 ] || t_fail "--seconds 2 took $el ms"
grep -q "ICMP echo request" "$WORK/seconds.txt" || t_fail "no ping in the --seconds capture"
if [ $vlan = 1 ]; then
	tcpdump -r "$WORK/seconds.pcap" -n -e 2> /dev/null | grep -q 'ethertype 802.1Q (0x8100), length 64: vlan 5, p 1, ethertype Unknown (0x88b5)' ||
		{ tcpdump -r "$WORK/seconds.pcap" -n -e; t_fail "the VLAN tag is not in the capture"; }
else
	echo "no python3: the VLAN tag is not checked"
fi

# ---- FILE: an old one replaced, never written through; a symlink refused -----
echo keep > "$WORK/other"
ln "$WORK/other" "$WORK/hard.pcap"
capture_start hard --count 1 --seconds 1
wait "$CAP" || true
t_untrack "$CAP"
[ "$(cat "$WORK/other")" = keep ] || t_fail "the capture wrote through a hard link"
[ "$(stat -c %u "$WORK/hard.pcap")" = "$CAPUID" ] || t_fail "hard.pcap is not a new file"
ln -s "$WORK/other" "$WORK/link.pcap"
rc=0
in_ns "$SRV" "$LABINIT" capture eth0 "$WORK/link.pcap" --seconds 1 > "$WORK/link.log" 2>&1 || rc=$?
[ "$rc" = 1 ] && grep -q 'not a regular file' "$WORK/link.log" || t_fail "a symlink at FILE: exit $rc, $(cat "$WORK/link.log")"
[ "$(cat "$WORK/other")" = keep ] && [ -L "$WORK/link.pcap" ] || t_fail "the capture followed or removed a symlink"

# ---- refusals -----------------------------------------------------------------
refuse() { # STATUS TEXT ARGS...: labinit capture ARGS exits STATUS saying TEXT
	want=$1 text=$2
	shift 2
	rc=0
	in_ns "$SRV" "$LABINIT" capture "$@" > "$WORK/refuse.log" 2>&1 || rc=$?
	[ "$rc" = "$want" ] || t_fail "capture $*: exit $rc, want $want: $(cat "$WORK/refuse.log")"
	grep -qF -- "$text" "$WORK/refuse.log" || t_fail "capture $*: no \"$text\" in: $(cat "$WORK/refuse.log")"
}
refuse 2 '--count "0"' eth0 "$WORK/x.pcap" --count 0
refuse 2 '--seconds "1x"' eth0 "$WORK/x.pcap" --seconds 1x
refuse 2 '--snaplen "999999"' eth0 "$WORK/x.pcap" --snaplen 999999
refuse 2 'option "--bogus"' eth0 "$WORK/x.pcap" --bogus 1
refuse 2 'FILE missing' eth0
refuse 1 'no interface "nosuch0"' nosuch0 "$WORK/x.pcap"
[ ! -e "$WORK/x.pcap" ] || t_fail "a refused capture left a file"
echo "capture ok"
