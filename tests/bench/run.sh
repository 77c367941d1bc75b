#!/bin/sh
# `make bench`: every benchmark in tests/bench, one after the other, and
# docs/PERFORMANCE.md written from what they printed: the machine, a
# summary table (labinit beside its peer, each a median of N runs made side
# by side in the same run, and the ratio), then each benchmark's command,
# duration and full output. Benchmarks assert nothing; one that fails is
# named in the page and makes this exit 1 after the others ran.
#   BENCH_ONLY="net_up dns"   run only these (the page then holds only them)
#   BENCH_PAGE=FILE           where to write (default docs/PERFORMANCE.md)
set -u
cd "$(dirname "$0")/../.."
OUTDIR=build/bench
PAGE=${BENCH_PAGE:-docs/PERFORMANCE.md}
mkdir -p "$OUTDIR"
export BENCH_SUMMARY="$OUTDIR/summary.md"
: > "$BENCH_SUMMARY"
ONLY=${BENCH_ONLY:-net_up dhcpd dns tftp modules appliance_boot guest_boot reset}
failed="" start=$(date +%s) load0=$(cut -d ' ' -f 1-3 /proc/loadavg)
for b in $ONLY; do
	[ -f "tests/bench/$b.sh" ] || { echo "bench: no tests/bench/$b.sh" >&2; exit 2; }
	echo "== bench $b"
	t0=$(date +%s)
	BENCH_NAME=$b sh "tests/bench/$b.sh" > "$OUTDIR/$b.out" 2>&1
	rc=$?
	echo $(($(date +%s) - t0)) > "$OUTDIR/$b.secs"
	cat "$OUTDIR/$b.out"
	[ "$rc" = 0 ] || { failed="$failed $b"; echo "bench: $b failed (status $rc)" >&2; }
done
total=$(($(date +%s) - start))

cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
{
	echo "# Performance"
	echo
	echo "Written by \`make bench\` (tests/bench/run.sh) on $(date -u '+%Y-%m-%d %H:%M UTC'), commit"
	echo "$(git rev-parse --short HEAD 2> /dev/null || echo '?')$(git diff --quiet HEAD 2> /dev/null || echo ' with local changes'), in $total s. Every figure is a median of the runs each"
	echo "benchmark names, labinit and its peer measured one after the other in the same run,"
	echo "on the same machine, under the same load generator. Benchmarks assert nothing; the"
	echo "tests never assert timings."
	echo
	echo "| machine | |"
	echo "|---|---|"
	echo "| CPU | $cpu, $(nproc) CPUs online |"
	echo "| memory | $(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) |"
	echo "| kernel | $(uname -r) |"
	echo "| OS | $(. /etc/os-release && echo "$PRETTY_NAME") |"
	echo "| QEMU | $(qemu-system-x86_64 --version 2> /dev/null | awk 'NR == 1 { print $4 }') (guests and appliance under TCG unless a row says KVM) |"
	echo "| load average | $load0 at the start, $(cut -d ' ' -f 1-3 /proc/loadavg) at the end |"
	echo
	echo "## Summary"
	echo
	echo "Ratio: how many times better labinit is than the peer on that row (below 1: worse)."
	echo
	echo "| work | labinit | peer | peer's figure | ratio | benchmark |"
	echo "|---|---|---|---|---|---|"
	cat "$BENCH_SUMMARY"
	[ -z "$failed" ] || { echo; echo "**Failed:**$failed (see its section)."; }
	for b in $ONLY; do
		echo
		echo "## $b"
		echo
		sed -n '2,/^set -/{/^#/p}' "tests/bench/$b.sh" | sed 's/^# \{0,1\}//'
		echo
		echo "Command: \`sh tests/bench/$b.sh\` ($(cat "$OUTDIR/$b.secs") s)"
		echo
		echo '```'
		cat "$OUTDIR/$b.out"
		echo '```'
	done
} > "$PAGE"
echo "bench: wrote $PAGE ($total s)${failed:+; failed:$failed}"
[ -z "$failed" ]
