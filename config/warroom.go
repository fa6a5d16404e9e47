package config

import (
	"time"

	"github.com/upbeat-monitor/upbeat/engine"
)

// The war room keys of [settings]: war_room_interval, war_room_duration.

// Bounds of the war room keys: checks faster than a second would hammer
// the target, and a war room of more than a day is a new interval.
const (
	MinWarRoomInterval = time.Second
	MaxWarRoomDuration = 24 * time.Hour
)

func init() {
	settingsKeys = append(settingsKeys, "war_room_interval", "war_room_duration")
	tableKeys["settings"] = settingsKeys
}

// settingsWarRoom reads war_room_interval and war_room_duration.
func settingsWarRoom(t *table, s *engine.Settings) {
	if d, ok := t.positive("war_room_interval"); ok {
		if d < MinWarRoomInterval {
			t.errorf("war_room_interval", "%s is too often; use at least %s", formatDuration(d), formatDuration(MinWarRoomInterval))
		} else {
			s.WarRoomInterval = d
		}
	}
	if d, ok := t.positive("war_room_duration"); ok {
		if d > MaxWarRoomDuration {
			t.errorf("war_room_duration", "%s is longer than %s; raise the monitor's interval instead", formatDuration(d), formatDuration(MaxWarRoomDuration))
		} else {
			s.WarRoomDuration = d
		}
	}
	if s.WarRoomInterval >= s.WarRoomDuration {
		t.errorf("war_room_interval", "%s is not shorter than war_room_duration (%s)", formatDuration(s.WarRoomInterval), formatDuration(s.WarRoomDuration))
	}
}
