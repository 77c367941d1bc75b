#!/bin/sh
# Benchmark, not a test: the lab's DHCP server, `labinit dhcpd`, beside
# dnsmasq configured as libvirt's default network runs it and busybox
# udhcpd, one after the other on the same bridge in the same namespaces,
# under the same load generator and clients:
#  - fill: perfdhcp's avalanche of $BENCH_DHCP_CLIENTS new clients on a
#    fresh server (every client DISCOVERs at once, then backs off until
#    served): the time until all hold a lease;
#  - warm: the clients that got a lease asking again at $BENCH_DHCP_RATE
#    exchanges/s for $BENCH_DHCP_SECONDS s, best of two runs: completed
#    4-way exchanges per second, and the share of DISCOVERs and REQUESTs
#    left unanswered (perfdhcp gives up on one after 1 s);
#  - the generator's limit: the same load once from perfdhcp -g multi and
#    once from two single-threaded perfdhcp at once (half the clients
#    each, rates summed); the best of warm, multi and two generators
#    against any server is printed as the generator limit: a server's warm
#    figure near it says the generator, not the server, was the bottleneck;
#  - latency: the same at a light $BENCH_DHCP_RATE_LOW/s: mean DISCOVER ->
#    OFFER and REQUEST -> ACK times;
#  - memory: the server's peak RSS (VmHWM) after all that;
#  - clients: the time a real busybox udhcpc and ISC dhclient with a fresh
#    MAC need for a lease (defaults of each client; median of 3), measured
#    on the fresh server before the fill.
# perfdhcp (Debian package kea-admin) runs single-threaded as a relay agent
# from 10.77.0.254 in a namespace on the bridge (replies go to its port 67).
# dnsmasq gets libvirt's configuration file (strict-order, except-interface=lo,
# bind-dynamic, interface=virbr0, dhcp-range, dhcp-no-override,
# dhcp-authoritative, dhcp-lease-max=253, dhcp-hostsfile, addn-hosts) and
# command line (--leasefile-ro --dhcp-script); its ping check before a new
# address stays on. The dhcp-script is a no-op standing in for libvirt's
# leases helper (which also rewrites a JSON file per event), and dnsmasq logs
# to a file here instead of syslog. udhcpd runs with -a 0: it still sends its
# ARP probe for a new address but does not wait for an answer. All of them
# log to a file; all lease for 3600 s. labinit puts its leases on disk before
# it sends an ACK (under load appended to its lease journal, one fdatasync a
# batch; net/dhcpd/journal.h): it runs twice, with the file on the disk under
# build/ and on a tmpfs (/dev/shm), as on the appliance, where the default
# file is /run/labinit/dhcp.leases. Prints numbers; asserts none. Needs
# root; bounded to a few minutes (a fill is cut at $BENCH_DHCP_FILL_MAX s).
#   BENCH_DHCP_CLIENTS=N     perfdhcp's clients (default 240; the /24 has 253)
#   BENCH_DHCP_RATE=R        offered exchanges/s, warm (default 40000)
#   BENCH_DHCP_RATE_LOW=R    offered exchanges/s, latency (default 200)
#   BENCH_DHCP_SECONDS=S     length of each warm run (default 8)
#   BENCH_DHCP_FILL_MAX=S    longest fill (default 120)
#   BENCH_DHCP_SERVERS=LIST  which, in order (default "labinit labinit_tmpfs dnsmasq udhcpd")
#   LABINIT=path             the binary (default build/labinit)
set -eu
REPO=$(cd "$(dirname "$0")/../.." && pwd)
. "$REPO/tests/bench/lib.sh"
LABINIT=${LABINIT:-$REPO/build/labinit}
CLIENTS=${BENCH_DHCP_CLIENTS:-240}
RATE=${BENCH_DHCP_RATE:-40000}
RATE_LOW=${BENCH_DHCP_RATE_LOW:-200}
SECONDS_=${BENCH_DHCP_SECONDS:-8}
FILL_MAX=${BENCH_DHCP_FILL_MAX:-120}
SERVERS=${BENCH_DHCP_SERVERS:-labinit labinit_tmpfs dnsmasq udhcpd}
NS=ndh-$$
H=$NS-h O=$NS-o P=$NS-p C=$NS-c
WORK=$REPO/build/bench/dhcpd.$$

