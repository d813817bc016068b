#!/usr/bin/env bash
# Issue 13, items 3 and 4, for `make bench` (called from scripts/bench.sh):
#   trend    original Mann-Kendall + Sen's slope at n = 10⁴ in process
#            (BenchmarkOriginalAndSens, median of BENCH_TREND_COUNT runs),
#            against pyMannKendall's original_test at n = 10⁴ (1.16 s in
#            docs/benchmarks-trend.md, up to 2.9 s in the issue's run);
#            n = 10⁶ in process; and `greenmetrics trend --method original`
#            on 10⁴ values minus the same command on 10 values (the built
#            binary, BENCH_CLI_REPS runs of each, interleaved, medians)
#   scrape   GET /metrics through the promhttp handler with 1 000 water
#            sections and 1 000 stations (BenchmarkScrape): with the caps
#            `greenmetrics serve` uses, and with every entity exported
# Every figure is printed with its target. Results also go to
# out/bench/analytics.txt.
#
#   BENCH_TREND_COUNT=5 BENCH_CLI_REPS=200 scripts/bench-analytics.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

trend_count=${BENCH_TREND_COUNT:-5}
cli_reps=${BENCH_CLI_REPS:-200}
# pyMannKendall's original_test at n = 10⁴ on this kind of machine, seconds.
pmk_fast=1.16 pmk_slow=2.9

out=$root/out/bench
mkdir -p "$out"
work=$(mktemp -d "${TMPDIR:-/tmp}/greenmetrics-analytics.XXXXXX")
trap 'rm -rf "$work"' EXIT

calc() { awk "BEGIN { printf \"%.${2:-2}f\", $1 }"; }
median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
# ns/op of every line of benchmark NAME in a go test output file.
nsop() { awk -v name="$2" '$1 ~ "^"name"(-[0-9]+)?$" { for (i = 2; i <= NF; i++) if ($(i + 1) == "ns/op") print $i }' "$1"; }

{
	echo "== analytics (issue 13, items 3 and 4)"
	echo "machine: $(nproc) cores, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(go version | cut -d' ' -f3-)"
	echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$out/analytics.txt"

go test -run '^$' -bench 'BenchmarkOriginalAndSens/n=10000$' -benchtime 300x -count "$trend_count" ./metrics/trend/ >"$work/trend4.txt"
go test -run '^$' -bench 'BenchmarkOriginalAndSens/n=1000000$' -benchtime 3x -count 3 ./metrics/trend/ >"$work/trend6.txt"
go test -run '^$' -bench 'BenchmarkScrape$' -benchmem -count "$trend_count" ./metrics/exporter/ >"$work/scrape.txt"
cat "$work/trend4.txt" "$work/trend6.txt" "$work/scrape.txt" >"$out/go-bench-analytics.txt"

# The command on 10⁴ values (N(0,1) noise on a weak trend, like the Go
# benchmark) and on 10, run alternately so that load changes hit both.
go build -o "$work/greenmetrics" ./cmd/greenmetrics
awk 'BEGIN { srand(42); printf "["; for (i = 0; i < 10000; i++) { u = rand(); v = rand(); if (u < 1e-12) u = 1e-12
	printf "%s%.6f", (i ? "," : ""), sqrt(-2 * log(u)) * cos(6.283185307179586 * v) + 1e-4 * i }; print "]" }' >"$work/t10000.json"
echo '[1.2, 1.5, 1.4, 1.9, 2.4, 2.2, 2.8, 3.1, 2.9, 3.6]' >"$work/t10.json"
for f in t10 t10000; do
	"$work/greenmetrics" trend --method original "$work/$f.json" | grep -q '"method":"original"'
done
run_ms() {
	local s e
	s=$(date +%s%N)
	"$work/greenmetrics" trend --method original "$1" >/dev/null
	e=$(date +%s%N)
	echo $(((e - s) / 1000))
}
small=() large=()
for _ in $(seq 1 "$cli_reps"); do
	small+=("$(run_ms "$work/t10.json")")
	large+=("$(run_ms "$work/t10000.json")")
done

{
	t4=$(calc "$(median $(nsop "$work/trend4.txt" BenchmarkOriginalAndSens/n=10000)) / 1e6" 3)
	echo "trend n=10^4 in process: $t4 ms (median of $trend_count x 300 runs; target <= 2 ms)," \
		"$(calc "$pmk_fast * 1000 / $t4" 0)x-$(calc "$pmk_slow * 1000 / $t4" 0)x pyMannKendall's ${pmk_fast}-${pmk_slow} s (target >= 500x)"
	t6=$(calc "$(median $(nsop "$work/trend6.txt" BenchmarkOriginalAndSens/n=1000000)) / 1e9" 3)
	echo "trend n=10^6 in process: $t6 s (median of 3 x 3 runs; target < 1 s)"
	ms=$(calc "$(median "${small[@]}") / 1000" 2) ml=$(calc "$(median "${large[@]}") / 1000" 2)
	echo "trend CLI, 10^4 values - 10 values: $(calc "$ml - $ms" 2) ms ($ml ms - $ms ms, medians of $cli_reps runs each; target <= 2.5 ms)"
	for v in serve-options uncapped; do
		if [ -z "$(nsop "$work/scrape.txt" "BenchmarkScrape/$v")" ]; then
			echo "scrape /metrics, $v: not measured (no BenchmarkScrape in ./metrics/exporter/)"
			continue
		fi
		s=$(calc "$(median $(nsop "$work/scrape.txt" "BenchmarkScrape/$v")) / 1e6" 2)
		bytes=$(awk -v name="BenchmarkScrape/$v" '$1 ~ "^"name { for (i = 2; i <= NF; i++) if ($(i + 1) == "bytes/scrape") { print $i; exit } }' "$work/scrape.txt")
		echo "scrape /metrics, 1 000 sections + 1 000 stations, $v: $s ms, $(calc "$bytes / 1e6" 1) MB (median of $trend_count; target < 10 ms)"
	done
	echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee -a "$out/analytics.txt"
