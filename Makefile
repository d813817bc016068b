# greenmetrics — the two commands a user needs:
#   make run    set up, start InfluxDB + Prometheus + the daemon, load demo data
#   make test   every test, against real InfluxDB and Prometheus started here
.PHONY: run test bench build setup clean

GO ?= go

build:
	$(GO) build -o bin/greenmetrics ./cmd/greenmetrics

setup:
	scripts/setup.sh

run:
	scripts/run.sh

test:
	scripts/test.sh

bench:
	scripts/bench.sh

clean:
	scripts/influxd.sh stop var/influxdb || true
	rm -rf bin/greenmetrics out
