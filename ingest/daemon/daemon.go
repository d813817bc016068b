// Package daemon runs the ingestion daemon's moving parts together: the
// HTTP server, the spool's Sender and any background runners (the drop
// folder, the scheduled analysis), and shuts them down in the order that
// loses nothing: stop accepting, finish the requests in flight, stop the
// runners, deliver what the spool holds within the grace period, and keep
// the rest on disk for the next start.
package daemon

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/greenmetrics/greenmetrics/ingest/spool"
)

// Runner is a background loop. Run must return when ctx is done; an error
// returned before that stops the daemon.
type Runner struct {
	Name string
	Run  func(ctx context.Context) error
}

// Config is what the daemon runs. Spool, Sender and Handler are required;
// zero durations take the defaults named in their comments.
type Config struct {
	// Listen is the address of the HTTP server, e.g. 127.0.0.1:9464.
	Listen string
	// TLSCert and TLSKey, when both set, make the server HTTPS.
	TLSCert, TLSKey string
	// Handler serves every HTTP request (push API, health, /metrics).
	Handler http.Handler
	Spool   *spool.Spool
	Sender  *spool.Sender
	// Runners run alongside the server until shutdown.
	Runners []Runner
	// ShutdownGrace bounds the whole shutdown: in-flight requests and
	// delivery of the spool. Zero: 10 s.
	ShutdownGrace time.Duration
	// Server timeouts. ReadHeaderTimeout defaults to 10 s; ReadTimeout and
	// WriteTimeout to 5 min (a 64 MB push over a slow link, then its
	// validation and fsync; the push API cuts a slow body off sooner, at
	// its own BodyReadTimeout); IdleTimeout to 2 min.
	ReadHeaderTimeout, ReadTimeout, WriteTimeout, IdleTimeout time.Duration
	// MaxConnections bounds the connections served at once; more wait in
	// the kernel's accept queue until one closes, so a crowd of slow
	// clients cannot take every file descriptor. Zero: 256.
	MaxConnections int
	// Logger receives the lifecycle; nil discards it.
	Logger *slog.Logger
	// Started, when set, is called with the listening address before
	// requests are served (the address matters when Listen has port 0).
	Started func(addr net.Addr)
}

func (c *Config) defaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&c.ShutdownGrace, 10*time.Second)
	def(&c.ReadHeaderTimeout, 10*time.Second)
	def(&c.ReadTimeout, 5*time.Minute)
	def(&c.WriteTimeout, 5*time.Minute)
	def(&c.IdleTimeout, 2*time.Minute)
	if c.MaxConnections <= 0 {
		c.MaxConnections = 256
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
}

// Run serves until ctx is done (SIGTERM, SIGINT) or a part fails, then
// shuts down and closes the spool. It returns nil after a shutdown asked
// for by ctx, even when the grace period left points in the spool: they
// are safe on disk and delivered at the next start.
func Run(ctx context.Context, cfg Config) error {
	cfg.defaults()
	if cfg.Spool == nil || cfg.Sender == nil || cfg.Handler == nil {
		return errors.New("daemon: Spool, Sender and Handler are required")
	}
	log := cfg.Logger
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		cfg.Spool.Close()
		return fmt.Errorf("listen: %w", err)
	}
	ln = limitListener(ln, cfg.MaxConnections)
	srv := &http.Server{
		Handler:           cfg.Handler,
		ReadHeaderTimeout: cfg.ReadHeaderTimeout,
		ReadTimeout:       cfg.ReadTimeout,
		WriteTimeout:      cfg.WriteTimeout,
		IdleTimeout:       cfg.IdleTimeout,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	if cfg.Started != nil {
		cfg.Started(ln.Addr())
	}

	// Background parts get their own context: they are stopped after the
	// server has finished its requests, not when the signal arrives.
	bg, stopBG := context.WithCancel(context.Background())
	defer stopBG()
	failed := make(chan error, len(cfg.Runners)+2)
	var wg sync.WaitGroup
	start := func(name string, run func(context.Context) error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := run(bg); err != nil && bg.Err() == nil {
				failed <- fmt.Errorf("%s: %w", name, err)
			}
		}()
	}
	go func() {
		if err := serve(srv, ln, cfg.TLSCert, cfg.TLSKey); err != nil && !errors.Is(err, http.ErrServerClosed) {
			failed <- fmt.Errorf("http server: %w", err)
		}
	}()
	start("sender", cfg.Sender.Run)
	for _, r := range cfg.Runners {
		start(r.Name, r.Run)
	}

	var cause error
	select {
	case <-ctx.Done():
		log.Info("shutting down", "grace", cfg.ShutdownGrace)
	case cause = <-failed:
		log.Error("shutting down after a failure", "err", cause)
	}
	return errors.Join(cause, shutdown(srv, stopBG, &wg, cfg))
}

