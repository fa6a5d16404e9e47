package importer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/upbeat-monitor/upbeat/internal/humanize"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// The parts of a Gatus config that are read; Gatus has more keys, which
// are about its own web page and storage, not about what is checked.
type gatusConfig struct {
	Endpoints         []gatusEndpoint      `yaml:"endpoints"`
	ExternalEndpoints []gatusExternal      `yaml:"external-endpoints"`
	Suites            []gatusSuite         `yaml:"suites"`
	Alerting          map[string]yaml.Node `yaml:"alerting"`
	Maintenance       *gatusMaintenance    `yaml:"maintenance"`
}

type gatusEndpoint struct {
	Enabled            *bool              `yaml:"enabled"`
	Name               string             `yaml:"name"`
	Group              string             `yaml:"group"`
	URL                string             `yaml:"url"`
	Method             string             `yaml:"method"`
	Body               string             `yaml:"body"`
	GraphQL            bool               `yaml:"graphql"`
	Headers            map[string]string  `yaml:"headers"`
	Interval           string             `yaml:"interval"`
	Conditions         []string           `yaml:"conditions"`
	Alerts             []gatusAlert       `yaml:"alerts"`
	MaintenanceWindows []gatusMaintenance `yaml:"maintenance-windows"`
	DNS                *struct {
		QueryType string `yaml:"query-type"`
		QueryName string `yaml:"query-name"`
	} `yaml:"dns"`
	SSH         *yaml.Node        `yaml:"ssh"`
	Client      *gatusClient      `yaml:"client"`
	ExtraLabels map[string]string `yaml:"extra-labels"`
}

type gatusClient struct {
	ProxyURL       string       `yaml:"proxy-url"`
	Insecure       bool         `yaml:"insecure"`
	IgnoreRedirect bool         `yaml:"ignore-redirect"`
	Timeout        string       `yaml:"timeout"`
	DNSResolver    string       `yaml:"dns-resolver"`
	OAuth2         *gatusOAuth2 `yaml:"oauth2"`
	IAP            *yaml.Node   `yaml:"identity-aware-proxy"`
	Network        string       `yaml:"network"`
	TLS            *gatusTLS    `yaml:"tls"`
	Tunnel         string       `yaml:"tunnel"`
}

type gatusOAuth2 struct {
	TokenURL     string   `yaml:"token-url"`
	ClientID     string   `yaml:"client-id"`
	ClientSecret string   `yaml:"client-secret"`
	Scopes       []string `yaml:"scopes"`
}

type gatusTLS struct {
	CertificateFile string `yaml:"certificate-file"`
	PrivateKeyFile  string `yaml:"private-key-file"`
	Renegotiation   string `yaml:"renegotiation"`
}

type gatusAlert struct {
	Type             string  `yaml:"type"`
	Enabled          *bool   `yaml:"enabled"`
	FailureThreshold int     `yaml:"failure-threshold"`
	SendOnResolved   *bool   `yaml:"send-on-resolved"`
	Description      *string `yaml:"description"`
}

type gatusMaintenance struct {
	Enabled  *bool    `yaml:"enabled"`
	Start    string   `yaml:"start"`
	Duration string   `yaml:"duration"`
	Timezone string   `yaml:"timezone"`
	Every    []string `yaml:"every"`
}

type gatusExternal struct {
	Enabled            *bool              `yaml:"enabled"`
	Name               string             `yaml:"name"`
	Group              string             `yaml:"group"`
	Token              string             `yaml:"token"`
	Alerts             []gatusAlert       `yaml:"alerts"`
	MaintenanceWindows []gatusMaintenance `yaml:"maintenance-windows"`
	Heartbeat          struct {
		Interval string `yaml:"interval"`
	} `yaml:"heartbeat"`
}

type gatusSuite struct {
	Name      string          `yaml:"name"`
	Endpoints []gatusEndpoint `yaml:"endpoints"`
}

// Gatus's defaults, where upbeat's differ or must be written.
const (
	gatusInterval         = 60 * time.Second
	gatusFailureThreshold = 3
)

// looksLikeGatus reports whether data is YAML with a Gatus top-level key.
func looksLikeGatus(data []byte) bool {
	var top map[string]yaml.Node
	if yaml.Unmarshal(data, &top) != nil {
		return false
	}
	for _, k := range []string{"endpoints", "external-endpoints", "alerting", "suites"} {
		if _, ok := top[k]; ok {
			return true
		}
	}
	return false
}

// gatusReader maps one Gatus config.
type gatusReader struct {
	*builder
	providers map[string]*gatusProvider
	// domains holds the domain:// monitors made, by domain.
	domains map[string]*Monitor
}

// gatusProvider is an alerting provider and what the endpoints ask of it.
type gatusProvider struct {
	alert    *Alert
	defaults gatusAlert
	resolved map[bool]int // endpoints asking for resolve messages, or not
	degraded bool         // an endpoint using it has a condition upbeat makes "degraded"
}

// FromGatus maps a Gatus config. Its ${VAR} and $VAR references stay
// references; $$ is a literal $, as in Gatus.
func FromGatus(data []byte) (*Config, error) {
	var gc gatusConfig
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&gc); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("not a Gatus config: %v", yamlError(err))
	}
	r := &gatusReader{builder: newBuilder(Gatus, ""), providers: map[string]*gatusProvider{}, domains: map[string]*Monitor{}}
	r.cfg.Found = Counts{Monitors: len(gc.Endpoints) + len(gc.ExternalEndpoints), Alerts: len(gc.Alerting)}
	r.readProviders(gc.Alerting)
	if m := gc.Maintenance; m != nil {
		r.cfg.Found.Maintenance++
		r.maintenance("maintenance", *m, nil)
	}
	for _, e := range gc.Endpoints {
		r.endpoint(e)
	}
	for _, e := range gc.ExternalEndpoints {
		r.external(e)
	}
	for _, s := range gc.Suites {
		r.cfg.Found.Monitors += len(s.Endpoints)
		r.skip(fmt.Sprintf("suite %q", cleanText(s.Name)), "a suite runs its %s in order, sharing values between them; upbeat checks each monitor on its own", humanize.Count(len(s.Endpoints), "endpoint", "endpoints"))
	}
	r.finishProviders()
	return r.cfg, nil
}

