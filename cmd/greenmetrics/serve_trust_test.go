package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/greenmetrics/greenmetrics/internal/influxtest"
)

// syncBuffer is serve's standard output, read while serve writes it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// trustDaemon is `greenmetrics serve` run in the test binary against the
// real InfluxDB, with a drop folder and two named push tokens.
type trustDaemon struct {
	addr, data, drop string
	srv              influxtest.Server
}

func startTrustDaemon(t *testing.T) trustDaemon {
	t.Helper()
	srv := influxtest.New(t)
	dir := t.TempDir()
	d := trustDaemon{
		addr: fmt.Sprintf("127.0.0.1:%d", influxtest.FreePort(t)),
		data: filepath.Join(dir, "data"),
		drop: filepath.Join(dir, "drop"),
		srv:  srv,
	}
	tokens := filepath.Join(dir, "tokens")
	if err := os.WriteFile(tokens, []byte("# name token\nzjw zjw-secret-1\nanalyst analyst-secret-1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "greenmetrics.yaml")
	text := fmt.Sprintf(`listen: %s
data_dir: %s
influx:
  url: %s
  bucket: %s
ingest:
  drop_dir: %s
  tokens_file: %s
analysis:
  interval: 1h
  year: 2024
`, d.addr, d.data, srv.URL, srv.Bucket(), d.drop, tokens)
	if err := os.WriteFile(cfg, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	out := &syncBuffer{}
	go func() {
		root := newRootCmd()
		root.SetOut(out)
		root.SetErr(io.Discard)
		root.SetArgs([]string{"serve", "--config", cfg})
		done <- root.ExecuteContext(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serve: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("serve did not stop within 30 s")
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(out.String(), "serving on") {
		if time.Now().After(deadline) {
			t.Fatalf("serve did not start within 30 s:\n%s", out.String())
		}
		select {
		case err := <-done:
			t.Fatalf("serve exited: %v\n%s", err, out.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
	return d
}

// pushAnswer is the part of the push API's answer the test reads.
type pushAnswer struct {
	Accepted, Rejected, Held, Revised int
	Provider                          string
	NothingAccepted                   bool `json:"nothing_accepted"`
	Rejections                        []struct {
		Row         int
		Field, Rule string
		Message     string
	}
}

func (d trustDaemon) push(t *testing.T, token, query string, header map[string]string, csv string) (int, pushAnswer, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, "http://"+d.addr+"/api/v1/observations"+query, strings.NewReader(csv))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "text/csv")
	req.Header.Set("Authorization", "Bearer "+token)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var a pushAnswer
	_ = json.Unmarshal(body, &a)
	return resp.StatusCode, a, string(body)
}

// dropFile puts a file into the drop folder and waits until it is done.
func (d trustDaemon) dropFile(t *testing.T, name, text string) {
	t.Helper()
	tmp := filepath.Join(filepath.Dir(d.drop), name)
	if err := os.WriteFile(tmp, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(d.drop, name)); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		if _, err := os.Stat(filepath.Join(d.drop, "done", name)); err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not processed by the drop folder within 60 s", name)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// waitStored waits until InfluxDB holds want for the indicator: the
// spool delivers asynchronously.
func (d trustDaemon) waitStored(t *testing.T, indicator string, want ...string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		got := storedFigures(t, d.srv, indicator)
		if strings.Join(got, "|") == strings.Join(want, "|") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("stored %s = %v, want %v", indicator, got, want)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestServeTrustRoundTrip pushes the wrong, the late and the corrected
// figure through the daemon's two channels — the drop folder and the push
// API — and checks what InfluxDB, `history` and the month's report then
// say.
func TestServeTrustRoundTrip(t *testing.T) {
	d := startTrustDaemon(t)
	const head = "time,indicator,entity,value,unit\n"
	const june = "1717171200" // 2024-06-01 00:00 +08:00

	// June from the drop folder, stamped on the 1st …
	d.dropFile(t, "prefab_june.csv", head+"2024-06-01,prefab_building_started_area,,12.5,万平方米\n")
	d.waitStored(t, "prefab_building_started_area", june+" 125000 drop")
	// … and again on the 30th, pushed: the same figure, not a second one
	// (its provider changes, which the ledger records).
	code, a, body := d.push(t, "zjw-secret-1", "", nil, head+"2024-06-30,prefab_building_started_area,,12.5,万平方米\n")
	if code != http.StatusOK || a.Accepted != 1 || a.Revised != 1 || a.Provider != "zjw" {
		t.Fatalf("re-send of June: %d %s", code, body)
	}
	d.waitStored(t, "prefab_building_started_area", june+" 125000 zjw")

	// The department's correction, pushed with a token whose name sorts
	// before the drop folder's provider: the latest write wins anyway.
	code, a, body = d.push(t, "analyst-secret-1", "", nil, head+"2024-06-15,prefab_building_started_area,,13,万平方米\n")
	if code != http.StatusOK || a.Accepted != 1 || a.Revised != 1 {
		t.Fatalf("correction: %d %s", code, body)
	}
	d.waitStored(t, "prefab_building_started_area", june+" 130000 analyst")

	// 99999万平方米 for July is held with its reason, then confirmed.
	july := head + "2024-07,prefab_building_started_area,,99999,万平方米\n"
	code, a, body = d.push(t, "zjw-secret-1", "", nil, july)
	if code != http.StatusOK || a.Held != 1 || a.Accepted != 0 || !a.NothingAccepted ||
		len(a.Rejections) != 1 || a.Rejections[0].Rule != "implausible_value" || !strings.Contains(a.Rejections[0].Message, "99999万平方米") {
		t.Fatalf("implausible July value not held: %d %s", code, body)
	}
	code, a, body = d.push(t, "zjw-secret-1", "", map[string]string{"X-Greenmetrics-Confirm": "implausible"}, july)
	if code != http.StatusOK || a.Accepted != 1 || a.Held != 0 {
		t.Fatalf("confirmed July value: %d %s", code, body)
	}
	d.waitStored(t, "prefab_building_started_area", june+" 130000 analyst", "1719763200 9.9999e+08 zjw")

	// Refused per row, each with its reason; the good row of the batch stays.
	code, a, body = d.push(t, "zjw-secret-1", "", nil, "time,indicator,entity,value,unit,source\n"+
		"2024-03,gdp_growth,,5,,\n"+
		"0000-06-30,prefab_building_started_area,,1,万平方米,\n"+
		"1677-09-21,prefab_building_started_area,,1,万平方米,\n"+
		"2024-05,prefab_building_started_area,,1,万平方米,derived\n"+
		"2024-05-01T08:00:00.1+08:00,ebike_charging_points_added,,10,个,\n"+
		"2024-05-01T08:00:00.2+08:00,ebike_charging_points_added,,11,个,\n"+
		"2024-05,gdp_growth,,5%,,\n")
	rules := map[int]string{}
	for _, r := range a.Rejections {
		rules[r.Row] = r.Rule
	}
	want := map[int]string{2: "looks_like_percent", 3: "bad_time", 4: "bad_time", 5: "provider_not_allowed", 6: "conflicting_duplicate", 7: "conflicting_duplicate"}
	if code != http.StatusOK || a.Accepted != 1 || fmt.Sprint(rules) != fmt.Sprint(want) {
		t.Fatalf("refusals: %d, rules by row %v, want %v\n%s", code, rules, want, body)
	}
	if !strings.Contains(body, "5 looks like a percentage: write 5% or 0.05") {
		t.Errorf("the percentage hint is missing:\n%s", body)
	}
	// A client cannot name the engine (or another token) as its provider.
	if code, _, body := d.push(t, "zjw-secret-1", "?source=derived", nil, head+"2024-05,gdp_growth,,5%,\n"); code != http.StatusForbidden {
		t.Errorf("?source=derived answered %d: %s", code, body)
	}

	// history shows the figure's trail with the revision.
	out, err := runCLI(t, "history", "prefab_building_started_area", "--config", "", "--data-dir", d.data, "--period", "2024-06")
	if err != nil {
		t.Fatalf("history: %v\n%s", err, out)
	}
	for _, want := range []string{"prefab_june.csv:2", "修订 12.5万平方米 (zjw) → 13万平方米", "3 条记录 entries"} {
		if !strings.Contains(out, want) {
			t.Errorf("history lacks %q:\n%s", want, out)
		}
	}

	// The report of the month the revisions were made lists them, once
	// that month is over (a month still running is not reported).
	cst := time.FixedZone("CST", 8*3600)
	now := time.Now().In(cst)
	month := now.Format("2006-01")
	t.Setenv("GREENMETRICS_NOW", time.Date(now.Year(), now.Month()+1, 3, 8, 0, 0, 0, cst).Format(time.RFC3339))
	reports := t.TempDir()
	t.Setenv("GREENMETRICS_DATA_DIR", d.data)
	out, err = runCLI(t, "report", "--config", "", "--influx-url", d.srv.URL, "--influx-bucket", d.srv.Bucket(),
		"--month", month, "--format", "json", "--out", reports)
	if err != nil {
		t.Fatalf("report: %v\n%s", err, out)
	}
	b, err := os.ReadFile(filepath.Join(reports, "report-"+month+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Quality struct {
			Revisions []struct {
				Code        string `json:"code"`
				Period      string `json:"period"`
				OldProvider string `json:"old_provider"`
				NewProvider string `json:"new_provider"`
			} `json:"revisions"`
		} `json:"quality"`
	}
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rep.Quality.Revisions {
		got = append(got, r.Code+" "+r.Period+" "+r.OldProvider+"→"+r.NewProvider)
	}
	if fmt.Sprint(got) != "[prefab_building_started_area 2024-06 drop→zjw prefab_building_started_area 2024-06 zjw→analyst]" {
		t.Errorf("report revisions = %v", got)
	}
}
