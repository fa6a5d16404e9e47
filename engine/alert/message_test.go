package alert

import (
	"testing"
	"time"
)

// Messages count whole seconds as the report and the dashboard do.
func TestHumanDurationTruncates(t *testing.T) {
	if got := human(72600 * time.Millisecond); got != "1m 12s" {
		t.Errorf("72.6s reads %q, want 1m 12s", got)
	}
}
