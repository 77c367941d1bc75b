#!/bin/sh
# extract-vmlinux.sh BZIMAGE OUT: write the uncompressed ELF vmlinux that an
# x86 bzImage carries, so QEMU can boot it through PVH and skip the
# self-decompression (slow under TCG).
#
# The payload is found through the boot protocol header (Documentation/
# arch/x86/boot.rst: setup_sects at 0x1f1, "HdrS" at 0x202, version at
# 0x206, payload_offset/payload_length at 0x248/0x24c since protocol 2.08,
# relative to the protected-mode code at (setup_sects + 1) * 512). The
# build appends the uncompressed size as 4 little-endian bytes to the
# compressed stream (size_append in arch/x86/boot/compressed/Makefile):
# they are cut off before decompressing and checked against the result.
# Without a usable header the file is scanned for a compressor's magic.
#
# The result must be an ELF64 x86-64 file. It is cut after its last
# section or segment: the decompressed payload also holds the KASLR
# relocation table (vmlinux.relocs), which is no part of the ELF file.
# Then its PT_NOTE segments are searched for XEN_ELFNOTE_PHYS32_ENTRY
# (xen/interface/elfnote.h: owner "Xen", type 18), the PVH entry point
# QEMU needs to boot the file directly (the kernel's CONFIG_PVH=y).
# Prints one line on success; exit 1 with the reason otherwise.
set -eu
[ $# -eq 2 ] || { echo "usage: $0 BZIMAGE OUT" >&2; exit 2; }
in=$1 out=$2
export LC_ALL=C

die() { echo "extract-vmlinux: $in: $*" >&2; rm -f "$out.part"; exit 1; }
# Little-endian unsigned integers at a byte offset of a file.
u8() { od -An -tu1 -j "$2" -N1 "$1" | tr -d ' '; }
u16() { od -An -tu2 --endian=little -j "$2" -N2 "$1" | tr -d ' '; }
u32() { od -An -tu4 --endian=little -j "$2" -N4 "$1" | tr -d ' '; }
u64() { od -An -tu8 --endian=little -j "$2" -N8 "$1" | tr -d ' '; }
hex() { od -An -tx1 -j "$2" -N"$3" "$1" | tr -d ' \n'; }

[ -r "$in" ] || die "cannot read"
size=$(stat -c %s "$in")

# compressor NAME for the magic at OFFSET, or nothing.
compressor_at() {
	m=$(hex "$in" "$1" 6)
	case $m in
	fd377a585a00*) echo xz ;;
	28b52ffd*) echo zstd ;;
	1f8b08*) echo gzip ;;
	02214c18*) echo lz4 ;;
	894c5a4f*) echo lzo ;;
	425a68*) echo bzip2 ;;
	5d0000*) echo lzma ;;
	esac
}

decompress() { # NAME: stdin to stdout
	case $1 in
	xz) xz -dc --single-stream ;;
	zstd) zstd -dcq ;;
	gzip) gzip -dc ;;
	lz4) lz4 -dc ;;
	lzo) lzop -dc ;;
	bzip2) bzip2 -dc ;;
	lzma) xz -dc --format=lzma ;;
	esac
}

tool_of() {
	case $1 in
	xz | lzma) echo xz ;;
	*) echo "$1" ;;
	esac
}

off="" len="" comp="" want=""
if [ "$size" -gt 1024 ] && [ "$(hex "$in" $((0x202)) 4)" = 48647253 ] &&
	[ "$(u16 "$in" $((0x206)))" -ge $((0x208)) ]; then
	setup=$(u8 "$in" $((0x1f1)))
	[ "$setup" -eq 0 ] && setup=4
	off=$(((setup + 1) * 512 + $(u32 "$in" $((0x248)))))
	len=$(u32 "$in" $((0x24c)))
	comp=$(compressor_at "$off")
	if [ -n "$comp" ] && [ $((off + len)) -le "$size" ] && [ "$len" -gt 4 ]; then
		want=$(u32 "$in" $((off + len - 4)))
		len=$((len - 4))
	else
		off="" comp=""
	fi
