#!/bin/bash
# End to end (issue 16, memory dumps): labinit as PID 1 boots one demo
# guest (TCG, 256 MiB); once it is up `labctl dump vm1` has QEMU write the
# guest's memory (QMP dump-guest-memory, kdump-zlib, into a pipe labctl
# passed with getfd) and labctl reassembles it as SHARE/dumps/vm1-TIME.kdump.
# Checked: the path printed is that file, it starts with the kdump header's
# "KDUMP   " signature (`file` agrees where it knows the format), its size
# is plausible for a compressed 256 MiB guest (1 MiB .. 256 MiB), the guest
# runs on afterwards, --out writes where it is told, and the refusals (no
# such guest, an existing --out file, a bad --timeout) name what is wrong.
source "$(dirname "$0")/../lib/pid1.sh" || exit 2
t_init
t_demo_lab dump 256 'lab.tag=none lab.if=none'
cfg=$CFG
t_boot_with_uplink dump "$cfg"
t_wait_console 'service vm1: started' 30 || t_fail "vm1 was not started"
console() { nsenter -t "$LPID" -m cat /run/labinit/guests/vm1/console.log 2>/dev/null | tr -d '\r'; }
t_wait_for 240 sh -c "nsenter -t $LPID -m cat /run/labinit/guests/vm1/console.log 2>/dev/null | grep -q 'labguest: ready'" ||
	t_fail "vm1 did not come up: $(console | tail -n 10)"

t0=$(t_now_ms)
out=$(t_labctl dump vm1 2>"$T_DIR/dump.err") || t_fail "labctl dump vm1: $(cat "$T_DIR/dump.err")"
echo "dumped in $(($(t_now_ms) - t0)) ms: $(cat "$T_DIR/dump.err")"
echo "$out" | grep -Eqx "$T_DIR/share/dumps/vm1-[0-9]{8}T[0-9]{6}Z\.kdump" || t_fail "labctl dump printed '$out'"
[ -f "$out" ] || t_fail "no file $out: $(ls -l "$T_DIR/share/dumps")"
size=$(stat -c %s "$out")
ls -l "$out"
file "$out"
[ "$(head -c 8 "$out")" = "KDUMP   " ] || t_fail "no kdump signature: $(head -c 32 "$out" | od -c | head -n 2)"
file "$out" | grep -qi 'kdump' || echo "note: file(1) does not name the format: $(file -b "$out")"
[ "$size" -gt $((1 << 20)) ] && [ "$size" -lt $((256 << 20)) ] || t_fail "size $size: not a compressed 256 MiB guest"
grep -q "vm1: $size bytes (kdump-zlib) of a 256 MiB guest" "$T_DIR/dump.err" || t_error "the report: $(cat "$T_DIR/dump.err")"

# The guest runs on: it answers on its console after the dump.
nsenter -t "$LPID" -m sh -c 'printf "echo after-dump-\$((6*7))\n" | socat - UNIX-CONNECT:/run/labinit/guests/vm1/console.sock,shut-none 2>/dev/null &
	sleep 3; kill $! 2>/dev/null' >/dev/null
t_wait_for 60 sh -c "nsenter -t $LPID -m cat /run/labinit/guests/vm1/console.log | grep -q after-dump-42" ||
	t_error "vm1 does not answer after the dump: $(console | tail -n 5)"

# --out, and the refusals.
t_labctl dump vm1 --out "$T_DIR/share/x.kdump" >/dev/null 2>"$T_DIR/out.err" && [ "$(head -c 8 "$T_DIR/share/x.kdump")" = "KDUMP   " ] ||
	t_error "labctl dump --out: $(cat "$T_DIR/out.err")"
t_labctl dump vm1 --out "$T_DIR/share/x.kdump" 2>&1 >/dev/null | grep -q "create $T_DIR/share/x.kdump: File exists" ||
	t_error "an existing --out file was not refused by name"
t_labctl dump nosuch 2>&1 | grep -q "nosuch: no such guest" || t_error "a guest that does not exist was not refused"
t_labctl dump vm1 --timeout 0 2>&1 | grep -q -- "--timeout 0: 1 to" || t_error "--timeout 0 was not refused"
t_labctl dump --timeout 120 vm1 --out "$T_DIR/share/y.kdump" >/dev/null 2>"$T_DIR/y.err" && [ -s "$T_DIR/share/y.kdump" ] ||
	t_error "labctl dump --timeout 120 vm1 --out: $(cat "$T_DIR/y.err")"
[ "$(ls "$T_DIR/share/dumps" | wc -l)" = 1 ] || t_error "stray files: $(ls "$T_DIR/share/dumps")"

kill -TERM "$LPID"
t_wait_end 120 || t_fail "the namespace did not end after SIGTERM"
t_exit