// yamlError shortens the YAML library's messages.
func yamlError(err error) string {
	return strings.TrimPrefix(err.Error(), "yaml: ")
}

// str turns Gatus's variable references into upbeat's: $NAME and
// ${NAME} become ${NAME} (recorded as variables to set), $$ becomes $.
func (r *gatusReader) str(s, item string) string {
	if !strings.Contains(s, "$") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '$' {
			b.WriteByte(s[i])
			continue
		}
		rest := s[i+1:]
		switch {
		case strings.HasPrefix(rest, "$"):
			b.WriteByte('$')
			i++
		case strings.HasPrefix(rest, "{"):
			end := strings.IndexByte(rest, '}')
			if end > 1 && isEnvName(rest[1:end]) {
				r.needEnv(rest[1:end], item+" (a variable in the Gatus config)")
				b.WriteString("${" + rest[1:end] + "}")
				i += end + 1
				continue
			}
			b.WriteByte('$')
		default:
			n := 0
			for n < len(rest) && isEnvName(rest[:n+1]) {
				n++
			}
			if n == 0 {
				b.WriteByte('$')
				continue
			}
			r.needEnv(rest[:n], item+" (a variable in the Gatus config)")
			b.WriteString("${" + rest[:n] + "}")
			i += n
		}
	}
	return b.String()
}

func (r *gatusReader) endpoint(e gatusEndpoint) {
	item := fmt.Sprintf("endpoint %q", cleanText(e.Name))
	if e.Enabled != nil && !*e.Enabled {
		r.skip(item, "it is disabled in Gatus")
		return
	}
	m := &Monitor{Name: e.Name, Interval: gatusInterval}
	if e.Group != "" {
		m.Tags = append(m.Tags, cleanName(e.Group, "group"))
	}
	if len(e.Conditions) > 0 {
		m.Comments = append(m.Comments, "Gatus conditions: "+strings.Join(e.Conditions, ", "))
	}
	if d, err := parseDuration(e.Interval, time.Second); err != nil {
		r.partial(item, "interval: %v; upbeat's default is used", err)
		m.Interval = 0
	} else if d > 0 {
		m.Interval = d
	}

	kind, ok := r.endpointURL(e, m, item)
	if !ok {
		return
	}
	r.request(e, m, kind, item)
	r.client(e.Client, m, kind, item)
	degraded, domains := r.conditions(e.Conditions, m, kind, item)
	if kind == monitor.KindWS && m.Send == "" && (m.ExpectBody != "" || len(m.ExpectJSON) > 0) {
		r.partial(item, "Gatus sent an empty message first; upbeat sends none and judges the first message the server sends")
	}
	r.endpointAlerts(e.Alerts, m, item, degraded)
	if len(e.ExtraLabels) > 0 {
		r.partial(item, "extra-labels are not kept (upbeat labels metrics with the monitor's tags)")
	}
	if e.SSH != nil {
		r.partial(item, "the ssh settings are not kept")
	}
	r.add(m, item, "endpoint")
	for _, d := range domains {
		d.Alerts = m.Alerts
		r.add(d, item, d.Name)
	}
	for i, w := range e.MaintenanceWindows {
		r.cfg.Found.Maintenance++
		r.maintenance(fmt.Sprintf("%s maintenance %d", m.Name, i+1), w, []string{m.Name})
	}
}

// request maps what the endpoint sends: for HTTP the method, body and
// headers (a GraphQL query is POSTed as JSON, as Gatus does), for a
// WebSocket the message and the headers of the handshake. Other checks
// send nothing of the sort, so the report says they were left out.
func (r *gatusReader) request(e gatusEndpoint, m *Monitor, kind monitor.Kind, item string) {
	headers := sortedKV(e.Headers)
	switch kind {
	case monitor.KindHTTP:
		m.Method = strings.ToUpper(e.Method)
		m.Body = r.str(e.Body, item+": the body")
		m.Headers = r.headers(item, headers)
		if e.GraphQL {
			q, _ := jsonMarshal(map[string]string{"query": m.Body})
			m.Body = q
			if m.Method == "" || m.Method == "GET" {
				m.Method = "POST"
			}
			m.Headers = append(m.Headers, KV{"Content-Type", "application/json"})
		}
	case monitor.KindWS:
		// Gatus sends the body as a message and judges the one that
		// comes back, as upbeat does with send.
		m.Send = r.str(e.Body, item+": the body")
		m.Headers = r.headers(item, headers)
		if e.Method != "" {
			r.partial(item, "method is for HTTP endpoints; left out")
		}
	default:
		if e.Method != "" || e.Body != "" || len(e.Headers) > 0 {
			r.partial(item, "method, body and headers are for HTTP endpoints; left out")
		}
	}
}

