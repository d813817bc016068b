#!/usr/bin/env bash
# `make run`: the whole system on this machine. Installs what is missing,
# starts InfluxDB and Prometheus on loopback, loads the demo data up to
# today (first start; a later start on a later day extends it), writes the
# monthly report of the last complete month, and runs `greenmetrics serve`
# in the foreground. Ctrl-C stops everything.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

influx_port=${GREENMETRICS_INFLUX_PORT:-8086}
prom_port=${GREENMETRICS_PROMETHEUS_PORT:-9090}
listen=${GREENMETRICS_LISTEN:-127.0.0.1:9464}
# The demo runs to today (the analysis, alerts and report then show the
# current year); GREENMETRICS_DEMO_MONTH=2024-06 stops it at the end of a
# month instead, and GREENMETRICS_NOW=2026-07-15 moves the whole system's
# clock (demo, analysis, report scheduler) to a day.
demo_month=${GREENMETRICS_DEMO_MONTH:-}

scripts/setup.sh
mkdir -p var
go build -o bin/greenmetrics ./cmd/greenmetrics

# The demo runs to today, so analysis.year stays unset (the current year).
# The demo writes its illustrative plans for the years after 2024
# (demo-YYYY.yaml, marked 演示) into plans_dir, var/plans.
mkdir -p var/plans
sed -e "s|^data_dir: var$|data_dir: var\nplans_dir: $root/var/plans|" \
	-e "s|mapping_files: \[mappings/|mapping_files: [$root/deploy/mappings/|" \
	deploy/greenmetrics.yaml >var/greenmetrics.yaml
export GREENMETRICS_CONFIG="$root/var/greenmetrics.yaml"
export GREENMETRICS_INFLUX_URL="http://127.0.0.1:$influx_port"
export GREENMETRICS_LISTEN="$listen"

serve_pid=""
cleanup() {
	if [ -n "$serve_pid" ] && kill -0 "$serve_pid" 2>/dev/null; then
		kill -TERM "$serve_pid" 2>/dev/null || true
		wait "$serve_pid" 2>/dev/null || true
	fi
	scripts/prometheus.sh stop var/prometheus || true
	scripts/influxd.sh stop var/influxdb || true
}
trap cleanup EXIT

scripts/influxd.sh start var/influxdb "$influx_port"
curl -fsS -XPOST "http://127.0.0.1:$influx_port/query" --data-urlencode 'q=CREATE DATABASE greenmetrics' >/dev/null

# A database written by an earlier version (measurement observation with a
# source tag) is copied into the current schema; with nothing to copy this
# only prints zero counts.
bin/greenmetrics migrate

# The demo loads on the first start and marks var/.demo-loaded with the day
# it ran to; a start the same day skips it, a start on a later day extends
# it (the synthetic part only: new months, fresh hourly readings; nothing
# already loaded is revised). GREENMETRICS_DEMO_RESET=1 make run (or
# bin/greenmetrics demo --reset) loads it all again, e.g. after an upgrade;
# real figures stay.
echo "== demo data (real reference series + synthetic district figures up to ${demo_month:-today})"
args=()
if [ -n "$demo_month" ]; then
	args+=(--as-of "$demo_month")
fi
if [ "${GREENMETRICS_DEMO_RESET:-}" = 1 ]; then
	args+=(--reset)
fi
bin/greenmetrics demo "${args[@]}"

# The daemon's scheduler writes each month's report on the 3rd; this one is
# the last complete month's, so the report page has it from the start.
echo "== monthly report for ${demo_month:-the last complete month}"
month=()
if [ -n "$demo_month" ]; then
	month=(--month "$demo_month")
fi
bin/greenmetrics report "${month[@]}"

scripts/prometheus.sh start var/prometheus "$prom_port" "$listen"

# The banner is printed once the daemon answers on its own port, so every
# address it lists works when it is read.
bin/greenmetrics serve &
serve_pid=$!
for _ in $(seq 1 300); do
	if ! kill -0 "$serve_pid" 2>/dev/null; then
		wait "$serve_pid" || status=$?
		echo "greenmetrics serve exited (status ${status:-0}) before it was listening on $listen" >&2
		exit "${status:-1}"
	fi
	curl -fsS -o /dev/null "http://$listen/healthz" 2>/dev/null && break
	sleep 0.2
done

cat <<INFO

greenmetrics is up:
  daemon       http://$listen  (push: POST /api/v1/observations, /metrics, /healthz, /readyz)
  InfluxDB     http://127.0.0.1:$influx_port  (database greenmetrics; data in var/influxdb)
  Prometheus   http://127.0.0.1:$prom_port   alerts: http://127.0.0.1:$prom_port/alerts
  drop folder  var/drop  (CSV, JSON, Excel; processed files move to var/drop/done)
  report       var/reports/index.html
  Grafana      provision deploy/grafana/provisioning (see docs/dashboards.md)
Ctrl-C stops the daemon, Prometheus and InfluxDB.

INFO
trap 'exit 130' INT TERM
wait "$serve_pid"
