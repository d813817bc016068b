package report

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
)

// ingestRuleCodes reads the rule codes ingest declares (the constants
// named Rule… of its non-test sources), so that the test follows ingest
// without the report importing it (internal/arch forbids that).
func ingestRuleCodes(t *testing.T) map[string]string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "ingest", "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	codes := map[string]string{} // code → constant name
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			gen, ok := decl.(*ast.GenDecl)
			if !ok || gen.Tok != token.CONST {
				continue
			}
			for _, spec := range gen.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, id := range vs.Names {
					if !strings.HasPrefix(id.Name, "Rule") || i >= len(vs.Values) {
						continue
					}
					lit, ok := vs.Values[i].(*ast.BasicLit)
					if !ok || lit.Kind != token.STRING {
						t.Errorf("%s: %s is not a string literal; the test cannot read its code", fset.Position(id.Pos()), id.Name)
						continue
					}
					code, err := strconv.Unquote(lit.Value)
					if err != nil {
						t.Fatal(err)
					}
					codes[code] = id.Name
				}
			}
		}
	}
	// The rules ingest is known to have; finding none means the sources moved.
	for _, known := range []string{"bad_time", "conflicting_duplicate", "implausible_value", "unit_not_convertible", "unknown_indicator", "empty_input"} {
		if _, ok := codes[known]; !ok {
			t.Fatalf("ingest's sources declare no rule %q; found %v", known, codes)
		}
	}
	return codes
}

// TestEveryRuleHasChineseName: each rejection rule of ingest has a Chinese
// description for the report, and the report describes no rule ingest no
// longer has.
func TestEveryRuleHasChineseName(t *testing.T) {
	codes := ingestRuleCodes(t)
	for code, constant := range codes {
		zh := ruleNamesZh[code]
		if zh == "" {
			t.Errorf("ingest.%s (%q) has no Chinese description in ruleNamesZh", constant, code)
			continue
		}
		if !strings.ContainsFunc(zh, func(r rune) bool { return unicode.Is(unicode.Han, r) }) || strings.Contains(zh, code) {
			t.Errorf("the description of %s is not Chinese: %q", code, zh)
		}
	}
	for code := range ruleNamesZh {
		if _, ok := codes[code]; !ok {
			t.Errorf("ruleNamesZh describes %q, which ingest does not declare", code)
		}
	}
}

func TestRuleText(t *testing.T) {
	tests := []struct {
		code string
		lang Lang
		want string
	}{
		{"bad_time", LangZh, "时间无效（bad_time）"},
		{"implausible_value", LangZh, "数值存疑，暂缓入库待确认（implausible_value）"},
		{"bad_time", LangEn, "bad_time"},
		// A code of an older log the report does not know stays readable.
		{"station_status", LangZh, "station_status"},
	}
	for _, tt := range tests {
		if got := ruleText(tt.code, tt.lang); got != tt.want {
			t.Errorf("ruleText(%q, %s) = %q, want %q", tt.code, tt.lang, got, tt.want)
		}
	}
}

// TestRejectedRulesInChinese: the Chinese data-quality section names each
// rule by its description with the code after it, in the summary and in
// the tables, and quotes no English message outside the examples table.
func TestRejectedRulesInChinese(t *testing.T) {
	rep := buildFixture(t, Month{2024, time.January}, LangZh)
	summary := strings.Join(rep.Summary, "")
	if !strings.Contains(summary, "最多的原因为时间无效（bad_time，1行）。") {
		t.Errorf("summary does not name the rule in Chinese:\n%s", summary)
	}
	for _, e := range rep.Quality.Examples {
		if strings.Contains(summary, e.Message) {
			t.Errorf("the Chinese summary quotes ingest's English message %q", e.Message)
		}
	}
	out := renderAll(t, rep)
	for format, wants := range map[string][]string{
		"html": {"<td>时间无效（bad_time）</td><td class=\"num\">1</td>", "<td>数值超出物理范围（out_of_range）</td>", "<td>指标不在目录中（unknown_indicator）</td>"},
		"md":   {"| 时间无效（bad_time） | 1 |", "| 数值超出物理范围（out_of_range） | 1 |"},
		// The machine formats keep the stable codes.
		"json": {`"key": "bad_time"`, `"rule": "bad_time"`},
	} {
		for _, w := range wants {
			if !strings.Contains(out[format], w) {
				t.Errorf("%s lacks %q", format, w)
			}
		}
	}
	en := renderAll(t, buildFixture(t, Month{2024, time.January}, LangEn))
	if !strings.Contains(en["md"], "| bad_time | 1 |") || strings.Contains(en["html"], "时间无效") {
		t.Error("the English edition does not keep the bare rule codes")
	}
}