// endpointURL sets m.URL from the endpoint's URL (and dns settings) and
// returns the kind of check; ok is false when the endpoint was skipped.
func (r *gatusReader) endpointURL(e gatusEndpoint, m *Monitor, item string) (monitor.Kind, bool) {
	raw := strings.TrimSpace(r.str(e.URL, item+": the URL"))
	if raw == "" {
		r.skip(item, "it has no url")
		return "", false
	}
	if e.DNS != nil {
		server := raw
		if i := strings.Index(server, "://"); i >= 0 {
			server = server[i+3:]
		}
		server = strings.TrimRight(server, "/")
		if e.DNS.QueryName == "" {
			r.skip(item, "its dns settings have no query-name")
			return "", false
		}
		typ := strings.ToUpper(e.DNS.QueryType)
		if typ == "" {
			typ = "A"
		}
		m.URL = "dns://" + server + "/" + strings.TrimSuffix(e.DNS.QueryName, ".") + "?type=" + typ
		return monitor.KindDNS, true
	}
	scheme, _, _ := strings.Cut(raw, "://")
	scheme = strings.ToLower(scheme)
	switch scheme {
	case "http", "https", "tcp", "tls":
	case "icmp":
		// Gatus takes an IPv6 address bare; a URL needs it in brackets.
		if host := strings.TrimRight(raw[len("icmp://"):], "/"); strings.Contains(host, ":") && !strings.HasPrefix(host, "[") {
			raw = "icmp://" + bracketHost(host)
		}
	case "grpc", "grpcs":
		// Gatus asks the health service about the whole server, as
		// upbeat does when the URL names no service.
		raw = strings.TrimRight(raw, "/")
	case "ws", "wss":
	case "starttls":
		// Gatus's STARTTLS check speaks SMTP: upbeat's smtp:// check
		// does the same with starttls = "mandatory".
		hp := strings.TrimRight(raw[len("starttls://"):], "/")
		_, port, err := net.SplitHostPort(hp)
		if err != nil {
			r.skip(item, "its url %q is not starttls://host:port", cleanText(raw))
			return "", false
		}
		if !slices.Contains(smtpPorts, port) {
			r.skip(item, "upbeat checks STARTTLS as part of an SMTP check, and port %s is not an SMTP port (%s); if the server speaks SMTP there, write an smtp:// monitor with starttls = \"mandatory\" by hand", port, strings.Join(smtpPorts, ", "))
			return "", false
		}
		raw = "smtp://" + hp
		m.StartTLS = "mandatory"
	case "udp", "sctp", "ssh":
		r.skip(item, "upbeat has no %s check", strings.ToUpper(scheme))
		return "", false
	default:
		r.skip(item, "its url %q has a scheme upbeat does not check", cleanText(raw))
		return "", false
	}
	kind, _ := monitor.KindOf(strings.ToLower(raw[:strings.Index(raw, "://")]))
	if kind == monitor.KindHTTP {
		if err := r.httpURL(m, item, raw); err != nil {
			r.skip(item, "%v", err)
			return "", false
		}
		return kind, true
	}
	u, err := r.secretURL(monitorBase(item), item, raw, "URL")
	if err != nil {
		r.skip(item, "%v", err)
		return "", false
	}
	m.URL = u
	return kind, true
}

// smtpPorts are the ports SMTP is spoken on with STARTTLS: relay,
// submission, and the usual alternative to both.
var smtpPorts = []string{"25", "587", "2525"}

// headers makes credentials in headers variables, and Gatus's variable
// references upbeat's.
func (r *gatusReader) headers(item string, hs []KV) []KV {
	for i := range hs {
		hs[i].Value = r.str(hs[i].Value, item+": the "+hs[i].Key+" header")
	}
	return r.secretHeaders(monitorBase(item), item, hs)
}

// monitorBase is the part of an item that names variables.
func monitorBase(item string) string {
	_, name, _ := strings.Cut(item, " ")
	return strings.Trim(name, `"`)
}

// client maps the endpoint's client settings: timeout, TLS verification,
// redirects, proxy, OAuth2, a client certificate and the IP version.
func (r *gatusReader) client(c *gatusClient, m *Monitor, kind monitor.Kind, item string) {
	if c == nil {
		return
	}
	if d, err := parseDuration(c.Timeout, time.Millisecond); err != nil {
		r.partial(item, "client timeout: %v", err)
	} else if d > 0 {
		m.Timeout = d
	}
	if c.Insecure {
		switch kind {
		case monitor.KindHTTP, monitor.KindTLS, monitor.KindGRPC, monitor.KindWS, monitor.KindSMTP:
			m.Insecure = true
		}
	}
	if c.IgnoreRedirect && kind == monitor.KindHTTP {
		m.MaxRedirects = intp(0)
	}
	r.clientHTTP(c, m, kind, item)
	r.clientTLS(c.TLS, m, kind, item)
	r.clientNetwork(c.Network, m, kind, item)
	r.clientUnkept(c, item)
}

// clientHTTP maps the client settings upbeat has for http(s) monitors
// only: the proxy and OAuth2.
func (r *gatusReader) clientHTTP(c *gatusClient, m *Monitor, kind monitor.Kind, item string) {
	httpOnly := func(key string) bool {
		if kind != monitor.KindHTTP {
			r.partial(item, "client %s is not kept: upbeat uses it for http and https monitors only", key)
			return false
		}
		return true
	}
	if c.ProxyURL != "" && httpOnly("proxy-url") {
		name := cleanName(m.Name, "monitor")
		if p, err := r.proxyURL(name+" proxy", item, r.str(c.ProxyURL, item+": the proxy URL")); err != nil {
			r.partial(item, "client proxy-url is not kept: %v", err)
		} else {
			m.Proxy = p
		}
	}
	if o := c.OAuth2; o != nil && httpOnly("oauth2") {
		r.oauth2(m, item, r.str(o.TokenURL, item+": the OAuth2 token URL"), r.str(o.ClientID, item+": the OAuth2 client id"), o.ClientSecret, o.Scopes, nil)
		if m.OAuth2 != nil && m.BasicAuth != nil {
			// Gatus's OAuth2 token replaces the URL's user and password.
			m.BasicAuth = nil
			r.partial(item, "the user and password in the URL are not kept: the OAuth2 token replaced them in Gatus, and upbeat sends one Authorization header")
		}
	}
}

