package demo

import (
	"testing"
	"time"
)

func TestTimelinesCoverTheCycle(t *testing.T) {
	for _, s := range Scenarios() {
		segs := timelines[s]
		if len(segs) == 0 {
			t.Errorf("%s: no timeline", s)
			continue
		}
		var prev time.Duration
		for i, g := range segs {
			if g.end <= prev {
				t.Errorf("%s segment %d: end %v not after %v", s, i, g.end, prev)
			}
			prev = g.end
		}
		if prev != Cycle {
			t.Errorf("%s: timeline ends at %v, want %v", s, prev, Cycle)
		}
		for _, at := range []time.Duration{0, 17 * time.Second, Cycle - 1} {
			p := PhaseAt(s, at)
			if at < p.Start || at >= p.End {
				t.Errorf("%s at %v: phase %q spans [%v, %v)", s, at, p.Name, p.Start, p.End)
			}
			if again := PhaseAt(s, at+3*Cycle); again != p {
				t.Errorf("%s at %v: a later cycle differs: %+v vs %+v", s, at, again, p)
			}
		}
	}
	if p := PhaseAt("nope", time.Second); p != (Phase{}) {
		t.Errorf("unknown scenario: %+v, want the zero phase", p)
	}
	if PhaseAt(Checkout, -time.Hour) != PhaseAt(Checkout, 0) {
		t.Error("negative story time is not treated as 0")
	}
}

// TestStoryTellsEveryFailure walks one cycle second by second and checks
// that every failure PRODUCT.md promises happens, and that the search
// latency climbs past the latency budget before the proxy times out.
func TestStoryTellsEveryFailure(t *testing.T) {
	codes := map[int]bool{}
	names := map[Scenario]map[string]bool{}
	var lastSearch time.Duration
	crossedBudget := false
	for at := time.Duration(0); at < Cycle; at += time.Second {
		for _, s := range Scenarios() {
			p := PhaseAt(s, at)
			codes[p.Code] = true
			if names[s] == nil {
				names[s] = map[string]bool{}
			}
			names[s][p.Name] = true
		}
		switch p := PhaseAt(Search, at); p.Name {
		case "healthy":
			lastSearch, crossedBudget = 0, false // each act's creep is judged on its own
		case "slowing":
			if p.Latency < lastSearch {
				t.Errorf("search latency falls at %v: %v after %v", at, p.Latency, lastSearch)
			}
			if p.Latency*105/100 >= proxyTimeout {
				t.Errorf("search latency %v at %v would already hit the proxy timeout %v", p.Latency, at, proxyTimeout)
			}
			if p.Latency > 800*time.Millisecond {
				crossedBudget = true
			}
			lastSearch = p.Latency
		case "backend-hung":
			if !crossedBudget {
				t.Errorf("search times out at %v before its latency crossed the 800ms budget", at)
			}
			if p.Latency <= demoTimeout {
				t.Errorf("a hung backend waits only %v", p.Latency)
			}
		}
	}
	for _, c := range []int{200, 500, 502, 503, 504, 520, 522, 524} {
		if !codes[c] {
			t.Errorf("no scenario answers %d during the cycle", c)
		}
	}
	for s, n := range map[Scenario]string{
		LegacyPort: "closed", StatusAPI: "json-down", Reports: "slow", AuthTLS: "expiring",
		Shop: "healthy", Payments: "upstream-down", Billing: "maintenance",
	} {
		if !names[s][n] {
			t.Errorf("%s never goes through %q", s, n)
		}
	}
	if len(names[Shop]) != 1 {
		t.Errorf("the healthy shop has phases %v", names[Shop])
	}
	if p := PhaseAt(Reports, 80*time.Second); p.Latency*9/10 <= 800*time.Millisecond || p.Code != 200 {
		t.Errorf("reports while slow: %+v, want 200 and above the 800ms budget even with jitter", p)
	}
}
