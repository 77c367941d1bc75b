#!/bin/sh
# The lab's DNS server, `labinit dns`, in the lab host namespace of a lab
# that `labinit up` built, with dnsmasq in the outside namespace as the
# upstream resolver (the static uplink's UPLINK_DNS). A guest namespace on
# the bridge asks with busybox nslookup over UDP, and with hand-built
# length-prefixed queries through busybox nc over TCP:
#  - a profile guest's name, alone and under the lab domain, its PTR, the
#    gateway's names; AAAA of a lab name, MX (no data); unknown lab names and
#    unknown lab addresses (NXDOMAIN, never forwarded);
#  - an outside name, answered by dnsmasq through the forwarder, over UDP
#    and TCP; a TCP query whose UDP answer upstream is truncated, retried
#    over TCP upstream;
#  - hostile TCP input closes that connection only;
#  - nothing answers on the uplink side, even with a route to the lab;
#  - with dnsmasq gone, an outside name gets SERVFAIL, lab names still work;
#  - SIGTERM ends the server with its counters logged.
. "$(dirname "$0")/../lib/net.sh"
command -v dnsmasq > /dev/null || { echo "needs dnsmasq"; exit 77; }
[ -n "$BB" ] || { echo "needs busybox"; exit 77; }
make_host_and_outside
make_guest_files
cat > "$WORK/profile" <<EOC
CONFIG_PROFILE_NAME="dns"
CONFIG_HOSTNAME="labhost"
CONFIG_FILES_DIR="$WORK/files"
# CONFIG_UPLINK_DHCP is not set
CONFIG_UPLINK_STATIC=y
CONFIG_UPLINK_ADDRESS="172.30.0.2/24"
CONFIG_UPLINK_GATEWAY="172.30.0.1"
CONFIG_UPLINK_DNS="172.30.0.1"
CONFIG_GUEST1=y
CONFIG_GUEST1_KERNEL="guests/demo/vmlinux"
CONFIG_GUEST1_INITRD="guests/demo/initramfs.cpio.gz"
CONFIG_GUEST1_IP="10.77.0.11"
CONFIG_GUEST2=y
CONFIG_GUEST2_KERNEL="guests/demo/vmlinux"
CONFIG_GUEST2_INITRD="guests/demo/initramfs.cpio.gz"
EOC
in_ns "$HOST" "$LABINIT" up --config "$WORK/profile" > "$WORK/up.log" 2>&1 || { cat "$WORK/up.log"; t_fail "up failed"; }

# The outside resolver: example.test, and a TXT answer too big for 512 octets.
a=$(printf 'a%.0s' $(seq 200)) b=$(printf 'b%.0s' $(seq 200)) c=$(printf 'c%.0s' $(seq 200))
bg "$OUT" dnsmasq --no-daemon --conf-file=/dev/null --user=root --group=root --port=53 \
	--listen-address=172.30.0.1 --bind-interfaces --no-resolv --no-hosts \
	--pid-file="$WORK/dnsmasq.pid" --log-queries --log-facility="$WORK/dnsmasq.log" \
	--address=/example.test/192.0.2.7 --txt-record="big.example.test,$a,$b,$c" \
	$(for i in 1 2 3 4 5 6 7 8; do echo "--host-record=h$i.par.test,198.51.100.$i"; done)
