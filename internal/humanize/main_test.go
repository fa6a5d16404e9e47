package humanize

import (
	"os"
	"testing"

	"github.com/upbeat-monitor/upbeat/internal/testmain"
)

func TestMain(m *testing.M) {
	testmain.SkipRaceExitSleep()
	os.Exit(m.Run())
}