[ "$(id -u)" = 0 ] || { echo "dhcpd bench: needs root (network namespaces)" >&2; exit 1; }
for c in ip perfdhcp dnsmasq busybox dhclient timeout awk; do
	command -v $c > /dev/null || {
		echo "dhcpd bench: needs $c$([ $c = perfdhcp ] && echo ' (Debian package kea-admin)')" >&2
		exit 1
	}
done
[ -x "$LABINIT" ] || { echo "dhcpd bench: $LABINIT missing; run make all" >&2; exit 1; }
for v in "$CLIENTS" "$RATE" "$RATE_LOW" "$SECONDS_" "$FILL_MAX"; do
	case $v in '' | *[!0-9]* | 0) echo "dhcpd bench: BENCH_DHCP_* must be positive numbers" >&2; exit 1 ;; esac
done
for s in $SERVERS; do
	case $s in labinit | labinit_tmpfs | dnsmasq | udhcpd) ;; *) echo "dhcpd bench: unknown server $s" >&2; exit 1 ;; esac
done
[ "$CLIENTS" -le 246 ] || { echo "dhcpd bench: BENCH_DHCP_CLIENTS at most 246 (the /24, perfdhcp's address, 6 client runs)" >&2; exit 1; }

SERVER_PID=
# Only what this script started: its server by pid, then whatever runs in
# its own namespaces (the dhclient daemons), by pid; the namespaces by name.
cleanup() {
	[ -z "$SERVER_PID" ] || kill "$SERVER_PID" 2> /dev/null || true
	for n in "$C" "$P" "$H" "$O"; do
		for p in $(ip netns pids "$n" 2> /dev/null); do kill "$p" 2> /dev/null || true; done
	done
	sleep 0.2
	for n in "$C" "$P" "$H" "$O"; do ip netns del "$n" 2> /dev/null || true; done
	rm -rf "$WORK" "$SHM"
}
SHM=
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$WORK"
SHM=$(mktemp -d /dev/shm/labinit-bench-dhcpd.XXXXXX)
# The DHCP worker, unprivileged, must reach its directory below this one.
chmod 755 "$SHM"

# ---- the lab: host (labinit up), outside, load generator, client -------------
for n in "$H" "$O" "$P" "$C"; do
	ip netns add "$n"
	ip -n "$n" link set lo up
done
ip link add "bu$$" netns "$H" type veth peer name "bo$$" netns "$O"
ip -n "$H" link set "bu$$" name eth0
ip -n "$O" link set "bo$$" name eth0
ip -n "$O" addr add 172.30.0.1/24 dev eth0
ip -n "$O" link set eth0 up
cat > "$WORK/profile" <<EOC
CONFIG_PROFILE_NAME="bench-dhcpd"
# CONFIG_UPLINK_DHCP is not set
CONFIG_UPLINK_STATIC=y
CONFIG_UPLINK_ADDRESS="172.30.0.2/24"
CONFIG_UPLINK_GATEWAY="172.30.0.1"
CONFIG_DHCP_RANGE_START="10.77.0.2"
CONFIG_DHCP_RANGE_END="10.77.0.254"
CONFIG_DHCP_LEASE_TIME=3600
CONFIG_DHCP_LEASE_FILE="$WORK/dhcpd/labinit.leases"
EOC
ip netns exec "$H" "$LABINIT" up --config "$WORK/profile" > "$WORK/up.log" 2>&1 ||
	{ cat "$WORK/up.log"; echo "dhcpd bench: labinit up failed" >&2; exit 1; }
for n in "$P" "$C"; do
	ip link add "b${n##*-}$$" netns "$H" type veth peer name eth0 netns "$n"
	ip -n "$H" link set "b${n##*-}$$" master virbr0 up
	ip -n "$n" link set eth0 up
done
ip -n "$P" addr add 10.77.0.254/24 dev eth0

printf '#!/bin/sh\nexit 0\n' > "$WORK/nop.sh"
# dnsmasq's dhcp-script: records "add|old|del MAC IP", which tells the leases
# it holds (it keeps no lease file with --leasefile-ro).
printf '#!/bin/sh\necho "$1 $2 $3" >> "%s/dnsmasq.events"\n' "$WORK" > "$WORK/leases-helper.sh"
chmod +x "$WORK/nop.sh" "$WORK/leases-helper.sh"
printf 'timeout 60;\n' > "$WORK/dhclient.conf"

