#!/bin/sh
# The console logger on a nearly full /run (issue 12, defect 5): it leaves
# 4 MiB free there for the lease file, whatever the profile's bound times
# the guests comes to. In a mount namespace of its own, on a tmpfs of
# 8 MiB filled up to 3 MiB free, a flood of console output writes nothing
# and the logger says once that it drops it; with room again it logs on
# and says so.
. "$(dirname "$0")/../lib/lib.sh"
t_need_root
t_need unshare util-linux
t_tmpdir
cat > "$tmp/inner.sh" <<'EOF'
set -e
LABINIT=$2
mount -t tmpfs -o size=8m tmpfs "$1/mnt"
RUN=$1/mnt/run
mkdir "$RUN"
dd if=/dev/zero of="$1/mnt/filler" bs=1M count=5 2> /dev/null
"$LABINIT" conlog "$RUN" --size 1024 2> "$1/logger.err" &
lpid=$!
i=0
while [ ! -p "$RUN/console.fifo" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
exec 3> "$RUN/console.fifo"
awk 'BEGIN { print "BUG: dropped report"; for (i = 0; i < 20000; i++) printf "full %d padding-padding-padding\n", i }' >&3
sleep 1
echo "full: console.log $(stat -c %s "$RUN/console.log" 2> /dev/null || echo absent), console.oops $(stat -c %s "$RUN/console.oops" 2> /dev/null || echo absent)"
rm "$1/mnt/filler"
echo "room again $$" >&3
i=0
while ! grep -q "room again $$" "$RUN/console.log" 2> /dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
echo "room: console.log $(stat -c %s "$RUN/console.log" 2> /dev/null || echo absent)"
grep -c "room again $$" "$RUN/console.log" || true
exec 3>&-
kill $lpid
wait $lpid || echo "logger exit $?"
umount "$1/mnt"
EOF
mkdir "$tmp/mnt"
unshare -m --propagation private sh "$tmp/inner.sh" "$tmp" "$LABINIT" > "$tmp/out" 2>&1 || t_fail "$(cat "$tmp/out")"
cat "$tmp/out" "$tmp/logger.err"
grep -q '^full: console.log \(absent\|0\), console.oops \(absent\|0\)$' "$tmp/out" || t_error "the logger wrote into the last 4 MiB"
[ "$(grep -c 'No space left on device; console output dropped' "$tmp/logger.err")" = 1 ] ||
	t_error "the logger did not say once that it drops output"
grep -q '^1$' "$tmp/out" || t_error "with room again the logger did not log on"
grep -q 'writing again' "$tmp/logger.err" || t_error "the logger did not say it writes again"
[ "$T_ERRORS" -eq 0 ] && echo "PASS: the logger leaves /run's last 4 MiB free and logs on once there is room"
t_exit
