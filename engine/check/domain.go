package check

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"golang.org/x/net/idna"

	"github.com/upbeat-monitor/upbeat/engine"
	"github.com/upbeat-monitor/upbeat/internal/humanize"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// Domain checks domain://example.com monitors through RDAP: the registry
// for the name's top-level domain is found in the IANA bootstrap registry
// (fetched once and cached for Options.RDAPBootstrapTTL; the monitor's
// rdap_server skips it), the domain is looked up, and its "expiration"
// event and registrar entity are read. CertExpiry holds the expiry,
// CertDays the days left and Registrar the registrar's name.
//
// Under cert_warn_days is degraded (domain_expiring), past the expiry down
// (domain_expired). A registry that does not know the name is
// rdap_not_found, any other failure rdap_error, and a registry that
// publishes no expiry date degraded with rdap_no_expiry.
//
// The client is hand-written with encoding/json: the two documents it
// reads are small and stable (RFC 7484 bootstrap, RFC 9083 domain), and
// openrdap would bring a command-line parser and an on-disk bootstrap
// cache we would have to steer around to keep the dialer injectable and
// the cache in memory.
type Domain struct {
	b      *base
	client *http.Client
	// lock serialises bootstrap fetches; a channel so that waiting honours
	// the check's context.
	lock    chan struct{}
	fetched time.Time         // when services was fetched; guarded by lock
	tlds    map[string]string // TLD → RDAP base URL; guarded by lock
}

var _ engine.Checker = (*Domain)(nil)

const (
	maxRDAPBody      = 1 << 20 // a domain answer
	maxBootstrapBody = 4 << 20 // the bootstrap registry (about 100 KB today)
)

func newDomain(b *base) *Domain {
	t := &http.Transport{
		DialContext:       guardedDial(b.dial),
		DisableKeepAlives: true, // lookups are rare: no idle connections left behind
	}
	if b.roots != nil {
		t.TLSClientConfig = newRootsConfig(b)
	}
	return &Domain{b: b, client: &http.Client{Transport: t, CheckRedirect: rdapRedirect}, lock: make(chan struct{}, 1)}
}

// rdapRedirect follows up to 10 redirects, as net/http does by default,
// and refuses one from a public address into an internal one (private.go)
// when the request carries a guard.
func rdapRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 10 {
		return ErrTooManyRedirects
	}
	if g := guardOf(req.Context()); g != nil {
		return g.redirect(req.URL)
	}
	return nil
}

// Check looks m's domain up.
func (d *Domain) Check(ctx context.Context, m *monitor.Monitor) monitor.Result {
	var r monitor.Result
	ctx, cancel := withDeadline(ctx)
	defer cancel()
	start := time.Now()
	defer func() { r.Latency = time.Since(start) }()

	u, err := parsedURL(m)
	if err != nil {
		fail(&r, ClassConfig, err.Error())
		return r
	}
	name := u.Hostname()
	if name == "" {
		name = u.Opaque
	}
	name, err = idna.Lookup.ToASCII(strings.TrimSuffix(name, "."))
	if err != nil || !strings.Contains(name, ".") {
		fail(&r, ClassConfig, fmt.Sprintf("domain url needs a registered domain name: domain://example.com (%q)", name))
		return r
	}
	name = strings.ToLower(name)

	server := m.RDAPServer
	if server == "" {
		server, err = d.serverFor(ctx, name)
		if err != nil {
			fail(&r, ClassRDAPError, err.Error())
			if errors.Is(err, errNoRDAPServer) {
				r.Class = ClassRDAPNotFound
			}
			return r
		}
	}
	var dom rdapDomain
	code, err := d.getJSON(ctx, strings.TrimSuffix(server, "/")+"/domain/"+name, maxRDAPBody, &dom, m.AllowPrivateRedirects)
	if code != 0 && code != http.StatusOK {
		r.Code = code
	}
	switch {
	case code == http.StatusNotFound:
		fail(&r, ClassRDAPNotFound, fmt.Sprintf("the registry at %s does not know %s", server, name))
		return r
	case err == nil && code != http.StatusOK:
		fail(&r, ClassRDAPError, fmt.Sprintf("the registry at %s answered HTTP %d for %s", server, code, name))
		return r
	case err != nil:
		if c := Classify(err); c == ClassTimeout || c == ClassCanceled {
			fail(&r, c, "rdap: "+errorText(err))
		} else if c == ClassRedirectPrivate {
			fail(&r, c, "rdap: "+plainText(c, err))
		} else {
			fail(&r, ClassRDAPError, "rdap: "+errorText(err))
		}
		return r
	}

	r.Registrar = engine.Sanitize(dom.registrar(), 200)
	r.Status = monitor.StatusUp
	exp, ok := dom.expiry()
	if !ok {
		degrade(&r, ClassRDAPNoExpiry, fmt.Sprintf("the registry at %s publishes no expiry date for %s", server, name))
		return r
	}
	now := d.b.now()
	r.CertExpiry = exp
	r.CertDays = monitor.DaysLeft(exp, now)
	switch w := warnDays(m); {
	case !now.Before(exp):
		fail(&r, ClassDomainExpired, fmt.Sprintf("%s expired on %s%s", name, exp.UTC().Format(time.DateOnly), ago(exp, now)))
	case w > 0 && r.CertDays < w:
		degrade(&r, ClassDomainExpiring, fmt.Sprintf("%s expires in %s (%s), under cert_warn_days %d",
			name, humanize.Count(r.CertDays, "day", "days"), exp.UTC().Format(time.DateOnly), w))
	}
	return r
}

