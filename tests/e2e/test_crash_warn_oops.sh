#!/bin/bash
# End to end (issue 16, crash triage): a WARN and an Oops in the demo
# guest, provoked through labcrash.ko (image/demo-guest/labcrash; Debian's
# kernel has no LKDTM): with lab.crash=1 its /init loads the module and the
# command writes "warn", "oops" and "null" to /proc/labcrash (each Oops
# kills its shell: one sh each). Checked: the console logger files exactly
# three reports, kind warning ("WARNING in labcrash_warn"), kind oops
# ("general protection fault in labcrash_oops") and kind bug (x86 prints
# "BUG: kernel NULL pointer dereference" first; in labcrash_null), each
# with the frames labcrash_write proc_reg_write vfs_write;
# `labctl crashes --json` lists each once; after a restart (a second run:
# other times, PIDs, addresses) each is counted twice under the same
# fingerprint and no fourth file appears. Skipped when the demo guest was built without
# labcrash.ko (its README says why).
source "$(dirname "$0")/../lib/pid1.sh" || exit 2
t_init
t_demo_lab warnoops 192 "lab.tag=none lab.if=none lab.crash=1 lab.run=\\\"echo warn > /proc/labcrash; sh -c 'echo oops > /proc/labcrash'; sh -c 'echo null > /proc/labcrash'\\\""
grep -q '^labcrash.ko: built' "$T_REPO/lab/guests/demo/README" ||
	t_skip "the demo guest has no labcrash.ko: $(grep '^labcrash.ko' "$T_REPO/lab/guests/demo/README")"
cfg=$CFG
t_boot_with_uplink warnoops "$cfg"
t_wait_console 'service vm1: started' 30 || t_fail "vm1 was not started"

C=$T_DIR/share/crashes/vm1
reports() { grep -cv '^#' "$C/index" 2>/dev/null || echo 0; }
console() { nsenter -t "$LPID" -m cat /run/labinit/guests/vm1/console.log 2>/dev/null | tr -d '\r'; }
line_of() { grep -v '^#' "$C/index" | awk -F '\t' -v k="$1" '$2 == k'; }
t_wait_for 240 sh -c "[ \"\$(grep -cv '^#' '$C/index' 2>/dev/null)\" = 3 ]" ||
	t_fail "not three crash reports after 240 s: $(cat "$C/index" 2>/dev/null); $(console | tail -n 15)"
sleep 3 # anything the logger would wrongly file after them
cat "$C/index"
[ "$(reports)" = 3 ] || t_fail "$(reports) reports filed, not 3: $(cat "$C/index")"
IFS=$'\t' read -r wfp _ wn _ _ wfile wtitle < <(line_of warning)
IFS=$'\t' read -r ofp _ on _ _ ofile otitle < <(line_of oops)
IFS=$'\t' read -r nfp _ nn _ _ nfile ntitle < <(line_of bug)
[ -n "$wfp" ] && [ "$wn" = 1 ] || t_fail "no warning report counted once: $(cat "$C/index"); $(console | grep -A3 WARNING | head)"
[ -n "$ofp" ] && [ "$on" = 1 ] || t_fail "no oops report counted once: $(cat "$C/index"); $(console | grep -B2 -A3 Oops | head)"
[ -n "$nfp" ] && [ "$nn" = 1 ] || t_fail "no bug report (the NULL dereference) counted once: $(cat "$C/index")"
echo "warning: $wfp $wtitle; oops: $ofp $otitle; bug: $nfp $ntitle"
# The faulting function names the report (its RIP); the frames are its callers.
[ "$wtitle" = "WARNING in labcrash_warn" ] && [ "$otitle" = "general protection fault in labcrash_oops" ] &&
	[ "$ntitle" = "BUG: kernel NULL pointer dereference in labcrash_null" ] || t_error "the titles"
for f in "$wfile" "$ofile" "$nfile"; do
	grep -qx 'frames: labcrash_write proc_reg_write vfs_write' "$C/$f" || t_error "$f's frames: $(grep '^frames' "$C/$f")"
done
J=$(t_labctl crashes --json)
echo "$J"
[ "$(echo "$J" | grep -c "\"kind\": \"warning\".*\"fingerprint\": \"$wfp\", \"count\": 1")" = 1 ] &&
	[ "$(echo "$J" | grep -c "\"kind\": \"oops\".*\"fingerprint\": \"$ofp\", \"count\": 1")" = 1 ] &&
	[ "$(echo "$J" | grep -c "\"kind\": \"bug\".*\"fingerprint\": \"$nfp\", \"count\": 1")" = 1 ] &&
	[ "$(echo "$J" | grep -c '"guest"')" = 3 ] || t_fail "labctl crashes --json: $J"

# A second run: the same three fingerprints, each counted twice.
t_labctl restart vm1 >/dev/null || t_fail "labctl restart vm1"
t_wait_for 240 sh -c "[ \"\$(awk -F '\t' '!/^#/ { n += \$3 } END { print n }' '$C/index')\" = 6 ]" ||
	t_fail "the second run was not counted: $(cat "$C/index"); $(console | tail -n 5)"
sleep 3
J=$(t_labctl crashes --json)
echo "$J"
[ "$(reports)" = 3 ] && [ "$(ls "$C" | grep -c '\.txt$')" = 3 ] || t_fail "a fourth report: $(ls "$C"; cat "$C/index")"
echo "$J" | grep -q "\"kind\": \"warning\".*\"fingerprint\": \"$wfp\", \"count\": 2" &&
	echo "$J" | grep -q "\"kind\": \"oops\".*\"fingerprint\": \"$ofp\", \"count\": 2" &&
	echo "$J" | grep -q "\"kind\": \"bug\".*\"fingerprint\": \"$nfp\", \"count\": 2" ||
	t_fail "the fingerprints changed in the second run: $J"

kill -TERM "$LPID"
t_wait_end 120 || t_fail "the namespace did not end after SIGTERM"
t_exit