// clientTLS maps a client certificate.
func (r *gatusReader) clientTLS(t *gatusTLS, m *Monitor, kind monitor.Kind, item string) {
	if t == nil {
		return
	}
	if kind != monitor.KindHTTP && kind != monitor.KindTLS {
		r.partial(item, "client tls is not kept: upbeat sends client certificates from http, https and tls monitors only")
		return
	}
	r.clientCert(m, item, r.str(t.CertificateFile, item+": the client certificate"), r.str(t.PrivateKeyFile, item+": the client key"))
	if t.Renegotiation != "" && t.Renegotiation != "never" {
		r.partial(item, "client tls renegotiation %q is not kept: upbeat never renegotiates", t.Renegotiation)
	}
}

// clientNetwork maps the IP version. Gatus applies it to pings only;
// upbeat to the connections of http, tcp and tls checks, so the meaning
// shifts and the report says how.
func (r *gatusReader) clientNetwork(network string, m *Monitor, kind monitor.Kind, item string) {
	var v int
	switch network {
	case "", "ip":
		return
	case "ip4":
		v = 4
	case "ip6":
		v = 6
	default:
		r.partial(item, "client network %q is not kept: it is none of ip, ip4 and ip6", network)
		return
	}
	switch kind {
	case monitor.KindHTTP, monitor.KindTCP, monitor.KindTLS:
		m.IPVersion = v
		r.partial(item, "client network %s became ip_version = %d: Gatus applied it to pings only, upbeat applies it to this check's connections", network, v)
	default:
		r.partial(item, "client network %s is not kept: upbeat sets the IP version of http, https, tcp and tls monitors only (for a ping, write the address in the URL)", network)
	}
}

// clientUnkept reports the client settings upbeat has no counterpart for.
func (r *gatusReader) clientUnkept(c *gatusClient, item string) {
	if c.DNSResolver != "" {
		r.partial(item, "client dns-resolver %s is not kept: upbeat asks the system's resolver (resolve = [\"host:port:address\"] pins an address instead)", cleanText(c.DNSResolver))
	}
	if c.IAP != nil {
		r.partial(item, "client identity-aware-proxy is not kept: upbeat has no Google IAP sign-in (an oauth2 client or a header may do)")
	}
	if c.Tunnel != "" {
		r.partial(item, "client tunnel %q is not kept: upbeat has no SSH tunnels; run upbeat where the target can be reached", cleanText(c.Tunnel))
	}
}

// conditionOps are Gatus's operators, in the order Gatus looks for them.
var conditionOps = []string{" == ", " != ", " <= ", " >= ", " < ", " > "}

// gatusCond is one condition, "LEFT OP RIGHT", and its text for messages.
type gatusCond struct{ text, left, op, right string }

// condMapper maps the conditions of one endpoint onto its monitor, and
// gathers what they add up to.
type condMapper struct {
	r    *gatusReader
	m    *Monitor
	kind monitor.Kind
	item string

	codes     []int // the status codes every [STATUS] condition so far lets through
	statusSet bool
	degraded  bool // a condition became something upbeat calls degraded
	domains   []*Monitor
}

// gatusPlaceholders map a condition by its left side; each returns why
// the condition is not mapped, or "" when it is (or when it reported
// itself).
var gatusPlaceholders = map[string]func(cm *condMapper, c gatusCond) string{
	"[STATUS]":                 (*condMapper).status,
	"[RESPONSE_TIME]":          (*condMapper).responseTime,
	"[CERTIFICATE_EXPIRATION]": (*condMapper).certificateExpiration,
	"[DOMAIN_EXPIRATION]":      (*condMapper).domainExpiration,
	"[CONNECTED]": func(_ *condMapper, c gatusCond) string {
		if c.op != "==" || c.right != "true" {
			return "upbeat's checks are down when they cannot connect; other uses of [CONNECTED] do not map"
		}
		return ""
	},
	"[DNS_RCODE]": func(_ *condMapper, c gatusCond) string {
		if c.op != "==" || strings.ToUpper(c.right) != "NOERROR" {
			return "upbeat's DNS check is up when the query is answered (NOERROR); other answer codes do not map"
		}
		return ""
	},
	"[BODY]": func(cm *condMapper, c gatusCond) string {
		cm.r.wholeBody(c.text, c.op, c.right, cm.m, cm.kind, cm.item)
		return ""
	},
}

// conditions maps an endpoint's conditions; it reports whether one of
// them became something upbeat calls degraded rather than down.
func (r *gatusReader) conditions(conds []string, m *Monitor, kind monitor.Kind, item string) (degraded bool, domains []*Monitor) {
	cm := &condMapper{r: r, m: m, kind: kind, item: item, codes: statusRange(200, 599)} // a final answer is never 1xx
	for _, c := range conds {
		left, op, right, ok := splitCondition(c)
		if !ok {
			r.partial(item, "condition %q is not mapped: upbeat cannot read it", c)
			continue
		}
		if why := cm.condition(gatusCond{c, left, op, right}); why != "" {
			r.partial(item, "condition %q is not mapped: %s", c, why)
		}
	}
	if cm.statusSet {
		switch {
		case len(cm.codes) == 0:
			r.partial(item, "the [STATUS] conditions leave no status code; upbeat's default (2xx and 3xx) is used")
		case !isDefaultStatus(cm.codes):
			m.ExpectStatus = cm.codes
		}
	}
	return cm.degraded, cm.domains
}

