package humanize

import (
	"testing"
	"time"
)

func TestLatency(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{-time.Second, "—"},
		{50 * time.Microsecond, "<0.1ms"},
		{400 * time.Microsecond, "0.4ms"},
		{9500 * time.Microsecond, "9.5ms"},
		{340 * time.Millisecond, "340ms"},
		{1250 * time.Millisecond, "1.25s"},
		{42 * time.Second, "42.0s"},
		{5 * time.Minute, "300s"},
	}
	for _, tt := range tests {
		if got := Latency(tt.d); got != tt.want {
			t.Errorf("Latency(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

func TestCount(t *testing.T) {
	for _, c := range []struct {
		n    int
		want string
	}{{0, "0 checks"}, {1, "1 check"}, {2, "2 checks"}, {-1, "-1 check"}, {12, "12 checks"}} {
		if got := Count(c.n, "check", "checks"); got != c.want {
			t.Errorf("Count(%d) = %q, want %q", c.n, got, c.want)
		}
	}
}

func TestSetting(t *testing.T) {
	for d, want := range map[time.Duration]string{
		time.Second * 2 / 3:                    "667ms",
		time.Second / 3:                        "333ms",
		time.Second:                            "1s",
		2500 * time.Millisecond:                "2.5s",
		10 * time.Second / 3:                   "3.333s",
		40 * time.Second / 3:                   "13.3s",
		30 * time.Second:                       "30s",
		100 * time.Second / 3:                  "33.3s",
		5 * time.Minute:                        "5m",
		90 * time.Second:                       "1m30s",
		100*time.Second + 400*time.Millisecond: "1m40s",
		time.Hour:                              "1h",
		90 * time.Minute:                       "1h30m",
		time.Hour + 5*time.Second:              "1h0m5s",
		20 * time.Minute:                       "20m",
		500 * time.Microsecond:                 "500µs",
		0:                                      "0s",
		-time.Second:                           "0s",
		10*time.Second - time.Microsecond:      "10s",
		time.Minute - time.Millisecond:         "1m",
		2*time.Hour + 30*time.Minute + 400*time.Millisecond: "2h30m",
	} {
		if got := Setting(d); got != want {
			t.Errorf("Setting(%v) = %q, want %q", d, got, want)
		}
	}
}
