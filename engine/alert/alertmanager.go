package alert

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// The labels of every alert upbeat posts to Alertmanager. They stay the
// same for the whole incident, so that Alertmanager sees one alert from
// the first post to the resolve, and so that two daemons with the same
// config and location post the very same alert (an HA pair: Alertmanager
// de-duplicates it). The code and class change while an incident lasts:
// they are annotations, never labels.
const (
	LabelAlertname = "alertname"  // AlertnameDown for an incident; AlertnameTest for upbeat alert test
	LabelMonitor   = "monitor"    // the monitor's name
	LabelLocation  = "location"   // [settings] location; left out when unset
	LabelSeverity  = "severity"   // "critical" for an incident
	LabelTags      = "tags"       // monitor.TagsLabel: the tags, sorted, as ",a,b,"; left out when there are none
	LabelDependsOn = "depends_on" // DependsOnLabel: every monitor it depends on, as ",db,edge-router,"; left out when none

	AlertnameDown = "UpbeatMonitorDown"
	AlertnameTest = "UpbeatTest"
	SeverityDown  = "critical"
)

// The annotations of an alert. They may change while an incident lasts.
const (
	AnnotationSummary     = "summary"     // one line: "shop is down: 502 Bad Gateway"
	AnnotationDescription = "description" // a few lines: what broke, what it means, the first step
	AnnotationCode        = "code"        // the latest failing status code, when there is one
	AnnotationClass       = "class"       // the latest failure class (upbeat explain CLASS)
	AnnotationMeaning     = "meaning"     // what that code or class means
	AnnotationFirstStep   = "first_step"  // the first thing to check
	AnnotationError       = "error"       // the latest error, sanitized
	AnnotationSince       = "since"       // when the incident began, RFC 3339
	AnnotationURL         = "url"         // what the monitor checks, without secrets
	AnnotationFlapping    = "flapping"    // "true" while the monitor flaps
	AnnotationAgreement   = "agreement"   // what the peers said before the incident opened
	AnnotationNotes       = "notes"       // the incident's notes and acknowledgement reasons, "; "-separated
)

// Alertmanager defaults.
const (
	// DefaultResend is how often open incidents are posted again. Alertmanager
	// resolves an alert it has not heard of by its endsAt; upbeat sets that
	// to ResendLifetime resends ahead, as Prometheus does.
	DefaultResend = time.Minute
	// ResendLifetime is how many resend intervals a posted alert stays
	// firing without being posted again: if every daemon reporting it dies,
	// Alertmanager resolves it after that long.
	ResendLifetime = 4
	// amNodeTimeout bounds the request to one node within an attempt.
	amNodeTimeout = 10 * time.Second
	// amPath is Alertmanager's API for posting alerts.
	amPath = "/api/v2/alerts"
)

// amAlert is one alert as Alertmanager's API v2 takes it (its
// PostableAlert). The shape is five fields, stable since Alertmanager 0.16;
// see the commit that added this file for why it is not imported.
type amAlert struct {
	Labels       map[string]string `json:"labels"`
	Annotations  map[string]string `json:"annotations,omitempty"`
	StartsAt     time.Time         `json:"startsAt,omitzero"`
	EndsAt       time.Time         `json:"endsAt,omitzero"`
	GeneratorURL string            `json:"generatorURL,omitempty"`
}

// Origin is where this upbeat runs, for channels that say so.
type Origin struct {
	// Location is [settings] location: the alerts' location label.
	Location string
	// URL is the base URL of this daemon's API as others reach it ([api]
	// external_url); alerts link back to the monitor there. "": no link.
	URL string
}

// alertmanager posts every open incident to the nodes of one Alertmanager
// cluster as an alert, again every resend interval while it stays open,
// and with its endsAt once it resolves.
//
// Every post goes to every node, as Prometheus does: a cluster shares
// silences and what it has notified, not the alerts themselves, so a node
// that is not told of an alert cannot notify about it if its peer dies.
// An attempt succeeds when at least one node took the alerts; a node that
// missed them gets them with the next resend.
type alertmanager struct {
	name    string
	urls    []string // each node's alerts endpoint
	shown   []string // each node as errors show it (scheme and host)
	headers map[string]string
	labels  map[string]string // extra labels of the [[alert]]
	origin  Origin
	resend  time.Duration
	client  *http.Client
	now     func() time.Time
}

var _ Resender = (*alertmanager)(nil)

