#!/bin/sh
# labinit dhcpd loses no lease to a crash, and never leaves a torn lease file:
#  1. 40 udhcpc clients bound; SIGKILL the worker; the lease file is what
#     it was, the new worker reads every lease back, each client asking for
#     its address again gets it, and ISC dhclient's INIT-REBOOT (run again
#     with its lease file) is ACKed with the same address. An INIT-REBOOT
#     for an address another client holds is NAKed.
#  2. A burst of 150 new clients while the worker is SIGKILLed and started
#     again over and over: every client ends up bound, every address it
#     was ACKed is in the lease file with its MAC after a last restart, and
#     a reader polling the file all along always saw a complete file
#     (every line parses, never fewer lines than before: leases are only
#     added here).
#  3. A lease file with garbage lines on start: the good lines are kept
#     (their clients get their addresses), the garbage is skipped and gone
#     from the next file written, the worker runs.
# Clients are busybox udhcpc on macvlan interfaces (one MAC each) in one
# guest namespace; their script only logs. A client that gets no lease tries
# once more (see udhcpc_many).
. "$(dirname "$0")/../lib/net.sh"
. "$(dirname "$0")/../lib/dhcpd.sh"
command -v dhclient > /dev/null || { echo "needs dhclient"; exit 77; }
N=40
B=150

dhcpd_profile 'CONFIG_DHCP_LEASE_TIME=600'
dhcpd_lab
dhcpd_start

G=$(dhcp_guest rs)
macvlans "$G" $((N + B + 10))

# leases_hold BOUNDFILE: every "IFACE IP" there is in the lease file, with
# the interface's MAC.
leases_hold() {
	ip -n "$G" -j link show | jq -r '.[] | "\(.ifname) \(.address)"' > "$WORK/macs"
	awk 'FILENAME == ARGV[1] { mac[$1] = $2; next }
		FILENAME == ARGV[2] { have[$3] = $2; next }
		{ if (have[$2] != mac[$1]) { print $1 " (" mac[$1] ") was ACKed " $2 ", the lease file says: " (have[$2] == "" ? "nothing" : have[$2]); bad = 1 } }
		END { exit bad }' "$WORK/macs" "$LEASES" "$1"
}

# ---- 1. SIGKILL with leases bound -------------------------------------------
: > "$WORK/bound1"
udhcpc_many "$G" "$WORK/bound1" 1 $N
[ "$(wc -l < "$WORK/bound1")" = $N ] || t_fail "$(wc -l < "$WORK/bound1") of $N clients got a lease"
leases_hold "$WORK/bound1" || t_fail "an ACKed lease is not in the lease file"
sort "$LEASES" > "$WORK/leases.before"
dhcpd_kill KILL
sort "$LEASES" | cmp -s - "$WORK/leases.before" || t_fail "the lease file changed with the SIGKILL"
dhcpd_start
grep -q "dhcpd: $N leases from" "$DHCPD_LOG" || t_fail "the new worker did not read $N leases: $(grep 'leases from' "$DHCPD_LOG" | tail -n 1)"
mv "$WORK/bound1" "$WORK/bound1.prev"
: > "$WORK/bound1"
udhcpc_many "$G" "$WORK/bound1" 1 $N "" "$WORK/bound1.prev"
awk '{ print $1, $2 }' "$WORK/bound1.prev" | sort > "$WORK/b1.want"
awk '{ print $1, $2 }' "$WORK/bound1" | sort > "$WORK/b1.got"
cmp -s "$WORK/b1.got" "$WORK/b1.want" ||
	{ diff "$WORK/b1.want" "$WORK/b1.got" | head; t_fail "after the restart clients did not get their addresses back"; }

