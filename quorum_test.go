package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/upbeat-monitor/upbeat/engine/alert"
	"github.com/upbeat-monitor/upbeat/internal/testserver"
)

// pages is a webhook receiver that keeps what the daemons send.
type pages struct {
	*httptest.Server
	mu  sync.Mutex
	got []alert.WebhookPayload
}

func newPageLog(t *testing.T) *pages {
	p := &pages{}
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body alert.WebhookPayload
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			t.Errorf("webhook: %v", err)
		}
		p.mu.Lock()
		p.got = append(p.got, body)
		p.mu.Unlock()
	}))
	t.Cleanup(p.Close)
	return p
}

// of returns the messages of one event.
func (p *pages) of(event string) []alert.WebhookPayload {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []alert.WebhookPayload
	for _, m := range p.got {
		if m.Event == event {
			out = append(out, m)
		}
	}
	return out
}

// waitFor polls cond until it holds, failing after 30 s with what.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for wait := 5 * time.Millisecond; !cond(); wait = min(wait*2, 100*time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no %s within 30 s", what)
		}
		time.Sleep(wait)
	}
}

// TestLocationsAgreeBeforePaging runs three daemons as three locations on
// loopback, each with the other two as peers. Each reaches the site
// through its own path (its own listener of the same origin), and the
// test breaks the paths one by one: one location alone seeing the site
// down pages no one; once two see it, one of them pages, once, saying
// what each location saw; the resolve follows from the same one.
func TestLocationsAgreeBeforePaging(t *testing.T) {
	t.Parallel()
	hook := newPageLog(t)
	locs := []string{"ap-south", "eu-west", "us-east"}
	paths := map[string]*switchable{}
	ports := map[string]int{}
	for _, l := range locs {
		paths[l] = newSwitchable(t)
		ports[l] = testserver.Port(t)
	}
	daemons := map[string]*daemon{}
	for _, l := range locs {
		var peers []string
		for _, other := range locs {
			if other != l {
				peers = append(peers, fmt.Sprintf("%q", "http://"+testserver.Addr(ports[other])))
			}
		}
		// The test checks at the moments it chooses (check), and every
		// wait is for an answer that comes at once (a 200 or a 502 on
		// loopback, a peer's API): the timeouts are generous so that a
		// busy machine, which may leave a check or a peer unanswered for
		// a second, cannot make a location see its working path down or
		// a peer have no say.
		settings := fmt.Sprintf("location = %q\nretries = 0\ninterval = \"10s\"\ntimeout = \"10s\"\npeers = [%s]\npeer_timeout = \"10s\"",
			l, strings.Join(peers, ", "))
		api := fmt.Sprintf("listen = %q", testserver.Addr(ports[l]))
		body := fmt.Sprintf("[[alert]]\nname = \"oncall\"\nkind = \"webhook\"\nurl = %q\ndefault = true\n\n[[monitor]]\nname = \"shop\"\nurl = %q\n",
			hook.URL, paths[l].URL)
		daemons[l] = startDaemon(t, l, settings, api, body, fastAlerts)
	}
	logged := func(d *daemon, text string) int { return strings.Count(d.log.String(), text) }
	// check has a location check the site at once rather than at its
	// next interval (it goes on checking every interval too).
	check := func(l string) { daemons[l].checkNow(t, "shop") }

	// Every location has seen the site up: one that has not checked it
	// yet has no say.
	for _, l := range locs {
		check(l)
		waitFor(t, l+" seeing the site up", func() bool { return daemons[l].status(t, "shop") == "up" })
	}

	// eu-west's path breaks: it asks, is outvoted, and asks again at every
	// check; nobody is paged.
	paths["eu-west"].down.Store(true)
	outvoted := `locations="down from 1 of 3 locations (eu-west); up from ap-south, us-east: fewer than the quorum of 2"`
	check("eu-west")
	waitFor(t, "an outvoted question from eu-west", func() bool { return logged(daemons["eu-west"], outvoted) >= 1 })
	check("eu-west")
	waitFor(t, "second outvoted question from eu-west", func() bool { return logged(daemons["eu-west"], outvoted) >= 2 })
	if got := hook.of("down"); len(got) != 0 {
		t.Fatalf("a fault seen from one location of three paged: %+v", got)
	}

	// us-east's path breaks too: two of three see it down; eu-west, the
	// first of them by name, pages, and us-east leaves it to eu-west.
	paths["us-east"].down.Store(true)
	deferred := "eu-west pages for it"
	check("us-east")
	waitFor(t, "us-east leaving the page to eu-west", func() bool { return logged(daemons["us-east"], deferred) >= 1 })
	check("eu-west") // asks us-east, which sees it down now
	waitFor(t, "a page", func() bool { return len(hook.of("down")) > 0 })
	check("us-east")
	waitFor(t, "us-east leaving the page to eu-west twice", func() bool { return logged(daemons["us-east"], deferred) >= 2 })
	downs := hook.of("down")
	if len(downs) != 1 || len(downs[0].Monitors) != 1 {
		t.Fatalf("%d pages once two locations see it down, want 1: %+v", len(downs), downs)
	}
	if got, want := downs[0].Monitors[0].Agreement, "down from 2 of 3 locations (eu-west, us-east); up from ap-south"; got != want {
		t.Errorf("the page says %q about the locations, want %q", got, want)
	}
	if !strings.Contains(downs[0].Text, "Locations: down from 2 of 3 locations (eu-west, us-east); up from ap-south.") {
		t.Errorf("the message text does not say what the locations saw:\n%s", downs[0].Text)
	}
	if logged(daemons["ap-south"], "incident not opened") != 0 {
		t.Errorf("ap-south asked about a monitor it sees up:\n%s", daemons["ap-south"].log.String())
	}

	// Repaired: the one incident resolves, once.
	paths["eu-west"].down.Store(false)
	paths["us-east"].down.Store(false)
	check("us-east")
	check("eu-west")
	waitFor(t, "the resolve", func() bool { return len(hook.of("up")) > 0 })
	if n := len(hook.of("down")); n != 1 {
		t.Errorf("%d pages in all, want 1", n)
	}
}
