package tui_test

import (
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/upbeat-monitor/upbeat/monitor"
	"github.com/upbeat-monitor/upbeat/source"
	"github.com/upbeat-monitor/upbeat/tui"
	"github.com/upbeat-monitor/upbeat/tui/tuitest"
)

// notesSource is the fixture whose api incident already has an
// acknowledgement with a reason on record, and which stamps new notes
// with the fixed clock.
func notesSource() *tuitest.Source {
	src := newSource()
	src.SetClock(func() time.Time { return fixedNow })
	h := src.Query().(*tuitest.History)
	ins := h.IncidentsOf["api"]
	for i := range ins {
		if ins[i].End.IsZero() {
			ins[i].Notes = []monitor.Note{{Monitor: "api", Time: ins[i].Start.Add(time.Minute), Kind: monitor.NoteAck, Author: "bob",
				Text: "looking at the upstream pool"}}
		}
	}
	return src
}

// The note prompt, and the notes in the detail view (one from history,
// one typed here that arrives as an event), at 80×24 and 200×50,
// compared with testdata/TestGoldenNotes/*.golden (refresh with
// go test ./tui -run TestGoldenNotes -update).
func TestGoldenNotes(t *testing.T) {
	t.Parallel()
	const typed = "restarted the pool on db-2"
	for _, c := range []struct {
		name   string
		w, h   int
		detail bool
		scroll string // keys that bring the incidents into view
		submit bool
		want   string
	}{
		{"prompt-80x24", 80, 24, false, "", false, typed},
		{"prompt-200x50", 200, 50, false, "", false, typed},
		{"detail-80x24", 80, 24, true, "G", true, "alice: " + typed},
		{"detail-200x50", 200, 50, true, "", true, "alice: " + typed},
	} {
		t.Run(c.name, func(t *testing.T) {
			tm := start(t, notesSource(), c.w, c.h)
			waitOutput(t, tm, "Monitors")
			if c.detail {
				tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
				waitOutput(t, tm, "last 30 days")
			}
			tm.Send(keyRunes("n"))
			tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(typed), Paste: true})
			if c.submit {
				tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
				// The note lengthens the detail view: scroll once it is in,
				// or the end that G finds is the one before it.
				waitOutput(t, tm, "note on api: done")
			}
			for _, k := range c.scroll {
				tm.Send(keyRunes(string(k)))
			}
			waitOutput(t, tm, c.want)
			if c.detail {
				waitOutput(t, tm, "bob acknowledged: looking")
			}
			v := finalView(t, tm)
			checkFits(t, v, c.w, c.h)
			if n := strings.Count(v, "\n") + 1; n != c.h {
				t.Errorf("frame has %d lines, want %d", n, c.h)
			}
			teatest.RequireEqualOutput(t, []byte(v))
		})
	}
}

// n on a monitor that is not down opens the prompt saying there is no
// incident, so what is typed next never acts as keys; the prompt refuses
// an empty note; esc cancels.
func TestNotePromptRefusals(t *testing.T) {
	t.Parallel()
	m := tui.New(newSource(), testOptions())
	defer m.Close()
	tui.Step(m, tea.WindowSizeMsg{Width: 120, Height: 40})
	tui.Step(m, keyRunes("/cache"))
	tui.Step(m, tea.KeyMsg{Type: tea.KeyEnter})
	tui.Step(m, keyRunes("n"))
	if v := tui.Render(m); !strings.Contains(v, "note on cache: no open incident") {
		t.Errorf("n on an up monitor:\n%s", v)
	}
	tui.Step(m, keyRunes("p")) // typed as a note, not a pause
	if v := tui.Render(m); !strings.Contains(v, "note on cache: p") || strings.Contains(v, "pause cache") {
		t.Errorf("p after n on an up monitor:\n%s", v)
	}
	tui.Step(m, tea.KeyMsg{Type: tea.KeyBackspace})
	tui.Step(m, tea.KeyMsg{Type: tea.KeyEnter}) // nothing typed: it says why nothing is saved
	if v := tui.Render(m); !strings.Contains(v, "cache has no open incident to write a note on") {
		t.Errorf("enter on an empty note on an up monitor:\n%s", v)
	}
	tui.Step(m, tea.KeyMsg{Type: tea.KeyEsc}) // the filter goes; cache stays selected
	tui.Step(m, keyRunes("g"))                // api, down
	tui.Step(m, keyRunes("n"))
	tui.Step(m, tea.KeyMsg{Type: tea.KeyEnter})
	if v := tui.Render(m); !strings.Contains(v, "an empty note is not saved") {
		t.Errorf("an empty note:\n%s", v)
	}
	tui.Step(m, keyRunes("n"))
	tui.Step(m, keyRunes("x"))
	tui.Step(m, tea.KeyMsg{Type: tea.KeyEsc})
	if v := tui.Render(m); strings.Contains(v, "note on") {
		t.Errorf("esc left the prompt open:\n%s", v)
	}
}

