package monitor

import (
	"testing"
	"time"
)

// TestDaysLeft: whole days, truncated toward zero, so that "expired 3
// days ago" and cert_days = -3 say the same, and 4 days 23 hours is 4.
func TestDaysLeft(t *testing.T) {
	const day = 24 * time.Hour
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		d    time.Duration
		want int
	}{
		{3*day + time.Hour, 3}, {3 * day, 3}, {3*day - time.Second, 2}, {5*day - 15*time.Minute, 4},
		{time.Hour, 0}, {0, 0}, {-time.Hour, 0}, {-day, -1}, {-3*day - 5*time.Hour, -3}, {-4*day + time.Second, -3},
	} {
		if got := DaysLeft(now.Add(tt.d), now); got != tt.want {
			t.Errorf("DaysLeft(now%+v) = %d, want %d", tt.d, got, tt.want)
		}
	}
}

func TestKey(t *testing.T) {
	for in, want := range map[string]string{
		"Shop API": "shop_api", "a/b": "a_b", "db-1.eu": "db-1.eu", "Café": "café", "Ⅰ": "ⅰ", "Ⅱ": "ⅱ", "商店": "商店", "\x1b[2J": "__2j",
	} {
		if got := Key(in); got != want {
			t.Errorf("Key(%q) = %q, want %q", in, got, want)
		}
	}
}