fi
if [ -z "$comp" ]; then
	# No boot protocol header to trust: the first compressor magic wins
	# and the decompressor stops at the end of its stream.
	for magic in '\xfd7zXZ\x00' '\x28\xb5\x2f\xfd' '\x1f\x8b\x08' '\x02\x21\x4c\x18' \
		'\x89LZO' 'BZh' '\x5d\x00\x00'; do
		o=$(grep -obUaP "$magic" "$in" 2>/dev/null | head -n 1 | cut -d: -f1) || true
		if [ -n "$o" ]; then
			off=$o len=$((size - o)) comp=$(compressor_at "$o")
			[ -n "$comp" ] && break
		fi
	done
	[ -n "$comp" ] || die "no bzImage header and no known compressed payload (xz, zstd, gzip, lz4, lzo, bzip2, lzma)"
fi
command -v "$(tool_of "$comp")" >/dev/null 2>&1 ||
	die "$comp payload, but no $(tool_of "$comp") program to decompress it"

tail -c +$((off + 1)) "$in" | head -c "$len" | decompress "$comp" > "$out.part" 2>/dev/null ||
	[ -z "$want" ] || die "$comp payload at offset $off does not decompress"
got=$(stat -c %s "$out.part")
[ -z "$want" ] || [ "$got" -eq "$want" ] ||
	die "$comp payload gave $got bytes, the image says $want"

# ELF64 (class 2), little-endian (1), EM_X86_64 (62).
[ "$(hex "$out.part" 0 6)" = 7f454c460201 ] || die "the $comp payload is not an ELF64 little-endian file"
[ "$(u16 "$out.part" 18)" -eq 62 ] || die "the $comp payload is an ELF file, but not for x86-64"

# End of the ELF file: its section header table and every segment.
end=$(($(u64 "$out.part" 40) + $(u16 "$out.part" 60) * $(u16 "$out.part" 58)))
phoff=$(u64 "$out.part" 32) phsz=$(u16 "$out.part" 54) phnum=$(u16 "$out.part" 56)
pvh="" i=0
while [ "$i" -lt "$phnum" ]; do
	ph=$((phoff + i * phsz))
	p_off=$(u64 "$out.part" $((ph + 8))) p_filesz=$(u64 "$out.part" $((ph + 32)))
	[ $((p_off + p_filesz)) -gt "$end" ] && end=$((p_off + p_filesz))
	if [ "$(u32 "$out.part" "$ph")" -eq 4 ]; then # PT_NOTE
		n=$p_off
		while [ $((n + 12)) -le $((p_off + p_filesz)) ]; do
			namesz=$(u32 "$out.part" "$n") descsz=$(u32 "$out.part" $((n + 4)))
			type=$(u32 "$out.part" $((n + 8)))
			desc=$((n + 12 + (namesz + 3) / 4 * 4))
			if [ "$type" -eq 18 ] && [ "$namesz" -eq 4 ] &&
				[ "$(hex "$out.part" $((n + 12)) 4)" = 58656e00 ]; then
				pvh=$(printf '0x%x' "$(u32 "$out.part" "$desc")")
			fi
			n=$((desc + (descsz + 3) / 4 * 4))
		done
	fi
	i=$((i + 1))
done
[ "$end" -le "$got" ] || die "the ELF file claims $end bytes but the payload holds $got"
[ "$end" -lt "$got" ] && truncate -s "$end" "$out.part"
mv "$out.part" "$out"

printf 'extract-vmlinux: %s payload at offset %s (%s bytes) -> ELF x86-64 vmlinux, %s bytes' \
	"$comp" "$off" "$len" "$end"
[ "$end" -lt "$got" ] && printf ' (%s bytes of relocations after it dropped)' $((got - end))
if [ -n "$pvh" ]; then
	printf ', PVH entry %s\n' "$pvh"
else
	printf '\nextract-vmlinux: warning: no XEN_ELFNOTE_PHYS32_ENTRY note: QEMU cannot boot this vmlinux (kernel without CONFIG_PVH=y); use the bzImage\n'
fi
