#!/bin/sh
# Benchmark, not a test: the lab's TFTP server (`labinit tftpd`) beside
# tftpd-hpa (in.tftpd -L -s DIR, its standalone mode: a child per transfer)
# and dnsmasq's TFTP (dnsmasq --port=0 --enable-tftp --tftp-root=DIR -d),
# one after the other on the same bridge of MTU 65535 (so no server caps
# blksize 65464 below what was asked) in a namespace, fetched by the same
# clients from a second namespace: the same $BENCH_TFTP_MB MB file,
#  - curl tftp:// with blksize 1468 and 65464 (windowsize 1: curl has no
#    windowsize; curl also asks tsize and timeout);
#  - atftp with blksize 1468 and windowsize 8 (RFC 7440; a server without
#    windowsize answers without it and the transfer runs at window 1;
#    labinit caps a window at 64 KiB: 44 blocks of 1468). The last column
#    is what atftp printed of the options.
# Per case the median throughput of N runs; per server its peak RSS: GNU
# time's maximum resident set size of the server's process tree (for
# in.tftpd the largest of the listener and its per-transfer children).
# Every fetched copy is compared by sha256. Prints numbers; asserts none.
# Needs root; the servers run only inside the bench's namespaces (tftpd-hpa's
# system service is not used).
#   BENCH_RUNS=N         runs per case and server (default 5)
#   BENCH_TFTP_MB=M      file size (default 64)
#   BENCH_TFTP_CASES="CLIENT:BLKSIZE:WINDOW ..."  (default "curl:1468:1 curl:65464:1 atftp:1468:8")
#   LABINIT=path         the binary (default build/labinit)
set -eu
REPO=$(cd "$(dirname "$0")/../.." && pwd)
. "$REPO/tests/bench/lib.sh"
LABINIT=${LABINIT:-$REPO/build/labinit}
RUNS=${BENCH_RUNS:-5}
MB=${BENCH_TFTP_MB:-64}
NS=ntf-$$
S=$NS-s C=$NS-c

[ "$(id -u)" = 0 ] || { echo "tftp bench: needs root (network namespaces)" >&2; exit 1; }
for c in ip curl atftp dnsmasq /usr/sbin/in.tftpd /usr/bin/time sha256sum awk; do
	command -v $c > /dev/null || { echo "tftp bench: needs $c (make deps)" >&2; exit 1; }
