#!/bin/sh
# The lab's TFTP server (net/tftp, CONFIG_TFTP_ROOT) against real clients
# in namespaces: busybox tftp, tftp-hpa's tftp, curl tftp:// and atftp,
# plus a raw python3 client (tests/lib/tftp_client.py) for what real
# clients do not do. First `labinit tftpd` alone on a lab whose bridge has
# MTU 65535 (so blksize 65464 is not capped), then the DHCP worker with
# TFTP_ROOT set on a bridge of MTU 1500 (blksize capped at 1468).
# Covered: option negotiation (blksize 512, 1428, 8192, 65464; windowsize
# 1 and 8 with atftp, and 4 at blksize 65464 lowered to 1; tsize), a 40 MB file at blksize 512 (81921 blocks: the
# block number rolls over) compared by sha256, a withheld ACK (the same
# block again after the timeout), a missing file, "..", an absolute path
# (taken inside the root), symlinks out (error packets; the secret never
# leaves), a directory, netascii and WRQ refused, a client that vanishes
# (its session ends after the retransmissions, logged) and max sessions
# (a request beyond them is refused, and served once the held ones end).
# The firewall accepts UDP 69 on the bridge.
. "$(dirname "$0")/../lib/net.sh"
. "$(dirname "$0")/../lib/dhcpd.sh"
for c in python3 atftp curl sha256sum; do t_need $c; done
[ -x /usr/bin/tftp ] || t_skip "needs tftp-hpa's /usr/bin/tftp (make deps)"
PYC="python3 $T_REPO/tests/lib/tftp_client.py 10.77.0.1"
SRV=10.77.0.1
ROOT=$WORK/files/tftp

# The tree: files, a symlink inside, symlinks out, a secret beside the root.
mkdir -p "$ROOT/sub" "$WORK/cl"
echo "the secret" > "$WORK/files/secret"
echo "hello tftp" > "$ROOT/small.txt"
head -c 3000000 /dev/urandom > "$ROOT/mid.bin"
head -c 41943040 /dev/urandom > "$ROOT/big.bin"
ln -s ../small.txt "$ROOT/sub/link-in"
ln -s ../secret "$ROOT/link-out"
ln -s /etc/passwd "$ROOT/link-abs"
sum() { sha256sum < "$1" | cut -d' ' -f1; }
SMALL=$(sum "$ROOT/small.txt") MID=$(sum "$ROOT/mid.bin") BIG=$(sum "$ROOT/big.bin")

dhcpd_profile 'CONFIG_TFTP_ROOT="tftp"' 'CONFIG_TFTP_MAX_SESSIONS=4' 'CONFIG_LAB_MTU=65535'
dhcpd_lab
in_ns "$HOST" nft list table inet labinit | grep -q 'iifname "virbr0" udp dport 69 accept' ||
	t_fail "no TFTP rule: $(in_ns "$HOST" nft list table inet labinit)"

# The client: a namespace on virbr0 whose veth carries 64 KiB datagrams.
CL=$(t_netns_add cl)
ip link add "tc$$" mtu 65535 netns "$HOST" type veth peer name eth0 mtu 65535 netns "$CL"
ip -n "$HOST" link set "tc$$" master virbr0 up
ip -n "$CL" addr add 10.77.0.50/24 dev eth0
ip -n "$CL" link set eth0 up
in_cl() { (cd "$WORK/cl" && ip netns exec "$CL" "$@"); }

LOG=$WORK/tftpd.log
ip netns exec "$HOST" "$LABINIT" tftpd --config "$WORK/profile" > "$LOG" 2>&1 &
SPID=$!
t_track "$SPID"
t_wait_for 10 grep -q 'tftp: serving' "$LOG" || t_fail "labinit tftpd did not start: $(cat "$LOG")"
grep -q 'at most 4 transfers, blksize at most 65464' "$LOG" || t_error "limits: $(cat "$LOG")"

# fetched NAME SUM WHAT: the client's copy $WORK/cl/NAME has sum SUM.
fetched() {
	[ -f "$WORK/cl/$1" ] && [ "$(sum "$WORK/cl/$1")" = "$2" ] || t_error "$3: $1 differs or is missing"
	rm -f "$WORK/cl/$1"
}
# logged PATTERN WHAT: the server logged a line matching PATTERN.
logged() { t_wait_for 5 grep -q -- "$1" "$LOG" || t_error "$2: no log line like '$1'"; }

