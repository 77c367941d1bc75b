# Sourced by the benchmarks: one row of docs/PERFORMANCE.md's summary.
# summary_row WORK UNIT BETTER LABINIT PEER PEER_VALUE
#   WORK        what was measured, as the reader knows it
#   UNIT        "ms", "queries/s", "KiB"...
#   BETTER      higher or lower: which way is better, for the ratio
#   LABINIT     labinit's median
#   PEER        the peer's name and version
#   PEER_VALUE  its median
# Appends a markdown row to $BENCH_SUMMARY when `make bench` set it
# (tests/bench/run.sh); prints nothing otherwise. The ratio is how many
# times better labinit is (below 1: worse).
summary_row() {
	[ -n "${BENCH_SUMMARY:-}" ] || return 0
	awk -v w="$1" -v u="$2" -v b="$3" -v l="$4" -v p="$5" -v pv="$6" -v bench="${BENCH_NAME:-}" 'BEGIN {
		if (l + 0 > 0 && pv + 0 > 0)
			r = sprintf("%.2f×", (b == "higher") ? l / pv : pv / l)
		else
			r = "–"
		printf "| %s | %s %s | %s | %s %s | %s | %s |\n", w, l, u, p, pv, u, r, bench
	}' >> "$BENCH_SUMMARY"
}
