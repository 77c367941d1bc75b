# Shared by the DHCP server tests (test_dhcpd_*.sh), sourced after net.sh:
# a lab host namespace with `labinit up` done and the worker `labinit dhcpd`
# running, guest namespaces with an unconfigured eth0 on virbr0, and one
# client script for every DHCP client that logs each event with its
# environment and never writes outside $WORK (no /etc/resolv.conf).

t_need jq
[ -x "$LABINIT" ] || t_fail "$LABINIT missing: run make all (or set LABINIT)"
IPBIN=$(command -v ip)
LEASES=$WORK/dhcpd/dhcp.leases # the server owns its directory, named dhcpd
mkdir -p "$WORK/dhcpd"
DHCPD_PID=
DHCPD_LOG=$WORK/dhcpd.log

# dhcpd_profile [LINE...]: the profile: static uplink as in test_traffic.sh,
# lease file under $WORK, plus the given lines.
dhcpd_profile() {
	{
		echo 'CONFIG_PROFILE_NAME="dhcpd"'
		echo "CONFIG_FILES_DIR=\"$WORK/files\""
		echo '# CONFIG_UPLINK_DHCP is not set'
		echo 'CONFIG_UPLINK_STATIC=y'
		echo 'CONFIG_UPLINK_ADDRESS="172.30.0.2/24"'
		echo 'CONFIG_UPLINK_GATEWAY="172.30.0.1"'
		echo "CONFIG_DHCP_LEASE_FILE=\"$LEASES\""
		for l in "$@"; do echo "$l"; done
	} > "$WORK/profile"
	"$LABINIT" check-config "$WORK/profile" > "$WORK/check.log" 2>&1 || { cat "$WORK/check.log"; t_fail "profile does not validate"; }
}

# dhcpd_lab: host and outside namespaces, `labinit up` in the host.
dhcpd_lab() {
	make_host_and_outside
	in_ns "$HOST" "$LABINIT" up --config "$WORK/profile" > "$WORK/up.log" 2>&1 || { cat "$WORK/up.log"; t_fail "up failed"; }
}

# dhcpd_start: the worker in the host namespace, in the background (its pid:
# ip netns exec execs it), logging to $DHCPD_LOG (appended: one log across
# restarts). Waits until it serves.
dhcpd_start() {
	n0=$(grep -c "dhcpd: serving" "$DHCPD_LOG" 2> /dev/null || true)
	ip netns exec "$HOST" "$LABINIT" dhcpd --config "$WORK/profile" >> "$DHCPD_LOG" 2>&1 &
	DHCPD_PID=$!
	t_track "$DHCPD_PID"
	t_wait_for 10 sh -c "[ \$(grep -c 'dhcpd: serving' '$DHCPD_LOG') -gt ${n0:-0} ]" ||
		{ cat "$DHCPD_LOG"; t_fail "labinit dhcpd did not start"; }
}

# alive PID: runs (kill -0 also holds for a zombie not yet reaped).
alive() { [ -e "/proc/$1" ] && ! grep -q ') Z ' "/proc/$1/stat" 2> /dev/null; }

# dhcpd_kill [SIGNAL]: stop the worker (default SIGTERM) and reap it.
dhcpd_kill() {
	kill "-${1:-TERM}" "$DHCPD_PID" 2> /dev/null || true
	wait "$DHCPD_PID" 2> /dev/null || true
	t_untrack "$DHCPD_PID"
	DHCPD_PID=
}

# dhcp_guest NAME [MAC]: a namespace whose eth0 (a veth into virbr0, no
# address) is where a DHCP client runs.
dhcp_guest() {
	g=$(t_netns_add "$1")
	ip link add "d$1$$" netns "$HOST" type veth peer name eth0 netns "$g"
	[ -z "${2:-}" ] || ip -n "$g" link set eth0 address "$2"
	ip -n "$HOST" link set "d$1$$" master virbr0 up
	ip -n "$g" link set eth0 up
	echo "$g"
}

mac_of() { ip -n "$1" -j link show "${2:-eth0}" | jq -r '.[0].address'; }
addr_of() { ip -n "$1" -j -4 addr show dev "${2:-eth0}" | jq -r '[.[0].addr_info[]? | .local] | join(" ")'; }

# The clients' script, the same for udhcpc ($1 = event), dhclient and
# dhcpcd ($reason): it writes its environment to $EV/NNN.EVENT. With
# CONFIGURE=1 (udhcpc, dhclient) it also sets the address on the guest's
# interface, inside the guest namespace; dhcpcd does that itself.
cat > "$WORK/client-script.sh" <<EOS
#!/bin/sh
ev=\${reason:-\$1}
n=\$(ls "\$EV" | wc -l)
env | sort > "\$EV/\$(printf %03d "\$n").\$ev"
[ "\${CONFIGURE:-}" = 1 ] || exit 0
case \$ev in
bound | renew) $IPBIN addr replace "\$ip/\$mask" dev "\$interface" ;;
deconfig) $IPBIN addr flush dev "\$interface" ;;
BOUND | RENEW | REBIND | REBOOT) $IPBIN addr replace "\$new_ip_address/\$new_subnet_mask" dev "\$interface" ;;
EXPIRE | FAIL | RELEASE | STOP) $IPBIN addr flush dev "\$interface" ;;
esac
exit 0
EOS
chmod +x "$WORK/client-script.sh"

