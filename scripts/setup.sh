#!/usr/bin/env bash
# Installs what greenmetrics needs on a machine that has only Go: the pinned
# InfluxDB (built from the Go module proxy into ./bin) and, from Debian,
# Prometheus with promtool, Alertmanager with amtool, Chromium and a CJK
# font for the report test. Safe to run again: it installs only what is missing.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

"$root/scripts/influxd.sh" install

need=()
command -v prometheus >/dev/null || need+=(prometheus)
command -v promtool >/dev/null || need+=(prometheus)
command -v amtool >/dev/null || need+=(prometheus-alertmanager)
command -v chromium >/dev/null || need+=(chromium)
[ -e /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || need+=(fonts-noto-cjk)
command -v curl >/dev/null || need+=(curl)
[ -x /usr/bin/time ] || need+=(time)
if [ ${#need[@]} -gt 0 ]; then
	if [ "$(id -u)" != 0 ] && ! command -v sudo >/dev/null; then
		echo "setup: need Debian packages ${need[*]} but am not root; install them and run again" >&2
		exit 1
	fi
	sudo=""
	[ "$(id -u)" = 0 ] || sudo=sudo
	echo "setup: installing Debian packages: ${need[*]}" >&2
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
