#!/bin/sh
# The LABDATA disk is recognised by its filesystem label: ext4 and FAT
# images made by mkfs, read by `labinit labdata-label FILE`.
set -eu
cd "$(dirname "$0")/../../../.."
command -v mkfs.ext4 > /dev/null || { echo "needs mkfs.ext4 (e2fsprogs)"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
truncate -s 8M "$tmp/ext4.img"
mkfs.ext4 -q -F -L LABDATA "$tmp/ext4.img"
[ "$(build/labinit labdata-label "$tmp/ext4.img")" = "ext4 LABDATA" ] || { echo "ext4 label not read"; exit 1; }
truncate -s 8M "$tmp/other.img"
mkfs.ext4 -q -F -L other "$tmp/other.img"
[ "$(build/labinit labdata-label "$tmp/other.img")" = "ext4 other" ] || { echo "another label misread"; exit 1; }
head -c 4096 /dev/zero > "$tmp/zero.img"
if build/labinit labdata-label "$tmp/zero.img" > /dev/null 2>&1; then echo "a blank disk has a label?"; exit 1; fi
if command -v mkfs.vfat > /dev/null; then
	truncate -s 40M "$tmp/fat.img"
	mkfs.vfat -F 32 -n LABDATA "$tmp/fat.img" > /dev/null
	[ "$(build/labinit labdata-label "$tmp/fat.img")" = "vfat LABDATA" ] || { echo "FAT32 label not read"; exit 1; }
fi
echo "labels ok"