# ---- the three servers ------------------------------------------------------------
# start_SERVER: a fresh one (no leases) in the host namespace, in the
# background; SERVER_PID is its pid (ip netns exec execs it).
start_labinit() {
	LEASES_LABINIT=$WORK/dhcpd/labinit.leases
	start_labinit_with "$WORK/profile"
}
start_labinit_tmpfs() {
	LEASES_LABINIT=$SHM/dhcpd/dhcp.leases
	sed "s|^CONFIG_DHCP_LEASE_FILE=.*|CONFIG_DHCP_LEASE_FILE=\"$LEASES_LABINIT\"|" "$WORK/profile" > "$WORK/profile.tmpfs"
	start_labinit_with "$WORK/profile.tmpfs"
}
start_labinit_with() { # PROFILE
	rm -f "$LEASES_LABINIT"
	: > "$WORK/labinit.log"
	ip netns exec "$H" "$LABINIT" dhcpd --config "$1" > "$WORK/labinit.log" 2>&1 &
	SERVER_PID=$!
	wait_log "$WORK/labinit.log" "dhcpd: serving"
}
start_dnsmasq() {
	# libvirt's default.conf, with this lab's addresses and $WORK's paths.
	cat > "$WORK/dnsmasq.conf" <<EOC
strict-order
pid-file=$WORK/dnsmasq.pid
except-interface=lo
bind-dynamic
interface=virbr0
dhcp-range=10.77.0.2,10.77.0.254,255.255.255.0
dhcp-no-override
dhcp-authoritative
dhcp-lease-max=253
dhcp-hostsfile=$WORK/dnsmasq.hostsfile
addn-hosts=$WORK/dnsmasq.addnhosts
EOC
	: > "$WORK/dnsmasq.hostsfile"
	: > "$WORK/dnsmasq.addnhosts"
	: > "$WORK/dnsmasq.log"
	: > "$WORK/dnsmasq.events"
	ip netns exec "$H" dnsmasq --conf-file="$WORK/dnsmasq.conf" --leasefile-ro --dhcp-script="$WORK/leases-helper.sh" \
		--keep-in-foreground --user=root --group=root --log-facility="$WORK/dnsmasq.log" > "$WORK/dnsmasq.out" 2>&1 &
	SERVER_PID=$!
	wait_log "$WORK/dnsmasq.log" "DHCP, IP range"
}
start_udhcpd() {
	cat > "$WORK/udhcpd.conf" <<EOC
start 10.77.0.2
end 10.77.0.254
interface virbr0
max_leases 253
auto_time 0
lease_file $WORK/udhcpd.leases
pidfile $WORK/udhcpd.pid
option subnet 255.255.255.0
option router 10.77.0.1
option dns 10.77.0.1
option domain lab
option lease 3600
EOC
	rm -f "$WORK/udhcpd.leases"
	: > "$WORK/udhcpd.leases"
	ip netns exec "$H" busybox udhcpd -f -a 0 "$WORK/udhcpd.conf" > "$WORK/udhcpd.log" 2>&1 &
	SERVER_PID=$!
	wait_log "$WORK/udhcpd.log" "started" || sleep 0.5
}
stop_server() {
	kill "$SERVER_PID" 2> /dev/null || true
	wait "$SERVER_PID" 2> /dev/null || true
	SERVER_PID=
}
wait_log() { # FILE TEXT: up to 5 s
	i=0
	while ! grep -q "$2" "$1" 2> /dev/null; do
		i=$((i + 1))
		[ $i -le 50 ] || return 1
		sleep 0.1
	done
}

now_ms() { echo $(($(date +%s%N) / 1000000)); }
median3() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print (NR == 3) ? v[2] : (NR ? v[1] : "-") }'; }
fresh_mac() {
	m=$(od -An -N5 -tx1 /dev/urandom | awk '{ printf "02:%s:%s:%s:%s:%s", $1, $2, $3, $4, $5 }')
	ip -n "$C" link set eth0 down
	ip -n "$C" link set eth0 address "$m"
	ip -n "$C" link set eth0 up
}

