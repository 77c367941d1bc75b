#!/bin/sh
# The LABDATA disk is recognised by its filesystem label: ext4 and FAT
# images made by mkfs, read by `labinit labdata-label FILE`.
set -eu
T_REPO=$(cd "$(dirname "$0")/../../../.." && pwd)
. "$T_REPO/tests/lib/lib.sh"
cd "$T_REPO"
t_need mkfs.ext4 e2fsprogs
t_tmpdir
truncate -s 8M "$tmp/ext4.img"
mkfs.ext4 -q -F -L LABDATA "$tmp/ext4.img"
[ "$("$LABINIT" labdata-label "$tmp/ext4.img")" = "ext4 LABDATA" ] || t_fail "ext4 label not read"
truncate -s 8M "$tmp/other.img"
mkfs.ext4 -q -F -L other "$tmp/other.img"
[ "$("$LABINIT" labdata-label "$tmp/other.img")" = "ext4 other" ] || t_fail "another label misread"
head -c 4096 /dev/zero > "$tmp/zero.img"
if "$LABINIT" labdata-label "$tmp/zero.img" > /dev/null 2>&1; then t_fail "a blank disk has a label?"; fi
if command -v mkfs.vfat > /dev/null; then
	truncate -s 40M "$tmp/fat.img"
	mkfs.vfat -F 32 -n LABDATA "$tmp/fat.img" > /dev/null
	[ "$("$LABINIT" labdata-label "$tmp/fat.img")" = "vfat LABDATA" ] || t_fail "FAT32 label not read"
fi
echo "labels ok"