// A note typed while its monitor recovers is refused (no incident is open
// any more): the dashboard says so, about a note, and shows what was
// typed rather than losing it.
func TestNoteOnARecoveredMonitorKeepsItsWords(t *testing.T) {
	t.Parallel()
	src := newSource()
	m := tui.New(src, testOptions())
	defer m.Close()
	tui.Step(m, tea.WindowSizeMsg{Width: 160, Height: 40})
	tui.Step(m, keyRunes("g")) // api, down
	tui.Step(m, keyRunes("n"))
	tui.Step(m, keyRunes("restarted the pod"))
	st := stateOf(t, src.Snapshot(), "api")
	st.Status = monitor.StatusUp // it recovers while the note is typed
	src.Set(st)
	for _, msg := range drain(tui.Step(m, tea.KeyMsg{Type: tea.KeyEnter})) {
		tui.Step(m, msg)
	}
	v := tui.Render(m)
	if !strings.Contains(v, "note not saved: api ") || !strings.Contains(v, "; it said: restarted the pod") {
		t.Errorf("a note refused after a recovery:\n%s", v)
	}
	if strings.Contains(v, "nothing to acknowledge") {
		t.Errorf("a refused note is told as an acknowledgement:\n%s", v)
	}
}

// A monitor that goes down while a reason is typed after a is
// acknowledged at enter: the prompt opened saying there was no incident,
// but enter judges the monitor as it is then.
func TestAckPromptFollowsTheMonitor(t *testing.T) {
	t.Parallel()
	src := newSource()
	m := tui.New(src, testOptions())
	defer m.Close()
	tui.Step(m, tea.WindowSizeMsg{Width: 120, Height: 40})
	tui.Step(m, keyRunes("/cache"))
	tui.Step(m, tea.KeyMsg{Type: tea.KeyEnter})
	tui.Step(m, keyRunes("a"))
	tui.Step(m, keyRunes("on it"))
	st := stateOf(t, src.Snapshot(), "cache")
	st.Status = monitor.StatusDown
	src.Set(st)
	tui.Step(m, tui.EventsMsg([]source.Event{{Event: monitor.Event{Kind: monitor.EventChange, Time: fixedNow, Monitor: "cache",
		From: monitor.StatusUp, To: monitor.StatusDown}}}))
	tui.Step(m, tui.FrameMsg())
	tui.Step(m, tea.KeyMsg{Type: tea.KeyEnter})
	if v := tui.Render(m); !strings.Contains(v, "acknowledge cache…") {
		t.Errorf("enter after cache went down:\n%s", v)
	}
}

// c on a paused monitor says it is paused rather than "done": a paused
// monitor is not checked.
func TestCheckKeyOnAPausedMonitor(t *testing.T) {
	t.Parallel()
	m := tui.New(newSource(), testOptions())
	defer m.Close()
	tui.Step(m, tea.WindowSizeMsg{Width: 120, Height: 40})
	tui.Step(m, keyRunes("/legacy-ftp"))
	tui.Step(m, tea.KeyMsg{Type: tea.KeyEnter})
	tui.Step(m, keyRunes("c"))
	if v := tui.Render(m); !strings.Contains(v, "legacy-ftp is paused: p resumes it") || strings.Contains(v, "check legacy-ftp…") {
		t.Errorf("c on a paused monitor:\n%s", v)
	}
}

// An acknowledgement the source refuses says so with its reason, which is
// not lost from sight: billing, in maintenance, has no incident open.
func TestRefusedAckKeepsItsReason(t *testing.T) {
	t.Parallel()
	src := newSource()
	tm := start(t, src, 120, 40)
	waitOutput(t, tm, "Monitors")
	sendKeys(tm, keyRunes("/billing"), tea.KeyMsg{Type: tea.KeyEnter}, keyRunes("a"), keyRunes("db migration"), tea.KeyMsg{Type: tea.KeyEnter})
	if c := waitCall(t, src); c.Op != "ack" || c.Name != "billing" {
		t.Fatalf("call %+v, want an ack of billing", c)
	}
	waitOutput(t, tm, "the reason said: db migration")
	finalView(t, tm)
}
