package report

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/css"
	"github.com/chromedp/cdproto/dom"
	"github.com/chromedp/cdproto/emulation"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// chromiumPath finds the browser scripts/setup.sh installs. CI must have
// it; a developer machine without it skips the browser test.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "/usr/bin/chromium"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium not found; scripts/setup.sh installs it")
	}
	t.Skip("chromium not installed (scripts/setup.sh installs it)")
	return ""
}

// artifactsDir is where the browser test leaves its screenshot and PDF:
// $GREENMETRICS_ARTIFACTS/report, or out/test-artifacts/report in the
// repository (ignored by git).
func artifactsDir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join("..", "out", "test-artifacts", "report")
	if d := os.Getenv("GREENMETRICS_ARTIFACTS"); d != "" {
		dir = filepath.Join(d, "report")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// browserLog collects what must not happen while the page loads: console
// errors, exceptions, failed requests and any request that leaves the
// page's own file.
type browserLog struct {
	mu       sync.Mutex
	problems []string
	requests []string
}

func (b *browserLog) listen(ev any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch e := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if e.Type == runtime.ConsoleAPICalledTypeError || e.Type == runtime.ConsoleAPICalledTypeAssert {
			b.problems = append(b.problems, fmt.Sprintf("console.%s: %v", e.Type, argsText(e.Args)))
		}
	case *runtime.EventExceptionThrown:
		b.problems = append(b.problems, "exception: "+e.ExceptionDetails.Text)
	case *cdplog.EventEntryAdded:
		if e.Entry.Level == cdplog.EntryLevelError {
			b.problems = append(b.problems, "log error: "+e.Entry.Text)
		}
	case *network.EventLoadingFailed:
		b.problems = append(b.problems, "request failed: "+e.ErrorText)
	case *network.EventRequestWillBeSent:
		b.requests = append(b.requests, e.Request.URL)
	}
}

func argsText(args []*runtime.RemoteObject) string {
	var parts []string
	for _, a := range args {
		if len(a.Value) > 0 {
			parts = append(parts, string(a.Value))
		} else {
			parts = append(parts, a.Description)
		}
	}
	return strings.Join(parts, " ")
}

// TestHTMLInChromium opens the May 2024 fixture report in headless
// Chromium: no console errors, no failed or external requests, every
// section present, Chinese drawn with a CJK font (no tofu), a screenshot
// and an A4 PDF as artifacts.
func TestHTMLInChromium(t *testing.T) {
	exe := chromiumPath(t)
	out := t.TempDir()
	rep := buildDemoLikeFixture(t, Month{2024, 5}, LangZh)
	paths, err := Write(out, rep, AllFormats)
	if err != nil {
		t.Fatal(err)
	}
	page := (&url.URL{Scheme: "file", Path: paths[0]}).String()
	if html, err := os.ReadFile(paths[0]); err == nil {
		// The page itself is an artifact too, to open by hand.
		if err := os.WriteFile(filepath.Join(artifactsDir(t), filepath.Base(paths[0])), html, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 1600),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	var blog browserLog
	ctx, cancel := chromedp.NewContext(allocCtx, chromedp.WithListener(blog.listen))
	defer cancel()
	// Start the browser on the untimed context: a timeout on the first
	// Run would bound the browser's whole life (chromedp.Run).
	if err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		if _, err := cdp.Call(ctx, tg, network.Enable, network.EnableParams{}); err != nil {
			return err
		}
		if _, err := cdp.Call(ctx, tg, cdplog.Enable, cdp.Empty{}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, tg, runtime.Enable, cdp.Empty{})
		return err
	})); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	tctx, tcancel := context.WithTimeout(ctx, 90*time.Second)
	defer tcancel()
	if err := chromedp.Do(tctx, chromedp.EmulateViewport(1280, 1600), chromedp.Navigate(page), chromedp.WaitReady(chromedp.CSS("#sec-method"))); err != nil {
		t.Fatalf("loading %s: %v", page, err)
	}

	t.Run("sections", func(t *testing.T) { checkSections(t, tctx) })
	t.Run("cjk-font", func(t *testing.T) { checkCJK(t, tctx) })
	for _, width := range []int64{1280, 800} {
		t.Run(fmt.Sprintf("layout-%dpx", width), func(t *testing.T) { checkLayout(t, tctx, width) })
	}
	t.Run("layout-print", func(t *testing.T) { checkPrintLayout(t, tctx) })
	t.Run("screenshot", func(t *testing.T) {
		if err := chromedp.Do(tctx, chromedp.EmulateViewport(1280, 1600)); err != nil {
			t.Fatal(err)
		}
		screenshot(t, tctx, "report-screenshot.png")
	})
	t.Run("pdf", func(t *testing.T) { printPDF(t, tctx) })

	blog.mu.Lock()
	defer blog.mu.Unlock()
	for _, p := range blog.problems {
		t.Errorf("browser: %s", p)
	}
	for _, r := range blog.requests {
		if r != page {
			t.Errorf("request to %s: the report must be self-contained", r)
		}
	}
	if len(blog.requests) == 0 {
		t.Error("no request seen at all; the network listener is not working")
	}
}

