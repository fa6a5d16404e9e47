package peers

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/upbeat-monitor/upbeat/api/wire"
	"github.com/upbeat-monitor/upbeat/fleet"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// peerAPI is a daemon's API as far as a peer asks it: one monitor's
// status from its location.
func peerAPI(t *testing.T, location string, status monitor.Status, token string) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if token != "" && r.Header.Get("Authorization") != "Bearer "+token {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		if r.URL.Path != "/api/v1/monitors/shop%2Feu" && r.URL.EscapedPath() != "/api/v1/monitors/shop%2Feu" {
			http.NotFound(w, r)
			return
		}
		json.NewEncoder(w).Encode(wire.Monitor{Monitor: "shop/eu", Status: status, Location: location})
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestJuryCountsWhatThePeersSee(t *testing.T) {
	us := peerAPI(t, "us-east", monitor.StatusDown, "s3cret")
	ap := peerAPI(t, "ap-south", monitor.StatusDegraded, "s3cret")
	j := New("eu-west", fleet.Peers{URLs: []string{us.URL, ap.URL + "/"}, Token: "s3cret", Timeout: 5 * time.Second}, nil)
	v := j.Deliberate(context.Background(), "shop/eu")
	if !v.Page || v.Text != "down from 2 of 3 locations (eu-west, us-east); up from ap-south" {
		t.Errorf("verdict %+v", v)
	}

	// us-east pages for it rather than ap-south
	j = New("us-east", fleet.Peers{URLs: []string{peerAPI(t, "eu-west", monitor.StatusDown, "").URL, ap.URL},
		Token: "s3cret", Timeout: 5 * time.Second}, nil)
	v = j.Deliberate(context.Background(), "shop/eu")
	if v.Page || !strings.HasSuffix(v.Text, ": eu-west pages for it") {
		t.Errorf("the first of the locations that see it down pages: %+v", v)
	}
}

func TestJuryWithPeersThatHaveNoSay(t *testing.T) {
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	for _, tc := range []struct {
		name string
		peer string
		want string
	}{
		{"wrong token", peerAPI(t, "us-east", monitor.StatusDown, "other").URL, "refused peer_token"},
		{"another shard", peerAPI(t, "us-east", monitor.StatusDown, "").URL + "/elsewhere", "does not check it"},
		{"maintenance", peerAPI(t, "us-east", monitor.StatusMaintenance, "").URL, "us-east is in maintenance"},
		{"paused", peerAPI(t, "us-east", monitor.StatusPaused, "").URL, "us-east has it paused"},
		{"pending", peerAPI(t, "us-east", monitor.StatusPending, "").URL, "us-east has not checked it yet"},
		{"gone", closed.URL, "could not be reached"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			j := New("eu-west", fleet.Peers{URLs: []string{tc.peer}, Token: "s3cret"}, nil)
			v := j.Deliberate(context.Background(), "shop/eu")
			if !v.Page || !strings.Contains(v.Text, tc.want) || !strings.HasSuffix(v.Text, "decided alone") {
				t.Errorf("verdict %+v, want a page decided alone, saying %q", v, tc.want)
			}
		})
	}
}

// hangingTransport answers for each host from a table; a host not in
// it hangs until the request's context ends.
type hangingTransport struct {
	mu     sync.Mutex
	status map[string]monitor.Status
	loc    map[string]string
}

func (h *hangingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	h.mu.Lock()
	st, ok := h.status[req.URL.Host]
	loc := h.loc[req.URL.Host]
	h.mu.Unlock()
	if !ok {
		<-req.Context().Done()
		return nil, req.Context().Err()
	}
	b, _ := json.Marshal(wire.Monitor{Monitor: "shop", Status: st, Location: loc})
	return &http.Response{StatusCode: http.StatusOK, Body: io.NopCloser(strings.NewReader(string(b))), Request: req}, nil
}

func (h *hangingTransport) hang(host string) {
	h.mu.Lock()
	delete(h.status, host)
	h.mu.Unlock()
}

// TestHungPeerDelaysTheDecisionByItsTimeout, on fake time: a peer that
// never answers delays the decision by exactly peer_timeout, and is
// named (by the location it gave before) as not answering in time.
func TestHungPeerDelaysTheDecisionByItsTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tr := &hangingTransport{
			status: map[string]monitor.Status{"us:9477": monitor.StatusDown, "ap:9477": monitor.StatusUp},
			loc:    map[string]string{"us:9477": "us-east", "ap:9477": "ap-south"},
		}
		const timeout = 3 * time.Second
		j := New("eu-west", fleet.Peers{URLs: []string{"http://us:9477", "http://ap:9477"}, Timeout: timeout},
			&http.Client{Transport: tr})
		start := time.Now()
		v := j.Deliberate(context.Background(), "shop")
		if took := time.Since(start); took != 0 || !v.Page {
			t.Fatalf("every peer answers at once: took %v, %+v", took, v)
		}

		tr.hang("ap:9477")
		start = time.Now()
		v = j.Deliberate(context.Background(), "shop")
		if took := time.Since(start); took != timeout {
			t.Errorf("a hung peer delayed the decision by %v, want its timeout %v", took, timeout)
		}
		if !v.Page || v.Text != "down from 2 of 3 locations (eu-west, us-east); ap-south did not answer in time" {
			t.Errorf("verdict %+v", v)
		}

		tr.hang("us:9477")
		start = time.Now()
		v = j.Deliberate(context.Background(), "shop")
		if took := time.Since(start); took != timeout || !v.Page || !strings.HasSuffix(v.Text, "decided alone") {
			t.Errorf("no peer answering: took %v, %+v; want %v and a page decided alone", took, v, timeout)
		}

		// The dispatcher closing ends the question at once.
		ctx, cancel := context.WithCancel(context.Background())
		start = time.Now()
		time.AfterFunc(time.Second, cancel)
		j.Deliberate(ctx, "shop")
		if took := time.Since(start); took != time.Second {
			t.Errorf("a cancelled question took %v, want 1s", took)
		}
	})
}
