#!/usr/bin/env bash
# Refreshes docs/img/report-screenshot.png, the README's picture of the
# monthly report: the demo's report of June 2024 (the month `make run`
# writes), rendered by headless Chromium at 1280 px. Everything runs in a
# throwaway directory with its own InfluxDB on a free loopback port; the
# repository's var/ and any running `make run` are left alone.
#
#   scripts/report-screenshot.sh [MONTH]     default 2024-06
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
month=${1:-2024-06}
work=$(mktemp -d)
port=$(scripts/influxd.sh free-port)
cleanup() {
	scripts/influxd.sh stop "$work/influxdb" || true
	rm -rf "$work"
}
trap cleanup EXIT

go build -o "$work/greenmetrics" ./cmd/greenmetrics
# The demo data are of 2024: the configuration tracks the 2024 targets, as
# scripts/run.sh does.
sed -e 's/^analysis:$/analysis:\n  year: 2024/' \
	-e "s|mapping_files: \[mappings/|mapping_files: [$root/deploy/mappings/|" \
	deploy/greenmetrics.yaml >"$work/greenmetrics.yaml"
export GREENMETRICS_CONFIG="$work/greenmetrics.yaml"
export GREENMETRICS_INFLUX_URL="http://127.0.0.1:$port"
export GREENMETRICS_DATA_DIR="$work/data"

scripts/influxd.sh start "$work/influxdb" "$port"
curl -fsS -XPOST "http://127.0.0.1:$port/query" --data-urlencode 'q=CREATE DATABASE greenmetrics' >/dev/null
"$work/greenmetrics" demo --as-of "$month" >"$work/demo.log" 2>&1
"$work/greenmetrics" report --month "$month" --format html --out "$work/reports"

chromium=$(command -v chromium || command -v chromium-browser)
"$chromium" --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$work/chromium" \
	--window-size=1280,1600 --screenshot="$root/docs/img/report-screenshot.png" \
	"file://$work/reports/report-$month.html" 2>/dev/null
echo "docs/img/report-screenshot.png: the demo's report of $month at 1280 px"