// condition maps one condition; it returns why it is not mapped, or "".
func (cm *condMapper) condition(c gatusCond) string {
	if f, ok := gatusPlaceholders[c.left]; ok {
		return f(cm, c)
	}
	switch {
	case cm.kind == monitor.KindGRPC && strings.HasPrefix(c.left, "[BODY]"):
		// Gatus's body for gRPC is {"status": "…"} from the health
		// service; upbeat's gRPC check is up on SERVING.
		if c.left != "[BODY].status" || c.op != "==" || c.right != "SERVING" {
			return "upbeat's gRPC check is up when the health service answers SERVING; other conditions on its answer do not map"
		}
		return ""
	case strings.HasPrefix(c.left, "[BODY]") || strings.HasPrefix(c.left, "len([BODY]") || strings.HasPrefix(c.left, "has([BODY]"):
		return cm.jsonBody(c)
	}
	return "upbeat has no such check"
}

// status narrows the status codes the monitor expects.
func (cm *condMapper) status(c gatusCond) string {
	if cm.kind != monitor.KindHTTP {
		return "only HTTP monitors have a status"
	}
	keep, ok := statusFilter(c.op, c.right)
	if !ok {
		return "upbeat cannot read this value"
	}
	cm.codes = slices.DeleteFunc(cm.codes, func(code int) bool { return !keep(code) })
	cm.statusSet = true
	return ""
}

// responseTime becomes max_latency; slower is degraded in upbeat, where
// it failed the check in Gatus.
func (cm *condMapper) responseTime(c gatusCond) string {
	n, err := strconv.ParseFloat(c.right, 64)
	if err != nil || (c.op != "<" && c.op != "<=") {
		return "upbeat has a maximum latency only ([RESPONSE_TIME] < N)"
	}
	cm.m.MaxLatency = time.Duration(n * float64(time.Millisecond))
	cm.m.Comments = append(cm.m.Comments, "max_latency: slower is degraded in upbeat (in Gatus it failed the check)")
	cm.r.partial(cm.item, "condition %q became max_latency: slower is degraded, not down", c.text)
	cm.degraded = true
	return ""
}

// expiryWhy is why an expiry condition upbeat cannot read is not mapped.
const expiryWhy = "upbeat warns when fewer than N days are left ([…_EXPIRATION] > 720h)"

// certificateExpiration becomes cert_warn_days, on a check that sees a
// certificate; closer to expiry is degraded in upbeat.
func (cm *condMapper) certificateExpiration(c gatusCond) string {
	days, ok := expiryDays(c.op, c.right)
	if !ok {
		return expiryWhy
	}
	if !speaksTLS(cm.m) {
		return "the check does not speak TLS, so it sees no certificate"
	}
	cm.m.CertWarnDays = intp(days)
	cm.m.Comments = append(cm.m.Comments, "cert_warn_days: a certificate closer to expiry is degraded in upbeat (in Gatus it failed the check)")
	cm.r.partial(cm.item, "condition %q became cert_warn_days = %d: closer to expiry is degraded, not down", c.text, days)
	cm.degraded = true
	return ""
}

// domainExpiration becomes a domain monitor of its own.
func (cm *condMapper) domainExpiration(c gatusCond) string {
	days, ok := expiryDays(c.op, c.right)
	if !ok {
		return expiryWhy
	}
	if d := cm.r.domainMonitor(cm.m, days, cm.item); d != nil {
		cm.domains = append(cm.domains, d)
	}
	return ""
}

// jsonBody becomes a jq expression on the JSON body.
func (cm *condMapper) jsonBody(c gatusCond) string {
	if cm.kind != monitor.KindHTTP && cm.kind != monitor.KindWS {
		return "only HTTP and WebSocket monitors have a JSON body"
	}
	expr, ok := bodyCondition(c.left, c.op, c.right)
	if !ok {
		return "no jq expression could be made of it"
	}
	cm.m.ExpectJSON = append(cm.m.ExpectJSON, expr)
	return ""
}

// speaksTLS reports whether m's check makes a TLS connection, and so
// sees a certificate.
func speaksTLS(m *Monitor) bool {
	for _, p := range []string{"https://", "tls://", "grpcs://", "wss://", "smtps://"} {
		if strings.HasPrefix(m.URL, p) {
			return true
		}
	}
	return strings.HasPrefix(m.URL, "smtp://") && m.StartTLS == "mandatory"
}

// splitCondition splits "LEFT OP RIGHT".
func splitCondition(c string) (left, op, right string, ok bool) {
	for _, o := range conditionOps {
		if l, rr, found := strings.Cut(c, o); found {
			return strings.TrimSpace(l), strings.TrimSpace(o), strings.TrimSpace(rr), true
		}
	}
	return "", "", "", false
}

// statusFilter returns which codes a [STATUS] condition lets through.
func statusFilter(op, right string) (func(int) bool, bool) {
	if inner, ok := fn(right, "any("); ok && (op == "==" || op == "!=") {
		var set []int
		for _, p := range strings.Split(inner, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(p))
			if err != nil {
				return nil, false
			}
			set = append(set, n)
		}
		return func(c int) bool { return slices.Contains(set, c) == (op == "==") }, true
	}
	if inner, ok := fn(right, "pat("); ok && (op == "==" || op == "!=") {
		re, err := regexp.Compile(globRegexp(inner))
		if err != nil {
			return nil, false
		}
		return func(c int) bool { return re.MatchString(strconv.Itoa(c)) == (op == "==") }, true
	}
	n, err := strconv.Atoi(right)
	if err != nil {
		return nil, false
	}
	switch op {
	case "==":
		return func(c int) bool { return c == n }, true
	case "!=":
		return func(c int) bool { return c != n }, true
	case "<":
		return func(c int) bool { return c < n }, true
	case "<=":
		return func(c int) bool { return c <= n }, true
	case ">":
		return func(c int) bool { return c > n }, true
	case ">=":
		return func(c int) bool { return c >= n }, true
	}
	return nil, false
}

// fn returns the argument of a function call such as pat(…) or any(…).
func fn(s, prefix string) (string, bool) {
	if strings.HasPrefix(s, prefix) && strings.HasSuffix(s, ")") {
		return s[len(prefix) : len(s)-1], true
	}
	return "", false
}

