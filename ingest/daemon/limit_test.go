package daemon

import (
	"net"
	"testing"
	"time"
)

// TestLimitListenerHoldsTheNextConnection: with n connections open, the
// next one is not accepted until one of them closes, and a connection
// closed twice gives its slot back once.
func TestLimitListenerHoldsTheNextConnection(t *testing.T) {
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := limitListener(inner, 2)
	defer ln.Close()
	accepted := make(chan net.Conn, 8)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				close(accepted)
				return
			}
			accepted <- c
		}
	}()
	dial := func() net.Conn {
		c, err := net.Dial("tcp", inner.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	for range 3 {
		dial() // the kernel completes all three handshakes
	}
	first, second := <-accepted, <-accepted
	select {
	case c := <-accepted:
		t.Fatalf("a third connection %v was accepted while two were open", c.RemoteAddr())
	case <-time.After(200 * time.Millisecond):
	}
	first.Close()
	first.Close() // a second Close must not free a second slot
	third := <-accepted
	dial()
	select {
	case c := <-accepted:
		t.Fatalf("a fourth connection %v was accepted while two (%v, %v) were open", c.RemoteAddr(), second.RemoteAddr(), third.RemoteAddr())
	case <-time.After(200 * time.Millisecond):
	}
	second.Close()
	if c := <-accepted; c == nil {
		t.Fatal("the listener stopped instead of accepting the fourth connection")
	}
	// Closing the listener ends an Accept waiting for a slot.
	dial()
	ln.Close()
	for c := range accepted {
		t.Fatalf("accepted %v after the listener closed", c.RemoteAddr())
	}
}
