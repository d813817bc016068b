package httpapi

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"net"
	"os"
	"regexp"
	"sort"
	"strings"
)

// OpenProvider is the provider of pushes to an API without tokens.
const OpenProvider = "http"

// ReservedTokenNames are the names no token may have: the providers the
// daemon gives its own channels (drop folder, open API, import) and the
// engine's and demo's figures. A token named so could pass its pushes off
// as those.
var ReservedTokenNames = []string{"derived", "demo", "drop", "http", "import"}

// tokenNamePattern bounds token names: they become the provider of every
// figure pushed with the token and a label value on /metrics.
var tokenNamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]{0,63}$`)

// CheckTokenName reports why name cannot name a token, or nil.
func CheckTokenName(name string) error {
	if !tokenNamePattern.MatchString(name) {
		return fmt.Errorf("token name %q must be 1 to 64 of a-z, 0-9, '_', '.', '-', starting with a letter or digit", name)
	}
	for _, r := range ReservedTokenNames {
		if name == r {
			return fmt.Errorf("token name %q is reserved (%s); choose the name of the department or system that pushes", name, strings.Join(ReservedTokenNames, ", "))
		}
	}
	return nil
}

// Token is one accepted bearer token and its name. The name is the
// provider of every figure pushed with it; several tokens may share a name
// so a sender's token can be rotated without downtime.
type Token struct {
	Name   string
	Secret string
}

// Tokens is the set of bearer tokens the push API accepts, with their
// names. The zero value accepts every request under OpenProvider (no
// tokens configured: only sensible on loopback).
type Tokens struct {
	entries []tokenEntry
}

type tokenEntry struct {
	sum  [sha256.Size]byte
	name string
}

// NewTokens returns a set accepting the given tokens. A bad or reserved
// name, an empty secret, or one secret under two names is an error. Token
// secrets never appear in errors.
func NewTokens(tokens ...Token) (Tokens, error) {
	var t Tokens
	owner := map[[sha256.Size]byte]string{}
	var errs []error
	for i, tok := range tokens {
		if err := t.add(tok, owner); err != nil {
			errs = append(errs, fmt.Errorf("token %d: %w", i+1, err))
		}
	}
	return t, errors.Join(errs...)
}

func (t *Tokens) add(tok Token, owner map[[sha256.Size]byte]string) error {
	if err := CheckTokenName(tok.Name); err != nil {
		return err
	}
	if tok.Secret == "" {
		return fmt.Errorf("token named %q has no secret", tok.Name)
	}
	sum := sha256.Sum256([]byte(tok.Secret))
	if prev, seen := owner[sum]; seen {
		if prev != tok.Name {
			return fmt.Errorf("the token named %q is also listed as %q; a token has one name", tok.Name, prev)
		}
		return nil
	}
	owner[sum] = tok.Name
	t.entries = append(t.entries, tokenEntry{sum: sum, name: tok.Name})
	return nil
}

// Len is the number of accepted tokens; 0 means the API is open.
func (t Tokens) Len() int { return len(t.entries) }

// Names are the distinct token names, sorted: the providers pushes can
// have, which no other input may claim.
func (t Tokens) Names() []string {
	seen := map[string]bool{}
	var out []string
	for _, e := range t.entries {
		if !seen[e.name] {
			seen[e.name] = true
			out = append(out, e.name)
		}
	}
	sort.Strings(out)
	return out
}

// Allow reports whether an Authorization header value carries an accepted
// bearer token, and the token's name: the provider of the push. An open
// set (no tokens) allows everything as OpenProvider. It compares digests
// in constant time and always checks every token, so timing tells nothing
// about which token nearly matched.
func (t Tokens) Allow(authorization string) (name string, ok bool) {
	if len(t.entries) == 0 {
		return OpenProvider, true
	}
	scheme, tok, found := strings.Cut(authorization, " ")
	if !found || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	sum := sha256.Sum256([]byte(strings.TrimSpace(tok)))
	idx := -1
	for i := range t.entries {
		eq := subtle.ConstantTimeCompare(sum[:], t.entries[i].sum[:])
		idx = subtle.ConstantTimeSelect(eq, i, idx)
	}
	if idx < 0 {
		return "", false
	}
	return t.entries[idx].name, true
}

// TokensFileFormat is how a tokens file line looks, for messages.
const TokensFileFormat = `"NAME TOKEN" (e.g. "zjw 6f1c…"; blank lines and # comments allowed)`

// LoadTokens reads named tokens from file, one "NAME TOKEN" per line
// (blank lines and lines starting with # are ignored), and from the
// environment variable envName, as comma-separated "name:token" pairs;
// either may be empty. getenv is os.Getenv in production. Every problem is
// reported, each naming its file and line (or the variable and entry);
// token secrets never appear in errors or logs. A file that names no
// token (only blank lines and comments) is an error matching ErrNoTokens:
// whoever configured a file meant to require tokens, and an empty one
// would silently open the API. LoadTokensAllowingOpen is the variant for a
// configuration that declares the API open.
func LoadTokens(file, envName string, getenv func(string) string) (Tokens, error) {
	return loadTokens(file, envName, getenv, false)
}

// LoadTokensAllowingOpen is LoadTokens for a configuration that may run
// an open API (ingest.allow_open_api): when allowOpen is true a tokens
// file without tokens is accepted.
func LoadTokensAllowingOpen(file, envName string, getenv func(string) string, allowOpen bool) (Tokens, error) {
	return loadTokens(file, envName, getenv, allowOpen)
}

// ErrNoTokens is matched (errors.Is) by the error of a tokens file that
// holds no token.
var ErrNoTokens = errors.New("no tokens in the file")

func loadTokens(file, envName string, getenv func(string) string, allowOpen bool) (Tokens, error) {
	var toks []Token
	var errs []error
	if file != "" {
		ft, err := readTokensFile(file)
		toks = append(toks, ft...)
		if err == nil && len(ft) == 0 && !allowOpen {
			err = fmt.Errorf("%s: %w (only blank lines and comments): add %s lines, or set ingest.allow_open_api: true to run an open push API", file, ErrNoTokens, TokensFileFormat)
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	if envName != "" {
		et, err := parseTokensEnv(envName, getenv(envName))
		toks = append(toks, et...)
		if err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return Tokens{}, err
	}
	return NewTokens(toks...)
}

// RequireAuth is the fail-closed rule of the push API: with no tokens it
// is open to anyone who can reach listen, so an empty token set is refused
// unless listen is a loopback address (only local processes can push) or
// the configuration allows an open API explicitly (allowOpen, set from
// ingest.allow_open_api). A listen host that is empty, a wildcard or a
// name other than localhost counts as reachable from outside.
func RequireAuth(t Tokens, listen string, allowOpen bool) error {
	if t.Len() > 0 || allowOpen || isLoopback(listen) {
		return nil
	}
	return fmt.Errorf("no push tokens configured and listen %s is not a loopback address: anyone who can reach it could push data; "+
		"configure tokens (ingest.tokens_file or the variable ingest.tokens_env names), listen on 127.0.0.1, "+
		"or set ingest.allow_open_api: true to run an open push API on purpose", listen)
}

// isLoopback reports whether the host of the host:port address listen
// can only be reached from this machine.
func isLoopback(listen string) bool {
	host, _, err := net.SplitHostPort(listen)
	if err != nil {
		return false
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// readTokensFile reads the tokens of file; a missing or unreadable file
// is an error, like any bad line.
func readTokensFile(file string) ([]Token, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("tokens file: %w", err)
	}
	var toks []Token
	var errs []error
	owner := map[[sha256.Size]byte]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for line := 1; sc.Scan(); line++ {
		l := strings.TrimSpace(sc.Text())
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		tok, err := parseTokenLine(l)
		if err == nil {
			err = (&Tokens{}).add(tok, owner)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s:%d: %w", file, line, err))
			continue
		}
		toks = append(toks, tok)
	}
	if err := sc.Err(); err != nil {
		errs = append(errs, fmt.Errorf("tokens file %s: %w", file, err))
	}
	return toks, errors.Join(errs...)
}

// parseTokenLine reads "NAME TOKEN". A line of one word is a token of the
// old unnamed format.
func parseTokenLine(l string) (Token, error) {
	fields := strings.Fields(l)
	switch len(fields) {
	case 1:
		return Token{}, fmt.Errorf("a token without a name; write %s (docs/operations.md: named tokens)", TokensFileFormat)
	case 2:
		return Token{Name: fields[0], Secret: fields[1]}, nil
	}
	return Token{}, fmt.Errorf("%d words; write %s", len(fields), TokensFileFormat)
}

func parseTokensEnv(name, value string) ([]Token, error) {
	var toks []Token
	var errs []error
	for i, pair := range strings.Split(value, ",") {
		pair = strings.TrimSpace(pair)
		if pair == "" {
			continue
		}
		n, secret, ok := strings.Cut(pair, ":")
		n, secret = strings.TrimSpace(n), strings.TrimSpace(secret)
		if !ok || n == "" {
			errs = append(errs, fmt.Errorf("%s: entry %d has no name; write name:token pairs separated by commas", name, i+1))
			continue
		}
		if err := CheckTokenName(n); err != nil {
			errs = append(errs, fmt.Errorf("%s: entry %d: %w", name, i+1, err))
			continue
		}
		if secret == "" {
			errs = append(errs, fmt.Errorf("%s: entry %d (%s) has no token after the colon", name, i+1, n))
			continue
		}
		toks = append(toks, Token{Name: n, Secret: secret})
	}
	return toks, errors.Join(errs...)
}
