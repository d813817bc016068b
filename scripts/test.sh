#!/usr/bin/env bash
# `make test`: every test of the project against real servers. Starts a
# throwaway InfluxDB on a free loopback port, runs gofmt, go vet and
# go test -race ./... (integration tests included), and tears it down.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

scripts/setup.sh

work=$(mktemp -d "${TMPDIR:-/tmp}/greenmetrics-test.XXXXXX")
port=$(scripts/influxd.sh free-port)
cleanup() {
	scripts/influxd.sh stop "$work/influxdb" || true
	rm -rf "$work"
}
trap cleanup EXIT
scripts/influxd.sh start "$work/influxdb" "$port"
export GREENMETRICS_TEST_INFLUX_URL="http://127.0.0.1:$port"
# setup.sh has installed every tool the tests use (Chromium, Prometheus):
# under make test a missing one is a failure, never a skipped test.
export CI=${CI:-make-test}

echo "== gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './bin/*'))
if [ -n "$unformatted" ]; then
	echo "gofmt would change: $unformatted" >&2
	exit 1
fi
echo "== go vet"
go vet ./...
echo "== go mod tidy -diff"
# go.mod must say what the code imports: a direct import marked
# "// indirect" or a dependency nothing uses fails here.
go mod tidy -diff
echo "== go test -race"
go test -race -timeout 45m -count=1 ./... 2>&1 | tee "$work/test.log"
status=${PIPESTATUS[0]}
passed=$(grep -c '^ok ' "$work/test.log" || true)
failed=$(grep -c '^FAIL' "$work/test.log" || true)
echo "packages: $passed passed, $failed failed"
exit "$status"