# ISC dhclient: bound, stopped without release (-x), worker SIGKILLed and
# started again, dhclient run again: INIT-REBOOT (REQUEST with its address,
# no server id) ACKed, no NAK.
GD=$(dhcp_guest rd)
ED=$(ev_dir dhclient)
printf 'timeout 20;\n' > "$WORK/dhclient.conf"
dhclient_run() {
	in_ns "$GD" dhclient -4 -v "$@" -cf "$WORK/dhclient.conf" -lf "$WORK/dhclient.leases" -pf "$WORK/dhclient.pid" \
		-df "$WORK/dhclient.duid" -sf "$WORK/client-script.sh" -e EV="$ED" -e CONFIGURE=1 eth0 >> "$WORK/dhclient.log" 2>&1
}
dhclient_run -1 || { cat "$WORK/dhclient.log"; t_fail "dhclient got no lease"; }
DA=$(ev_get "$(ev_last "$ED" BOUND)" new_ip_address)
dhclient_run -x
dhcpd_kill KILL
dhcpd_start
naks=$(grep -c NAK "$DHCPD_LOG" || true)
dhclient_run -1 || { cat "$WORK/dhclient.log"; t_fail "dhclient run again got no lease"; }
f=$(ev_last "$ED" 'BOUND|REBOOT')
[ "${f##*.}" = REBOOT ] || t_fail "dhclient did not confirm its lease after the restart: $(ls "$ED" | tr '\n' ' ')"
[ "$(ev_get "$f" new_ip_address)" = "$DA" ] || t_fail "dhclient had $DA, the restarted worker gave $(ev_get "$f" new_ip_address)"
[ "$(grep -c NAK "$DHCPD_LOG" || true)" = "$naks" ] || t_fail "NAK for dhclient's own lease: $(grep NAK "$DHCPD_LOG" | tail -n 1)"
# Its lease file now names an address mv1 holds: NAK, then a new address.
dhclient_run -x
OTHER=$(awk '$1 == "mv1" { print $2 }' "$WORK/bound1")
sed -i "s/fixed-address $DA;/fixed-address $OTHER;/" "$WORK/dhclient.leases"
dhclient_run -1 || { cat "$WORK/dhclient.log"; t_fail "dhclient got no lease after a NAK"; }
grep -q "NAK $OTHER: address not available" "$DHCPD_LOG" || t_fail "no NAK for an INIT-REBOOT to $OTHER, mv1's address"
f=$(ev_last "$ED" 'BOUND|REBOOT')
[ "${f##*.}" = BOUND ] || t_fail "dhclient: $(basename "$f") after the NAK, wanted a new BOUND"
DA=$(ev_get "$f" new_ip_address)
[ "$DA" != "$OTHER" ] || t_fail "dhclient was given mv1's address $OTHER"
dhclient_run -x
leases_hold "$WORK/bound1" || t_fail "mv1's lease was disturbed by the INIT-REBOOT"

# ---- 2. SIGKILL in a loop during a burst ------------------------------------
# The reader: copies the file with one open (an open file is one complete
# version if the worker replaces it by rename; cp would stat and open
# apart, and complain when the file is replaced between the two) and
# checks it, until told to stop.
reader() {
	prev=0
	while [ ! -e "$WORK/stop" ]; do
		if ! cat "$LEASES" > "$WORK/snap" 2> /dev/null; then
			echo "the lease file was missing" >> "$WORK/torn"
			continue
		fi
		leases_wellformed "$WORK/snap" >> "$WORK/torn" || cp "$WORK/snap" "$WORK/torn.copy"
		n=$(wc -l < "$WORK/snap")
		[ "$n" -ge "$prev" ] || echo "the lease file went from $prev lines to $n" >> "$WORK/torn"
		prev=$n
		echo x >> "$WORK/reads"
	done
}
: > "$WORK/torn"
: > "$WORK/reads"
reader &
READER=$!
t_track "$READER"
: > "$WORK/bound2"
: > "$WORK/retries"
first=$((N + 1))
last=$((N + B))
udhcpc_many "$G" "$WORK/bound2" $first $last 0.02 &
BURST=$!
t_track "$BURST"
kills=0
# Kills for the first 8 s of the burst (its first round of udhcpc tries
# lasts 10 s), then the worker stays up: on a loaded host its restarts
# slow down and a client could otherwise miss both rounds.
kill_until=$(($(date +%s) + 8))
while alive "$BURST" && [ $kills -lt 40 ] && [ "$(date +%s)" -lt $kill_until ]; do
	sleep "$(printf '0.%02d' $((5 + $(od -An -N1 -tu1 /dev/urandom) % 20)))"
	dhcpd_kill KILL
	kills=$((kills + 1))
	dhcpd_start
done
wait "$BURST" || true
touch "$WORK/stop"
wait "$READER" || true
t_untrack "$BURST"
t_untrack "$READER"
udp=$(in_ns "$HOST" awk '$1 == "Udp:" && $2 ~ /^[0-9]/ { print "UDP in " $2 ", receive buffer errors " $6 }' /proc/net/snmp)
echo "burst: $B clients, $kills SIGKILLs, $(wc -l < "$WORK/bound2") bound ($(wc -l < "$WORK/retries") clients needed a second try), $(wc -l < "$WORK/reads") reads of the lease file; host: $udp"
[ -s "$WORK/torn" ] && { head "$WORK/torn"; t_fail "a reader saw a torn or shrunk lease file"; }
[ $kills -ge 5 ] || t_fail "only $kills SIGKILLs during the burst: the test did not test"
[ "$(wc -l < "$WORK/reads")" -ge 10 ] || t_fail "the reader barely ran"
[ "$(wc -l < "$WORK/bound2")" = $B ] || t_fail "$(wc -l < "$WORK/bound2") of $B clients got a lease"
[ "$(awk '{ print $2 }' "$WORK/bound1" "$WORK/bound2" | sort | uniq -d)" = "" ] ||
	t_fail "an address was given twice: $(awk '{ print $2 }' "$WORK/bound1" "$WORK/bound2" | sort | uniq -d | head -n 3)"