# client_times: 3 udhcpc and 3 dhclient runs, each with a fresh MAC; prints
# the two medians in ms ("fail" for a client that got nothing in 60 s).
client_times() {
	u="" d=""
	for k in 1 2 3; do
		fresh_mac
		s=$(now_ms)
		if ip netns exec "$C" timeout 60 udhcpc -f -q -n -i eth0 -s "$WORK/nop.sh" > "$WORK/udhcpc.out" 2>&1; then
			u="$u $(($(now_ms) - s))"
		else
			u="$u 999999"
		fi
	done
	for k in 1 2 3; do
		fresh_mac
		rm -f "$WORK/dhclient.leases"
		s=$(now_ms)
		# -1: one try; it goes to the background once bound (stopped below, by its pid)
		if ip netns exec "$C" timeout 70 dhclient -4 -1 -cf "$WORK/dhclient.conf" -lf "$WORK/dhclient.leases" \
			-pf "$WORK/dhclient.pid" -df "$WORK/dhclient.duid" -sf "$WORK/nop.sh" eth0 > "$WORK/dhclient.out" 2>&1; then
			d="$d $(($(now_ms) - s))"
		else
			d="$d 999999"
		fi
		[ -s "$WORK/dhclient.pid" ] && kill "$(cat "$WORK/dhclient.pid")" 2> /dev/null || true
		rm -f "$WORK/dhclient.pid"
	done
	set -- $u
	mu=$(median3 "$@")
	set -- $d
	md=$(median3 "$@")
	[ "$mu" -lt 999999 ] || mu=fail
	[ "$md" -lt 999999 ] || md=fail
	echo "$mu $md"
}

perf() { # perfdhcp in the load namespace, single-threaded, as a relay from 10.77.0.254
	ip netns exec "$P" perfdhcp -4 -g single -l eth0 "$@" 2>&1
}
# leased_macs NAME: the MACs of perfdhcp's clients (00:0c:..., not the
# client runs' 02:...) the server holds a lease for, in $WORK/leased.NAME.
leased_macs() {
	case $1 in
	labinit*) # the lease file, then its journal (the last word for an IP wins)
		j=$LEASES_LABINIT.journal
		[ -f "$j" ] || j=/dev/null
		[ ! -f "$LEASES_LABINIT" ] || awk 'FILENAME == ARGV[1] { if (NF == 5) m[$3] = $2; next }
			$1 == "+" && NF == 6 { m[$4] = $3; next } $1 == "-" { delete m[$2] }
			END { for (ip in m) print m[ip] }' "$LEASES_LABINIT" "$j" ;;
	dnsmasq) awk '$1 == "add" || $1 == "old" { l[$2] = 1 } $1 == "del" { delete l[$2] }
		END { for (m in l) print m }' "$WORK/dnsmasq.events" ;;
	udhcpd)
		kill -USR1 "$SERVER_PID" # writes its lease file
		sleep 0.5
		busybox dumpleases -f "$WORK/udhcpd.leases" | awk 'NR > 1 { print $1 }' ;;
	esac | grep -i '^00:0c:' > "$WORK/leased.$1" || true
}

# section NAME FIELD < perfdhcp output: FIELD of its DISCOVER-OFFER or REQUEST-ACK statistics
section() {
	awk -v s="$1" -v f="$2" '/^\*\*\*Statistics for: / { in_s = index($0, s) > 0 }
		in_s && index($0, f ":") == 1 { sub(/^[^:]*: */, ""); sub(/ .*/, ""); print; exit }'
}