// reportIDs are the element ids every report has.
var reportIDs = []string{
	"sec-header", "sec-summary", "sec-carbon", "sec-green-finance", "sec-water", "sec-air",
	"sec-building", "sec-transport", "sec-economy", "sec-quality", "sec-method",
	"tbl-water-sections", "tbl-stations", "tbl-stale", "tbl-rejected-rules",
	"chart-water-classes", "chart-prefab_building_started_area", "tbl-air", "air-assessment",
}

func checkSections(t *testing.T, ctx context.Context) {
	js := fmt.Sprintf(`%q.split(",").filter(id => !document.getElementById(id))`, strings.Join(reportIDs, ","))
	missing, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](js))
	if err != nil {
		t.Fatal(err)
	}
	if len(missing) > 0 {
		t.Errorf("missing elements: %v", missing)
	}
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#sec-water tbody tr").length`))
	if err != nil || rows < 4 {
		t.Errorf("water rows = %d, %v; want at least the 4 sections", rows, err)
	}
}

// checkCJK asks the browser which platform fonts drew the title: every
// glyph must come from a CJK face, which a tofu box (a fallback font
// without the glyph) would not be. As a second check, ten CJK characters
// set at 20px must be about 200px wide, as full-width glyphs are.
func checkCJK(t *testing.T, ctx context.Context) {
	fonts, err := chromedp.Run(ctx, func(ctx context.Context, tg *chromedp.Target) ([]*css.PlatformFontUsage, error) {
		if _, err := cdp.Call(ctx, tg, dom.Enable, dom.EnableParams{}); err != nil {
			return nil, err
		}
		if _, err := cdp.Call(ctx, tg, css.Enable, cdp.Empty{}); err != nil {
			return nil, err
		}
		doc, err := cdp.Call(ctx, tg, dom.GetDocument, dom.GetDocumentParams{})
		if err != nil {
			return nil, err
		}
		q, err := cdp.Call(ctx, tg, dom.QuerySelector, dom.QuerySelectorParams{NodeID: doc.Root.NodeID, Selector: "header h1"})
		if err != nil {
			return nil, err
		}
		res, err := cdp.Call(ctx, tg, css.GetPlatformFontsForNode, css.GetPlatformFontsForNodeParams{NodeID: q.NodeID})
		if err != nil {
			return nil, err
		}
		return res.Fonts, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	cjk := regexp.MustCompile(`(?i)CJK|Source Han|PingFang|YaHei|WenQuanYi|Hiragino`)
	glyphs := 0.0
	for _, f := range fonts {
		t.Logf("title font: %s (%s) %v glyphs", f.FamilyName, f.PostScriptName, f.GlyphCount)
		if !cjk.MatchString(f.FamilyName) {
			t.Errorf("title drawn partly with %q, not a CJK font", f.FamilyName)
		}
		glyphs += f.GlyphCount
	}
	if want := float64(len([]rune(zhLabels.Title))); glyphs != want {
		t.Errorf("title glyphs = %v, want %v", glyphs, want)
	}
	width, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`(() => {
		const s = document.createElement("span");
		s.style.fontSize = "20px"; s.style.whiteSpace = "nowrap";
		s.textContent = "碳排放绿色金融水环境";
		document.body.appendChild(s);
		const w = s.getBoundingClientRect().width;
		s.remove();
		return w;
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	if width < 190 || width > 210 {
		t.Errorf("10 CJK characters at 20px are %.1fpx wide, want about 200", width)
	}
}

// layoutProblems measures the page as laid out: the page itself must not
// scroll sideways; every table sits in a .tbl box and, when wider than
// the box, the box scrolls (overflow-x auto) rather than clipping it; and
// every text of every chart (legend, ticks, unit) lies inside its SVG.
// With mustFit (a desktop width) no table may need to scroll at all.
const layoutProblems = `((mustFit) => {
  const out = [];
  const doc = document.documentElement;
  if (doc.scrollWidth > window.innerWidth + 1) out.push("page scrolls sideways: " + doc.scrollWidth + " > " + window.innerWidth);
  document.querySelectorAll("table").forEach((t, i) => {
    const box = t.parentElement;
    const name = t.id || ("table " + i + " in " + (t.closest("section") || {}).id);
    if (!box.classList.contains("tbl")) { out.push(name + ": not in a .tbl box"); return; }
    const r = box.getBoundingClientRect();
    if (r.right > window.innerWidth + 1) out.push(name + ": box ends at " + r.right + " past the viewport " + window.innerWidth);
    const scrolls = ["auto", "scroll"].includes(getComputedStyle(box).overflowX);
    if (t.scrollWidth > box.clientWidth + 1 && !scrolls) out.push(name + ": " + t.scrollWidth + "px wide in a " + box.clientWidth + "px box that does not scroll");
    if (t.scrollWidth > box.clientWidth + 1 && mustFit) out.push(name + ": " + t.scrollWidth + "px wide, scrolls in its " + box.clientWidth + "px box");
  });
  document.querySelectorAll("svg.chart").forEach(svg => {
    const s = svg.getBoundingClientRect();
    svg.querySelectorAll("text").forEach(tx => {
      const r = tx.getBoundingClientRect();
      if (r.left < s.left - 0.5 || r.right > s.right + 0.5 || r.top < s.top - 0.5 || r.bottom > s.bottom + 0.5) {
        out.push(svg.id + ": text " + JSON.stringify(tx.textContent) + " [" + r.left.toFixed(1) + ", " + r.right.toFixed(1) + "] outside [" + s.left.toFixed(1) + ", " + s.right.toFixed(1) + "]");
      }
    });
  });
  return out;
})`

// checkLayout lays the page out at width px and measures it (layoutProblems),
// then saves a screenshot of that width as an artifact.
func checkLayout(t *testing.T, ctx context.Context, width int64) {
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, 1600)); err != nil {
		t.Fatal(err)
	}
	// At 1280 px every table fits; at 800 px the 13-column tables may
	// scroll inside their box.
	problems, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](fmt.Sprintf("%s(%v)", layoutProblems, width >= 1280)))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("at %dpx: %s", width, p)
	}
	counts, err := chromedp.Run(ctx, chromedp.Evaluate[[]int](`[document.querySelectorAll("table").length, document.querySelectorAll("svg.chart text.legend").length]`))
	if err != nil {
		t.Fatal(err)
	}
	if counts[0] < 8 || counts[1] < 4 {
		t.Errorf("measured %d tables and %d legend texts; the fixture has more", counts[0], counts[1])
	}
	screenshot(t, ctx, fmt.Sprintf("report-%dpx.png", width))
}

// screenshot saves the viewport as an artifact. The README's picture is
// the demo's report instead (scripts/report-screenshot.sh).
// a4LandscapeContentPx is the printable width of A4 landscape with the
// page's 10 mm side margins (@page), in CSS px: 277 mm at 96 px per inch.
const a4LandscapeContentPx = 1047

// checkPrintLayout lays the page out with the print style sheet at the
// printable width of A4 landscape: paper does not scroll, so every table
// must fit its box there.
func checkPrintLayout(t *testing.T, ctx context.Context) {
	setMedia := func(media string) error {
		return chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: media})
			return err
		}))
	}
	if err := setMedia("print"); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := setMedia(""); err != nil {
			t.Error(err)
		}
	}()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(a4LandscapeContentPx, 1600)); err != nil {
		t.Fatal(err)
	}
	// The print style sheet is in force: it hides the navigation.
	if nav, err := chromedp.Run(ctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector("nav")).display`)); err != nil || nav != "none" {
		t.Fatalf("nav display = %q, %v: print media not emulated", nav, err)
	}
	problems, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](fmt.Sprintf("%s(true)", layoutProblems)))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("in print at %dpx: %s", a4LandscapeContentPx, p)
	}
}

func screenshot(t *testing.T, ctx context.Context, name string) {
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(png, []byte("\x89PNG")) {
		t.Fatalf("screenshot is not a PNG")
	}
	path := filepath.Join(artifactsDir(t), name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
}

// pdfPage counts page objects ("/Type /Page", not "/Pages").
var pdfPage = regexp.MustCompile(`/Type\s*/Page[^s]`)

func printPDF(t *testing.T, ctx context.Context) {
	pdf, err := chromedp.Run(ctx, chromedp.PrintToPDF(chromedp.PDFPaper(chromedp.PaperA4), chromedp.PDFPreferCSSPageSize(), chromedp.PDFPrintBackground()))
	if err != nil {
		t.Fatal(err)
	}
	pages := len(pdfPage.FindAll(pdf, -1))
	if !bytes.HasPrefix(pdf, []byte("%PDF")) || pages == 0 {
		t.Fatalf("PDF of %d bytes with %d pages", len(pdf), pages)
	}
	path := filepath.Join(artifactsDir(t), "report-2024-05.pdf")
	if err := os.WriteFile(path, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("A4 PDF: %d pages, %s", pages, path)
}