dhcpd_kill KILL
dhcpd_start
leases_wellformed "$LEASES" || t_fail "malformed lease file after the burst"
leases_hold "$WORK/bound1" || t_fail "a lease of before the burst was lost"
leases_hold "$WORK/bound2" || t_fail "a lease ACKed during the burst was lost"
total=$((N + B + 1))
[ "$(wc -l < "$LEASES")" = $total ] || t_fail "the lease file has $(wc -l < "$LEASES") lines, wanted $total"
grep -q "dhcpd: $total leases from" "$DHCPD_LOG" || t_fail "the last worker did not read $total leases"

# ---- 3. garbage in the lease file on start -----------------------------------
dhcpd_kill TERM
now=$(date +%s)
good() { # IFACE IP: a lease line for the interface's MAC
	printf '%s %s %s g%s *\n' $((now + 600)) "$(mac_of "$G" "$1")" "$2" "$1"
}
{
	good mv$((N + B + 1)) 10.77.0.241
	echo "this is not a lease"
	printf '%s zz:00:00:00:00:01 10.77.0.242 x *\n' $((now + 600))                      # bad MAC
	printf '%s 02:dd:00:00:ff:01 10.77.0.300 x *\n' $((now + 600))                      # bad IP
	printf '%s 02:dd:00:00:ff:02 10.77.0.243 x\n' $((now + 600))                        # 4 fields
	printf '%s 02:dd:00:00:ff:03 10.77.0.244 x * extra\n' $((now + 600))                # 6 fields
	echo '-5 02:dd:00:00:ff:04 10.77.0.245 x *'                                           # bad expiry
	printf '%s 02:dd:00:00:ff:05 10.77.0.246 x 0g:11\n' $((now + 600))                  # bad client id
	printf '%s 02:dd:00:00:ff:06 10.77.0.247 x *\n' $((now - 5))                        # expired: dropped
	printf '%s 02:dd:00:00:ff:07 192.168.9.9 x *\n' $((now + 600))                      # not the lab's
	good mv$((N + B + 2)) 10.77.0.248
	printf '\001\002\377\376 binary \033[0m junk\n'
	head -c 3000 /dev/zero | tr '\0' 'A'; echo                                            # too long
	good mv$((N + B + 3)) 10.77.0.249
	printf '1234 02:dd:00:00:ff:08 10.77.0.250 \000 *\n'                                 # a NUL byte; the next line must survive
	good mv$((N + B + 4)) 10.77.0.251
	printf '\n   \n'
	good mv$((N + B + 5)) 10.77.0.252 | tr -d '\n'                                       # no final newline
} > "$WORK/corrupt"
cp "$WORK/corrupt" "$LEASES"
dhcpd_start
alive "$DHCPD_PID" || t_fail "the worker did not survive a corrupt lease file"
# The good lines' clients get their addresses back.
: > "$WORK/bound3"
printf 'mv%d 10.77.0.%d\n' $((N + B + 1)) 241 $((N + B + 2)) 248 $((N + B + 3)) 249 $((N + B + 4)) 251 \
	$((N + B + 5)) 252 > "$WORK/bound3.want"
udhcpc_many "$G" "$WORK/bound3" $((N + B + 1)) $((N + B + 5))
awk '{ print $1, $2 }' "$WORK/bound3" | sort | cmp -s - "$WORK/bound3.want" ||
	t_fail "a good line of the corrupt file was not read back: its clients got $(awk '{ print $1, $2 }' "$WORK/bound3" | sort | tr '\n' ' '); wanted $(tr '\n' ' ' < "$WORK/bound3.want")($(grep 'leases from' "$DHCPD_LOG" | tail -n 1 | sed 's/.*dhcpd: //'))"
grep -q "dhcpd: 5 leases from .*malformed lines skipped" "$DHCPD_LOG" ||
	t_fail "wanted 5 leases read and malformed lines reported: $(grep 'leases from' "$DHCPD_LOG" | tail -n 1)"
# The next file written holds the good lines and no garbage.
: > "$WORK/bound4"
udhcpc_many "$G" "$WORK/bound4" $((N + B + 6)) $((N + B + 6))
[ -s "$WORK/bound4" ] || t_fail "a new client got no lease after the corrupt file"
# a change the journal took reaches the lease file once the server is quiet
t_wait_for 3 sh -c "[ \"\$(wc -l < '$LEASES')\" = 6 ]" || true
leases_wellformed "$LEASES" || t_fail "garbage kept in the lease file"
[ "$(wc -l < "$LEASES")" = 6 ] || { cat "$LEASES"; t_fail "the lease file has $(wc -l < "$LEASES") lines, wanted the 5 good ones and the new one"; }
leases_hold "$WORK/bound3" || t_fail "a good line of the corrupt file was lost"
alive "$DHCPD_PID" || t_fail "the worker died"
echo "dhcpd restart ok"
