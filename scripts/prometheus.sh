#!/usr/bin/env bash
# Starts and stops the Debian Prometheus (2.42) used by `make run` and the
# integration test, on loopback only, with its config, rules and data under
# a directory of ours. The config is rendered from deploy/prometheus/
# prometheus.yml: the scrape target becomes the daemon's address and the
# rules path an absolute one, and the rendered file is checked with
# promtool before Prometheus starts.
#
#   scripts/prometheus.sh start DIR PORT TARGET [RULES]
#       render DIR/prometheus.yml scraping TARGET (host:port of
#       `greenmetrics serve`), start Prometheus on 127.0.0.1:PORT with data
#       in DIR/data, wait until it is ready. RULES defaults to
#       deploy/prometheus/rules.yml.
#   scripts/prometheus.sh stop DIR       stop the Prometheus started with DIR
#   scripts/prometheus.sh free-port      print a free loopback port
#
# Environment (all optional):
#   SCRAPE_INTERVAL, EVALUATION_INTERVAL  default 15s, as in production;
#                                         the integration test uses 1s
#   ALERTMANAGER                          host:port of an Alertmanager; without
#                                         it the alerting block is left out and
#                                         alerts are only on the /alerts page
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
template="$root/deploy/prometheus/prometheus.yml"

need() {
	if ! command -v "$1" >/dev/null; then
		echo "prometheus.sh: $1 not found; run scripts/setup.sh (Debian package prometheus)" >&2
		exit 1
	fi
}

# shellcheck source=scripts/ports.sh
. "$root/scripts/ports.sh"

# render TEMPLATE TARGET RULES: the production config with the test's
# target, rules, intervals and (maybe) Alertmanager.
render() {
	local target=$1 rules=$2
	local scrape=${SCRAPE_INTERVAL:-15s} eval=${EVALUATION_INTERVAL:-15s}
	local timeout=10s
	# scrape_timeout may not exceed scrape_interval.
	case "$scrape" in [1-9]s) timeout=$scrape ;; esac
	local drop_alerting='/^alerting:/,/^$/d'
	local am_target=''
	if [ -n "${ALERTMANAGER:-}" ]; then
		drop_alerting=''
		am_target="s|targets: \['127.0.0.1:9093'\]|targets: ['$ALERTMANAGER']|"
	fi
	sed -e "s|targets: \['127.0.0.1:9464'\]|targets: ['$target']|" \
		-e "s|^  - rules.yml$|  - '$rules'|" \
		-e "s|^  scrape_interval: 15s|  scrape_interval: $scrape|" \
		-e "s|^  scrape_timeout: 10s|  scrape_timeout: $timeout|" \
		-e "s|^  evaluation_interval: 15s|  evaluation_interval: $eval|" \
		-e "$drop_alerting" -e "$am_target" \
		"$template"
}

start() {
	local dir=$1 port=$2 target=$3 rules=${4:-$root/deploy/prometheus/rules.yml}
	need prometheus
	need promtool
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	rules=$(cd "$(dirname "$rules")" && pwd)/$(basename "$rules")
	if [ -f "$dir/prometheus.pid" ] && kill -0 "$(cat "$dir/prometheus.pid")" 2>/dev/null; then
		echo "prometheus: already running (pid $(cat "$dir/prometheus.pid")) with data in $dir" >&2
		return 0
	fi
	refuse_busy_port prometheus "$port"
	render "$target" "$rules" >"$dir/prometheus.yml"
	if ! promtool check config "$dir/prometheus.yml" >"$dir/promtool.log" 2>&1; then
		echo "prometheus: rendered config does not pass promtool:" >&2
		cat "$dir/promtool.log" >&2
		return 1
	fi
	prometheus \
		--config.file="$dir/prometheus.yml" \
		--storage.tsdb.path="$dir/data" \
		--web.listen-address="127.0.0.1:$port" \
		--web.external-url="http://127.0.0.1:$port/" \
		>"$dir/prometheus.log" 2>&1 &
	echo $! >"$dir/prometheus.pid"
	for _ in $(seq 1 150); do
		if curl -fsS -o /dev/null "http://127.0.0.1:$port/-/ready" 2>/dev/null && owns_port "$(cat "$dir/prometheus.pid")" "$port"; then
			echo "prometheus: ready on http://127.0.0.1:$port (pid $(cat "$dir/prometheus.pid"), scraping $target, data in $dir)" >&2
			return 0
		fi
		if ! kill -0 "$(cat "$dir/prometheus.pid")" 2>/dev/null; then
			echo "prometheus: exited; last log lines:" >&2
			tail -n 20 "$dir/prometheus.log" >&2
			return 1
		fi
		sleep 0.2
	done
	echo "prometheus: not ready on port $port after 30 s" >&2
	return 1
}

stop() {
	local dir=$1
	[ -f "$dir/prometheus.pid" ] || return 0
	local pid
	pid=$(cat "$dir/prometheus.pid")
	if kill -0 "$pid" 2>/dev/null; then
		kill "$pid" 2>/dev/null || true
		for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$pid" 2>/dev/null || true
	fi
	rm -f "$dir/prometheus.pid"
}

case "${1:-}" in
start) start "${2:?data dir}" "${3:?port}" "${4:?scrape target host:port}" "${5:-}" ;;
stop) stop "${2:?data dir}" ;;
free-port) free_port ;;
render) render "${2:?scrape target}" "${3:-$root/deploy/prometheus/rules.yml}" ;;
*) echo "usage: $0 start DIR PORT TARGET [RULES] | stop DIR | free-port | render TARGET [RULES]" >&2; exit 2 ;;
esac
