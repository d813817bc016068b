#!/usr/bin/env bash
# Installs, starts and stops the pinned InfluxDB 1.8.10 used by `make run`
# and `make test`, on loopback only, with its data under a directory of ours.
#
#   scripts/influxd.sh install             build ./bin/influxd if missing
#   scripts/influxd.sh start DIR HTTP_PORT  start with data in DIR, wait until it answers
#   scripts/influxd.sh stop DIR             stop the server started with DIR
#   scripts/influxd.sh config DIR HTTP_PORT write DIR/influxdb.conf only (for a
#                                           caller that runs influxd itself)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
version=v1.8.10
bin="$root/bin/influxd"

install() {
	if [ -x "$bin" ]; then return 0; fi
	echo "influxd: building github.com/influxdata/influxdb/cmd/influxd@$version into ./bin (about a minute) ..." >&2
	mkdir -p "$root/bin"
	GOBIN="$root/bin" GOFLAGS=-mod=mod go install "github.com/influxdata/influxdb/cmd/influxd@$version"
}

# shellcheck source=scripts/ports.sh
. "$root/scripts/ports.sh"

# write_config DIR PORT: the server's config, loopback only, data in DIR.
write_config() {
	local dir=$1 port=$2 rpc
	mkdir -p "$dir"
	rpc=$(free_port)
	cat >"$dir/influxdb.conf" <<CONF
reporting-disabled = true
bind-address = "127.0.0.1:$rpc"
[meta]
  dir = "$dir/meta"
[data]
  dir = "$dir/data"
  wal-dir = "$dir/wal"
  query-log-enabled = false
  index-version = "tsi1"
[http]
  enabled = true
  bind-address = "127.0.0.1:$port"
  flux-enabled = true
  log-enabled = false
[monitor]
  store-enabled = false
[continuous_queries]
  enabled = false
CONF
}

start() {
	local dir=$1 port=$2
	install
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	if [ -f "$dir/influxd.pid" ] && kill -0 "$(cat "$dir/influxd.pid")" 2>/dev/null; then
		echo "influxd: already running (pid $(cat "$dir/influxd.pid")) with data in $dir" >&2
		return 0
	fi
	refuse_busy_port influxd "$port"
	write_config "$dir" "$port"
	"$bin" run -config "$dir/influxdb.conf" >"$dir/influxd.log" 2>&1 &
	echo $! >"$dir/influxd.pid"
	for _ in $(seq 1 150); do
		if curl -fsS -o /dev/null "http://127.0.0.1:$port/ping" 2>/dev/null && owns_port "$(cat "$dir/influxd.pid")" "$port"; then
			echo "influxd: ready on http://127.0.0.1:$port (pid $(cat "$dir/influxd.pid"), data in $dir)" >&2
			return 0
		fi
		if ! kill -0 "$(cat "$dir/influxd.pid")" 2>/dev/null; then
			echo "influxd: exited; last log lines:" >&2
			tail -n 20 "$dir/influxd.log" >&2
			return 1
		fi
		sleep 0.2
	done
	echo "influxd: no answer on port $port after 30 s" >&2
	return 1
}

stop() {
	local dir=$1
	[ -f "$dir/influxd.pid" ] || return 0
	local pid
	pid=$(cat "$dir/influxd.pid")
	if kill -0 "$pid" 2>/dev/null; then
		kill "$pid" 2>/dev/null || true
		for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$pid" 2>/dev/null || true
	fi
	rm -f "$dir/influxd.pid"
}

case "${1:-}" in
install) install ;;
start) start "${2:?data dir}" "${3:?http port}" ;;
stop) stop "${2:?data dir}" ;;
free-port) free_port ;;
config) write_config "${2:?data dir}" "${3:?http port}" ;;
*) echo "usage: $0 install | start DIR PORT | stop DIR | config DIR PORT | free-port" >&2; exit 2 ;;
esac
