#!/usr/bin/env bash
# The analysis half of `make bench` (issue 13, item 2): how a full analysis
# (`greenmetrics progress`) and the monthly report (`greenmetrics report
# --month`) scale with the hourly points stored. For each size in
# BENCH_ANALYSIS_POINTS, on a fresh throwaway InfluxDB, `benchtool load`
# stores that many hourly points (the 12 Beijing stations' real hours,
# newest first, then synthesised stations over the same years; line
# protocol straight to InfluxDB, untimed), the config names the 12 stations
# in scope.stations, and the clock is set to the data's end (2017-03-01).
# Each command is timed BENCH_ANALYSIS_REPS times (median, wall clock).
# A binary that keeps daily figures (docs/schema.md §7) is also timed cold:
# the first analysis on the loaded data (it aggregates and writes them;
# the loaded points carry no marks) and a report after `migrate --rollups`
# marked them stale; the medians are then warm runs.
# BENCH_ANALYSIS_BASELINE=<git revision> also times that revision's binary
# on the same data, for a before/after in one run.
#
#   BENCH_ANALYSIS_POINTS="1000000 3000000 10000000" BENCH_ANALYSIS_REPS=3 scripts/bench-analysis.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

sizes=${BENCH_ANALYSIS_POINTS:-1000000 3000000 10000000}
reps=${BENCH_ANALYSIS_REPS:-3}
baseline=${BENCH_ANALYSIS_BASELINE:-}
source_gz=${BENCH_SOURCE:-$root/testdata/refdata/air/beijing_multisite_hourly_12stations_2013-03_2017-02.csv.gz}
target_analysis=5 target_report=3

scripts/setup.sh >/dev/null
out=$root/out/bench
mkdir -p "$out"
work=$(mktemp -d "${TMPDIR:-/tmp}/greenmetrics-bench-analysis.XXXXXX")
influx_dir=$work/influxdb
cleanup() {
	scripts/influxd.sh stop "$influx_dir" >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT

echo "== analysis benchmark: build"
go build -o "$work/greenmetrics" ./cmd/greenmetrics
go build -o "$work/benchtool" ./internal/benchtool
bins=("$work/greenmetrics")
names=("current")
if [ -n "$baseline" ]; then
	mkdir -p "$work/baseline-src"
	git archive "$baseline" | tar -x -C "$work/baseline-src"
	(cd "$work/baseline-src" && go build -o "$work/greenmetrics-baseline" ./cmd/greenmetrics)
	bins+=("$work/greenmetrics-baseline")
	names+=("$baseline")
fi

median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
# seconds BIN ARGS...: wall seconds of one run (its output to $work/run.log).
seconds() {
	local s e
	s=$(date +%s.%N)
	"$@" >"$work/run.log" 2>&1 || { cat "$work/run.log" >&2; exit 1; }
	e=$(date +%s.%N)
	awk "BEGIN { printf \"%.2f\", $e - $s }"
}
verdict() { awk "BEGIN { print ($1 < $2) ? \"met\" : \"NOT met\" }"; }

results=$out/analysis.txt
{
	echo "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(go version | cut -d' ' -f3-), InfluxDB 1.8.10"
	echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$results"
declare -A curve
for n in $sizes; do
	echo "== $n points"
	scripts/influxd.sh stop "$influx_dir" >/dev/null 2>&1 || true
	rm -rf "$influx_dir" "$work/data"
	port=$(scripts/influxd.sh free-port)
	scripts/influxd.sh start "$influx_dir" "$port" 2>/dev/null
	"$work/benchtool" load -in "$source_gz" -url "http://127.0.0.1:$port" -db bench -points "$n" -stations "$work/stations.txt" | tee -a "$results"
	cat >"$work/greenmetrics.yaml" <<CONF
data_dir: $work/data
influx:
  url: http://127.0.0.1:$port
  bucket: bench/autogen
  timeout: 10m
scope:
  district: 通州区
  stations: [$(paste -sd, "$work/stations.txt")]
CONF
	for i in "${!bins[@]}"; do
		gm() { GREENMETRICS_CONFIG=$work/greenmetrics.yaml GREENMETRICS_NOW=2017-03-01T00:00:00+08:00 seconds "${bins[$i]}" "$@"; }
		# A binary that keeps daily figures (migrate --rollups marks them
		# stale) is timed cold (the first run aggregates and writes them)
		# and warm.
		cold_a=- cold_r=- rolls=""
		help=$("${bins[$i]}" migrate --help 2>&1 || true)
		if [[ $help == *--rollups* ]]; then
			rolls=1
			cold_a=$(gm progress --as-of 2017-02)
		fi
		a=() r=()
		for _ in $(seq 1 "$reps"); do
			a+=("$(gm progress --as-of 2017-02)")
			r+=("$(gm report --month 2017-02 --out "$work/reports")")
		done
		if [ -n "$rolls" ]; then
			gm migrate --rollups >/dev/null
			cold_r=$(gm report --month 2017-02 --out "$work/reports")
		fi
		ma=$(median "${a[@]}") mr=$(median "${r[@]}")
		curve[$i,$n]="$ma $mr $cold_a $cold_r"
		echo "${names[$i]}: $n points: analysis (progress) $ma s [${a[*]}] (cold: $cold_a s), report --month $mr s [${r[*]}] (cold: $cold_r s), load $(cut -d' ' -f1 /proc/loadavg)" | tee -a "$results"
	done
done
scripts/influxd.sh stop "$influx_dir" >/dev/null 2>&1 || true

{
	echo "== analysis and report against the points stored (median of $reps)"
	for i in "${!bins[@]}"; do
		echo "${names[$i]}:"
		printf '  %-12s %-26s %-26s %-16s %-16s\n' "points" "analysis (target < ${target_analysis} s)" "report --month (target < ${target_report} s)" "analysis, cold" "report, cold"
		first=""
		for n in $sizes; do
			read -r ma mr ca cr <<<"${curve[$i,$n]}"
			printf '  %-12s %-26s %-26s %-16s %-16s\n' "$n" "$ma s, $(verdict "$ma" $target_analysis)" "$mr s, $(verdict "$mr" $target_report)" "$ca s" "$cr s"
			[ -z "$first" ] && first="$n $ma $mr"
			last="$n $ma $mr"
		done
		read -r n0 a0 r0 <<<"$first"
		read -r n1 a1 r1 <<<"$last"
		echo "  $(awk "BEGIN { printf \"points x%.1f: analysis x%.2f, report x%.2f\", $n1 / $n0, $a1 / $a0, $r1 / $r0 }")"
	done
	echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee -a "$results"
