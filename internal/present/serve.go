package present

import (
	"fmt"
	"io"
	"net"
	"strings"

	"github.com/greenmetrics/greenmetrics/internal/app"
)

// Serving is serve's start-up summary.
func Serving(out io.Writer, version string, m *app.Main, addr net.Addr) {
	cfg := m.Config
	scheme := "http"
	if cfg.Ingest.TLSCert != "" {
		scheme = "https"
	}
	fmt.Fprintf(out, "greenmetrics %s serving on %s://%s (push: POST /api/v1/observations; POST /api/v1/analyze; /healthz /readyz /metrics)\n", version, scheme, addr)
	fmt.Fprintf(out, "  spool:    %s (%d points waiting from before)\n", m.Spool.Dir(), m.Spool.Stats().PendingPoints)
	fmt.Fprintf(out, "  influxdb: %s bucket %s\n", cfg.Influx.URL, cfg.Influx.Bucket)
	if cfg.Ingest.DropDir != "" {
		fmt.Fprintf(out, "  drop:     %s (processed files move to done/, rejected rows to rejected/)\n", cfg.Ingest.DropDir)
	}
	if m.Tokens.Len() == 0 {
		fmt.Fprintf(out, "  tokens:   none configured: the push API is open (provider %q)\n", app.OpenProvider)
	} else {
		fmt.Fprintf(out, "  tokens:   %d accepted, providers %s\n", m.Tokens.Len(), strings.Join(m.Tokens.Names(), ", "))
	}
}
