package app

import (
	"errors"
	"testing"
	"time"

	"github.com/greenmetrics/greenmetrics/config"
	"github.com/greenmetrics/greenmetrics/models"
	"github.com/greenmetrics/greenmetrics/report"
)

func TestReportOptions(t *testing.T) {
	cfg := config.Default()
	cfg.DataDir = "/srv/gm"
	now := time.Date(2024, 6, 3, 9, 0, 0, 0, models.Shanghai)
	tests := []struct {
		name                               string
		month, out, lang, formats, rejects string
		cfgDir                             string
		wantMonth, wantDir, wantRejects    string
		wantLang                           report.Lang
		wantFormats                        int
		wantErr                            error
	}{
		{name: "defaults: last complete month", wantMonth: "2024-05", wantDir: "/srv/gm/reports", wantRejects: "/srv/gm/rejects", wantLang: report.LangZh, wantFormats: 4},
		{name: "flags win", month: "2024-01", out: "/tmp/r", lang: "en", formats: "html,csv", rejects: "/tmp/rej",
			wantMonth: "2024-01", wantDir: "/tmp/r", wantRejects: "/tmp/rej", wantLang: report.LangEn, wantFormats: 2},
		{name: "config dir", cfgDir: "/var/reports", wantMonth: "2024-05", wantDir: "/var/reports", wantRejects: "/srv/gm/rejects", wantLang: report.LangZh, wantFormats: 4},
		{name: "bad month", month: "2024-13", wantErr: report.ErrBadMonth},
		{name: "the running month", month: "2024-06", wantErr: ErrMonthNotOver},
		{name: "a month to come", month: "2024-08", wantErr: ErrMonthNotOver},
		{name: "bad lang", lang: "fr", wantErr: report.ErrBadLang},
		{name: "bad format", formats: "pdf", wantErr: report.ErrBadFormat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := cfg
			c.Report.Dir = tt.cfgDir
			o, err := reportOptions(c, tt.month, tt.out, tt.lang, tt.formats, tt.rejects, now)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("reportOptions = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if o.month.String() != tt.wantMonth || o.dir != tt.wantDir || o.rejects != tt.wantRejects || o.lang != tt.wantLang || len(o.formats) != tt.wantFormats {
				t.Errorf("reportOptions = %+v, want month %s dir %s rejects %s lang %s %d formats",
					o, tt.wantMonth, tt.wantDir, tt.wantRejects, tt.wantLang, tt.wantFormats)
			}
		})
	}
	if _, err := reportOptions(cfg, "2024-07", "", "", "", "", now); err == nil {
		t.Error("a month that has not started was accepted")
	}
}
