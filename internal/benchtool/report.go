package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"time"

	"github.com/greenmetrics/greenmetrics/config"
	"github.com/greenmetrics/greenmetrics/internal/app"
)

// report writes one month's report as `greenmetrics report` does, timed,
// with an optional CPU profile: where the command's time goes beyond the
// analysis (rendering, the second analysis).
func report(args []string) error {
	fs := flag.NewFlagSet("report", flag.ExitOnError)
	cfgPath := fs.String("config", "", "greenmetrics config")
	month := fs.String("month", "", "YYYY-MM")
	dir := fs.String("out", "", "output directory")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile")
	_ = fs.Parse(args)
	stop, err := profileCPU(*cpuProfile)
	if err != nil {
		return err
	}
	defer stop()
	t0 := time.Now()
	files, err := app.Report(context.Background(), app.ReportOptions{Settings: config.Overrides{ConfigPath: *cfgPath}, Month: *month, Dir: *dir, Log: io.Discard})
	if err != nil {
		return err
	}
	fmt.Printf("report: %d files in %.2f s\n", len(files), time.Since(t0).Seconds())
	return nil
}

// profileCPU writes a CPU profile to path until stop is called; with an
// empty path it does nothing.
func profileCPU(path string) (stop func(), err error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}
