package deploy

import (
	"regexp"
)

var (
	forLine   = regexp.MustCompile(`(?m)^(\s+for:\s*)\S+\s*$`)
	alertLine = regexp.MustCompile(`(?m)^\s+- alert:\s*(\S+)\s*$`)
)

// ShortenFor returns the rule file with every `for:` duration replaced by
// d and nothing else changed, so a test can watch the production rules
// fire within seconds: the expressions, labels and annotations are the
// ones that page people.
func ShortenFor(rules []byte, d string) []byte {
	return forLine.ReplaceAll(rules, []byte("${1}"+d))
}

// alertNames lists the alerts a rule file defines, in file order.
func alertNames(rules []byte) []string {
	var names []string
	for _, m := range alertLine.FindAllSubmatch(rules, -1) {
		names = append(names, string(m[1]))
	}
	return names
}
