package statuspage

import (
	"bytes"
	"compress/gzip"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/upbeat-monitor/upbeat/engine/alert/maint"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// Live is the running engine as status pages see it.
type Live interface {
	// Snapshot returns the state of every monitor, in config order.
	Snapshot() []monitor.State
	// Subscribe starts a stream of the engine's events.
	Subscribe() Events
}

// Events is a subscription to the engine's events, as much as a page
// needs of it.
type Events interface {
	// Ready is signalled when events wait.
	Ready() <-chan struct{}
	// Drain takes the waiting events and tells whether one of them
	// changed a monitor's status (rather than only its latest result).
	Drain() (statusChanged bool)
	// Close ends the subscription.
	Close()
}

// Schedule lists the maintenance windows; *maint.Windows implements it.
type Schedule interface {
	// Next returns each window's occurrence open at t, else its first
	// one before until.
	Next(t, until time.Time) []maint.Occurrence
}

var _ Schedule = (*maint.Windows)(nil)

// Options configure a Server.
type Options struct {
	Live        Live     // the engine whose monitors pages show
	History     History  // where the bars come from; nil: bars are empty
	Maintenance Schedule // nil: no maintenance is shown
	Notes       Notes    // nil: incidents have no notes
	Logger      *slog.Logger
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// RefreshEvery is how often the bars are read again (default: a
	// minute); today's figures change, the other days' do not.
	RefreshEvery time.Duration
	// MaxStreams bounds the live streams open at once, over every page
	// (default 512): a public page must not let anyone hold the daemon's
	// memory with connections.
	MaxStreams int
	// MinGap is the least time between two live updates of a page
	// (default 250ms): results arriving together go out together.
	MinGap time.Duration
}

// Defaults of Options.
const (
	DefaultRefreshEvery = time.Minute
	DefaultMaxStreams   = 512
	DefaultMinGap       = 250 * time.Millisecond
	// buildTTL is how long a built page is served before it is built
	// again, when no event has changed it meanwhile.
	buildTTL = time.Second
)

// Server serves the status pages of a config: each page, its JSON and
// text, its badges and its live stream. It does not check tokens: the
// API in front of it does, asking Match whether a path is a public page's.
type Server struct {
	o     Options
	pages atomic.Pointer[[]*Config]

	mu     sync.Mutex
	built  map[string]*built // by page path
	days   map[string]*Days
	daysAt time.Time
	daysMu sync.Mutex // held while the bars are read
	feeds  map[string]*feed

	streams atomic.Int64
	done    chan struct{}
	closed  sync.Once
	bg      sync.WaitGroup
}

// NewServer makes a server for the pages. Start starts its live updates.
func NewServer(pages []*Config, o Options) *Server {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.RefreshEvery <= 0 {
		o.RefreshEvery = DefaultRefreshEvery
	}
	if o.MaxStreams <= 0 {
		o.MaxStreams = DefaultMaxStreams
	}
	if o.MinGap <= 0 {
		o.MinGap = DefaultMinGap
	}
	s := &Server{o: o, built: map[string]*built{}, feeds: map[string]*feed{}, done: make(chan struct{})}
	s.SetPages(pages)
	return s
}

// SetPages puts a new set of pages in force (a config reload).
func (s *Server) SetPages(pages []*Config) {
	p := slices.Clone(pages)
	s.pages.Store(&p)
	s.mu.Lock()
	clear(s.built)
	s.daysAt = time.Time{} // the monitors shown may have changed
	s.mu.Unlock()
}

// Pages returns the pages in force.
func (s *Server) Pages() []*Config { return *s.pages.Load() }

// Start starts the live updates: one subscription to the engine for
// every page and viewer.
func (s *Server) Start() {
	if s.o.Live == nil {
		return
	}
	sub := s.o.Live.Subscribe()
	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		defer sub.Close()
		s.follow(sub)
	}()
}

// Close ends every live stream and the updates.
func (s *Server) Close() {
	s.closed.Do(func() { close(s.done) })
	s.bg.Wait()
}

// route is what a request path names.
type route struct {
	page *Config
	kind string // "page", "json", "text", "events", "badge"
	key  string // badge: the monitor's key
	what string // badge: its kind
}