# bench_one NAME: every measurement against one server; one line of results
# in $WORK/result.NAME.
bench_one() {
	name=$1
	"start_$name" || { echo "dhcpd bench: $name did not start" >&2; exit 1; }
	set -- $(client_times)
	cu=$1 cd=$2
	# Fill: the avalanche of new clients.
	s=$(now_ms)
	# Cut at FILL_MAX by SIGINT, on which perfdhcp reports what it got.
	if ip netns exec "$P" timeout -s INT "$FILL_MAX" perfdhcp -4 -g single -l eth0 -R "$CLIENTS" \
		--scenario avalanche > "$WORK/fill.$name" 2>&1; then
		fill=$(awk -v ms=$(($(now_ms) - s)) 'BEGIN { printf "%.1f", ms / 1000 }')
		took=$(sed -n 's/^It took \([0-9:.]*\) to provision.*/\1/p' "$WORK/fill.$name" |
			awk -F: '{ printf "%.1f", $1 * 3600 + $2 * 60 + $3 }')
		fill=${took:-$fill} took=1
	else
		fill=">$FILL_MAX" took=
	fi
	resent=$(sed -n 's/^Requests resent: //p' "$WORK/fill.$name")
	# Warm: the clients that hold a lease, at saturation, then at light load.
	leased_macs "$name"
	nleased=$(wc -l < "$WORK/leased.$name")
	[ "$nleased" -gt 0 ] || { tail -n 20 "$WORK/$name.log" "$WORK/labinit.log" 2> /dev/null >&2; echo "dhcpd bench: $name leased nothing" >&2; exit 1; }
	[ -n "${took:-}" ] || fill="$fill($nleased)"
	# Best of two: other work on the machine shows as noise here.
	rate=0
	for k in 1 2; do
		perf -M "$WORK/leased.$name" -r "$RATE" -p "$SECONDS_" > "$WORK/warm.$name.$k" || true
		r=$(sed -n 's/^Rate: \([0-9.]*\) 4-way.*/\1/p' "$WORK/warm.$name.$k" | awk '{ printf "%d", $1 }')
		[ "${r:-0}" -lt "$rate" ] || { rate=${r:-0}; cp "$WORK/warm.$name.$k" "$WORK/warm.$name"; }
	done
	do_drop=$(section DISCOVER-OFFER "drops ratio" < "$WORK/warm.$name")
	ra_drop=$(section REQUEST-ACK "drops ratio" < "$WORK/warm.$name")
	# The generator's own limit: perfdhcp multi-threaded, then two
	# single-threaded perfdhcp at once, each with half the clients (their
	# rates summed). Where these beat the warm figure, the generator, not
	# the server, was the limit of the warm run.
	ip netns exec "$P" perfdhcp -4 -g multi -l eth0 -M "$WORK/leased.$name" -r "$RATE" -p "$SECONDS_" \
		> "$WORK/multi.$name" 2>&1 || true
	multi=$(sed -n 's/^Rate: \([0-9.]*\) 4-way.*/\1/p' "$WORK/multi.$name" | awk '{ printf "%d", $1 }')
	half=$(((nleased + 1) / 2))
	head -n "$half" "$WORK/leased.$name" > "$WORK/leased.$name.a"
	tail -n +"$((half + 1))" "$WORK/leased.$name" > "$WORK/leased.$name.b"
	[ -s "$WORK/leased.$name.b" ] || cp "$WORK/leased.$name.a" "$WORK/leased.$name.b"
	perf -M "$WORK/leased.$name.a" -r $((RATE / 2)) -p "$SECONDS_" > "$WORK/two.$name.a" &
	pa=$!
	perf -M "$WORK/leased.$name.b" -r $((RATE / 2)) -p "$SECONDS_" > "$WORK/two.$name.b" || true
	wait "$pa" || true
	two=$(sed -n 's/^Rate: \([0-9.]*\) 4-way.*/\1/p' "$WORK/two.$name.a" "$WORK/two.$name.b" | awk '{ s += $1 } END { printf "%d", s }')
	perf -M "$WORK/leased.$name" -r "$RATE_LOW" -p "$SECONDS_" > "$WORK/low.$name" || true
	low_rate=$(sed -n 's/^Rate: \([0-9.]*\) 4-way.*/\1/p' "$WORK/low.$name" | awk '{ printf "%d", $1 }')
	do_lat=$(section DISCOVER-OFFER "avg delay" < "$WORK/low.$name")
	ra_lat=$(section REQUEST-ACK "avg delay" < "$WORK/low.$name")
	hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$SERVER_PID/status" 2> /dev/null || echo "?")
	stop_server
	printf '%s %s %s %s %s %s %s %s %s %s %s %s %s %s\n' "$fill" "$resent" "${rate:-0}" "${do_drop:-?}" "${ra_drop:-?}" \
		"${low_rate:-0}" "${do_lat:-?}" "${ra_lat:-?}" "${hwm:-?}" "$cu" "$cd" "$name" "${multi:-0}" "${two:-0}" > "$WORK/result.$name"
}

start=$(date +%s)
for s in $SERVERS; do
	bench_one $s
done
total=$(($(date +%s) - start))

