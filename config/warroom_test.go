package config

import (
	"testing"
	"time"
)

// war_room_interval and war_room_duration are read from [settings] and
// default to 5s and 15m.
func TestWarRoomSettings(t *testing.T) {
	cfg := mustParse(t, `
[settings]
war_room_interval = "2s"
war_room_duration = "30m"

[[monitor]]
name = "shop"
url = "https://shop.example.com/health"
`)
	if s := cfg.Settings; s.WarRoomInterval != 2*time.Second || s.WarRoomDuration != 30*time.Minute {
		t.Errorf("war room every %s for %s, want 2s for 30m", s.WarRoomInterval, s.WarRoomDuration)
	}
	if s := Default().Settings; s.WarRoomInterval != 5*time.Second || s.WarRoomDuration != 15*time.Minute {
		t.Errorf("default war room every %s for %s, want 5s for 15m", s.WarRoomInterval, s.WarRoomDuration)
	}
}
