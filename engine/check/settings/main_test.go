package settings

import (
	"testing"

	"github.com/upbeat-monitor/upbeat/internal/testmain"
)

func TestMain(m *testing.M) { testmain.Run(m) }
