#!/bin/sh
# `labinit results` writes JUnit XML that xmllint finds well-formed and
# valid against tests/data/junit.xsd, whatever bytes the outputs hold
# (escape sequences, NULs, invalid UTF-8, "]]>", a megabyte of output cut
# to --cap); one testcase a --run, with the counts and the exit codes'
# mapping (failure: failed/timed_out/panicked; error: lab_error/did_not_boot).
set -eu
T_REPO=$(cd "$(dirname "$0")/../../../.." && pwd)
. "$T_REPO/tests/lib/lib.sh"
cd "$T_REPO"
t_need xmllint "Debian package libxml2-utils"
t_tmpdir
run() { printf '{"outcome": "%s", "status": %s, "duration_ms": %s, "guest": "test", "boot_wait_ms": 9000%s}\n' "$@"; }
run passed 0 812 '' > "$tmp/1.json"
run failed 3 20 ', "crash": {"new_reports": 1, "see": "labctl crashes test"}' > "$tmp/2.json"
run timed_out 124 2000 '' > "$tmp/3.json"
run did_not_boot 126 0 ', "error": "no \"hello\""' > "$tmp/4.json"
printf 'hi\n\033[31mred\033[0m \000 NUL \001\002 ]]> <tag> & \xff\xfe \xed\xa0\x80 \xc3\xa9\n' > "$tmp/out"
head -c 1048576 /dev/urandom > "$tmp/big"
: > "$tmp/empty"
"$LABINIT" results --out "$tmp/junit.xml" --property 'kernel=/k "x" <y>' --property arch=x86_64 --cap 4096 \
	--run "$tmp/1.json" --name true --stdout "$tmp/empty" --stderr "$tmp/empty" \
	--run "$tmp/2.json" --name 'echo hi; exit 3' --stdout "$tmp/out" --stderr "$tmp/big" \
	--run "$tmp/3.json" --name 'sleep 99' \
	--run "$tmp/4.json" --name true || t_fail "labinit results failed"
xmllint --noout --schema tests/data/junit.xsd "$tmp/junit.xml" || t_fail "junit.xml does not validate"
q() { xmllint --xpath "$1" "$tmp/junit.xml"; }
[ "$(q 'string(/testsuites/testsuite/@tests)')" = 4 ] || t_error "tests=$(q 'string(//testsuite/@tests)')"
[ "$(q 'string(/testsuites/testsuite/@failures)')" = 2 ] || t_error "failures"
[ "$(q 'string(/testsuites/testsuite/@errors)')" = 1 ] || t_error "errors"
[ "$(q 'count(//testcase[@name="true"][1]/*[self::failure or self::error])')" = 0 ] || t_error "passed has a failure"
[ "$(q 'string(//testcase[2]/failure/@type)')" = failed ] || t_error "failed is no failure"
[ "$(q 'string(//testcase[2]/failure/@message)')" = "exited with status 3" ] || t_error "message"
[ "$(q 'string(//testcase[3]/failure/@type)')" = timed_out ] || t_error "timed_out is no failure"
[ "$(q 'string(//testcase[4]/error/@type)')" = did_not_boot ] || t_error "did_not_boot is no error"
[ "$(q 'string(//property[@name="kernel"]/@value)')" = '/k "x" <y>' ] || t_error "property value"
out=$(q 'string(//testcase[2]/system-out)')
case $out in *'^[[31mred^[[0m ^@ NUL ^A^B ]]> <tag> & '*) ;; *) t_error "system-out: $out" ;; esac
err=$(q 'string(//testcase[2]/system-err)')
case $err in "[labinit: the first "*" bytes are left out; all of it: $tmp/big]"*) ;; *) t_error "no cap note" ;; esac
[ "$(q 'string-length(//testcase[2]/system-err)')" -lt 20000 ] || t_error "the cap did not hold"
# A file that is no labctl run object: an error naming it, no junit.xml.
echo '{"outcome": "maybe"}' > "$tmp/bad.json"
if "$LABINIT" results --out "$tmp/bad.xml" --run "$tmp/bad.json" --name x 2> "$tmp/err"; then t_error "bad run accepted"; fi
grep -q "bad.json: not a labctl run --json object" "$tmp/err" || t_error "error: $(cat "$tmp/err")"
[ ! -e "$tmp/bad.xml" ] && [ ! -e "$tmp/bad.xml.tmp" ] || t_error "a junit file from a bad run"
t_exit