// expiryDays reads "> 48h" (or a number of milliseconds) as whole days,
// rounded up.
func expiryDays(op, right string) (int, bool) {
	if op != ">" && op != ">=" {
		return 0, false
	}
	d, err := parseDuration(right, time.Millisecond)
	if err != nil || d <= 0 {
		return 0, false
	}
	return int(math.Ceil(d.Hours() / 24)), true
}

// wholeBody maps a condition on the whole body: for HTTP, the text it
// must contain (expect_body) or, for what a piece of text cannot say, a
// regular expression (expect_body_regex); for a WebSocket's reply, the
// text only; for DNS, the expected answer.
func (r *gatusReader) wholeBody(c, op, right string, m *Monitor, kind monitor.Kind, item string) {
	bad := func(why string) { r.partial(item, "condition %q is not mapped: %s", c, why) }
	if op != "==" {
		bad("upbeat looks for text in the body, or a DNS answer; it cannot negate or compare them")
		return
	}
	if kind == monitor.KindDNS {
		if strings.ContainsAny(right, "()*") {
			bad("upbeat's DNS check takes one expected value, not a pattern or a list")
			return
		}
		if m.ExpectAnswer != "" {
			bad("upbeat's DNS check takes one expected value")
			return
		}
		m.ExpectAnswer = right
		return
	}
	if kind != monitor.KindHTTP && kind != monitor.KindWS {
		bad("only HTTP, WebSocket and DNS monitors have a body")
		return
	}
	// A pattern *text* is "contains text", which expect_body says exactly.
	inner, isPat := fn(right, "pat(")
	if core := strings.TrimSuffix(strings.TrimPrefix(inner, "*"), "*"); isPat && len(inner) > 2 &&
		strings.HasPrefix(inner, "*") && strings.HasSuffix(inner, "*") && core != "" && !strings.Contains(core, "*") {
		if m.ExpectBody != "" {
			bad("upbeat takes one expected text per monitor")
			return
		}
		m.ExpectBody = core
		return
	}
	if kind == monitor.KindWS {
		bad("upbeat looks for one piece of text in a WebSocket reply, not a whole reply, a pattern or one of several")
		return
	}
	if m.ExpectBodyRegex != "" {
		bad("upbeat takes one regular expression per monitor")
		return
	}
	// Anything else matches the whole body: anchored, across lines.
	var re string
	switch alts, isAny := fn(right, "any("); {
	case isPat:
		re = globRegexp(inner)
	case isAny:
		var parts []string
		for _, a := range strings.Split(alts, ",") {
			parts = append(parts, regexp.QuoteMeta(strings.TrimSpace(a)))
		}
		re = "^(?:" + strings.Join(parts, "|") + ")$"
	default:
		re = "^" + regexp.QuoteMeta(right) + "$"
	}
	m.ExpectBodyRegex = "(?s)" + re
	m.Comments = append(m.Comments, "expect_body_regex: the whole body, as the Gatus condition "+c+" had it")
}

// bodyCondition turns a condition on a JSON path of the body into a jq
// expression.
func bodyCondition(left, op, right string) (string, bool) {
	wrap := ""
	if inner, ok := fn(left, "len("); ok {
		left, wrap = inner, "length"
	} else if inner, ok := fn(left, "has("); ok {
		left, wrap = inner, "has"
	}
	path, ok := jqPath(strings.TrimPrefix(left, "[BODY]"))
	if !ok {
		return "", false
	}
	switch wrap {
	case "length":
		path = "(" + path + " | length)"
	case "has":
		if op != "==" || (right != "true" && right != "false") {
			return "", false
		}
		if right == "true" {
			return path + " != null", true
		}
		return path + " == null", true
	}
	if inner, ok := fn(right, "pat("); ok && (op == "==" || op == "!=") {
		expr := "(" + path + " | tostring | test(" + jqString(globRegexp(inner)) + "))"
		if op == "!=" {
			expr += " | not"
		}
		return expr, true
	}
	if inner, ok := fn(right, "any("); ok && (op == "==" || op == "!=") {
		var alts []string
		for _, v := range strings.Split(inner, ",") {
			alts = append(alts, "$v == "+jqValue(v))
		}
		expr := path + " as $v | (" + strings.Join(alts, " or ") + ")"
		if op == "!=" {
			expr = path + " as $v | (" + strings.Join(alts, " or ") + ") | not"
		}
		return expr, true
	}
	v := jqValue(right)
	if op != "==" && op != "!=" {
		if _, err := strconv.ParseFloat(v, 64); err != nil {
			return "", false
		}
	}
	return path + " " + op + " " + v, true
}

// domainMonitor makes (once per domain) a domain:// monitor for the
// domain of m's host; it returns nil when there is none to add.
func (r *gatusReader) domainMonitor(m *Monitor, days int, item string) *Monitor {
	host := hostOf(m.URL)
	if strings.HasPrefix(m.URL, "dns://") {
		_, rest, _ := strings.Cut(strings.TrimPrefix(m.URL, "dns://"), "/")
		host, _, _ = strings.Cut(rest, "?")
	}
	domain, ok := registrable(host)
	if !ok {
		r.partial(item, "[DOMAIN_EXPIRATION] is not mapped: %q is not a registered domain name", host)
		return nil
	}
	if d, ok := r.domains[domain]; ok {
		d.CertWarnDays = intp(max(*d.CertWarnDays, days))
		return nil
	}
	d := &Monitor{
		Name:         domain + " registration",
		URL:          "domain://" + domain,
		Interval:     12 * time.Hour,
		CertWarnDays: intp(days),
		Tags:         slices.Clone(m.Tags),
		Comments:     []string{fmt.Sprintf("from the [DOMAIN_EXPIRATION] condition of %s; closer to expiry is degraded", item)},
	}
	r.domains[domain] = d
	return d
}