// newAlertmanager checks the URLs and returns an alertmanager channel.
func newAlertmanager(cfg *Config, opts ChannelOptions) (*alertmanager, error) {
	if len(cfg.URLs) == 0 {
		return nil, fmt.Errorf("alertmanager: %w: urls", ErrMissing)
	}
	a := &alertmanager{
		name: cfg.Name, headers: cfg.Headers, labels: cfg.Labels, origin: opts.Origin,
		resend: cfg.Resend, client: opts.HTTPClient, now: time.Now,
	}
	if a.resend <= 0 {
		a.resend = DefaultResend
	}
	for _, raw := range cfg.URLs {
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("alertmanager: each of urls must be http(s)://host[:port][/prefix]")
		}
		a.shown = append(a.shown, u.Scheme+"://"+u.Host)
		a.urls = append(a.urls, AlertmanagerEndpoint(raw))
	}
	return a, nil
}

// AlertmanagerEndpoint is where alerts are posted for a node URL: its
// path (a route prefix such as /alertmanager, if any) plus /api/v2/alerts.
func AlertmanagerEndpoint(node string) string {
	return strings.TrimSuffix(node, "/") + amPath
}

// Name implements Channel.
func (a *alertmanager) Name() string { return a.name }

// ResendEvery implements Resender.
func (a *alertmanager) ResendEvery() time.Duration { return a.resend }

// Send implements Channel: it posts the alerts of m's items to every node.
func (a *alertmanager) Send(ctx context.Context, m Message) error {
	alerts := a.alerts(m, a.now())
	if len(alerts) == 0 {
		return nil // a message about nothing Alertmanager tracks (degraded)
	}
	body, err := json.Marshal(alerts)
	if err != nil {
		return Permanent(fmt.Errorf("alertmanager: encode: %w", err))
	}
	errs := make([]error, len(a.urls))
	var wg sync.WaitGroup
	for i := range a.urls {
		wg.Go(func() { errs[i] = a.post(ctx, i, body) })
	}
	wg.Wait()
	permanent := true
	for _, err := range errs {
		if err == nil {
			return nil
		}
		permanent = permanent && IsPermanent(err)
	}
	err = joinErrors(errs)
	if permanent {
		return Permanent(err)
	}
	return err
}

// nodeErrors are the failures of every node, on one line.
type nodeErrors []error

func (e nodeErrors) Error() string {
	parts := make([]string, len(e))
	for i, err := range e {
		parts[i] = err.Error()
	}
	return strings.Join(parts, "; ")
}

func (e nodeErrors) Unwrap() []error { return e }

// joinErrors joins the errors of the nodes.
func joinErrors(errs []error) error {
	if len(errs) == 1 {
		return errs[0]
	}
	return nodeErrors(errs)
}

// post sends body to node i.
func (a *alertmanager) post(ctx context.Context, i int, body []byte) error {
	ctx, cancel := context.WithTimeout(ctx, amNodeTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.urls[i], bytes.NewReader(body))
	if err != nil {
		return Permanent(fmt.Errorf("alertmanager %s: %w", a.shown[i], err))
	}
	for k, v := range a.headers {
		req.Header.Set(k, v)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "upbeat-alert/1")
	resp, err := a.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // its text quotes the URL, which may hold a password
		}
		return fmt.Errorf("alertmanager %s: %w", a.shown[i], err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if err := httpStatusError("alertmanager "+a.shown[i], resp.StatusCode); err != nil {
		if s := strings.TrimSpace(string(msg)); s != "" && resp.StatusCode == http.StatusBadRequest {
			// Alertmanager says which alert it refused and why.
			return Permanent(fmt.Errorf("%w: %s", err, sanitizeLine(s)))
		}
		return err
	}
	return nil
}

// sanitizeLine makes a receiver's answer fit for one line of a log.
func sanitizeLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	return strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return -1
		}
		return r
	}, s)
}

// alerts turns m's items into alerts: an incident that is open fires
// until ResendLifetime resends from now, one that resolved ends when it
// did. Items that are not about an incident (degraded, normal) are left
// out; a test message is one short-lived test alert.
func (a *alertmanager) alerts(m Message, now time.Time) []amAlert {
	if m.Event == EventTest {
		al := amAlert{
			Labels: a.baseLabels(AlertnameTest, "none"),
			Annotations: map[string]string{
				AnnotationSummary:     "upbeat test alert",
				AnnotationDescription: fmt.Sprintf("A test of the upbeat alert %q. It ends by itself in a minute.", a.name),
			},
			StartsAt: now, EndsAt: now.Add(time.Minute), GeneratorURL: a.origin.URL,
		}
		return []amAlert{al}
	}
	out := make([]amAlert, 0, len(m.Items))
	seen := map[string]bool{}
	for _, it := range m.Items {
		var firing bool
		switch it.Event {
		case EventDown, EventReminder, EventFlapping, EventResend:
			firing = true
		case EventUp:
		default:
			continue
		}
		if seen[it.Monitor] {
			continue
		}
		seen[it.Monitor] = true
		out = append(out, a.alert(it, firing, now))
	}
	return out
}

