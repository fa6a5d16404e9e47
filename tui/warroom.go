package tui

import (
	"context"
	"fmt"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/upbeat-monitor/upbeat/internal/humanize"
	"github.com/upbeat-monitor/upbeat/monitor"
	"github.com/upbeat-monitor/upbeat/source"
)

// warRoom starts a war room on the current monitor (checked every few
// seconds for the source's war_room_duration), or ends the one in force.
func (m *Model) warRoom() tea.Cmd {
	st := m.current()
	if st == nil {
		return m.setFlash("no monitor selected", true)
	}
	if st.WarRoom.Active(m.now) {
		return m.act("end the war room on", func(ctx context.Context, src source.Source, name string) error {
			return src.WarRoom(ctx, name, -1)
		})
	}
	return m.act("war room on", func(ctx context.Context, src source.Source, name string) error {
		return src.WarRoom(ctx, name, 0)
	})
}

// activeWarRooms returns the states with a war room in force at now, in
// the order given.
func activeWarRooms(states []monitor.State, now time.Time) []*monitor.State {
	var out []*monitor.State
	for i := range states {
		if states[i].WarRoom.Active(now) {
			out = append(out, &states[i])
		}
	}
	return out
}

// warRoomBanner is the header's line about the war rooms in force, fitted
// to w: "◉ WAR ROOM shop · 14:32 left · 37 checks, 3 failed · every 5s ·
// w on it ends it", the first one of several with "(+1 more)". The
// parts that matter most stay when the line is cut.
func warRoomBanner(sty *Styles, ws []*monitor.State, now time.Time, w int) string {
	if len(ws) == 0 || w <= 0 {
		return ""
	}
	st := ws[0]
	wr := st.WarRoom
	left := wr.Until.Sub(now).Round(time.Second)
	checks := humanize.Count(wr.Checks, "check", "checks") + fmt.Sprintf(", %d failed", wr.Failures)
	parts := []string{"◉ WAR ROOM " + clean(st.Monitor.Name), clock(left) + " left", checks,
		"every " + humanize.Setting(wr.Every)}
	if len(ws) > 1 {
		parts[0] += fmt.Sprintf(" (+%d more)", len(ws)-1)
	}
	line := strings.Join(parts, " · ")
	if tail := " · w on it ends it"; width(line+tail) <= w {
		line += tail
	}
	style := sty.Warn
	if wr.Failures > 0 {
		style = sty.Bad
	}
	return style.Render(trunc(line, w))
}

// clock shows a time left as m:ss, or h:mm:ss from an hour.
func clock(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	h, mi, s := int(d/time.Hour), int(d%time.Hour/time.Minute), int(d%time.Minute/time.Second)
	if h > 0 {
		return fmt.Sprintf("%d:%02d:%02d", h, mi, s)
	}
	return fmt.Sprintf("%d:%02d", mi, s)
}