done
[ -x "$LABINIT" ] || { echo "tftp bench: $LABINIT missing: make all" >&2; exit 1; }
# World-readable, as tftpd-hpa (user tftp) and dnsmasq (user nobody) need.
WORK=$(mktemp -d /tmp/tftp-bench.XXXXXX)
chmod 755 "$WORK"
SPID=
cleanup() {
	[ -z "$SPID" ] || kill "$SPID" 2> /dev/null || true
	ip netns del "$S" 2> /dev/null || true
	ip netns del "$C" 2> /dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT
trap "exit 1" INT TERM HUP

mkdir -p "$WORK/root" "$WORK/files" "$WORK/cl"
chmod 755 "$WORK/root" "$WORK/files"
head -c $((MB * 1048576)) /dev/urandom > "$WORK/root/file.bin"
chmod 644 "$WORK/root/file.bin"
SUM=$(sha256sum < "$WORK/root/file.bin" | cut -d' ' -f1)

ip netns add "$S"
ip netns add "$C"
ip -n "$S" link set lo up
ip -n "$C" link set lo up
ip -n "$S" link add virbr0 mtu 65535 type bridge
ip link add "ts$$" mtu 65535 netns "$S" type veth peer name eth0 mtu 65535 netns "$C"
ip -n "$S" link set "ts$$" master virbr0 up
ip -n "$S" link set virbr0 mtu 65535 up
ip -n "$S" addr add 10.77.0.1/24 dev virbr0
ip -n "$C" addr add 10.77.0.50/24 dev eth0
ip -n "$C" link set eth0 up

cat > "$WORK/profile" <<EOP
CONFIG_PROFILE_NAME="tftp-bench"
CONFIG_FILES_DIR="$WORK/files"
# CONFIG_UPLINK_DHCP is not set
CONFIG_UPLINK_STATIC=y
CONFIG_UPLINK_ADDRESS="172.30.0.2/24"
CONFIG_UPLINK_GATEWAY="172.30.0.1"
CONFIG_TFTP_ROOT="$WORK/root"
EOP

# start NAME: the server in $S under GNU time; SPID is time's pid.
start() {
	case $1 in
	labinit) set -- "$LABINIT" tftpd --config "$WORK/profile" ;;
	tftpd-hpa) set -- /usr/sbin/in.tftpd -L -s "$WORK/root" -a 10.77.0.1:69 ;;
	dnsmasq) set -- dnsmasq --conf-file=/dev/null --port=0 --enable-tftp --tftp-root="$WORK/root" -d \
		--interface=virbr0 --bind-interfaces --pid-file= --log-facility="$WORK/dnsmasq.log" ;;
	esac
	ip netns exec "$S" /usr/bin/time -f '%M' -o "$WORK/rss" "$@" > "$WORK/server.log" 2>&1 &
	SPID=$!
	sleep 0.5
}
# stop: the server (time's child), then time, which writes the RSS.
stop() {
	for p in $(ps -o pid= --ppid "$SPID"); do kill "$p" 2> /dev/null || true; done
	wait "$SPID" 2> /dev/null || true
	SPID=
}
# fetch CLIENT BLKSIZE WINDOW: one transfer; prints MB/s, or "fail".
fetch() {
	rm -f "$WORK/cl/out"
	t0=$(date +%s%N)
	if [ "$1" = curl ]; then
		ip netns exec "$C" curl -sS --tftp-blksize "$2" -o "$WORK/cl/out" tftp://10.77.0.1/file.bin 2> "$WORK/client.log" || true
	else
		ip netns exec "$C" atftp --option "blksize $2" --option "windowsize $3" --option tsize --verbose \
			-g -r file.bin -l "$WORK/cl/out" 10.77.0.1 > "$WORK/client.log" 2>&1 || true
	fi
	t1=$(date +%s%N)
	if [ -f "$WORK/cl/out" ] && [ "$(sha256sum < "$WORK/cl/out" | cut -d' ' -f1)" = "$SUM" ]; then
		awk -v b=$((MB * 1048576)) -v ns=$((t1 - t0)) 'BEGIN { printf "%.1f\n", b / 1e6 / (ns / 1e9) }'
	else
		echo fail
	fi
}
median() { sort -n | awk '{ v[NR] = $1 } END { if (!NR) { print "-"; exit } print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

CASES=${BENCH_TFTP_CASES:-curl:1468:1 curl:65464:1 atftp:1468:8}
echo "tftp bench: $MB MB file, $RUNS runs per case, bridge MTU 65535, $(nproc) CPUs"
printf '  %-10s %-24s %10s %8s %s\n' server case "MB/s med" failed "atftp printed"
for srv in labinit tftpd-hpa dnsmasq; do
	start $srv
	for c in $CASES; do
		IFS=: read -r cl bs w <<EOC
$c
EOC
		: > "$WORK/r"
		fails=0
		for i in $(seq "$RUNS"); do
			v=$(fetch "$cl" "$bs" "$w")
			[ "$v" = fail ] && fails=$((fails + 1)) || echo "$v" >> "$WORK/r"
		done
		ack=
		[ "$cl" = curl ] || ack=$(grep '^Option' "$WORK/client.log" | sed 's/Option //; s/ = /=/' | tr '\n' ' ')
		printf '  %-10s %-24s %10s %8s %s\n' "$srv" "$cl blksize $bs window $w" "$(median < "$WORK/r")" "$fails" "$ack"
		median < "$WORK/r" > "$WORK/mbs.$srv.$cl.$bs.$w"
	done
	stop
	printf '  %-10s peak RSS %s KiB\n' "$srv" "$(tail -1 "$WORK/rss")"
	tail -1 "$WORK/rss" > "$WORK/rss.$srv"
done
hpa="tftpd-hpa $(dpkg-query -W -f='${Version}' tftpd-hpa 2> /dev/null | cut -d- -f1)"
for c in $CASES; do
	IFS=: read -r cl bs w <<EOC
$c
EOC
	summary_row "TFTP, $MB MB, $cl blksize $bs window $w" "MB/s" higher "$(cat "$WORK/mbs.labinit.$cl.$bs.$w")" "$hpa" "$(cat "$WORK/mbs.tftpd-hpa.$cl.$bs.$w")"
done
summary_row "TFTP server peak RSS" KiB lower "$(cat "$WORK/rss.labinit")" "$hpa" "$(cat "$WORK/rss.tftpd-hpa")"