# --- real clients, options -----------------------------------------------
in_cl busybox tftp -g -r small.txt -l small.txt $SRV || t_error "busybox tftp small.txt failed"
fetched small.txt "$SMALL" "busybox"
for b in 512 1428 8192 65464; do
	in_cl busybox tftp -b $b -g -r mid.bin -l mid.bin $SRV || t_error "busybox tftp -b $b failed"
	fetched mid.bin "$MID" "busybox blksize $b"
	[ $b = 512 ] && opt=' tsize' || opt=" blksize=$b tsize" # busybox leaves the default out
	logged "mid.bin to 10.77.0.50:[0-9]*: done, 3000000 of 3000000 bytes .*options$opt\$" "busybox blksize $b"
done
in_cl /usr/bin/tftp -m binary $SRV -c get mid.bin mid.bin || t_error "tftp-hpa failed"
fetched mid.bin "$MID" "tftp-hpa"
in_cl /usr/bin/tftp -m binary $SRV -c get /sub/link-in link-in || t_error "tftp-hpa /sub/link-in failed"
fetched link-in "$SMALL" "tftp-hpa absolute path through a symlink inside"
for b in 512 1428 8192 65464; do
	in_cl curl -sS --tftp-blksize $b -o mid.bin tftp://$SRV/mid.bin || t_error "curl blksize $b failed"
	fetched mid.bin "$MID" "curl blksize $b"
	logged "mid.bin to .*: done, .*options blksize=$b timeout=[0-9]* tsize" "curl blksize $b with tsize"
done
for w in 1 8; do
	in_cl atftp --option "blksize 1428" --option "windowsize $w" --option "tsize" -g -r mid.bin -l mid.bin $SRV ||
		t_error "atftp windowsize $w failed"
	fetched mid.bin "$MID" "atftp windowsize $w"
	logged "blksize=1428 windowsize=$w tsize" "atftp windowsize $w"
done
in_cl atftp --option "blksize 65464" --option "windowsize 4" -g -r mid.bin -l mid.bin $SRV || t_error "atftp 65464 failed"
fetched mid.bin "$MID" "atftp blksize 65464"
logged "blksize=65464 windowsize=1\$" "a window of 64 KiB at most: 1 block of 65464"

# --- 81921 blocks of 512: the block number rolls over past 65535 ----------
in_cl curl -sS --tftp-blksize 512 -o big.bin tftp://$SRV/big.bin || t_error "curl big.bin failed"
fetched big.bin "$BIG" "curl 40 MB at blksize 512"
in_cl atftp --option "windowsize 8" -g -r big.bin -l big.bin $SRV || t_error "atftp big.bin failed"
fetched big.bin "$BIG" "atftp 40 MB at blksize 512, windowsize 8"
logged "big.bin to .*: done, 41943040 of 41943040 bytes" "40 MB transfer"

# --- a withheld ACK: the same block again, after the timeout --------------
in_cl $PYC retrans mid.bin "$WORK/cl/retrans.bin" > "$WORK/retrans.out" 2>&1 || t_error "retrans: $(cat "$WORK/retrans.out")"
[ "$(grep -c 'resent after' "$WORK/retrans.out")" = 2 ] || t_error "no retransmissions: $(cat "$WORK/retrans.out")"
[ "$(sum "$WORK/cl/retrans.bin")" = "$MID" ] || t_error "retrans: the copy differs"