# ev_dir NAME: a fresh event directory for one client.
ev_dir() { rm -rf "$WORK/ev.$1"; mkdir -p "$WORK/ev.$1"; echo "$WORK/ev.$1"; }
# ev_last DIR REGEX: the newest event file whose event matches the
# extended regex (e.g. 'bound|renew'); empty if none.
ev_last() {
	f=$(ls "$1" | grep -xE "[0-9]+\.($2)" | tail -n 1 || true)
	[ -z "$f" ] || echo "$1/$f"
}
ev_count() { ls "$1" | grep -cxE "[0-9]+\.($2)" || true; }
# ev_wait DIR REGEX COUNT SECONDS: until COUNT such events were logged.
ev_wait() {
	i=0
	while [ "$(ev_count "$1" "$2")" -lt "$3" ]; do
		i=$((i + 1))
		[ $i -gt $(($4 * 10)) ] && return 1
		sleep 0.1
	done
}
# ev_get FILE VAR: a variable of that event's environment.
ev_get() { sed -n "s/^$2=//p" "$1" | head -n 1; }

# lease_line IP: the lease file's line for IP (empty if none).
lease_line() { awk -v ip="$1" '$3 == ip' "$LEASES" 2> /dev/null; }
# leases_wellformed FILE: every line is "EXPIRY MAC IP HOSTNAME CLIENT-ID"
# (dnsmasq's format) with an address of the lab's range; prints bad lines.
# (No {n} intervals: Debian's awk is mawk.)
leases_wellformed() {
	awk '!(NF == 5 && $1 ~ /^[0-9]+$/ && $2 ~ /^[0-9a-f][0-9a-f](:[0-9a-f][0-9a-f])(:[0-9a-f][0-9a-f])(:[0-9a-f][0-9a-f])(:[0-9a-f][0-9a-f])(:[0-9a-f][0-9a-f])$/ &&
		$3 ~ /^10\.77\.0\.([2-9]|[1-9][0-9]|1[0-9][0-9]|2[0-4][0-9]|25[0-4])$/ &&
		($4 == "*" || $4 ~ /^[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?$/) &&
		($5 == "*" || $5 ~ /^[0-9a-f][0-9a-f](:[0-9a-f][0-9a-f])*$/)) { print FILENAME ":" FNR ": " $0; bad = 1 }
		END { exit bad }' "$1"
}

# macvlans NS COUNT: interfaces mv1..mvCOUNT on the namespace's eth0, one
# MAC each (02:dd:00:00:HH:LL for number HHLL), up.
macvlans() {
	i=1
	while [ $i -le $2 ]; do
		printf 'link add mv%d link eth0 address 02:dd:00:00:%02x:%02x type macvlan mode bridge\nlink set mv%d up\n' \
			$i $((i / 256)) $((i % 256)) $i
		i=$((i + 1))
	done > "$WORK/macvlans.batch"
	ip -n "$1" -batch "$WORK/macvlans.batch" || t_fail "could not create $2 macvlans"
}

# The many-clients script: one line "IFACE IP MASK ROUTER LEASE" per lease
# to $BOUND (appended, one short write).
cat > "$WORK/many-script.sh" <<'EOS'
#!/bin/sh
[ "$1" = bound ] && echo "$interface $ip $subnet $router $lease" >> "$BOUND"
exit 0
EOS
chmod +x "$WORK/many-script.sh"
: > "$WORK/retries"

# udhcpc_many NS BOUNDFILE FIRST LAST [SPREAD] [REQFILE]: busybox udhcpc on
# mvFIRST..mvLAST at once, from one shell inside the namespace (-q: each
# exits once bound, -n: or when it gives up), logs in BOUNDFILE.mvN.log.
# SPREAD: a pause after every second start, to stretch a burst. REQFILE:
# each asks (-r) for the address that file's "IFACE IP" line gives it.
# An interface left without a lease gets one more try, counted in
# $WORK/retries: busybox udhcpc drops a reply whose UDP checksum field is
# 0xffff (1 in 65535 replies; see the report) and gives up after three
# unanswered REQUESTs, whatever -t says.
udhcpc_many() {
	ns=$1 bf=$2 first=$3 last=$4 spread=${5:-} req=${6:-}
	for round in 1 2; do
		in_ns "$ns" env BOUND="$bf" sh -c 'bf=$1 first=$2 last=$3 spread=$4 req=$5 script=$6 round=$7
			i=$first
			while [ $i -le $last ]; do
				if [ $round = 1 ] || ! grep -q "^mv$i " "$bf"; then
					[ $round = 1 ] || echo "mv$i" >> "$8"
					r=
					[ -z "$req" ] || r="-r $(awk -v i=mv$i "\$1 == i { print \$2 }" "$req")"
					udhcpc -f -q -n -i mv$i -s "$script" -t 10 -T 1 $r >> "$bf.mv$i.log" 2>&1 &
					[ -z "$spread" ] || [ $((i % 2)) = 1 ] || sleep "$spread"
				fi
				i=$((i + 1))
			done
			wait' sh "$bf" "$first" "$last" "$spread" "$req" "$WORK/many-script.sh" $round "$WORK/retries"
	done
}
