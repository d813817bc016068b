package httpapi

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"os"
	"strings"
)

// Tokens is the set of bearer tokens the push API accepts. Several may be
// valid at once so a token can be rotated without downtime: add the new
// one, move the clients, remove the old one. The zero value accepts every
// request (no tokens configured: only sensible on loopback).
type Tokens struct {
	sums [][sha256.Size]byte
}

// LoadTokens reads tokens from file (one per line; blank lines and lines
// starting with # are ignored) and from the environment variable envName
// (comma-separated), either of which may be empty. getenv is os.Getenv in
// production. Token values never appear in errors or logs.
func LoadTokens(file, envName string, getenv func(string) string) (Tokens, error) {
	var raw []string
	if file != "" {
		data, err := os.ReadFile(file)
		if err != nil {
			return Tokens{}, fmt.Errorf("tokens file: %w", err)
		}
		sc := bufio.NewScanner(bytes.NewReader(data))
		for sc.Scan() {
			if l := strings.TrimSpace(sc.Text()); l != "" && !strings.HasPrefix(l, "#") {
				raw = append(raw, l)
			}
		}
		if err := sc.Err(); err != nil {
			return Tokens{}, fmt.Errorf("tokens file %s: %w", file, err)
		}
	}
	if envName != "" {
		for _, t := range strings.Split(getenv(envName), ",") {
			if t = strings.TrimSpace(t); t != "" {
				raw = append(raw, t)
			}
		}
	}
	return NewTokens(raw...), nil
}

// NewTokens returns a set accepting the given tokens.
func NewTokens(tokens ...string) Tokens {
	var t Tokens
	for _, tok := range tokens {
		t.sums = append(t.sums, sha256.Sum256([]byte(tok)))
	}
	return t
}

// Len is the number of accepted tokens; 0 means the API is open.
func (t Tokens) Len() int { return len(t.sums) }

// Allow reports whether an Authorization header value carries an accepted
// bearer token. It compares digests in constant time and always checks
// every token, so timing tells nothing about which token nearly matched.
func (t Tokens) Allow(authorization string) bool {
	if len(t.sums) == 0 {
		return true
	}
	scheme, tok, ok := strings.Cut(authorization, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return false
	}
	sum := sha256.Sum256([]byte(strings.TrimSpace(tok)))
	match := 0
	for i := range t.sums {
		match |= subtle.ConstantTimeCompare(sum[:], t.sums[i][:])
	}
	return match == 1
}