// baseLabels are the labels every alert of this channel has.
func (a *alertmanager) baseLabels(alertname, severity string) map[string]string {
	l := make(map[string]string, len(a.labels)+5)
	for k, v := range a.labels {
		l[k] = v
	}
	l[LabelAlertname] = alertname
	l[LabelSeverity] = severity
	if a.origin.Location != "" {
		l[LabelLocation] = a.origin.Location
	}
	return l
}

// AlertLabels returns the labels of the alert about an incident of the
// monitor called name (with tags) seen from location, besides the extra labels of the
// [[alert]]: the contract that Alertmanager routes, groups and silences
// on, and that README documents.
func AlertLabels(name, location string, tags []string) map[string]string {
	l := map[string]string{LabelAlertname: AlertnameDown, LabelMonitor: name, LabelSeverity: SeverityDown}
	if location != "" {
		l[LabelLocation] = location
	}
	if t := monitor.TagsLabel(tags); t != "" {
		l[LabelTags] = t
	}
	return l
}

// alert is the alert about one item.
func (a *alertmanager) alert(it Item, firing bool, now time.Time) amAlert {
	labels := a.baseLabels(AlertnameDown, SeverityDown)
	for k, v := range AlertLabels(it.Monitor, a.origin.Location, it.Tags) {
		labels[k] = v
	}
	if d := DependsOnLabel(it.DependsOn); d != "" {
		labels[LabelDependsOn] = d // for inhibition rules: see README
	}
	al := amAlert{Labels: labels, Annotations: annotations(it, firing)}
	if in := it.Incident; in != nil {
		al.StartsAt = in.Start
	}
	if al.StartsAt.IsZero() {
		al.StartsAt = it.Since
	}
	if firing {
		al.EndsAt = now.Add(ResendLifetime * a.resend)
	} else {
		if in := it.Incident; in != nil {
			al.EndsAt = in.End
		}
		if al.EndsAt.IsZero() || al.EndsAt.After(now) {
			al.EndsAt = now
		}
		if al.StartsAt.After(al.EndsAt) {
			al.StartsAt = al.EndsAt
		}
	}
	if a.origin.URL != "" {
		al.GeneratorURL = strings.TrimSuffix(a.origin.URL, "/") + "/api/v1/monitors/" + url.PathEscape(it.Monitor)
	}
	return al
}

// annotations say what an item is about.
func annotations(it Item, firing bool) map[string]string {
	an := map[string]string{}
	set := func(k, v string) {
		if v != "" {
			an[k] = v
		}
	}
	var desc strings.Builder
	if firing {
		set(AnnotationSummary, fmt.Sprintf("%s is down: %s", it.Monitor, it.label()))
		if it.URL != "" {
			fmt.Fprintf(&desc, "What broke: %s: %s.", it.URL, it.label())
		} else {
			fmt.Fprintf(&desc, "What broke: %s.", it.label())
		}
		if it.Meaning != "" {
			fmt.Fprintf(&desc, " Meaning: %s", sentence(it.Meaning))
		}
		if it.FirstStep != "" {
			fmt.Fprintf(&desc, " First step: %s", sentence(it.FirstStep))
		}
		if it.Code != 0 {
			set(AnnotationCode, strconv.Itoa(it.Code))
		}
		set(AnnotationClass, it.Class)
		set(AnnotationMeaning, it.Meaning)
		set(AnnotationFirstStep, it.FirstStep)
		set(AnnotationError, it.Error)
		if it.Flapping {
			an[AnnotationFlapping] = "true"
		}
	} else {
		s := it.Monitor + " is up again"
		if it.Duration > 0 {
			s += " after " + human(it.Duration)
		}
		set(AnnotationSummary, s)
		desc.WriteString(s + ".")
		if it.Incident != nil {
			if seen := seenText(it.Incident); seen != "" {
				fmt.Fprintf(&desc, " Seen during the incident: %s.", seen)
			}
		}
	}
	if it.Agreement != "" {
		set(AnnotationAgreement, it.Agreement)
		fmt.Fprintf(&desc, " %s", sentence(upperFirst(it.Agreement)))
	}
	set(AnnotationDescription, desc.String())
	set(AnnotationNotes, notesSummary(it.Incident))
	set(AnnotationURL, it.URL)
	since := it.Since
	if it.Incident != nil && !it.Incident.Start.IsZero() {
		since = it.Incident.Start
	}
	if !since.IsZero() {
		an[AnnotationSince] = since.UTC().Format(time.RFC3339)
	}
	return an
}

// upperFirst capitalises the first letter of s.
func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
