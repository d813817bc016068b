#!/usr/bin/env bash
# `make bench`: ingestion throughput against a real InfluxDB, then the Go
# benchmarks. For each of BENCH_REPS rounds, on a fresh throwaway influxd
# each time (InfluxDB's background compactions make a reused server slower
# and noisier):
#   ceiling  pre-formatted line protocol posted in 5 000-point batches, one
#            request at a time (the target's reference), and with two in
#            flight (what the store can take)
#   import   `greenmetrics import` of the 1 000 000-row long CSV (durable:
#            every batch fsync'ed in the spool before delivery), once as is
#            (ingest.delivery_concurrency 2) and once with BENCH_COMPARE_ENV
#            (default: a config with delivery_concurrency 1, the serial
#            sender) to show what the parallel writers buy
#   push     the same CSV in one POST to `greenmetrics serve`, timed until
#            the spool is delivered
# Then, once, the peak RSS of importing a BENCH_BIG_ROWS-row file (0: skip):
# the duplicate index is bounded, so it should match the 1 M import's.
# Wall time and peak RSS come from /usr/bin/time -v. Results go to
# out/bench/ and a summary to stdout (medians over the rounds, with the
# load average, since the machine may be shared). BENCH_GO=0 skips the Go
# benchmarks.
#
#   BENCH_REPS=3 BENCH_ROWS=1000000 BENCH_BIG_ROWS=10000000 BENCH_TIME=300ms BENCH_GO=1 scripts/bench.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

reps=${BENCH_REPS:-3}
rows=${BENCH_ROWS:-1000000}
benchtime=${BENCH_TIME:-300ms}
big_rows=${BENCH_BIG_ROWS:-10000000}
run_go=${BENCH_GO:-1}
source_gz=${BENCH_SOURCE:-$root/testdata/refdata/air/beijing_multisite_hourly_12stations_2013-03_2017-02.csv.gz}

scripts/setup.sh
out=$root/out/bench
mkdir -p "$out"
work=$(mktemp -d "${TMPDIR:-/tmp}/greenmetrics-bench.XXXXXX")
influx_dir=$work/influxdb
serve_pid=""
cleanup() {
	[ -n "$serve_pid" ] && kill "$(pgrep -P "$serve_pid")" 2>/dev/null || true
	scripts/influxd.sh stop "$influx_dir" || true
	rm -rf "$work"
}
trap cleanup EXIT
printf 'ingest:\n  delivery_concurrency: 1\n' >"$work/serial.yaml"
compare_env=${BENCH_COMPARE_ENV:-GREENMETRICS_CONFIG=$work/serial.yaml}

