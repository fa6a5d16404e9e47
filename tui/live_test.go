package tui

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/upbeat-monitor/upbeat/monitor"
	"github.com/upbeat-monitor/upbeat/source"
)

// countSource is a minimal Source that counts snapshots.
type countSource struct {
	states []monitor.State
	snaps  int
}

func (c *countSource) Snapshot() []monitor.State { return c.AppendSnapshot(nil) }
func (c *countSource) AppendSnapshot(dst []monitor.State) []monitor.State {
	c.snaps++
	return append(dst, c.states...)
}
func (c *countSource) Subscribe() *source.Subscription                       { return source.NewSubscription(0, nil) }
func (c *countSource) CheckNow(context.Context, string) error                { return nil }
func (c *countSource) SetPaused(context.Context, string, bool) error         { return nil }
func (c *countSource) Ack(context.Context, string) error                     { return nil }
func (c *countSource) AddNote(context.Context, string, monitor.Note) error   { return nil }
func (c *countSource) Maintain(context.Context, string, time.Duration) error { return nil }
func (c *countSource) WarRoom(context.Context, string, time.Duration) error  { return nil }
func (c *countSource) Query() source.Querier                                 { return nil }
func (c *countSource) Info() source.Info                                     { return source.Info{} }

// However many batches of events arrive, the snapshot is read and the
// screen drawn once per frame.
func TestEventsAreCoalescedIntoFrames(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 24, 14, 3, 0, 0, time.UTC)
	mon := &monitor.Monitor{Name: "api", Kind: monitor.KindHTTP, URL: "https://api.example.test/"}
	src := &countSource{states: []monitor.State{{Monitor: mon, Status: monitor.StatusUp}}}
	m := New(src, Options{Now: func() time.Time { return now }, Renderer: testStyles().R, NoColor: true})
	defer m.Close()
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 30})
	before := m.View()
	snaps := src.snaps
	for i := 0; i < 100; i++ {
		r := &monitor.Result{Monitor: "api", Time: now.Add(time.Duration(i) * time.Second), Status: monitor.StatusDown, Code: 500 + i%4}
		m.Update(eventsMsg{events: []source.Event{{Event: monitor.Event{Kind: monitor.EventResult, Time: r.Time, Monitor: "api", Result: r}}}})
		if got := m.View(); got != before {
			t.Fatalf("batch %d redrew the screen before the frame", i)
		}
	}
	if src.snaps != snaps || !m.frameArmed || !m.dataDirty {
		t.Fatalf("snapshots %d→%d, frame armed %v, dirty %v", snaps, src.snaps, m.frameArmed, m.dataDirty)
	}
	if cmd := m.armFrame(); cmd != nil {
		t.Fatal("a second frame was armed while one is on its way")
	}
	m.Update(frameMsg{})
	if src.snaps != snaps+1 || m.frameArmed || m.dataDirty {
		t.Fatalf("after the frame: snapshots %d, armed %v, dirty %v", src.snaps-snaps, m.frameArmed, m.dataDirty)
	}
	after := m.View()
	if after == before || !strings.Contains(after, "503 Service Unavailable") {
		t.Fatalf("the frame did not draw the new events:\n%s", after)
	}
	// a frame with nothing new reads nothing and draws nothing
	m.Update(frameMsg{})
	if src.snaps != snaps+1 {
		t.Fatal("an idle frame read the snapshot")
	}
}

// Each refresh reads the snapshot into the slice the refresh before last
// filled: with data arriving all the time, a dashboard refreshes several
// times a second and copies the states without allocating for them.
func TestRefreshFillsTwoSlicesInTurn(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 24, 14, 3, 0, 0, time.UTC)
	src := &countSource{}
	for _, name := range []string{"api", "shop", "db"} {
		src.states = append(src.states, monitor.State{Monitor: &monitor.Monitor{Name: name, Kind: monitor.KindHTTP}, Status: monitor.StatusUp})
	}
	m := New(src, Options{Now: func() time.Time { return now }, Renderer: testStyles().R, NoColor: true})
	defer m.Close()
	var arrays []*monitor.State
	for range 4 {
		m.refresh()
		arrays = append(arrays, &m.states[0])
	}
	if arrays[0] == arrays[1] || arrays[2] != arrays[0] || arrays[3] != arrays[1] {
		t.Errorf("the states of four refreshes are in arrays %p %p %p %p: want two, in turn", arrays[0], arrays[1], arrays[2], arrays[3])
	}
	sel := m.table.Selected()
	if sel == nil || !inArray(sel, m.states) {
		t.Error("the table does not read the states of the last refresh")
	}
}

// inArray reports whether p points into states.
func inArray(p *monitor.State, states []monitor.State) bool {
	for i := range states {
		if p == &states[i] {
			return true
		}
	}
	return false
}