var errNoRDAPServer = errors.New("no RDAP server is registered for this top-level domain")

// serverFor finds the RDAP base URL for a domain in the bootstrap
// registry, fetching it when it is missing or older than the TTL. A stale
// registry is used when a new fetch fails.
func (d *Domain) serverFor(ctx context.Context, name string) (string, error) {
	select {
	case d.lock <- struct{}{}:
	case <-ctx.Done():
		return "", fmt.Errorf("rdap bootstrap: %w", ctx.Err())
	}
	defer func() { <-d.lock }()

	if d.tlds == nil || d.b.now().Sub(d.fetched) > d.b.rdapTTL {
		tlds, err := d.fetchBootstrap(ctx)
		switch {
		case err == nil:
			d.tlds, d.fetched = tlds, d.b.now()
		case d.tlds == nil:
			return "", err
		}
	}
	// longest matching suffix: "co.uk" before "uk"
	for rest := name; ; {
		i := strings.IndexByte(rest, '.')
		if i < 0 {
			break
		}
		rest = rest[i+1:]
		if s, ok := d.tlds[rest]; ok {
			return s, nil
		}
	}
	return "", fmt.Errorf("%s: %w", name, errNoRDAPServer)
}

// fetchBootstrap reads the RFC 7484 registry: services is a list of
// [[labels…], [base URLs…]]; an https URL is preferred.
func (d *Domain) fetchBootstrap(ctx context.Context) (map[string]string, error) {
	var doc struct {
		Services [][][]string `json:"services"`
	}
	code, err := d.getJSON(ctx, d.b.rdapURL, maxBootstrapBody, &doc, false)
	if err == nil && code != http.StatusOK {
		err = fmt.Errorf("status %d", code)
	}
	if err != nil {
		return nil, fmt.Errorf("rdap bootstrap %s: %w", d.b.rdapURL, err)
	}
	tlds := make(map[string]string)
	for _, svc := range doc.Services {
		if len(svc) < 2 || len(svc[1]) == 0 {
			continue
		}
		base := svc[1][0]
		for _, u := range svc[1] {
			if strings.HasPrefix(u, "https://") {
				base = u
				break
			}
		}
		for _, label := range svc[0] {
			tlds[strings.ToLower(label)] = base
		}
	}
	if len(tlds) == 0 {
		return nil, fmt.Errorf("rdap bootstrap %s: no services", d.b.rdapURL)
	}
	return tlds, nil
}

// getJSON GETs url and decodes a 200 answer into v, reading at most limit
// bytes. It returns the status code (0 when there was no answer); a
// non-200 answer is not decoded and not an error. Unless allow is set, a
// redirect from a public address into an internal one is refused.
func (d *Domain) getJSON(ctx context.Context, url string, limit int64, v any, allow bool) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	if !allow {
		req = req.WithContext(withGuard(ctx, d.b.newGuard(req.URL, false)))
	}
	req.Header.Set("Accept", "application/rdap+json, application/json")
	req.Header.Set("User-Agent", d.b.userAgent)
	resp, err := d.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return resp.StatusCode, nil
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, limit)).Decode(v); err != nil {
		return resp.StatusCode, fmt.Errorf("decode %s: %w", url, err)
	}
	return resp.StatusCode, nil
}

// rdapDomain is the part of an RFC 9083 domain object we read.
type rdapDomain struct {
	Events   []rdapEvent  `json:"events"`
	Entities []rdapEntity `json:"entities"`
}

type rdapEvent struct {
	Action string `json:"eventAction"`
	Date   string `json:"eventDate"`
}

type rdapEntity struct {
	Handle   string            `json:"handle"`
	Roles    []string          `json:"roles"`
	VCard    []json.RawMessage `json:"vcardArray"`
	Entities []rdapEntity      `json:"entities"`
}

// expiry is the date of the "expiration" event.
func (d *rdapDomain) expiry() (time.Time, bool) {
	for _, e := range d.Events {
		if !strings.EqualFold(e.Action, "expiration") {
			continue
		}
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", time.DateOnly} {
			if t, err := time.Parse(layout, e.Date); err == nil {
				return t, true
			}
		}
	}
	return time.Time{}, false
}

// registrar is the name of the entity with the registrar role: its
// vCard's fn, else its handle.
func (d *rdapDomain) registrar() string {
	for _, e := range d.Entities {
		for _, role := range e.Roles {
			if strings.EqualFold(role, "registrar") {
				if fn := e.fn(); fn != "" {
					return fn
				}
				return e.Handle
			}
		}
	}
	return ""
}

// fn reads the formatted name from a jCard: ["vcard", [["fn", {}, "text", "Name"], …]].
func (e *rdapEntity) fn() string {
	if len(e.VCard) < 2 {
		return ""
	}
	var props [][]json.RawMessage
	if json.Unmarshal(e.VCard[1], &props) != nil {
		return ""
	}
	for _, p := range props {
		if len(p) < 4 {
			continue
		}
		var name, value string
		if json.Unmarshal(p[0], &name) == nil && name == "fn" && json.Unmarshal(p[3], &value) == nil {
			return value
		}
	}
	return ""
}
