#!/bin/bash
# End to end (issue 16, crash triage): labinit as PID 1 boots one demo
# guest (TCG) whose command is `echo c > /proc/sysrq-trigger`: its kernel
# panics ("Kernel panic - not syncing: sysrq triggered crash"). Checked:
# the guest's console logger files exactly one report, of kind panic with
# that title, as SHARE/crashes/vm1/001-panic-FP.txt with its header and the
# report's lines from the panic line to the kernel's end marker, and
# nothing else; `labctl crashes --json` and `labctl crashes vm1` list it,
# `labctl guests` counts it. Then the guest is restarted and panics again:
# the same fingerprint (a second run: other times, PID, kernel offset), so
# the report is counted twice and no second file is written.
source "$(dirname "$0")/../lib/pid1.sh" || exit 2
t_init
t_demo_lab crash 192 'lab.tag=none lab.if=none lab.run=\"echo c > /proc/sysrq-trigger\"'
cfg=$CFG
t_boot_with_uplink crash "$cfg"
t_wait_console 'service vm1: started' 30 || t_fail "vm1 was not started"

C=$T_DIR/share/crashes/vm1
reports() { grep -cv '^#' "$C/index" 2>/dev/null || echo 0; }
count() { awk -F '\t' '!/^#/ { print $3 }' "$C/index" 2>/dev/null; }
console() { nsenter -t "$LPID" -m cat /run/labinit/guests/vm1/console.log 2>/dev/null | tr -d '\r'; }
t0=$(t_now_ms)
t_wait_for 240 test -s "$C/index" || t_fail "no crash report after 240 s: $(console | tail -n 15)"
echo "the panic was filed $(($(t_now_ms) - t0)) ms after vm1 started"
sleep 2 # anything the logger would wrongly file after it
ls -ln "$C"
[ "$(reports)" = 1 ] || t_fail "$(reports) reports filed, not 1: $(cat "$C/index")"
IFS=$'\t' read -r fp kind n first last file title < <(grep -v '^#' "$C/index")
[ "$kind" = panic ] && [ "$n" = 1 ] && [ "$title" = "kernel panic: sysrq triggered crash" ] ||
	t_fail "index line: kind '$kind', count '$n', title '$title'"
[ "$file" = "001-panic-$fp.txt" ] && [ "$(ls "$C" | grep -c '\.txt$')" = 1 ] || t_fail "files: $(ls "$C")"
R=$C/$file
head -n 9 "$R"
grep -qx "guest: vm1" "$R" && grep -qx "kind: panic" "$R" && grep -qx "fingerprint: $fp" "$R" &&
	grep -qx "frames: sysrq_handle_crash __handle_sysrq write_sysrq_trigger" "$R" && grep -qx "end: seen" "$R" &&
	grep -q '^decoded: not decoded: .*/vmlinux: no debug info' "$R" || t_fail "the report's header: $(head -n 9 "$R")"
body=$(sed '1,/^$/d' "$R")
echo "$body" | head -n 1 | grep -Eq '^\[ *[0-9.]+\] Kernel panic - not syncing: sysrq triggered crash$' ||
	t_fail "the report does not start with the panic line: $(echo "$body" | head -n 2)"
echo "$body" | tail -n 1 | grep -q -- '---\[ end Kernel panic - not syncing: sysrq triggered crash \]---' ||
	t_fail "the report does not end with the kernel's end marker: $(echo "$body" | tail -n 2)"
echo "$body" | grep -q 'labguest:' && t_error "the guest's own lines are in the report"
[ "$(stat -c %u "$C")" = "$(nsenter -t "$LPID" -m -p ps -eo uid=,args= | awk '/conlog \/run\/labinit\/guests\/vm1/ { print $1; exit }')" ] ||
	t_error "the crash directory does not belong to the logger's user: $(stat -c %U "$C")"

J=$(t_labctl crashes --json)
echo "$J"
echo "$J" | grep -q "\"guest\": \"vm1\", \"time\": \"[0-9T:-]*Z\", \"kind\": \"panic\", \"title\": \"kernel panic: sysrq triggered crash\", \"fingerprint\": \"$fp\", \"count\": 1, \"file\": \"$R\"" ||
	t_fail "labctl crashes --json: $J"
[ "$(echo "$J" | grep -c '"guest"')" = 1 ] || t_fail "labctl crashes --json lists more than one report"
t_labctl crashes vm1 | grep -q "^vm1 .* panic  *1 $fp kernel panic: sysrq triggered crash$" || t_error "labctl crashes vm1: $(t_labctl crashes vm1)"
t_labctl crashes nosuch >/dev/null 2>&1 && t_error "labctl crashes accepted a guest that does not exist"
t_labctl guests | grep -Eq '^vm1 +[a-z]+ +[-0-9.]+ +[-0-9s]+ +[0-9]+ +1 ' || t_error "labctl guests: $(t_labctl guests)"
t_labctl guests --json | grep -q '"crashes": 1' || t_error "labctl guests --json: $(t_labctl guests --json)"

# A second run of the same crash: the same fingerprint, counted.
t_labctl restart vm1 >/dev/null || t_fail "labctl restart vm1"
t0=$(t_now_ms)
t_wait_for 240 sh -c "[ \"\$(awk -F '\t' '!/^#/ { print \$3 }' '$C/index')\" = 2 ]" ||
	t_fail "the second panic was not counted: $(cat "$C/index"); $(console | tail -n 5)"
echo "the second panic was counted $(($(t_now_ms) - t0)) ms after the restart"
[ "$(reports)" = 1 ] && [ "$(ls "$C" | grep -c '\.txt$')" = 1 ] || t_fail "a second report: $(ls "$C"; cat "$C/index")"
t_labctl crashes --json | grep -q "\"fingerprint\": \"$fp\", \"count\": 2" || t_error "labctl crashes --json: $(t_labctl crashes --json)"

kill -TERM "$LPID"
t_wait_end 120 || t_fail "the namespace did not end after SIGTERM"
t_exit