// Match tells whether path is one of the pages' paths, and whether that
// page is public. The API serves a public page's paths to anyone.
func (s *Server) Match(path string) (public, ok bool) {
	rt, ok := s.route(path)
	if !ok {
		return false, false
	}
	return rt.page.Public, true
}

func (s *Server) route(path string) (route, bool) {
	for _, p := range s.Pages() {
		switch {
		case path == p.Path:
			return route{page: p, kind: "page"}, true
		case path == p.Path+".json":
			return route{page: p, kind: "json"}, true
		case path == p.Path+".txt":
			return route{page: p, kind: "text"}, true
		case path == p.Path+"/events":
			return route{page: p, kind: "events"}, true
		case strings.HasPrefix(path, p.Path+"/badge/"):
			rest := strings.TrimPrefix(path, p.Path+"/badge/")
			key, file, found := strings.Cut(rest, "/")
			what, svg := strings.CutSuffix(file, ".svg")
			if !found || !svg || key == "" || strings.Contains(file, "/") {
				return route{}, false
			}
			return route{page: p, kind: "badge", key: key, what: what}, true
		}
	}
	return route{}, false
}

// ServeHTTP serves a page's paths; anything else is not found.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rt, ok := s.route(r.URL.Path)
	if !ok {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "status pages are read with GET", http.StatusMethodNotAllowed)
		return
	}
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	switch rt.kind {
	case "events":
		s.serveEvents(w, r, rt.page)
		return
	case "badge":
		s.serveBadge(w, r, rt)
		return
	}
	kind := rt.kind
	if kind == "page" {
		kind = negotiate(r)
		h.Set("Vary", "Accept, User-Agent, Accept-Encoding")
	} else {
		h.Set("Vary", "Accept-Encoding")
	}
	color := colorAsked(r)
	b := s.page(rt.page)
	body, err := b.render(kind, color)
	if err != nil {
		s.o.Logger.Error("status page", "path", rt.page.Path, "err", err)
		http.Error(w, "the page could not be rendered", http.StatusInternalServerError)
		return
	}
	switch kind {
	case "json":
		h.Set("Content-Type", "application/json")
	case "text":
		h.Set("Content-Type", "text/plain; charset=utf-8")
	default:
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Content-Security-Policy", CSP)
	}
	// A status page is live: a cache may keep it, but must ask again
	// every time; the ETag makes asking cheap when nothing changed.
	if rt.page.Public {
		h.Set("Cache-Control", "public, no-cache")
	} else {
		h.Set("Cache-Control", "private, no-cache")
	}
	gz := acceptsGzip(r) && len(body.plain) > 1024
	etag := body.etag()
	if gz {
		etag = strings.TrimSuffix(etag, `"`) + `-gzip"` // another representation, another tag
	}
	h.Set("ETag", etag)
	if inm := r.Header.Get("If-None-Match"); inm != "" && etagMatch(inm, etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	if gz {
		h.Set("Content-Encoding", "gzip")
		w.Write(body.gzipped())
		return
	}
	w.Write(body.plain)
}

// negotiate picks what the page path answers with: JSON for a client
// that asks for it, text for one that asks for text or is a terminal's
// (curl, wget, HTTPie) without asking for HTML, else HTML.
func negotiate(r *http.Request) string {
	accept := strings.ToLower(r.Header.Get("Accept"))
	switch {
	case strings.Contains(accept, "text/html"):
		return "page"
	case strings.Contains(accept, "application/json"):
		return "json"
	case strings.Contains(accept, "text/plain"):
		return "text"
	}
	ua := strings.ToLower(r.Header.Get("User-Agent"))
	for _, t := range []string{"curl/", "wget/", "httpie/", "xh/", "libfetch/", "powershell/"} {
		if strings.HasPrefix(ua, t) || strings.Contains(ua, " "+t) {
			return "text"
		}
	}
	return "page"
}

// colorAsked tells whether the text should carry ANSI colours:
// ?color=1 (or true, yes, always).
func colorAsked(r *http.Request) bool {
	switch strings.ToLower(r.URL.Query().Get("color")) {
	case "1", "true", "yes", "always", "on":
		return true
	}
	return false
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		name, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(name), "gzip") && strings.ReplaceAll(q, " ", "") != "q=0" {
			return true
		}
	}
	return false
}

// built is a page built at one time, with its renderings made on demand.
type built struct {
	page *Page
	at   time.Time

	mu   sync.Mutex
	outs map[string]*output
}

