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
