package history

import (
	"context"
	"sync"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// DefaultRecent is how many recent results per monitor are read in one
// pass when the engine restores its state.
const DefaultRecent = 120

// restorer gives the engine each monitor's recent results at start. The
// first call reads the recent results of every monitor in one pass, so
// restoring a thousand monitors costs one read; once anything is
// recorded, that read is stale and each call reads on its own.
type restorer struct {
	res   *results
	names func() []string

	mu    sync.Mutex
	tail  map[string][]monitor.Result // read once, each name handed out once
	tailN int
	stale bool // results were recorded since: the tail is stale
}

// recorded says the tail read at start no longer holds the newest results.
func (rs *restorer) recorded() {
	rs.mu.Lock()
	rs.tail, rs.stale = nil, true
	rs.mu.Unlock()
}

// recent returns a monitor's last n results, oldest first.
func (rs *restorer) recent(name string, n int) []monitor.Result {
	if n <= 0 {
		return nil
	}
	rs.mu.Lock()
	if !rs.stale && rs.tail == nil {
		rs.tailN = max(n, DefaultRecent)
		t, err := rs.res.tail(context.Background(), rs.names(), rs.tailN)
		if err != nil {
			rs.stale = true
		}
		rs.tail = t
	}
	if rs.tail != nil && n <= rs.tailN {
		recs, ok := rs.tail[name]
		delete(rs.tail, name) // each name is restored once; a second ask reads again
		if ok {
			rs.mu.Unlock()
			if len(recs) > n {
				recs = recs[len(recs)-n:]
			}
			return recs
		}
	}
	rs.mu.Unlock()
	m, _ := rs.res.tail(context.Background(), []string{name}, n)
	return m[name]
}
