// Package peers asks the daemons in the other locations what they see of
// a monitor before this one opens an incident ([settings] peers): it is
// the alert dispatcher's Jury. Each peer is asked for the monitor through
// its API (GET /api/v1/monitors/{name}), all at once, and has the peer
// timeout to answer; fleet.Tally counts the answers and words them.
package peers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/upbeat-monitor/upbeat/api/wire"
	"github.com/upbeat-monitor/upbeat/engine/alert"
	"github.com/upbeat-monitor/upbeat/fleet"
	"github.com/upbeat-monitor/upbeat/monitor"
)

var _ alert.Jury = (*Jury)(nil)

// Jury asks the peers. It implements alert.Jury.
type Jury struct {
	here    string
	peers   []*peer
	token   string
	timeout time.Duration
	quorum  int
	client  *http.Client
}

// peer is one other daemon.
type peer struct {
	base string // its API's base URL, without a trailing slash
	host string // its address, the name it goes by until it says its location

	mu       sync.Mutex
	location string // as it last said
}

// name is the location the peer last gave, else its address.
func (p *peer) name() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.location != "" {
		return p.location
	}
	return p.host
}

// New returns a Jury for the daemon at location here, asking cfg's
// peers through client (nil: a client of its own).
func New(here string, cfg fleet.Peers, client *http.Client) *Jury {
	if client == nil {
		client = &http.Client{}
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = fleet.DefaultPeerTimeout
	}
	j := &Jury{here: here, token: cfg.Token, timeout: cfg.Timeout, quorum: cfg.Quorum, client: client}
	for _, raw := range cfg.URLs {
		p := &peer{base: strings.TrimSuffix(raw, "/"), host: raw}
		if u, err := url.Parse(raw); err == nil && u.Host != "" {
			p.host = u.Host
		}
		j.peers = append(j.peers, p)
	}
	return j
}

// Deliberate implements alert.Jury: it asks every peer at once and
// returns once all have answered or the peer timeout has passed,
// whichever comes first.
func (j *Jury) Deliberate(ctx context.Context, name string) alert.Verdict {
	ctx, cancel := context.WithTimeout(ctx, j.timeout)
	defer cancel()
	answers := make([]fleet.Answer, len(j.peers))
	var wg sync.WaitGroup
	for i, p := range j.peers {
		wg.Go(func() { answers[i] = j.ask(ctx, p, name) })
	}
	wg.Wait()
	d := fleet.Tally{Here: j.here, Answers: answers, Quorum: j.quorum}.Decide()
	return alert.Verdict{Page: d.Page, Text: d.Text}
}

// ask asks one peer for its view of the monitor.
func (j *Jury) ask(ctx context.Context, p *peer, name string) fleet.Answer {
	m, err := j.get(ctx, p, name)
	if err != nil {
		return fleet.Answer{Location: p.name(), View: fleet.Unknown, Why: why(ctx, err)}
	}
	if m.Location != "" {
		p.mu.Lock()
		p.location = m.Location
		p.mu.Unlock()
	}
	a := fleet.Answer{Location: p.name()}
	switch m.Status {
	case monitor.StatusDown:
		a.View = fleet.Down
	case monitor.StatusUp, monitor.StatusDegraded:
		a.View = fleet.Up
	case monitor.StatusMaintenance:
		a.Why = "is in maintenance"
	case monitor.StatusPaused:
		a.Why = "has it paused"
	default:
		a.Why = "has not checked it yet"
	}
	return a
}

// Errors a peer's answer may come to.
var (
	errNotChecked = errors.New("does not check it")
	errToken      = errors.New("refused peer_token")
)

// get fetches the monitor from the peer's API.
func (j *Jury) get(ctx context.Context, p *peer, name string) (*wire.Monitor, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.base+"/api/v1/monitors/"+url.PathEscape(name), nil)
	if err != nil {
		return nil, err
	}
	if j.token != "" {
		req.Header.Set("Authorization", "Bearer "+j.token)
	}
	req.Header.Set("User-Agent", "upbeat-peer/1")
	resp, err := j.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return nil, errNotChecked
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		return nil, errToken
	case resp.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("answered %d", resp.StatusCode)
	}
	var m wire.Monitor
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&m); err != nil {
		return nil, fmt.Errorf("answered in a way upbeat does not read: %w", err)
	}
	return &m, nil
}

// why says in a few words why a peer has no say.
func why(ctx context.Context, err error) string {
	switch {
	case errors.Is(err, errNotChecked), errors.Is(err, errToken):
		return err.Error()
	case ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded):
		return "did not answer in time"
	}
	var oe *net.OpError
	if errors.As(err, &oe) {
		return "could not be reached"
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return "could not be asked (" + err.Error() + ")"
}
