package spool

import (
	"errors"
	"testing"
	"time"

	"github.com/greenmetrics/greenmetrics/store"
)

func TestBackoffBounds(t *testing.T) {
	s := NewSender(nil, nil, SenderOptions{RetryMin: 100 * time.Millisecond, RetryMax: 3 * time.Second})
	transport := errors.New("connection refused")
	tests := []struct {
		attempt int
		err     error
		lo, hi  time.Duration
	}{
		{0, transport, 100 * time.Millisecond, 100 * time.Millisecond},
		{1, transport, 100 * time.Millisecond, 200 * time.Millisecond},
		{3, transport, 100 * time.Millisecond, 800 * time.Millisecond},
		{10, transport, 100 * time.Millisecond, 3 * time.Second},
		{200, transport, 100 * time.Millisecond, 3 * time.Second},
		{0, &store.WriteError{StatusCode: 429, RetryAfter: 2 * time.Second}, 2 * time.Second, 2 * time.Second},
		{0, &store.WriteError{StatusCode: 503, RetryAfter: time.Hour}, 3 * time.Second, 3 * time.Second},
	}
	for _, tc := range tests {
		for range 200 {
			if d := s.backoff(tc.attempt, tc.err); d < tc.lo || d > tc.hi {
				t.Fatalf("backoff(%d, %v) = %v, want in [%v, %v]", tc.attempt, tc.err, d, tc.lo, tc.hi)
			}
		}
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		err  error
		kind string
	}{
		{errors.New("dial tcp: connection refused"), KindUnreachable},
		{&store.WriteError{StatusCode: 0}, KindUnreachable},
		{&store.WriteError{StatusCode: 429}, KindThrottled},
		{&store.WriteError{StatusCode: 500}, KindServer},
		{&store.WriteError{StatusCode: 503}, KindServer},
		{&store.WriteError{StatusCode: 400}, KindRejected},
		{&store.WriteError{StatusCode: 413}, KindRejected},
		{&store.WriteError{StatusCode: 422}, KindRejected},
		{&store.WriteError{StatusCode: 401}, KindAuth},
		{&store.WriteError{StatusCode: 403}, KindAuth},
		{&store.WriteError{StatusCode: 404}, KindNotFound},
		{&store.WriteError{StatusCode: 405}, KindOther},
	}
	for _, tc := range tests {
		if kind, _, _ := classify(tc.err); kind != tc.kind {
			t.Errorf("classify(%v) = %s, want %s", tc.err, kind, tc.kind)
		}
	}
}
