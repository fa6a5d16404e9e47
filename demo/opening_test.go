package demo

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/upbeat-monitor/upbeat/engine/check"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// seen is what the demo's monitors showed at each second of story time.
type seen struct {
	at      time.Duration
	monitor string
	r       monitor.Result
}

// label names what a result shows a person: its failure, or "" for a
// healthy answer.
func (s seen) label(m *monitor.Monitor) string {
	r := &s.r
	switch {
	case r.Class == "tls_expiring":
		return "tls_expiring"
	case r.Code == 503 && r.RetryAfter > 0:
		return "503+retry-after"
	case r.Code >= 500:
		return fmt.Sprint(r.Code)
	case r.Class == "json_assertion" && r.Code == 200:
		return "200-json-down"
	case r.Class == "refused":
		return "refused"
	case r.Status == monitor.StatusUp && m.MaxLatency > 0 && r.Latency > m.MaxLatency:
		return "slow"
	}
	return ""
}

// watchStory runs every demo monitor's real check against the origin at
// each second of story time in [from, to) and returns what each showed.
func watchStory(t *testing.T, h *harness, from, to time.Duration) []seen {
	t.Helper()
	checkers := check.New(check.Options{Now: h.clock.Now})
	var out []seen
	for at := from; at < to; at += 2 * time.Second {
		h.clock.set(epoch.Add(time.Duration(float64(at) / h.o.speed)))
		h.o.sync()
		var mu sync.Mutex
		var wg sync.WaitGroup
		for _, m := range h.cfg.Monitors {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				r := checkers[m.Kind].Check(ctx, m)
				mu.Lock()
				out = append(out, seen{at: at, monitor: m.Name, r: r})
				mu.Unlock()
			}()
		}
		wg.Wait()
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].at < out[j].at })
	return out
}

// storyLabel is o's label, or "" for a status code that the story does not
// answer at that moment: the demo's proxy timing out (504) because the
// machine was too busy to answer within a timeout of a few tens of
// milliseconds at speed 25 is the machine, not the story. What the origin
// answers at each phase is TestHTTPScenarios' to check.
func (s seen) storyLabel(h *harness) string {
	l := s.label(h.monitor(Scenario(s.monitor)))
	if code, err := strconv.Atoi(l); err == nil && PhaseAt(Scenario(s.monitor), s.at).Code != code {
		return ""
	}
	return l
}

// firstSeen returns when each failure was first shown, and by which monitor.
func firstSeen(h *harness, obs []seen) map[string]seen {
	first := map[string]seen{}
	for _, o := range obs {
		l := o.storyLabel(h)
		if _, ok := first[l]; l != "" && !ok {
			first[l] = o
		}
	}
	return first
}

// Every failure of the story shows within its first 30 seconds, checked
// the way the dashboard's monitors check, on the origin's fake clock; the
// failures start a little apart so that each can be read; and the story
// tells the same opening again after a full cycle.
func TestOpeningShowsEveryFailure(t *testing.T) {
	t.Parallel() // waits on the story's real time: overlaps with the others
	h := newHarness(t, Options{Speed: 25})
	want := []string{"500", "502", "503+retry-after", "504", "200-json-down", "refused", "520", "tls_expiring", "slow"}
	obs := watchStory(t, h, 0, Opening)
	first := firstSeen(h, obs)
	for _, w := range want {
		if _, ok := first[w]; !ok {
			t.Errorf("no %s within the first %v of the story", w, Opening)
		}
	}

	// latency creeps up before the 504: search is slow before it times out
	var slowAt, timeoutAt time.Duration = -1, -1
	for _, o := range obs {
		if o.monitor != string(Search) {
			continue
		}
		switch l := o.storyLabel(h); {
		case l == "slow" && slowAt < 0:
			slowAt = o.at
		case l == "504" && timeoutAt < 0:
			timeoutAt = o.at
		}
	}
	if slowAt < 0 || timeoutAt < 0 || slowAt >= timeoutAt {
		t.Errorf("search: slow at %v, 504 at %v; want it slow first", slowAt, timeoutAt)
	}

	// the failures come one after the other, not all at once
	var starts []time.Duration
	for _, l := range want {
		if f, ok := first[l]; ok && l != "tls_expiring" {
			starts = append(starts, f.at)
		}
	}
	slices.Sort(starts)
	if n := len(slices.Compact(slices.Clone(starts))); n < len(starts)-1 {
		t.Errorf("the failures start at %v: too many at the same moment", starts)
	}

	// the story loops: the next cycle opens the same way
	again := firstSeen(h, watchStory(t, h, Cycle, Cycle+Opening))
	for _, w := range want {
		if _, ok := again[w]; !ok {
			t.Errorf("the second cycle shows no %s in its first %v", w, Opening)
		}
	}
}

// Each failure of the story lasts long enough for a check and its retry
// to see it, at the longest interval of the demo, so that it turns its
// monitor down or degraded rather than flickering past; and the first act
// starts each failure a moment after the one before, so that a person can
// read them as they come.
func TestFailuresLastLongEnough(t *testing.T) {
	h := newHarness(t, Options{Speed: 1})
	var longest time.Duration
	for _, m := range h.cfg.Monitors {
		longest = max(longest, m.Interval+m.RetryInterval)
	}
	need := longest + 2*time.Second
	var onsets []time.Duration
	for _, s := range Scenarios() {
		var start time.Duration
		for _, g := range timelines[s] {
			if g.name != "healthy" && g.name != "open" && g.name != "expiring" {
				if d := g.end - start; d < need {
					t.Errorf("%s %q lasts %v (%v to %v), want at least %v", s, g.name, d, start, g.end, need)
				}
				if start < Opening {
					onsets = append(onsets, start)
				}
			}
			start = g.end
		}
	}
	slices.Sort(onsets)
	for i := 1; i < len(onsets); i++ {
		if gap := onsets[i] - onsets[i-1]; gap < time.Second {
			t.Errorf("the opening starts failures at %v: %v and %v are too close to read", onsets, onsets[i-1], onsets[i])
		}
	}
	if len(onsets) < 7 {
		t.Errorf("the opening has %d failures (%v), want every one of the story", len(onsets), onsets)
	}
}