# --- refusals: error packets with their codes -----------------------------
refused() { # NAME CODE [MODE [OP]]
	out=$(in_cl $PYC error "$1" "${3:-octet}" "${4:-1}" 2>&1) || true
	case $out in "ERROR $2 "*) ;; *) t_error "$1: expected error $2, got: $out" ;; esac
}
refused missing.bin 1
refused ../secret 2
refused sub/../../secret 2
refused link-out 2
refused link-abs 2
refused sub 2
refused small.txt 4 netascii
refused small.txt 2 octet 2       # WRQ
in_cl /usr/bin/tftp -m binary $SRV -c get ../secret s 2>&1 | grep -qi 'access violation' || t_error "tftp-hpa ../secret not refused"
in_cl busybox tftp -g -r link-out -l s $SRV 2> /dev/null && t_error "busybox got link-out"
in_cl curl -sS -o s tftp://$SRV/link-abs 2> /dev/null && t_error "curl got link-abs"
in_cl /usr/bin/tftp $SRV -c get small.txt s 2>&1 | grep -qi 'netascii' || t_error "tftp-hpa netascii not refused"
! grep -rqs "the secret" "$WORK/cl" || t_error "the secret left the root"
! grep -rqs "root:" "$WORK/cl" || t_error "/etc/passwd left the root"
logged 'RRQ ../secret from 10.77.0.50:[0-9]*: refused (2, access violation)' "refusal logged"
logged 'WRQ small.txt from .*refused (2, read-only server' "WRQ logged"

# --- a client that vanishes; sessions held to the limit -------------------
in_cl $PYC vanish mid.bin > "$WORK/vanish.out" 2>&1 || t_error "vanish: $(cat "$WORK/vanish.out")"
t_wait_for 12 grep -q 'mid.bin to .*timeout, no ACK of block 4 after 5 retransmissions' "$LOG" ||
	t_error "the vanished client's session was not ended: $(tail -5 "$LOG")"
in_cl $PYC hold mid.bin 4 9 > "$WORK/hold.out" 2>&1 &
HPID=$!
t_track "$HPID"
t_wait_for 5 sh -c "[ \$(grep -c '^DATA\$' '$WORK/hold.out') = 4 ]" || t_error "4 sessions not held: $(cat "$WORK/hold.out")"
# held sessions end after 1 + 5 timeouts of 1 s; meanwhile a fifth is busy
out=$(in_cl $PYC error small.txt 2>&1) || true
case $out in "ERROR 0 server busy"*) ;; *) t_error "a fifth transfer was not refused as busy: $out" ;; esac
t_wait_for 12 sh -c "[ \$(grep -c 'timeout, no ACK of block 1 after' '$LOG') -ge 4 ]" ||
	t_error "held sessions not freed: $(tail -5 "$LOG")"
in_cl busybox tftp -g -r small.txt -l small.txt $SRV || t_error "no transfer after the held ones ended"
fetched small.txt "$SMALL" "after max sessions"

kill "$SPID"
wait "$SPID" 2> /dev/null || true
t_untrack "$SPID"
grep -q 'tftp: stopped (.* refused, 1 busy' "$LOG" || t_error "stop summary: $(tail -2 "$LOG")"

# --- the DHCP worker embeds it, on a bridge of MTU 1500 -------------------
ip -n "$HOST" link set virbr0 mtu 1500
dhcpd_start
t_wait_for 10 grep -q 'tftp: serving .* on virbr0 port 69 .*blksize at most 1468' "$DHCPD_LOG" ||
	t_fail "the worker serves no TFTP: $(cat "$DHCPD_LOG")"
LOG=$DHCPD_LOG
in_cl curl -sS --tftp-blksize 8192 -o mid.bin tftp://$SRV/mid.bin || t_error "curl through the worker failed"
fetched mid.bin "$MID" "curl through the DHCP worker"
logged "mid.bin to .*: done, .*blksize=1468 timeout=[0-9]* tsize" "blksize 8192 capped at the MTU"
in_cl atftp --option "windowsize 8" -g -r big.bin -l big.bin $SRV || t_error "atftp big.bin through the worker failed"
fetched big.bin "$BIG" "atftp 40 MB through the worker (sandboxed)"
refused link-out 2
dhcpd_kill
grep -q 'tftp: stopped' "$DHCPD_LOG" || t_error "the worker did not stop TFTP: $(tail -3 "$DHCPD_LOG")"

# A missing root costs the lab its TFTP, not its DHCP.
rm -rf "$ROOT"
dhcpd_start
grep -q "tftp: on virbr0: .*the lab runs without TFTP" "$DHCPD_LOG" || t_error "missing root: $(tail -5 "$DHCPD_LOG")"
dhcpd_kill
t_exit