// limitListener accepts at most n connections at a time: Accept waits
// while n are open, leaving the next in the kernel's queue.
func limitListener(ln net.Listener, n int) net.Listener {
	return &limitedListener{Listener: ln, slots: make(chan struct{}, n), done: make(chan struct{})}
}

type limitedListener struct {
	net.Listener
	slots     chan struct{}
	done      chan struct{} // closed by Close, so a waiting Accept returns
	closeOnce sync.Once
}

func (l *limitedListener) Accept() (net.Conn, error) {
	select {
	case l.slots <- struct{}{}:
	case <-l.done:
		return nil, net.ErrClosed
	}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.slots
		return nil, err
	}
	return &slotConn{Conn: c, release: func() { <-l.slots }}, nil
}

func (l *limitedListener) Close() error {
	l.closeOnce.Do(func() { close(l.done) })
	return l.Listener.Close()
}

// slotConn gives its listener's slot back once, on its first Close.
type slotConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *slotConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}

func serve(srv *http.Server, ln net.Listener, cert, key string) error {
	if cert != "" && key != "" {
		return srv.ServeTLS(ln, cert, key)
	}
	return srv.Serve(ln)
}

// shutdown stops the parts in order within cfg.ShutdownGrace.
func shutdown(srv *http.Server, stopBG context.CancelFunc, wg *sync.WaitGroup, cfg Config) error {
	log := cfg.Logger
	grace, cancel := context.WithTimeout(context.Background(), cfg.ShutdownGrace)
	defer cancel()
	// 1. Stop accepting; let pushes in flight reach the spool and answer.
	if err := srv.Shutdown(grace); err != nil {
		log.Warn("requests still running at the end of the grace period", "err", err)
		srv.Close()
	}
	// 2. Stop the runners and the sender's loop.
	stopBG()
	waited := make(chan struct{})
	go func() { wg.Wait(); close(waited) }()
	select {
	case <-waited:
	case <-grace.Done():
		log.Warn("background runners did not stop within the grace period")
	}
	// 3. Deliver what is left while the grace lasts; the rest stays spooled.
	if err := cfg.Sender.Drain(grace); err != nil {
		log.Warn("left undelivered points in the spool for the next start", "pending", cfg.Sender.Stats().PendingPoints, "err", err)
	} else {
		log.Info("spool delivered", "delivered", cfg.Sender.Stats().DeliveredPoints)
	}
	if err := cfg.Spool.Close(); err != nil {
		return fmt.Errorf("closing spool: %w", err)
	}
	return nil
}

// Ready returns the readiness check of the daemon: ready when the spool
// accepts data (not full, its disk not full), InfluxDB did not refuse the
// last write in a way waiting cannot heal (404 database not found, 401,
// 403: not ready from the first such answer until a write succeeds), and
// InfluxDB answered a write or ping within window (the Sender pings every
// SenderOptions.PingInterval while idle, so window should be a few of
// those). The error says why, for the body of /readyz.
func Ready(sp *spool.Spool, snd *spool.Sender, window time.Duration, now func() time.Time) func() error {
	if now == nil {
		now = time.Now
	}
	return func() error {
		if err := sp.Err(); err != nil {
			return fmt.Errorf("spool cannot take data: %w", err)
		}
		if err := snd.Blocked(); err != nil {
			return err
		}
		last := snd.Stats().LastSuccess
		if last.IsZero() {
			return errors.New("InfluxDB has not answered yet")
		}
		if age := now().Sub(last); age > window {
			return fmt.Errorf("InfluxDB last answered %v ago", age.Round(time.Second))
		}
		return nil
	}
}
