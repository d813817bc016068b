// Package deploy holds what runs next to the daemon — the Prometheus alert
// rules and scrape config, a sample Alertmanager routing, and the Grafana
// provisioning and dashboards — and the tests that check them with the real
// tools: promtool, amtool, the Grafana foundation SDK's strict loader, and
// an end-to-end run of greenmetrics against real Prometheus and InfluxDB.
//
// The Go code of the package generates the dashboards
// (deploy/grafana/dashboards/*.json); `go test ./deploy -run
// TestDashboardsGolden -update` rewrites them.
package deploy
