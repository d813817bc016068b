package httpapi_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/greenmetrics/greenmetrics/ingest/httpapi"
)

// TestTokensFailClosed: a tokens file of comments and blank lines is an
// error unless an open API is allowed, and no tokens is refused on any
// listen address that is not loopback unless allowed.
func TestTokensFailClosed(t *testing.T) {
	file := filepath.Join(t.TempDir(), "tokens")
	if err := os.WriteFile(file, []byte("# comment\n\n  \t\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	noEnv := func(string) string { return "" }
	if _, err := httpapi.LoadTokens(file, "", noEnv); !errors.Is(err, httpapi.ErrNoTokens) {
		t.Errorf("LoadTokens(comments only) = %v, want ErrNoTokens", err)
	}
	if tok, err := httpapi.LoadTokensAllowingOpen(file, "", noEnv, true); err != nil || tok.Len() != 0 {
		t.Errorf("LoadTokensAllowingOpen(comments only, open) = %d tokens, %v; want 0, nil", tok.Len(), err)
	}
	one, err := httpapi.NewTokens(httpapi.Token{Name: "zjw", Secret: "s"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		listen    string
		tokens    httpapi.Tokens
		allowOpen bool
		wantErr   bool
	}{
		{"127.0.0.1:9464", httpapi.Tokens{}, false, false},
		{"127.0.0.2:9464", httpapi.Tokens{}, false, false},
		{"localhost:9464", httpapi.Tokens{}, false, false},
		{"[::1]:9464", httpapi.Tokens{}, false, false},
		{"0.0.0.0:9464", httpapi.Tokens{}, false, true},
		{":9464", httpapi.Tokens{}, false, true},
		{"[::]:9464", httpapi.Tokens{}, false, true},
		{"10.1.2.3:9464", httpapi.Tokens{}, false, true},
		{"greenmetrics.example:9464", httpapi.Tokens{}, false, true},
		{"0.0.0.0:9464", httpapi.Tokens{}, true, false},
		{"0.0.0.0:9464", one, false, false},
	}
	for _, tc := range tests {
		err := httpapi.RequireAuth(tc.tokens, tc.listen, tc.allowOpen)
		if (err != nil) != tc.wantErr {
			t.Errorf("RequireAuth(%d tokens, %s, allowOpen %v) = %v, want error %v", tc.tokens.Len(), tc.listen, tc.allowOpen, err, tc.wantErr)
		}
	}
}