// alerts maps an endpoint's alerts to the alert names it uses and its
// retries: Gatus alerts after failure-threshold failures in a row.
func (r *gatusReader) endpointAlerts(alerts []gatusAlert, m *Monitor, item string, degraded bool) {
	threshold := 0
	for _, a := range alerts {
		p, ok := r.providers[a.Type]
		if !ok {
			r.partial(item, "its %s alert is not mapped: the provider is not configured, or not one upbeat has", a.Type)
			continue
		}
		if p.alert == nil {
			continue // the provider's own note says why
		}
		merged := p.defaults
		if a.Enabled != nil {
			merged.Enabled = a.Enabled
		}
		if a.FailureThreshold > 0 {
			merged.FailureThreshold = a.FailureThreshold
		}
		if a.SendOnResolved != nil {
			merged.SendOnResolved = a.SendOnResolved
		}
		if merged.Enabled != nil && !*merged.Enabled {
			continue
		}
		if !slices.Contains(m.Alerts, p.alert.Name) {
			m.Alerts = append(m.Alerts, p.alert.Name)
		}
		ft := merged.FailureThreshold
		if ft <= 0 {
			ft = gatusFailureThreshold
		}
		threshold = max(threshold, ft)
		p.resolved[merged.SendOnResolved != nil && *merged.SendOnResolved]++
		p.degraded = p.degraded || degraded
	}
	if threshold > 0 {
		m.Retries = intp(threshold - 1)
		m.Comments = append(m.Comments, fmt.Sprintf("retries: Gatus alerted after %s in a row (failure-threshold)", humanize.Count(threshold, "failure", "failures")))
	}
}

