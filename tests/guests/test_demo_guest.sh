#!/bin/sh
# The demo guest of the default profile: `make demo-guest` builds (or
# reuses) lab/guests/demo, and a second build into a scratch directory must
# give the same initramfs and vmlinux bytes. QEMU (TCG) then boots it from
# vmlinux (PVH) and from bzImage with virtio-net and the 9p share, and once
# each with an e1000 and an rtl8139 card. Checked: the console markers (the
# DHCP lease from QEMU's user network, the share), the command's output, a
# file the guest wrote into the share, and QEMU exiting by itself with 0
# (lab.poweroff=1). Boot times are printed, never asserted.
# Skips (77) without qemu-system-x86_64 or when the packages cannot be
# fetched (offline, nothing cached).
. "$(dirname "$0")/../lib/lib.sh"
cd "$T_REPO" || exit 2
QEMU=${QEMU:-qemu-system-x86_64}
LIMIT=${DEMO_GUEST_TIMEOUT:-120}
D=lab/guests/demo

bootfailed=0
fail() { t_error "$*"; bootfailed=1; } # and the test goes on with the next boot
t_need "$QEMU" "Debian package qemu-system-x86"

WORK=$(mktemp -d /tmp/test_demo_guest.XXXXXX) || exit 2
qpid="" rpid=""
demo_cleanup() {
	[ -z "$qpid" ] || kill "$qpid" 2>/dev/null
	[ -z "$rpid" ] || kill "$rpid" 2>/dev/null
	rm -rf "$WORK"
}
T_CLEANUP_HOOK=demo_cleanup

build() { # LOG [VAR=VALUE...]: make demo-guest; skip when offline
	log=$1
	shift
	if ! env "$@" make demo-guest > "$log" 2>&1; then
		cat "$log"
		grep -q 'cannot fetch' "$log" && t_skip "the demo guest cannot be built offline (packages not fetched)"
		t_fail "make demo-guest $*"
	fi
	cat "$log"
}
build "$WORK/build.log"
for f in bzImage vmlinux initramfs.cpio.gz README; do
	[ -s "$D/$f" ] || t_fail "make demo-guest left no $D/$f"
done
[ "$(od -An -tx1 -N4 "$D/vmlinux" | tr -d ' ')" = 7f454c46 ] || fail "$D/vmlinux is not an ELF file"
ls -l "$D"

echo "== reproducibility: a second build into $WORK/rebuild"
build "$WORK/rebuild.log" DEMO_GUEST_OUT="$WORK/rebuild"
for f in initramfs.cpio.gz vmlinux bzImage; do
	if cmp -s "$D/$f" "$WORK/rebuild/$f"; then
		echo "same bytes: $f"
	else
		fail "$f differs between two builds from the same inputs"
	fi
done
rm -rf "$WORK/rebuild" "$WORK/rebuild-arm64" "$WORK/rebuild-riscv64"

mkdir -p "$WORK/share"
token="from-host-$$-$(date +%s)"
echo "$token" > "$WORK/share/from-host"

