package faulttest

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/greenmetrics/greenmetrics/internal/influxtest"
)

// slowPush opens a push that sends its headers and the start of its body,
// then trickles a byte every 50 ms until the daemon answers; it returns
// the answer's status, or 0 when the connection closed without one.
func slowPush(t *testing.T, addr string) <-chan int {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(conn, "POST /api/v1/observations HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\nContent-Length: 1000000\r\n\r\ntime,indicator,entity,value,unit\n")
	status := make(chan int, 1)
	answered := make(chan struct{})
	go func() {
		defer close(answered)
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			status <- 0
			return
		}
		resp.Body.Close()
		status <- resp.StatusCode
	}()
	go func() {
		defer conn.Close()
		for {
			select {
			case <-answered:
				return
			case <-time.After(50 * time.Millisecond):
				if _, err := conn.Write([]byte("\n")); err != nil {
					<-answered
					return
				}
			}
		}
	}()
	return status
}

// TestSlowAndCrowdingClients runs a real daemon with a body deadline of
// 3 s, 2 push slots and 10 connections: of three trickling pushes two
// hold the slots until they are cut off with 408, the third is answered
// 503; with 10 connections open and silent, an eleventh waits until the
// daemon closes one of them.
func TestSlowAndCrowdingClients(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test; skipped with -short")
	}
	db := influxtest.New(t)
	d := newDaemon(t, daemonConfig{influxURL: db.URL, database: db.Database})
	appendIngestConfig(t, d, "  body_read_timeout: 3s\n  max_concurrent_pushes: 2\n  max_connections: 10\n")
	d.start(t)

	// Three slow pushes at once: two take the slots and are cut off at
	// the deadline, the third is refused at once.
	slow := []<-chan int{slowPush(t, d.addr), slowPush(t, d.addr), slowPush(t, d.addr)}
	count := map[int]int{}
	for _, s := range slow {
		count[<-s]++
	}
	if count[http.StatusRequestTimeout] != 2 || count[http.StatusServiceUnavailable] != 1 {
		t.Errorf("three slow pushes with two slots answered %v, want two 408 and one 503", count)
	}
	client := &http.Client{Timeout: time.Minute}
	resp, err := client.Post(d.url()+"/api/v1/observations", "text/csv", strings.NewReader(string(csvBatch(0, 1))))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("a push after the slow ones = %d, want 200", resp.StatusCode)
	}

	// Ten silent connections take every slot of the listener; the daemon
	// closes them at its header timeout, and only then serves the next.
	client.CloseIdleConnections()
	var closed atomic.Int32
	var wg sync.WaitGroup
	for range 10 {
		conn, err := net.Dial("tcp", d.addr)
		if err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer conn.Close()
			_, _ = io.Copy(io.Discard, conn) // returns when the daemon closes it
			closed.Add(1)
		}()
	}
	time.Sleep(200 * time.Millisecond) // let the daemon accept all ten
	answered := make(chan int, 1)
	go func() {
		resp, err := (&http.Client{Timeout: time.Minute}).Get(d.url() + "/healthz")
		if err != nil {
			answered <- 0
			return
		}
		resp.Body.Close()
		answered <- resp.StatusCode
	}()
	// The daemon holds a silent connection for its 10 s header timeout,
	// so the eleventh cannot be served within 2 s unless it was accepted
	// beside the ten.
	select {
	case st := <-answered:
		t.Fatalf("/healthz answered %d while the 10 silent connections were open (%d closed): no connection limit", st, closed.Load())
	case <-time.After(2 * time.Second):
	}
	if st := <-answered; st != http.StatusOK {
		t.Errorf("/healthz = %d once a connection was free, want 200", st)
	}
	if closed.Load() == 0 {
		wg.Wait() // the daemon closes them all at its header timeout
	}
	wg.Wait()
	d.terminate(t)
}