// readProviders maps the alerting providers; endpoints refer to them by
// type.
func (r *gatusReader) readProviders(providers map[string]yaml.Node) {
	names := make([]string, 0, len(providers))
	for k := range providers {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, typ := range names {
		node := providers[typ]
		var fields map[string]any
		if err := node.Decode(&fields); err != nil || fields == nil {
			continue
		}
		p := &gatusProvider{resolved: map[bool]int{}, defaults: providerDefaults(fields)}
		r.providers[typ] = p
		item := fmt.Sprintf("alerting provider %q", typ)
		a := &Alert{}
		a.Name = r.alertName(typ, "alert", &a.Comments)
		err := fmt.Errorf("upbeat has no channel for %s", typ)
		if mapper, ok := gatusChannels[typ]; ok {
			err = mapper(r, a, gatusFields{r, fields, item})
		}
		if err != nil {
			r.skip(item, "%v", err)
			delete(r.builder.alerts, a.Name)
			continue
		}
		if _, ok := fields["overrides"]; ok {
			r.partial(item, "its per-group overrides are not kept")
		}
		p.alert = a
		r.cfg.Alerts = append(r.cfg.Alerts, a)
	}
}

// providerDefaults reads a provider's default-alert, which endpoints'
// alerts of its type inherit.
func providerDefaults(fields map[string]any) gatusAlert {
	var defaults gatusAlert
	d, ok := fields["default-alert"].(map[string]any)
	if !ok {
		return defaults
	}
	if n, ok := d["failure-threshold"].(int); ok {
		defaults.FailureThreshold = n
	}
	if b, ok := d["send-on-resolved"].(bool); ok {
		defaults.SendOnResolved = &b
	}
	if b, ok := d["enabled"].(bool); ok {
		defaults.Enabled = &b
	}
	return defaults
}

// gatusFields are a provider's settings, read as text.
type gatusFields struct {
	r      *gatusReader
	fields map[string]any
	item   string
}

// raw reads a setting as it is: for secrets, which the mappers make
// variables of their own.
func (f gatusFields) raw(k string) string { return fmt.Sprint(orEmpty(f.fields[k])) }

// get reads a setting with Gatus's variable references made upbeat's.
func (f gatusFields) get(k string) string { return f.r.str(f.raw(k), f.item) }

// gatusChannels map each of Gatus's alerting providers that upbeat can
// send to onto an alert.
var gatusChannels = map[string]func(r *gatusReader, a *Alert, f gatusFields) error{
	"custom": (*gatusReader).customProvider,
	"email":  (*gatusReader).emailProvider,
	"telegram": func(r *gatusReader, a *Alert, f gatusFields) error {
		return r.telegramAlert(a, f.raw("token"), f.get("id"), f.get("api-url"))
	},
	"slack":   func(r *gatusReader, a *Alert, f gatusFields) error { return r.slackAlert(a, f.raw("webhook-url"), "") },
	"discord": func(r *gatusReader, a *Alert, f gatusFields) error { return r.discordAlert(a, f.raw("webhook-url")) },
	"teams":   func(r *gatusReader, a *Alert, f gatusFields) error { return r.teamsAlert(a, f.raw("webhook-url")) },
	"mattermost": func(r *gatusReader, a *Alert, f gatusFields) error {
		return r.hookAlert(a, "mattermost", "Mattermost", f.raw("webhook-url"), f.get("channel"))
	},
	"rocketchat": func(r *gatusReader, a *Alert, f gatusFields) error {
		return r.hookAlert(a, "rocketchat", "Rocket.Chat", f.raw("webhook-url"), f.get("channel"))
	},
	"googlechat": func(r *gatusReader, a *Alert, f gatusFields) error { return r.googleChatAlert(a, f.raw("webhook-url")) },
	"ntfy": func(r *gatusReader, a *Alert, f gatusFields) error {
		prio, _ := strconv.Atoi(f.raw("priority"))
		return r.ntfyAlert(a, f.get("url"), f.get("topic"), "", "", f.raw("token"), prio)
	},
	"gotify": func(r *gatusReader, a *Alert, f gatusFields) error {
		return r.gotifyAlert(a, f.get("server-url"), f.raw("token"))
	},
	"pushover": func(r *gatusReader, a *Alert, f gatusFields) error {
		return r.pushoverAlert(a, f.raw("application-token"), f.get("user-key"), f.get("device"))
	},
	"matrix": func(r *gatusReader, a *Alert, f gatusFields) error {
		return r.matrixAlert(a, f.get("server-url"), f.raw("access-token"), f.get("internal-room-id"))
	},
	"pagerduty": func(r *gatusReader, a *Alert, f gatusFields) error {
		return r.pagerDutyAlert(a, f.raw("integration-key"))
	},
	"opsgenie": func(r *gatusReader, a *Alert, f gatusFields) error {
		return r.opsgenieAlert(a, f.raw("api-key"), false)
	},
}

// customProvider maps Gatus's custom provider to a webhook, with its
// headers in name order. upbeat posts its own JSON, so a method or body
// template is not kept.
func (r *gatusReader) customProvider(a *Alert, f gatusFields) error {
	var headers []KV
	if h, ok := f.fields["headers"].(map[string]any); ok {
		headers = sortedKV(h)
	}
	if err := r.webhookAlert(a, f.raw("url"), headers); err != nil {
		return err
	}
	if f.raw("body") != "" || f.raw("method") != "" {
		a.Comments = append(a.Comments, "upbeat posts its own JSON (see engine/alert/WEBHOOK.md), not the custom body of Gatus")
		r.partial(f.item, "its method and body template are not kept: upbeat posts its own JSON")
	}
	return nil
}

// emailProvider maps the email provider; its recipients are one
// comma-separated setting.
func (r *gatusReader) emailProvider(a *Alert, f gatusFields) error {
	var to []string
	for _, t := range strings.Split(f.get("to"), ",") {
		if t = strings.TrimSpace(t); t != "" {
			to = append(to, t)
		}
	}
	port, _ := strconv.Atoi(f.raw("port"))
	return r.emailAlert(a, f.get("host"), port, f.get("username"), f.raw("password"), f.get("from"), to, "")
}

// finishProviders decides what each channel is sent for, from what the
// endpoints that use it asked.
func (r *gatusReader) finishProviders() {
	for typ, p := range r.providers {
		if p.alert == nil {
			continue
		}
		on := []string{"down"}
		switch {
		case p.resolved[true] > 0 && p.resolved[false] > 0:
			on = append(on, "up")
			r.partial(fmt.Sprintf("alerting provider %q", typ), "some endpoints asked for resolve messages and some did not; upbeat sends them to all")
		case p.resolved[true] > 0:
			on = append(on, "up")
		}
		if p.degraded {
			on = append(on, "degraded")
			p.alert.Comments = append(p.alert.Comments, "degraded: slow answers and near certificate expiry failed the check in Gatus")
		}
		p.alert.On = on
	}
}

// maintenance maps a maintenance window, for every monitor (monitors
// nil) or for some.
func (r *gatusReader) maintenance(name string, g gatusMaintenance, monitors []string) {
	item := fmt.Sprintf("maintenance %q", name)
	if g.Enabled != nil && !*g.Enabled {
		r.skip(item, "it is disabled in Gatus")
		return
	}
	d, err := parseDuration(g.Duration, time.Second)
	if err != nil || d <= 0 {
		r.skip(item, "its duration %q is not a duration", g.Duration)
		return
	}
	if _, err := time.Parse("15:04", g.Start); err != nil {
		r.skip(item, "its start %q is not a time of day", g.Start)
		return
	}
	w := &Window{Name: name, Monitors: monitors, At: g.Start, Duration: d, Timezone: g.Timezone}
	for _, day := range g.Every {
		day = strings.ToLower(strings.TrimSpace(day))
		if len(day) >= 3 {
			w.Weekdays = append(w.Weekdays, day[:3])
		}
	}
	r.addWindow(w, "maintenance")
}

func (r *gatusReader) external(e gatusExternal) {
	item := fmt.Sprintf("external endpoint %q", cleanText(e.Name))
	if e.Enabled != nil && !*e.Enabled {
		r.skip(item, "it is disabled in Gatus")
		return
	}
	if e.Token == "" {
		r.skip(item, "it has no token")
		return
	}
	m := &Monitor{Name: e.Name}
	if e.Group != "" {
		m.Tags = append(m.Tags, cleanName(e.Group, "group"))
	}
	d, err := parseDuration(e.Heartbeat.Interval, time.Second)
	switch {
	case err != nil || d <= 0:
		m.Interval = time.Hour
		m.Comments = append(m.Comments, "interval: Gatus expected no beat at a set interval; upbeat needs one, so this is a guess: change it")
		r.partial(item, "it had no heartbeat interval; upbeat's push monitor needs one, and 1h was written")
	default:
		m.Interval = d
	}
	m.Comments = append(m.Comments, "Point the job at upbeat's /push/TOKEN; a beat saying failure is not read as down")
	r.add(m, item, "external endpoint")
	m.URL = "push://" + r.secret(m.Name, "PUSH_TOKEN", fmt.Sprintf("monitor %q: the token its job sends (the Gatus external endpoint token)", m.Name), e.Token)
	r.endpointAlerts(e.Alerts, m, item, false)
	for i, w := range e.MaintenanceWindows {
		r.cfg.Found.Maintenance++
		r.maintenance(fmt.Sprintf("%s maintenance %d", m.Name, i+1), w, []string{m.Name})
	}
}

func orEmpty(v any) any {
	if v == nil {
		return ""
	}
	return v
}

// jsonMarshal writes v as compact JSON without escaping HTML.
func jsonMarshal(v any) (string, error) {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	err := enc.Encode(v)
	return strings.TrimSpace(b.String()), err
}
