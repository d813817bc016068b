package httpapi_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/greenmetrics/greenmetrics/config"
	"github.com/greenmetrics/greenmetrics/ingest"
	"github.com/greenmetrics/greenmetrics/ingest/httpapi"
	"github.com/greenmetrics/greenmetrics/ingest/rejectlog"
	"github.com/greenmetrics/greenmetrics/ingest/spool"
	"github.com/greenmetrics/greenmetrics/models"
)

// badCSV is a file of n rejected rows, alternating two rules, with one
// good row: each rejection's message names its input, so a line torn
// between two writers would not parse or would name the wrong one.
func badCSV(name string, n int) string {
	var b strings.Builder
	b.WriteString("time,indicator,value,unit\n2023,gdp,1,亿元\n")
	for i := range n {
		if i%2 == 0 {
			fmt.Fprintf(&b, "2023,no_such_%s_%d,1,亿元\n", name, i)
		} else {
			fmt.Fprintf(&b, "2023,gdp,x_%s_%d,亿元\n", name, i)
		}
	}
	return b.String()
}

// TestPushAndDropFolderShareOneRejectionLog runs pushes and drop-folder
// files through one pipeline at once, as serve does, and reads the
// rejection log back line by line: every line parses, and every rejected
// row of every input is there under its own source.
func TestPushAndDropFolderShareOneRejectionLog(t *testing.T) {
	const (
		pushes   = 8
		files    = 8
		badRows  = 400
		rejected = "rejects"
	)
	cat, err := config.DefaultCatalog()
	if err != nil {
		t.Fatal(err)
	}
	sp, err := spool.Open(t.TempDir(), spool.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sp.Close() })
	logDir := filepath.Join(t.TempDir(), rejected)
	rl, err := rejectlog.Open(logDir)
	if err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return time.Date(2024, 7, 1, 0, 0, 0, 0, models.Shanghai) }
	pipe, err := ingest.NewPipeline(cat, nil, sp, ingest.Options{Now: now, Rejections: rl})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	httpapi.New(pipe, httpapi.Options{MaxConcurrent: pushes}).Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	dropDir := t.TempDir()
	for i := range files {
		name := fmt.Sprintf("f%d", i)
		if err := os.WriteFile(filepath.Join(dropDir, name+".csv"), []byte(badCSV(name, badRows)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var filed sync.WaitGroup
	filed.Add(files)
	drop := ingest.NewDropFolder(dropDir, pipe, ingest.DropOptions{
		Settle: 10 * time.Millisecond,
		Processed: func(name, outcome string, _ ingest.Result, err error) {
			if outcome != ingest.OutcomeDone {
				t.Errorf("drop file %s: %s, %v", name, outcome, err)
			}
			filed.Done()
		},
	})
	ctx, cancel := context.WithCancel(context.Background())
	dropDone := make(chan error, 1)
	go func() { dropDone <- drop.Run(ctx) }()

	var pushed sync.WaitGroup
	for i := range pushes {
		pushed.Add(1)
		go func() {
			defer pushed.Done()
			body := badCSV(fmt.Sprintf("p%d", i), badRows)
			resp, err := http.Post(srv.URL+"/api/v1/observations?name=p"+fmt.Sprint(i), "text/csv", strings.NewReader(body))
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Errorf("push %d: status %d", i, resp.StatusCode)
			}
		}()
	}
	pushed.Wait()
	filed.Wait()
	cancel()
	if err := <-dropDone; err != nil {
		t.Fatal(err)
	}

	raw, err := os.ReadFile(filepath.Join(logDir, rejectlog.MonthOf(time.Now())+".jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	rowsBySource := map[string]int{}
	lines := 0
	sc := bufio.NewScanner(bytes.NewReader(raw))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		lines++
		var e rejectlog.Entry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("line %d does not parse (interleaved writes?): %v\n%s", lines, err, sc.Text())
		}
		rowsBySource[e.Source] += e.Rows()
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if want := (pushes + files) * badRows; lines != want {
		t.Errorf("%d lines in the rejection log, want %d (one per rejected row)", lines, want)
	}
	if got, want := rowsBySource["push:"+httpapi.OpenProvider], pushes*badRows; got != want {
		t.Errorf("push rejections logged: %d, want %d", got, want)
	}
	for i := range files {
		src := fmt.Sprintf("drop:f%d.csv", i)
		if rowsBySource[src] != badRows {
			t.Errorf("%s rejections logged: %d, want %d", src, rowsBySource[src], badRows)
		}
	}
}
