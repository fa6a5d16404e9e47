package statuspage

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/upbeat-monitor/upbeat/api/wire"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// heartbeat is how often an idle live stream sends a comment, so that
// proxies keep it open and a dead client is noticed.
const heartbeat = 15 * time.Second

// feed is the live state of one page: what its viewers have been sent,
// with the sequence number of the update that last changed each part.
type feed struct {
	mu      sync.Mutex
	seq     uint64
	rows    map[string]liveRow // by key
	overall wire.PageStatus
	overSeq uint64
	notices string
	noteSeq uint64
	notify  chan struct{} // closed and replaced at every update
	viewers int
	applied time.Time // when the page last applied was built
}

type liveRow struct {
	row wire.PageLive
	seq uint64
}

func newFeed() *feed { return &feed{rows: map[string]liveRow{}, notify: make(chan struct{})} }

// update takes the page as just built and tells viewers what changed.
func (f *feed) update(p *Page) {
	var notices bytes.Buffer
	p.writeNotices(&notices)
	f.mu.Lock()
	defer f.mu.Unlock()
	if p.Generated.Before(f.applied) {
		return // a viewer's page built before the one a newer event made
	}
	f.applied = p.Generated
	f.seq++
	changed := false
	for _, s := range p.Sections {
		for _, r := range s.Rows {
			lr := wire.PageLive{Key: r.Key, Status: r.Status, Latency: Latency(r.Latency)}
			if old, ok := f.rows[r.Key]; !ok || old.row != lr {
				f.rows[r.Key] = liveRow{lr, f.seq}
				changed = true
			}
		}
	}
	if o := (wire.PageStatus{Status: p.Overall.Status, Text: p.Overall.Text}); o != f.overall {
		f.overall, f.overSeq, changed = o, f.seq, true
	}
	if n := notices.String(); n != f.notices {
		f.notices, f.noteSeq, changed = n, f.seq, true
	}
	if changed {
		close(f.notify)
		f.notify = make(chan struct{})
	}
}

// since returns the update a viewer who has seen up to seq needs (nil
// when there is nothing new; everything for a new viewer, at 0), the sequence it brings the viewer to, and
// the channel closed at the next update.
func (f *feed) since(seq uint64) (*wire.PageUpdate, uint64, <-chan struct{}) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var u wire.PageUpdate
	for _, r := range f.rows {
		if r.seq > seq {
			u.Monitors = append(u.Monitors, r.row)
		}
	}
	if f.overSeq > seq {
		o := f.overall
		u.Overall = &o
	}
	if f.noteSeq > seq || seq == 0 {
		n := f.notices
		u.Notices = &n
	}
	if len(u.Monitors) == 0 && u.Overall == nil && u.Notices == nil {
		return nil, f.seq, f.notify
	}
	return &u, f.seq, f.notify
}

// feedOf returns the feed of a page, made on first use.
func (s *Server) feedOf(path string) *feed {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.feeds[path]
	if f == nil {
		f = newFeed()
		s.feeds[path] = f
	}
	return f
}

// follow takes the engine's events and updates the feeds of the pages
// that have viewers: at once for a change of status, and at most every
// MinGap for the rest.
func (s *Server) follow(sub Events) {
	var last time.Time
	for {
		select {
		case <-s.done:
			return
		case <-sub.Ready():
		}
		sub.Drain()
		if wait := s.o.MinGap - time.Since(last); wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-s.done:
				t.Stop()
				return
			case <-t.C:
			}
			sub.Drain() // what came meanwhile goes out in this update
		}
		last = time.Now()
		s.publish()
	}
}

// publish builds every page that has viewers and updates its feed. The
// engine's states are copied only when some page is watched: with no one
// watching, a daemon of 10,000 monitors copied them all four times a
// second.
func (s *Server) publish() {
	now := s.o.Now()
	var states []monitor.State
	for _, p := range s.Pages() {
		f := s.feedOf(p.Path)
		f.mu.Lock()
		watched := f.viewers > 0
		f.mu.Unlock()
		if !watched {
			continue
		}
		if states == nil {
			states = s.o.Live.Snapshot()
		}
		f.update(s.build(p, now, states).page)
	}
}

// serveEvents serves a page's live stream: server-sent events named
// "state", each a wire.PageUpdate; the first holds the whole page.
func (s *Server) serveEvents(w http.ResponseWriter, r *http.Request, c *Config) {
	if n := s.streams.Add(1); n > int64(s.o.MaxStreams) {
		s.streams.Add(-1)
		w.Header().Set("Retry-After", "30")
		http.Error(w, "too many live viewers; the page itself still works", http.StatusServiceUnavailable)
		return
	}
	defer s.streams.Add(-1)
	f := s.feedOf(c.Path)
	f.mu.Lock()
	f.viewers++
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.viewers--
		f.mu.Unlock()
	}()
	// The first viewer's feed may be empty or old: bring it up to date.
	f.update(s.page(c).page)

	rc := http.NewResponseController(w)
	rc.SetReadDeadline(time.Time{})
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	write := func(b []byte) bool {
		rc.SetWriteDeadline(time.Now().Add(30 * time.Second))
		if _, err := w.Write(b); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	if !write([]byte("retry: 2000\n\n")) {
		return
	}
	beat := time.NewTicker(heartbeat)
	defer beat.Stop()
	var seq uint64
	for {
		u, next, wait := f.since(seq)
		seq = next
		if u != nil {
			data, _ := json.Marshal(u)
			if !write([]byte("event: state\nid: " + strconv.FormatUint(seq, 10) + "\ndata: " + string(data) + "\n\n")) {
				return
			}
		}
		select {
		case <-r.Context().Done():
			return
		case <-s.done:
			return
		case <-beat.C:
			if !write([]byte(": ping\n\n")) {
				return
			}
		case <-wait:
		}
	}
}

// serveBadge serves one of a monitor's badges, cacheable: the same
// max-age for everyone on a public page, for the one client on a page
// that is not; an ETag lets a cache ask again for nothing.
func (s *Server) serveBadge(w http.ResponseWriter, r *http.Request, rt route) {
	var row *Row
	for _, sec := range s.page(rt.page).page.Sections {
		for _, rw := range sec.Rows {
			if rw.Key == rt.key {
				row = rw
			}
		}
	}
	if row == nil {
		http.Error(w, "no such monitor on this page", http.StatusNotFound)
		return
	}
	b, ok := RowBadge(row, rt.what)
	if !ok {
		http.Error(w, "no such badge; there are status, response and uptime-24h, -7d, -30d, -90d", http.StatusNotFound)
		return
	}
	if l := r.URL.Query().Get("label"); l != "" {
		b = b.WithLabel(l)
	}
	body := b.SVG()
	etag := ETag(body)
	h := w.Header()
	h.Set("Content-Type", "image/svg+xml")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	h.Set("ETag", etag)
	if rt.page.Public {
		h.Set("Cache-Control", "public, max-age=60")
	} else {
		h.Set("Cache-Control", "private, max-age=60")
	}
	if inm := r.Header.Get("If-None-Match"); inm != "" && etagMatch(inm, etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Write(body)
}

// etagMatch reports whether an If-None-Match value names etag.
func etagMatch(inm, etag string) bool {
	for _, t := range bytes.Split([]byte(inm), []byte(",")) {
		t = bytes.TrimSpace(t)
		t = bytes.TrimPrefix(t, []byte("W/"))
		if string(t) == etag || string(t) == "*" {
			return true
		}
	}
	return false
}