# boot NAME KERNEL NIC RUN: boot the guest with lab.poweroff=1 and
# lab.run=RUN; wait for QEMU to exit (killed after $LIMIT s); leave the
# console in $WORK/NAME.log (CRs removed) and QEMU's status in $status.
boot() {
	name=$1 bootfailed=0
	fifo=$WORK/$name.fifo log=$WORK/$name.log ts=$WORK/$name.ready
	rm -f "$fifo" "$ts"
	mkfifo "$fifo"
	start=$(date +%s%N)
	# The console goes through a FIFO to a reader that notes when the
	# ready marker arrives (polling a file misses it on a busy machine).
	awk -v out="$log" -v ts="$ts" '
		{ sub(/\r$/, ""); print > out; fflush(out) }
		/labguest: ready/ && !seen { seen = 1; "date +%s%N" | getline t; print t > ts; close(ts) }
	' < "$fifo" &
	rpid=$!
	"$QEMU" -accel tcg -m 256 -smp 1 -nographic -monitor none -no-reboot \
		-serial "file:$fifo" -kernel "$2" -initrd "$D/initramfs.cpio.gz" \
		-netdev user,id=n0,restrict=on,hostname=demo-test -device "$3,netdev=n0" \
		-virtfs "local,path=$WORK/share,mount_tag=debug,security_model=none,id=fs0" \
		-append "console=ttyS0 lab.poweroff=1 lab.run=\"$4\"" \
		> "$WORK/$name.qemu" 2>&1 &
	qpid=$!
	timed_out=""
	while kill -0 "$qpid" 2>/dev/null; do
		if [ $((($(date +%s%N) - start) / 1000000000)) -ge "$LIMIT" ]; then
			timed_out=1
			kill "$qpid"
			break
		fi
		sleep 0.2
	done
	wait "$qpid"
	status=$?
	qpid=""
	total=$((($(date +%s%N) - start) / 1000000))
	# EOF ends the reader; it is still blocked in open() if QEMU never ran.
	i=0
	while kill -0 "$rpid" 2>/dev/null && [ $i -lt 25 ]; do
		sleep 0.2
		i=$((i + 1))
	done
	kill "$rpid" 2>/dev/null
	wait "$rpid" 2>/dev/null
	rpid=""
	touch "$log"
	ready=""
	[ -s "$ts" ] && ready=$((($(cat "$ts") - start) / 1000000))
	uptime=$(sed -n 's/^labguest: ready (\([0-9.]*\) s since kernel start).*/\1/p' "$log")
	printf 'boot %-8s %-15s ready %s s after QEMU started (%s s after kernel start), QEMU exited after %s s\n' \
		"$name" "$3" "$(ms "$ready")" "${uptime:-?}" "$(ms "$total")"
	if [ -n "$timed_out" ]; then
		fail "$name: QEMU still running after $LIMIT s, killed"
	elif [ "$status" -ne 0 ]; then
		fail "$name: QEMU exited with $status"
	fi
	[ -s "$WORK/$name.qemu" ] && sed "s/^/    qemu: /" "$WORK/$name.qemu"
}
ms() { [ -n "$1" ] && printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)) || printf '?'; }

expect() { # NAME FIXED-STRING WHAT
	grep -qF -- "$2" "$WORK/$1.log" || fail "$1: the console lacks $3: $2"
}

show() { # NAME: the guest's marker lines, and the whole console on failure
	grep -e '^labguest: ' -e '^driver=' -e '^from-host-' "$WORK/$1.log" | sed 's/^/    /'
	if [ "$bootfailed" -ne 0 ]; then
		echo "--- console of $1:"
		cat "$WORK/$1.log"
		echo "---"
	fi
}

for kernel in vmlinux bzImage; do
	rm -f "$WORK/share/hello"
	boot "$kernel" "$D/$kernel" virtio-net-pci \
		"echo hello-from-guest > /mnt/debug/hello; cat /mnt/debug/from-host"
	expect "$kernel" "labguest: eth0 10.0.2.15/24" "the DHCP lease marker"
	expect "$kernel" "labguest: hostname demo-test" "the host name from DHCP"
	expect "$kernel" "labguest: share debug on /mnt/debug" "the share marker"
	expect "$kernel" "labguest: ready" "the ready marker"
	expect "$kernel" "$token" "the host file's content, printed by the command"
	expect "$kernel" "labguest: exit 0" "the command's exit status 0"
	if [ "$(cat "$WORK/share/hello" 2>/dev/null)" != hello-from-guest ]; then
		fail "$kernel: the share holds no hello file with hello-from-guest"
	fi
	show "$kernel"
done

# The other card models of the guest menu: their modules load and bind.
for nic in e1000 rtl8139; do
	boot "$nic" "$D/vmlinux" "$nic" \
		'echo driver=$(basename $(readlink /sys/class/net/eth0/device/driver))'
	expect "$nic" "labguest: eth0 10.0.2.15/24" "the DHCP lease marker"
	case $nic in
	e1000) expect "$nic" "driver=e1000" "the e1000 driver on eth0" ;;
	rtl8139) grep -Eq '^driver=8139(too|cp)$' "$WORK/$nic.log" ||
		fail "$nic: eth0 is not driven by 8139too or 8139cp" ;;
	esac
	expect "$nic" "labguest: exit 0" "the command's exit status 0"
	show "$nic"
done

[ "$T_ERRORS" -eq 0 ] && echo "PASS: the demo guest boots from vmlinux and bzImage, DHCP, 9p share, lab.run, poweroff"
t_exit