echo "== build"
# The binary is built into the scratch directory: bin/ may be shared with
# other checkouts (it holds the pinned influxd).
gm=$work/greenmetrics
go build -o "$gm" ./cmd/greenmetrics
go build -o "$work/benchtool" ./internal/benchtool
csv=$work/rows.csv
{
	echo "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(go version | cut -d' ' -f3-)"
	echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$out/results.txt"
"$work/benchtool" gen-csv -in "$source_gz" -out "$csv" -rows "$rows" | tee -a "$out/results.txt"

fresh_influx() {
	scripts/influxd.sh stop "$influx_dir" >/dev/null 2>&1 || true
	rm -rf "$influx_dir"
	port=$(scripts/influxd.sh free-port)
	scripts/influxd.sh start "$influx_dir" "$port" 2>/dev/null
	influx_url="http://127.0.0.1:$port"
}

# seconds and peak RSS (MB) from a /usr/bin/time -v report
wall_of() { awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$1"; }
rss_of() { awk -F': ' '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$1"; }

# calc EXPR [DECIMALS]: arithmetic without bc.
calc() { awk "BEGIN { printf \"%.${2:-2}f\", $1 }"; }
median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

has_import=0
if "$gm" import --help >/dev/null 2>&1; then has_import=1; fi

# run_import ENV TIMES_ARRAY RSS_ARRAY: one timed import on a fresh
# InfluxDB, with the environment assignment ENV (empty: none).
run_import() {
	local extra=$1 label="import"
	local -n times=$2 rss=$3
	[ -n "$extra" ] && label="import ($extra)"
	echo "== round $round/$reps: $label"
	fresh_influx
	curl -fsS -o /dev/null -XPOST "$influx_url/query" --data-urlencode "q=CREATE DATABASE bench"
	rm -rf "$work/import-data"
	env ${extra:+"$extra"} GREENMETRICS_INFLUX_URL="$influx_url" GREENMETRICS_INFLUX_BUCKET=bench/autogen \
		GREENMETRICS_DATA_DIR="$work/import-data" \
		/usr/bin/time -v -o "$work/import.time" "$gm" import --no-progress "$csv" >"$work/import.log" 2>&1 ||
		{ cat "$work/import.log" >&2; exit 1; }
	local t r
	t=$(wall_of "$work/import.time") r=$(rss_of "$work/import.time")
	echo "$label: $rows rows in $t s, peak RSS $r MB, load $(cut -d' ' -f1 /proc/loadavg); $(grep -E '^delivered' "$work/import.log")" | tee -a "$out/results.txt"
	times+=("$t") rss+=("$r")
}

ceilings=() ceilings2=() imports=() import_rss=() imports_lim=() import_lim_rss=() pushes=() push_rss=()
for round in $(seq 1 "$reps"); do
	echo "== round $round/$reps: ceiling"
	fresh_influx
	line=$("$work/benchtool" ceiling -csv "$csv" -url "$influx_url" -db bench -batch 5000)
	echo "$line" | tee -a "$out/results.txt"
	ceilings+=("$(echo "$line" | sed -E 's/.* in ([0-9.]+) s.*/\1/')")
	fresh_influx
	line=$("$work/benchtool" ceiling -csv "$csv" -url "$influx_url" -db bench -batch 5000 -concurrency 2)
	echo "$line" | tee -a "$out/results.txt"
	ceilings2+=("$(echo "$line" | sed -E 's/.* in ([0-9.]+) s.*/\1/')")

	if [ "$has_import" = 1 ]; then
		run_import "" imports import_rss
		run_import "$compare_env" imports_lim import_lim_rss
	fi

	echo "== round $round/$reps: push to serve"
	fresh_influx
	listen=127.0.0.1:$(scripts/influxd.sh free-port)
	rm -rf "$work/serve-data"
	GREENMETRICS_INFLUX_URL=$influx_url GREENMETRICS_INFLUX_BUCKET=bench/autogen GREENMETRICS_DATA_DIR=$work/serve-data \
		/usr/bin/time -v -o "$work/serve.time" "$gm" serve --create-db --listen "$listen" >"$work/serve.log" 2>&1 &
	serve_pid=$!
	for _ in $(seq 1 100); do curl -fsS -o /dev/null "http://$listen/healthz" 2>/dev/null && break; sleep 0.1; done
	start=$(date +%s.%N)
	curl -fsS -o "$work/push.json" -H 'Content-Type: text/csv' --data-binary "@$csv" "http://$listen/api/v1/observations"
	until curl -fsS "http://$listen/metrics" | grep -q '^greenmetrics_spool_pending_points 0$'; do sleep 0.05; done
	end=$(date +%s.%N)
	# serve_pid is /usr/bin/time; SIGTERM goes to serve, its child, so that
	# serve shuts down and time reports on it.
	kill -TERM "$(pgrep -P "$serve_pid")"
	wait "$serve_pid" || true
	serve_pid=""
	t=$(calc "$end - $start") r=$(rss_of "$work/serve.time")
	echo "push: $(head -c 60 "$work/push.json") delivered in $t s, serve peak RSS $r MB" | tee -a "$out/results.txt"
	pushes+=("$t") push_rss+=("$r")
done
scripts/influxd.sh stop "$influx_dir" >/dev/null 2>&1 || true

{
	echo "== summary (median of $reps rounds, $rows rows)"
	c=$(median "${ceilings[@]}")
	echo "ceiling: $c s ($(calc "$rows / $c" 0) points/s), one request at a time"
	c2=$(median "${ceilings2[@]}")
	echo "ceiling, 2 in flight: $c2 s ($(calc "$rows / $c2" 0) points/s)"
	if [ "$has_import" = 1 ]; then
		i=$(median "${imports[@]}")
		echo "import:  $i s ($(calc "$rows / $i" 0) points/s), $(calc "$i / $c")x the one-connection ceiling (target <= 1.0), peak RSS $(median "${import_rss[@]}") MB (target < 100)"
		i=$(median "${imports_lim[@]}")
		echo "import with $compare_env: $i s ($(calc "$rows / $i" 0) points/s), $(calc "$i / $c")x the ceiling, peak RSS $(median "${import_lim_rss[@]}") MB"
	else
		echo "import:  not measured: greenmetrics has no import command"
	fi
	p=$(median "${pushes[@]}")
	echo "push:    $p s ($(calc "$rows / $p" 0) points/s), $(calc "$p / $c")x the ceiling, serve peak RSS $(median "${push_rss[@]}") MB"
	echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee -a "$out/results.txt"

if [ "$has_import" = 1 ] && [ "$big_rows" -gt 0 ]; then
	echo "== peak RSS of a $big_rows-row import"
	big=$work/big.csv
	rm -f "$csv"
	"$work/benchtool" gen-csv -in "$source_gz" -out "$big" -rows "$big_rows" | tee -a "$out/results.txt"
	csv=$big rows=$big_rows reps=1 round=1
	big_times=() big_rss=()
	run_import "" big_times big_rss
	rm -f "$big"
fi

[ "${BENCH_ANALYSIS:-1}" = 0 ] || scripts/bench-analysis.sh
scripts/bench-analytics.sh | tee -a "$out/results.txt"
[ "$run_go" = 1 ] || exit 0
echo "== go benchmarks (benchtime $benchtime)"
fresh_influx
GREENMETRICS_TEST_INFLUX_URL=$influx_url go test -run '^$' -bench . -benchmem -benchtime "$benchtime" -timeout 30m ./... 2>&1 |
	tee "$out/go-bench.txt" | grep -E '^(Benchmark|ok|FAIL|pkg:)'