DNSMASQ_PID=${T_TRACKED##* }

# Not through in_ns: a backgrounded function is a subshell, and $! its pid.
ip netns exec "$HOST" "$LABINIT" dns --config "$WORK/profile" > "$WORK/dns.log" 2>&1 &
DNS_PID=$!
t_track "$DNS_PID"
GA=$(make_guest ga 10.77.0.50)

ns_lookup() { # NS SERVER NAME [TYPE]: busybox nslookup's output, whatever its status
	in_ns "$1" timeout "${NS_TIMEOUT:-15}" "$BB" nslookup -type="${4:-a}" "$3" "$2" 2>&1 || true
}
ask() { ns_lookup "$GA" 10.77.0.1 "$@"; }
expect() { # NAME TYPE TEXT: the answer to NAME/TYPE holds the line TEXT
	out=$(ask "$1" "$2")
	printf '%s\n' "$out" | grep -qxF -- "$3" || t_fail "$1/$2: wanted \"$3\", got:
$out"
}

expect_nodata() { # NAME TYPE: NOERROR without an answer (busybox prints no record, no error)
	out=$(ask "$1" "$2")
	printf '%s\n' "$out" | grep -q "^Server:" || t_fail "$1/$2: no answer at all: $out"
	printf '%s\n' "$out" | grep -Eq "Address: |can't find [^:]*: [A-Z]|timed out" && t_fail "$1/$2: wanted no data, got:
$out"
	return 0
}

t_wait_for 10 sh -c "ip netns exec $OUT $BB nslookup -type=a www.example.test 172.30.0.1 | grep -q 192.0.2.7" ||
	t_fail "dnsmasq did not start: $(cat "$WORK/dnsmasq.log")"
t_wait_for 10 sh -c "ip netns exec $GA $BB nslookup -type=a vm1 10.77.0.1 | grep -q 10.77.0.11" ||
	t_fail "labinit dns does not answer: $(cat "$WORK/dns.log")"

# Lab names over UDP.
expect vm1 a "Address: 10.77.0.11"
expect vm1.lab a "Address: 10.77.0.11"
expect VM1.Lab a "Address: 10.77.0.11"
expect gateway.lab a "Address: 10.77.0.1"
expect labhost a "Address: 10.77.0.1"
expect 11.0.77.10.in-addr.arpa ptr "11.0.77.10.in-addr.arpa	name = vm1.lab"
# CONFIG_LAB_IPV6 (default on): AAAA is the EUI-64 address of vm1's MAC
# in the lab's derived ULA /64 (tests/net/test_ipv6 checks the value);
# a lab name has no MX.
printf '%s\n' "$(ask vm1.lab aaaa)" | grep -Eq '^Address: fd[0-9a-f]{2}:[0-9a-f:]+:5054:ff:fe' ||
	t_fail "vm1.lab/aaaa: wanted the EUI-64 address of 52:54:00:..., got: $(ask vm1.lab aaaa)"
expect_nodata vm1.lab mx
expect nope.lab a "** server can't find nope.lab: NXDOMAIN"
expect vm2.lab a "** server can't find vm2.lab: NXDOMAIN" # a dynamic guest without a lease
expect 99.0.77.10.in-addr.arpa ptr "** server can't find 99.0.77.10.in-addr.arpa: NXDOMAIN"
# An outside name, through the forwarder.
expect www.example.test a "Address: 192.0.2.7"
# Concurrent outside queries from one guest: each answer reaches its asker.
par=""
for i in 1 2 3 4 5 6 7 8; do
	ask "h$i.par.test" a > "$WORK/par.$i" &
	par="$par $!"
done
for p in $par; do wait "$p"; done
for i in 1 2 3 4 5 6 7 8; do
	grep -qx "Address: 198.51.100.$i" "$WORK/par.$i" || t_fail "h$i.par.test: $(cat "$WORK/par.$i")"
done
grep -q "query\[PTR\] 99.0.77.10" "$WORK/dnsmasq.log" && t_fail "a lab address was asked upstream"
grep -q "query\[A\] nope.lab" "$WORK/dnsmasq.log" && t_fail "a lab name was asked upstream"

# TCP (RFC 7766): a query framed by its 2-octet length, the answer as
# decimal octets: length(2) ID(2) flags(2) QD(2) AN(2) ... RDATA.
oct() { printf "\\$(printf '%03o' "$1")"; }
query_bytes() { # NAME QTYPE: ID 0x4c41, RD, one question, class IN
	oct 76; oct 65; oct 1; oct 0; oct 0; oct 1; oct 0; oct 0; oct 0; oct 0; oct 0; oct 0
	for l in $(printf '%s' "$1" | tr . ' '); do oct ${#l}; printf '%s' "$l"; done
	oct 0; oct 0; oct "$2"; oct 0; oct 1
}
tcp_ask() { # NAME QTYPE
	query_bytes "$1" "$2" > "$WORK/q.bin"
	n=$(wc -c < "$WORK/q.bin")
	{ oct $((n >> 8)); oct $((n & 255)); cat "$WORK/q.bin"; } > "$WORK/tq.bin"
	in_ns "$GA" timeout 10 "$BB" nc 10.77.0.1 53 < "$WORK/tq.bin" | od -An -v -tu1 | tr -s ' \n' '  '
}
tcp_expect() { # NAME QTYPE RCODE ANCOUNT LAST-OCTETS: checks flags, counts and the answer's end
	r=$(tcp_ask "$1" "$2")
	set -- "$1" "$2" "$3" "$4" "$5" $r
	name=$1 want_rcode=$3 want_an=$4 want_end=$5
	shift 5
	[ $# -ge 12 ] || t_fail "TCP $name: short answer: $*"
	len=$(($1 * 256 + $2))
	[ "$len" -eq $(($# - 2)) ] || t_fail "TCP $name: length prefix $len for $(($# - 2)) octets"
	[ "$3 $4" = "76 65" ] || t_fail "TCP $name: ID $3 $4"
	[ $(($5 & 128)) -ne 0 ] && [ $(($5 & 2)) -eq 0 ] || t_fail "TCP $name: QR unset or TC set: flags $5 $6"
	[ $(($6 & 15)) -eq "$want_rcode" ] || t_fail "TCP $name: rcode $(($6 & 15)), wanted $want_rcode"
	[ $(($9 * 256 + ${10})) -eq "$want_an" ] || t_fail "TCP $name: $(($9 * 256 + ${10})) answers"
	case " $* " in *" $want_end ") ;; *) t_fail "TCP $name: answer does not end in $want_end: $*" ;; esac
	TCP_LEN=$len
}
tcp_expect vm1.lab 1 0 1 "10 77 0 11"
tcp_expect nope.lab 1 3 0 "0 1 0 1"
tcp_expect www.example.test 1 0 1 "192 0 2 7"
# Over UDP upstream this answer is truncated; it must come back whole.
tcp_expect big.example.test 16 0 1 "99 99 99"
[ "$TCP_LEN" -gt 600 ] || t_fail "TCP big.example.test: only $TCP_LEN octets"
grep -q "query\[TXT\] big.example.test from 172.30.0.2" "$WORK/dnsmasq.log" || t_fail "TXT not forwarded"

# Hostile TCP input: a frame longer than any query; the server lives on.
printf '\377\377garbage' | in_ns "$GA" timeout 10 "$BB" nc 10.77.0.1 53 > /dev/null || true
printf '\000\002\001\001' | in_ns "$GA" timeout 10 "$BB" nc 10.77.0.1 53 > /dev/null || true
expect vm1.lab a "Address: 10.77.0.11"

# Nothing answers on the uplink: its address, nor the gateway's through it
# (busybox waits for its whole timeout after "Connection refused").
NS_TIMEOUT=3
out=$(ns_lookup "$OUT" 172.30.0.2 vm1.lab)
printf '%s\n' "$out" | grep -q "10.77.0.11" && t_fail "answered on the uplink address: $out"
in_ns "$OUT" ip route add 10.77.0.0/24 via 172.30.0.2
out=$(ns_lookup "$OUT" 10.77.0.1 vm1.lab)
printf '%s\n' "$out" | grep -q "10.77.0.11" && t_fail "answered the outside through the uplink: $out"
out=$(ns_lookup "$OUT" 10.77.0.1 www.example.test)
printf '%s\n' "$out" | grep -q "192.0.2.7" && t_fail "forwarded for the outside: $out"
NS_TIMEOUT=15

# The upstream gone: SERVFAIL (not silence), and the lab's names still work.
kill "$DNSMASQ_PID"
t_wait_for 5 sh -c "! kill -0 $DNSMASQ_PID 2> /dev/null" || t_fail "dnsmasq did not stop"
start=$(date +%s)
expect www.example.test a "** server can't find www.example.test: SERVFAIL"
[ $(($(date +%s) - start)) -le 10 ] || t_fail "SERVFAIL took more than 10 s (its budget is 4 s)"
expect vm1.lab a "Address: 10.77.0.11"
tcp_expect www.example.test 1 2 0 "0 1 0 1"

kill -TERM "$DNS_PID"
wait "$DNS_PID" || t_fail "labinit dns exited with status $?: $(cat "$WORK/dns.log")"
cat "$WORK/dns.log"
grep -q "dns: serving \"lab\" on 10.77.0.1:53" "$WORK/dns.log" || t_fail "no start line"
grep -Eq "dns: [0-9]+ queries: .*[1-9][0-9]* forwarded .* [1-9][0-9]* malformed" "$WORK/dns.log" ||
	t_fail "no counters on exit"

# Failover: a first upstream that never answers (no host at 172.30.0.99):
# after one try's timeout (2 s) the next upstream answers, and is asked
# first from then on.
bg "$OUT" dnsmasq --no-daemon --conf-file=/dev/null --user=root --group=root --port=53 \
	--listen-address=172.30.0.1 --bind-interfaces --no-resolv --no-hosts \
	--pid-file="$WORK/dnsmasq2.pid" --address=/example.test/192.0.2.7
{ cat "$WORK/profile"; echo 'CONFIG_DNS_UPSTREAMS="172.30.0.99 172.30.0.1"'; } > "$WORK/profile2"
ip netns exec "$HOST" "$LABINIT" dns --config "$WORK/profile2" > "$WORK/dns2.log" 2>&1 &
DNS_PID=$!
t_track "$DNS_PID"
t_wait_for 10 sh -c "ip netns exec $GA $BB nslookup -type=a vm1 10.77.0.1 | grep -q 10.77.0.11" ||
	t_fail "labinit dns (2) does not answer: $(cat "$WORK/dns2.log")"
start=$(date +%s%N)
expect www.example.test a "Address: 192.0.2.7"
ms=$((($(date +%s%N) - start) / 1000000))
[ "$ms" -ge 1500 ] || t_fail "answered in $ms ms: the silent upstream was not asked first"
# The second query goes to the answering upstream first: the counters
# below show one timeout in all (a timer here would only measure the load).
expect other.example.test a "Address: 192.0.2.7"
kill -TERM "$DNS_PID"
wait "$DNS_PID" || t_fail "labinit dns (2) exited with status $?: $(cat "$WORK/dns2.log")"
cat "$WORK/dns2.log"
grep -Eq "dns: .* \(2 answered, 0 SERVFAIL, 1 timeouts," "$WORK/dns2.log" || t_fail "counters of the failover"
echo "dns ok"
