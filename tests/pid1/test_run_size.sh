#!/bin/bash
# /run has a size (issue 12, defect 5): labinit as PID 1 mounts it as a
# tmpfs of a quarter of RAM, not the kernel's default of half, so that a
# runaway writer there cannot take the RAM the guests run in, and a write
# past that size fails with ENOSPC instead of growing. (The guests' console
# logs, the usual runaway, are bounded by CONFIG_CONSOLE_LOG_SIZE; see
# tests/guests/test_conlog*.sh.)
. "$(dirname -- "$0")/../lib/pid1.sh" || { echo "cannot load tests/lib/pid1.sh" >&2; exit 2; }
t_init

cat >"$T_DIR/config" <<EOF
CONFIG_PROFILE_NAME="runsize"
CONFIG_HOSTNAME="labtest"
CONFIG_DHCP_SERVER=n
CONFIG_STOP_TIMEOUT=3
CONFIG_SHUTDOWN_TIMEOUT=10
EOF
t_start main "$T_DIR/config"
t_wait_console "profile .*: ok" 20 || t_fail "the profile was not loaded"

opts=$(awk '$5 == "/run" { print $NF }' "/proc/$LPID/mountinfo" | tail -n 1)
echo "/run: $opts"
size_k=$(printf '%s\n' "$opts" | tr ',' '\n' | sed -n 's/^size=\([0-9]*\)k$/\1/p')
[ -n "$size_k" ] || t_fail "/run has no size: $opts"
mem_k=$(awk '$1 == "MemTotal:" { print $2 }' /proc/meminfo)
page_k=$(($(getconf PAGESIZE) / 1024))
[ "$size_k" -le $((mem_k / 4 + page_k)) ] && [ "$size_k" -ge $((mem_k / 4 - page_k)) ] ||
	t_fail "/run is $size_k KiB; a quarter of RAM is $((mem_k / 4)) KiB"
echo "PASS: /run is a tmpfs of $size_k KiB (RAM $mem_k KiB)"