label() {
	case $1 in
	labinit) echo "labinit dhcpd, leases on disk" ;;
	labinit_tmpfs) echo "labinit dhcpd, leases on tmpfs" ;;
	dnsmasq) echo "dnsmasq $(dnsmasq --version | awk 'NR == 1 { print $3 }'), libvirt's way" ;;
	udhcpd) echo "busybox $(busybox 2>&1 | awk 'NR == 1 { print $2 }') udhcpd -a 0" ;;
	esac
}
echo "dhcpd: DHCP servers on virbr0 (10.77.0.0/24, range .2-.254, 3600 s leases), one after the other, $(nproc) CPUs;"
echo "  load: perfdhcp $(perfdhcp -v 2>&1 | awk '{ print $2 }') -g single as a relay, $CLIENTS clients; clients: busybox udhcpc, ISC dhclient; $total s in all"
printf '  %-30s %8s %7s %8s %8s %8s %8s %8s %8s %8s %7s %8s %8s\n' "" "fill" "resent" "warm" "-g multi" "2 gens" "DO lost" "RA lost" "offer" "ack" "VmHWM" "udhcpc" "dhclient"
printf '  %-30s %8s %7s %8s %8s %8s %8s %8s %8s %8s %7s %8s %8s\n' server "s" "DISC" "DORA/s" "DORA/s" "DORA/s" "%" "%" "ms" "ms" "kB" "ms" "ms"
for s in $SERVERS; do
	set -- $(cat "$WORK/result.$s")
	printf '  %-30s %8s %7s %8s %8s %8s %8s %8s %8s %8s %7s %8s %8s\n' "$(label "$s")" "$1" "$2" "$3" "${13}" "${14}" \
		"$(printf '%.1f' "$4" 2> /dev/null || echo "$4")" "$(printf '%.1f' "$5" 2> /dev/null || echo "$5")" \
		"$7" "$8" "$9" "${10}" "${11}"
done
echo "  fill: time for $CLIENTS new clients to hold a lease (perfdhcp --scenario avalanche; >MAX(N): cut, N held one), and its"
echo "  resent DISCOVERs/REQUESTs;"
echo "  warm: completed exchanges/s with $RATE/s offered for $SECONDS_ s by the clients that hold a lease (best of 2); DO/RA lost: DISCOVERs"
echo "  and REQUESTs unanswered within 1 s; -g multi: the same, one run, perfdhcp multi-threaded; 2 gens: two single-threaded"
echo "  perfdhcp at once, half the clients and half the rate each, rates summed (the generator's limit: where these"
echo "  beat warm, the generator was the bottleneck); offer/ack: mean DISCOVER->OFFER and REQUEST->ACK at $RATE_LOW/s;"
echo "  VmHWM: the server's peak RSS (dnsmasq's script helper process not counted); udhcpc/dhclient: median of 3"
echo "  runs with a fresh MAC on the fresh server, each client's default timers."
# field N of a server's result line
field() { [ -f "$WORK/result.$1" ] && awk -v n="$2" '{ print $n }' "$WORK/result.$1"; }
# The generator's limit: the best any way of driving gave, against any server.
glimit=$(for s in $SERVERS; do awk '{ print $3; print $13; print $14 }' "$WORK/result.$s"; done | sort -n | tail -n 1)
echo "  generator limit here: $glimit DORA/s (the best warm, -g multi or 2-generator figure against any server)"
case " $SERVERS " in *" labinit "*)
	summary_row "DHCP warm DORA/s, labinit on disk, two perfdhcp at once" "exchanges/s" higher "$(field labinit 14)" \
		"generator limit (best of any server, any mode)" "$glimit" ;;
esac
for peer in dnsmasq udhcpd; do
	case " $SERVERS " in *" labinit "*" $peer "* | *" $peer "*" labinit "*) ;; *) continue ;; esac
	summary_row "DHCP warm DORA/s, perfdhcp, $CLIENTS clients, leases fsync'd to disk (best of 2)" "exchanges/s" higher "$(field labinit 3)" "$(label $peer)" "$(field $peer 3)"
	summary_row "DHCP fill: $CLIENTS new clients all leased" s lower "$(field labinit 1)" "$(label $peer)" "$(field $peer 1)"
	summary_row "DHCP server peak RSS after that" KiB lower "$(field labinit 9)" "$(label $peer)" "$(field $peer 9)"
done