// output is one rendering of a built page, and its gzip once asked for.
type output struct {
	plain   []byte
	once    sync.Once
	gz      []byte
	tagOnce sync.Once
	tag     string
}

// etag is a strong validator of the rendering.
func (o *output) etag() string {
	o.tagOnce.Do(func() { o.tag = ETag(o.plain) })
	return o.tag
}

func (o *output) gzipped() []byte {
	o.once.Do(func() {
		var b bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&b, gzip.DefaultCompression)
		zw.Write(o.plain)
		zw.Close()
		o.gz = b.Bytes()
	})
	return o.gz
}

func (b *built) render(kind string, color bool) (*output, error) {
	key := kind
	if kind == "text" && color {
		key = "text+color"
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if o := b.outs[key]; o != nil {
		return o, nil
	}
	var buf bytes.Buffer
	var err error
	switch kind {
	case "json":
		err = b.page.WriteJSON(&buf)
	case "text":
		err = b.page.WriteText(&buf, color)
	default:
		err = b.page.WriteHTML(&buf)
	}
	if err != nil {
		return nil, err
	}
	o := &output{plain: buf.Bytes()}
	if b.outs == nil {
		b.outs = map[string]*output{}
	}
	b.outs[key] = o
	return o, nil
}

// page returns the page built within buildTTL, or builds it now.
func (s *Server) page(c *Config) *built {
	now := s.o.Now()
	s.mu.Lock()
	b := s.built[c.Path]
	s.mu.Unlock()
	if b != nil && now.Sub(b.at) < buildTTL && !now.Before(b.at) {
		return b
	}
	return s.build(c, now, s.o.Live.Snapshot())
}

// build builds page c from states and keeps it for requests.
func (s *Server) build(c *Config, now time.Time, states []monitor.State) *built {
	in := &Inputs{Now: now, States: states, Days: s.bars(now, states), Notes: s.o.Notes, Live: true}
	if s.o.Maintenance != nil {
		in.Maintenance = s.o.Maintenance.Next(now, now.Add(UpcomingHorizon))
	}
	b := &built{page: Build(c, in), at: now}
	s.mu.Lock()
	s.built[c.Path] = b
	s.mu.Unlock()
	return b
}

// bars returns the bars of the monitors on any page: read at once the
// first time, then again in the background every RefreshEvery (and when
// the day changes).
func (s *Server) bars(now time.Time, states []monitor.State) map[string]*Days {
	s.mu.Lock()
	days, at := s.days, s.daysAt
	s.mu.Unlock()
	stale := at.IsZero() || now.Sub(at) >= s.o.RefreshEvery || now.Before(at) ||
		!at.UTC().Truncate(24*time.Hour).Equal(now.UTC().Truncate(24*time.Hour))
	switch {
	case !stale:
		return days
	case days == nil:
		s.loadBars(now, states)
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.days
	}
	if s.daysMu.TryLock() {
		s.bg.Add(1)
		go func() {
			defer s.bg.Done()
			defer s.daysMu.Unlock()
			s.readBars(now, states)
		}()
	}
	return days
}

// loadBars reads the bars unless another caller is reading them, in which
// case it waits for that one.
func (s *Server) loadBars(now time.Time, states []monitor.State) {
	s.daysMu.Lock()
	defer s.daysMu.Unlock()
	s.mu.Lock()
	done := s.days != nil && !s.daysAt.IsZero()
	s.mu.Unlock()
	if !done {
		s.readBars(now, states)
	}
}

func (s *Server) readBars(now time.Time, states []monitor.State) {
	var names []string
	seen := map[string]bool{}
	var monitors []*monitor.Monitor
	for i := range states {
		if states[i].Monitor != nil {
			monitors = append(monitors, states[i].Monitor)
		}
	}
	for _, p := range s.Pages() {
		for _, n := range p.Names(monitors) {
			if !seen[n] {
				seen[n] = true
				names = append(names, n)
			}
		}
	}
	days := map[string]*Days{}
	if s.o.History != nil {
		var err error
		days, err = LoadDays(s.o.History, names, now)
		if err != nil {
			s.o.Logger.Warn("status pages: reading the history", "err", err)
		}
	}
	s.mu.Lock()
	s.days, s.daysAt = days, now
	s.mu.Unlock()
}
