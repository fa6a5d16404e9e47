package importer

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	_ "modernc.org/sqlite" // a pure-Go SQLite: no cgo, one static binary

	"github.com/upbeat-monitor/upbeat/internal/humanize"
)

// Uptime Kuma keeps everything in one SQLite file (data/kuma.db). Version
// 1 built its schema from a template database and SQL patches; version 2
// adds columns through knex migrations (json_path_operator, conditions,
// ip_family, …) and records them in knex_migrations. Both have the tables
// read here: monitor, notification, monitor_notification, tag,
// monitor_tag, maintenance and monitor_maintenance. Columns are looked up
// by name, so a column that a version lacks reads as empty.

// kumaRow is one row, by column name.
type kumaRow map[string]any

func (r kumaRow) str(col string) string {
	switch v := r[col].(type) {
	case string:
		return v
	case []byte:
		return string(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case time.Time: // the driver reads DATETIME columns as times
		return v.Format("2006-01-02 15:04:05")
	}
	return ""
}

func (r kumaRow) num(col string) float64 {
	switch v := r[col].(type) {
	case int64:
		return float64(v)
	case float64:
		return v
	case bool:
		if v {
			return 1
		}
	case string, []byte:
		f, _ := strconv.ParseFloat(strings.TrimSpace(r.str(col)), 64)
		return f
	}
	return 0
}

func (r kumaRow) int(col string) int { return int(r.num(col)) }

func (r kumaRow) flag(col string) bool {
	if s := strings.ToLower(r.str(col)); s == "true" {
		return true
	}
	return r.num(col) != 0
}

func (r kumaRow) has(col string) bool { _, ok := r[col]; return ok }

// kumaDB reads a Kuma database.
type kumaDB struct {
	db     *sql.DB
	tables map[string]bool
}

func openKuma(path string) (*kumaDB, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if fi.Size() == 0 {
		return nil, ErrEmpty
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	dsn := (&url.URL{Scheme: "file", Path: abs, RawQuery: "mode=ro&_pragma=query_only(1)"}).String()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	k := &kumaDB{db: db, tables: map[string]bool{}}
	rows, err := k.query("SELECT name FROM sqlite_master WHERE type = 'table'")
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("not a readable SQLite database: %v", sqliteError(err))
	}
	for _, r := range rows {
		k.tables[r.str("name")] = true
	}
	if !k.tables["monitor"] {
		db.Close()
		return nil, errors.New("not an Uptime Kuma database: it has no monitor table")
	}
	return k, nil
}

// sqliteError drops the driver's code in parentheses from a message.
func sqliteError(err error) string {
	s := err.Error()
	if i := strings.LastIndex(s, " ("); i > 0 && strings.HasSuffix(s, ")") {
		s = s[:i]
	}
	return s
}

// query runs q and returns its rows by column name.
func (k *kumaDB) query(q string) ([]kumaRow, error) {
	rows, err := k.db.Query(q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	var out []kumaRow
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		r := make(kumaRow, len(cols))
		for i, c := range cols {
			r[c] = vals[i]
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// table reads a whole table, or nothing when the version has no such
// table.
func (k *kumaDB) table(name, order string) ([]kumaRow, error) {
	if !k.tables[name] {
		return nil, nil
	}
	rows, err := k.query(`SELECT * FROM "` + name + `" ORDER BY ` + order)
	if err != nil {
		return nil, fmt.Errorf("read the %s table: %v", name, sqliteError(err))
	}
	return rows, nil
}

// kumaReader maps one Kuma database.
type kumaReader struct {
	*builder
	k         *kumaDB
	byID      map[int64]kumaRow
	names     map[int64]string   // monitor id → name in the config
	tags      map[int64][]string // monitor id → tags
	alerts    map[int64]string   // notification id → alert name
	unmapped  map[int64]string   // notification id → why it is not mapped
	domains   map[string]*Monitor
	proxies   map[int64]kumaRow     // proxy id → its row
	proxyKeys map[int64]proxyResult // proxy id → the proxy key, once made
}

// FromKuma maps the Uptime Kuma database at path.
func FromKuma(path string) (*Config, error) {
	k, err := openKuma(path)
	if err != nil {
		return nil, err
	}
	defer k.db.Close()
	version := "schema v1"
	if k.tables["knex_migrations"] {
		version = "schema v2"
	}
	r := &kumaReader{
		builder:   newBuilder(Kuma, version),
		k:         k,
		byID:      map[int64]kumaRow{},
		names:     map[int64]string{},
		tags:      map[int64][]string{},
		alerts:    map[int64]string{},
		unmapped:  map[int64]string{},
		domains:   map[string]*Monitor{},
		proxies:   map[int64]kumaRow{},
		proxyKeys: map[int64]proxyResult{},
	}
	proxies, err := k.table("proxy", "id")
	if err != nil {
		return nil, err
	}
	for _, p := range proxies {
		r.proxies[id(p, "id")] = p
	}
	monitors, err := k.table("monitor", "id")
	if err != nil {
		return nil, err
	}
	for _, m := range monitors {
		r.byID[id(m, "id")] = m
	}
	if err := r.readNotifications(); err != nil {
		return nil, err
	}
	if err := r.readTags(); err != nil {
		return nil, err
	}
	links, err := k.table("monitor_notification", "id")
	if err != nil {
		return nil, err
	}
	uses := map[int64][]int64{}
	for _, l := range links {
		uses[id(l, "monitor_id")] = append(uses[id(l, "monitor_id")], id(l, "notification_id"))
	}
	r.cfg.Found.Monitors = len(monitors)
	for _, m := range monitors {
		r.monitor(m, uses[id(m, "id")])
	}
	if err := r.readMaintenance(); err != nil {
		return nil, err
	}
	return r.cfg, nil
}

func id(r kumaRow, col string) int64 { return int64(r.num(col)) }

// kumaUnsupported says why each kind of Kuma monitor upbeat cannot check
// is left out.
var kumaUnsupported = map[string]string{
	"docker":         "upbeat has no Docker container check",
	"gamedig":        "upbeat has no game server check",
	"steam":          "upbeat has no Steam game server check",
	"mqtt":           "upbeat has no MQTT check",
	"kafka-producer": "upbeat has no Kafka check",
	"radius":         "upbeat has no RADIUS check",
	"sqlserver":      "upbeat has no SQL Server check",
	"mongodb":        "upbeat has no MongoDB check",
	"oracledb":       "upbeat has no Oracle Database check",
	"tailscale-ping": "upbeat has no Tailscale check; an icmp:// monitor on the node's address may do",
	"snmp":           "upbeat has no SNMP check",
	"rabbitmq":       "upbeat has no RabbitMQ check",
	"sip-options":    "upbeat has no SIP check",
	"ntp":            "upbeat has no NTP check",
	"manual":         "a manual monitor is set by hand, not checked",
	"globalping":     "upbeat checks from where it runs; Globalping probes from elsewhere",
	"system-service": "upbeat has no system service check",
	"pm2":            "upbeat has no PM2 process check",
}

func (r *kumaReader) monitor(row kumaRow, notifications []int64) {
	typ := row.str("type")
	item := fmt.Sprintf("monitor %q (%s)", cleanText(row.str("name")), typ)
	if typ == "group" {
		r.skip(item, "a group is not a check; the monitors in it have its name as a tag")
		return
	}
	if why, ok := kumaUnsupported[typ]; ok {
		r.skip(item, "%s", why)
		return
	}
	if !row.flag("active") && row.has("active") {
		r.skip(item, "it is paused in Uptime Kuma")
		return
	}
	if row.flag("upside_down") {
		r.skip(item, "upside-down mode (up when the check fails) has no equivalent in upbeat")
		return
	}
	m := &Monitor{Name: row.str("name")}
	if d := strings.TrimSpace(row.str("description")); d != "" {
		m.Comments = append(m.Comments, d)
	}
	var ok bool
	switch typ {
	case "http", "keyword", "json-query", "real-browser":
		ok = r.httpMonitor(row, m, item)
	case "port":
		ok = r.hostMonitor(row, m, item, "tcp")
	case "ping":
		ok = r.hostMonitor(row, m, item, "icmp")
	case "dns":
		ok = r.dnsMonitor(row, m, item)
	case "push":
		ok = r.pushMonitor(row, m, item)
	case "grpc-keyword":
		ok = r.grpcMonitor(row, m, item)
	case "postgres", "mysql", "redis":
		ok = r.databaseMonitor(row, m, item, typ)
	case "smtp":
		ok = r.smtpMonitor(row, m, item)
	case "websocket-upgrade":
		ok = r.wsMonitor(row, m, item)
	default:
		r.skip(item, "upbeat does not know this kind of Uptime Kuma monitor")
		return
	}
	if !ok {
		return
	}
	r.schedule(row, m, item)
	m.Tags = append(m.Tags, r.groupTags(row)...)
	m.Tags = appendUnique(m.Tags, r.tags[id(row, "id")]...)
	for _, n := range notifications {
		if name, ok := r.alerts[n]; ok {
			m.Alerts = append(m.Alerts, name)
		} else if why, ok := r.unmapped[n]; ok {
			r.partial(item, "its notification is not mapped (%s)", why)
		}
	}
	if row.num("resend_interval") > 0 {
		r.partial(item, "resend every %s is not kept; set renotify on the alert instead", humanize.Count(int(row.int("resend_interval")), "check", "checks"))
	}
	r.add(m, item, fmt.Sprintf("monitor-%d", id(row, "id")))
	r.names[id(row, "id")] = m.Name
	if typ == "http" || typ == "keyword" || typ == "json-query" {
		r.domainMonitor(row, m)
	}
}

// schedule sets the interval, timeout and retries.
func (r *kumaReader) schedule(row kumaRow, m *Monitor, item string) {
	if s := row.num("interval"); s > 0 {
		m.Interval = time.Duration(s * float64(time.Second))
	}
	if s := row.num("timeout"); s > 0 && m.URL != "" && !strings.HasPrefix(m.URL, "push://") {
		m.Timeout = time.Duration(s * float64(time.Second)).Round(time.Millisecond)
	}
	m.Retries = intp(row.int("maxretries"))
	if s := row.num("retry_interval"); s > 0 && *m.Retries > 0 {
		m.RetryInterval = time.Duration(s * float64(time.Second))
	}
}

func (r *kumaReader) httpMonitor(row kumaRow, m *Monitor, item string) bool {
	typ := row.str("type")
	if err := r.httpURL(m, item, row.str("url")); err != nil {
		r.skip(item, "%v", err)
		return false
	}
	if typ == "real-browser" {
		m.Comments = append(m.Comments, "Uptime Kuma loaded this page in a browser; upbeat checks the HTTP answer")
		r.partial(item, "checked as a plain HTTP request, not in a browser")
	}
	m.Method = strings.ToUpper(row.str("method"))
	m.Body = row.str("body")
	r.headers(row, m, item)
	if ct := kumaContentType(row.str("http_body_encoding")); ct != "" && strings.TrimSpace(m.Body) != "" && !hasHeader(m.Headers, "Content-Type") {
		m.Headers = append(m.Headers, KV{"Content-Type", ct})
	}
	r.auth(row, m, item, false)
	r.proxy(row, m, item)
	m.IPVersion = kumaIPVersion(row.str("ip_family"))
	if row.flag("cache_bust") {
		r.partial(item, "the random query parameter Uptime Kuma added to defeat caches is not kept")
	}
	codes, bad := kumaStatusCodes(row.str("accepted_statuscodes_json"))
	for _, b := range bad {
		r.partial(item, "accepted status %q is not a code or range; left out", b)
	}
	if len(codes) > 0 && !isDefaultStatus(codes) {
		m.ExpectStatus = codes
	}
	if row.has("maxredirects") && row.int("maxredirects") != 10 {
		m.MaxRedirects = intp(row.int("maxredirects"))
	}
	m.Insecure = row.flag("ignore_tls")
	switch typ {
	case "keyword":
		kw := row.str("keyword")
		if row.flag("invert_keyword") {
			r.partial(item, "the keyword check is inverted (down when %q is found); upbeat cannot invert it, so it was left out", kw)
		} else if kw != "" {
			m.ExpectBody = kw
		}
	case "json-query":
		expr, err := kumaJSONQuery(row.str("json_path"), row.str("json_path_operator"), row.str("expected_value"))
		if err != nil {
			r.partial(item, "its JSON query is not mapped: %v", err)
		} else {
			m.ExpectJSON = append(m.ExpectJSON, expr)
			m.Comments = append(m.Comments, "expect_json from the JSON query "+row.str("json_path"))
		}
	}
	return true
}

// headers reads a monitor's extra request headers (a JSON object).
func (r *kumaReader) headers(row kumaRow, m *Monitor, item string) {
	h := strings.TrimSpace(row.str("headers"))
	if h == "" {
		return
	}
	var hs map[string]any
	if err := json.Unmarshal([]byte(h), &hs); err != nil {
		r.partial(item, "its headers are not JSON; left out")
		return
	}
	keys := make([]string, 0, len(hs))
	for k := range hs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var kv []KV
	for _, k := range keys {
		kv = append(kv, KV{k, fmt.Sprint(hs[k])})
	}
	m.Headers = r.secretHeaders(cleanName(m.Name, "monitor"), item, kv)
}

// hasHeader reports whether hs has a header called name, in any case.
func hasHeader(hs []KV, name string) bool {
	return slices.ContainsFunc(hs, func(h KV) bool { return strings.EqualFold(h.Key, name) })
}

// kumaContentType is the Content-Type Kuma sends with a body of the
// given encoding (json when none is said).
func kumaContentType(enc string) string {
	switch enc {
	case "", "json":
		return "application/json"
	case "form":
		return "application/x-www-form-urlencoded"
	case "xml":
		return "text/xml; charset=utf-8"
	}
	return ""
}

// kumaIPVersion reads ip_family ("ipv4", "ipv6", or empty for either).
func kumaIPVersion(family string) int {
	switch strings.ToLower(family) {
	case "ipv4":
		return 4
	case "ipv6":
		return 6
	}
	return 0
}

// auth maps how the monitor authenticates: basic, bearer and OAuth2
// client credentials (http only; a WebSocket gets an Authorization
// header); mTLS and NTLM are noted. The source's own Authorization
// header, when it has one, wins, as it does in Kuma.
func (r *kumaReader) auth(row kumaRow, m *Monitor, item string, ws bool) {
	method := row.str("auth_method")
	if method == "" && row.str("basic_auth_user") != "" {
		method = "basic" // rows from before Kuma had auth_method
	}
	name := cleanName(m.Name, "monitor")
	header := func(value string) {
		if !hasHeader(m.Headers, "Authorization") {
			m.Headers = append(m.Headers, KV{"Authorization", value})
		}
	}
	switch method {
	case "":
	case "basic":
		user := row.str("basic_auth_user")
		switch {
		case !ws:
			r.basicAuth(m, item, user, row.str("basic_auth_pass"))
		case user != "" || row.str("basic_auth_pass") != "":
			header("Basic " + r.secret(name, "BASIC_AUTH", fmt.Sprintf("monitor %q: %s:PASSWORD in base64, as basic auth sends it", name, user), ""))
		}
	case "bearer":
		if tok := row.str("bearer_token"); tok != "" {
			header("Bearer " + r.secret(name, "BEARER_TOKEN", fmt.Sprintf("monitor %q: the bearer token", name), tok))
		}
	case "oauth2-cc":
		if ws {
			r.partial(item, "its OAuth2 client credentials are not kept: upbeat's WebSocket check takes headers only")
			return
		}
		var params []KV
		if a := strings.TrimSpace(row.str("oauth_audience")); a != "" {
			params = append(params, KV{"audience", a})
		}
		r.oauth2(m, item, strings.TrimSpace(row.str("oauth_token_url")), strings.TrimSpace(row.str("oauth_client_id")),
			row.str("oauth_client_secret"), strings.FieldsFunc(row.str("oauth_scopes"), func(c rune) bool { return c == ' ' || c == ',' }), params)
	case "mtls":
		if ws {
			r.partial(item, "its client certificate (mTLS) is not kept: upbeat's WebSocket check sends none")
			return
		}
		ca := ""
		if row.str("tls_ca") != "" {
			ca = ", and tls_ca as the file ca_file names"
		}
		r.partial(item, "its client certificate (mTLS) is kept inside the Uptime Kuma database, not in files: save tls_cert and tls_key as PEM files and set client_cert and client_key%s", ca)
	case "ntlm":
		r.partial(item, "upbeat has no NTLM authentication; left out")
	default:
		r.partial(item, "its %s authentication is not kept", method)
	}
}

// proxyResult is a Kuma proxy made into upbeat's proxy key, or why not.
type proxyResult struct {
	url string
	err error
}

// proxy sets the proxy an http monitor uses. Kuma keeps proxies in their
// own table, shared by monitors: each is mapped once, with one variable
// for its password.
func (r *kumaReader) proxy(row kumaRow, m *Monitor, item string) {
	pid := id(row, "proxy_id")
	if pid == 0 {
		return
	}
	res, done := r.proxyKeys[pid]
	if !done {
		res = r.mapProxy(pid)
		r.proxyKeys[pid] = res
	}
	switch {
	case res.err != nil:
		r.partial(item, "its proxy is not kept: %v", res.err)
	case res.url != "":
		m.Proxy = res.url
	}
}

func (r *kumaReader) mapProxy(pid int64) proxyResult {
	p, ok := r.proxies[pid]
	switch {
	case !ok:
		return proxyResult{err: fmt.Errorf("proxy %d is not in the database", pid)}
	case p.has("active") && !p.flag("active"):
		return proxyResult{} // Kuma connects directly when the proxy is off
	}
	host, port := strings.TrimSpace(p.str("host")), p.int("port")
	if host == "" || port <= 0 || port > 65535 {
		return proxyResult{err: fmt.Errorf("proxy %d has no host or port", pid)}
	}
	u := &url.URL{Scheme: strings.ToLower(p.str("protocol")), Host: hostPort(host, port)}
	if p.flag("auth") && p.str("username") != "" {
		u.User = url.UserPassword(p.str("username"), p.str("password"))
		if p.str("password") == "" {
			u.User = url.User(p.str("username"))
		}
	}
	s, err := r.proxyURL(host, "Uptime Kuma proxy "+u.Host, u.String())
	return proxyResult{url: s, err: err}
}

// kumaStatusCodes reads accepted_statuscodes_json, e.g. ["200-299","404"].
func kumaStatusCodes(s string) (codes []int, bad []string) {
	var list []string
	if json.Unmarshal([]byte(s), &list) != nil {
		return nil, nil
	}
	for _, e := range list {
		lo, hi, isRange := strings.Cut(e, "-")
		a, err1 := strconv.Atoi(strings.TrimSpace(lo))
		b := a
		var err2 error
		if isRange {
			b, err2 = strconv.Atoi(strings.TrimSpace(hi))
		}
		if err1 != nil || err2 != nil {
			bad = append(bad, e)
			continue
		}
		if isRange {
			codes = addCodes(codes, statusRange(a, b)...)
		} else if a >= 100 && a <= 599 {
			codes = addCodes(codes, a)
		}
	}
	return codes, bad
}

// kumaJSONQuery turns a json-query monitor's query into a jq expression.
// Kuma compares the query's result as text (== and != and contains) or
// as numbers (< <= > >=); version 1 has no operator and means ==.
func kumaJSONQuery(path, op, expected string) (string, error) {
	p, ok := jqPath(path)
	if !ok {
		return "", fmt.Errorf("%q is a JSONata expression, not a plain path", path)
	}
	str := "(" + p + " | tostring)"
	switch op {
	case "", "==":
		return str + " == " + jqString(expected), nil
	case "!=":
		return str + " != " + jqString(expected), nil
	case "contains":
		return str + " | contains(" + jqString(expected) + ")", nil
	case "<", "<=", ">", ">=":
		if _, err := strconv.ParseFloat(strings.TrimSpace(expected), 64); err != nil {
			return "", fmt.Errorf("%q is not a number to compare with", expected)
		}
		return "(" + p + " | tonumber) " + op + " " + strings.TrimSpace(expected), nil
	}
	return "", fmt.Errorf("unknown operator %q", op)
}

// hostMonitor makes tcp://host:port (port) or icmp://host (ping).
func (r *kumaReader) hostMonitor(row kumaRow, m *Monitor, item, scheme string) bool {
	host := strings.TrimSpace(row.str("hostname"))
	if host == "" {
		r.skip(item, "it has no hostname")
		return false
	}
	if scheme == "tcp" {
		port := row.int("port")
		if port <= 0 || port > 65535 {
			r.skip(item, "it has no port")
			return false
		}
		m.URL = "tcp://" + hostPort(host, port)
		return true
	}
	m.URL = "icmp://" + bracketHost(host)
	return true
}

func (r *kumaReader) dnsMonitor(row kumaRow, m *Monitor, item string) bool {
	name := strings.TrimSpace(row.str("hostname"))
	if name == "" {
		r.skip(item, "it has no hostname to look up")
		return false
	}
	server := strings.TrimSpace(row.str("dns_resolve_server"))
	if server == "" {
		server = "1.1.1.1"
	}
	if i := strings.IndexAny(server, ",; "); i > 0 {
		r.partial(item, "it asked several resolvers; upbeat asks the first, %s", server[:i])
		server = server[:i]
	}
	if p := row.int("port"); p > 0 && p != 53 {
		server = hostPort(server, p)
	} else {
		server = bracketHost(server)
	}
	typ := strings.ToUpper(row.str("dns_resolve_type"))
	if typ == "" {
		typ = "A"
	}
	m.URL = "dns://" + server + "/" + strings.TrimSuffix(name, ".") + "?type=" + typ
	if c := strings.TrimSpace(row.str("conditions")); c != "" && c != "[]" {
		r.dnsConditions(c, m, item)
	}
	return true
}

// kumaCondition is one of a version 2 monitor's conditions.
type kumaCondition struct {
	Type     string          `json:"type"`
	Variable string          `json:"variable"`
	Operator string          `json:"operator"`
	Value    string          `json:"value"`
	AndOr    string          `json:"andOr"`
	Children []kumaCondition `json:"children"`
}

// dnsConditions maps a DNS monitor's conditions: "record contains X" or
// "record equals X" is an expected answer; nothing else maps.
func (r *kumaReader) dnsConditions(raw string, m *Monitor, item string) {
	var conds []kumaCondition
	if err := json.Unmarshal([]byte(raw), &conds); err != nil {
		r.partial(item, "its conditions are not JSON; left out")
		return
	}
	for _, c := range conds {
		desc := strings.TrimSpace(fmt.Sprintf("%s %s %s", c.Variable, c.Operator, c.Value))
		switch {
		case c.Type != "expression" || c.AndOr == "or":
			r.partial(item, "condition group or 'or' is not mapped: upbeat takes one expected answer")
		case c.Variable == "record" && (c.Operator == "contains" || c.Operator == "equals") && m.ExpectAnswer == "":
			m.ExpectAnswer = c.Value
		default:
			r.partial(item, "condition %q is not mapped: upbeat's DNS check takes one expected answer", desc)
		}
	}
}

func (r *kumaReader) pushMonitor(row kumaRow, m *Monitor, item string) bool {
	tok := row.str("push_token")
	if tok == "" {
		r.skip(item, "it has no push token")
		return false
	}
	m.URL = "push://" + r.secret(cleanName(m.Name, "push"), "PUSH_TOKEN", fmt.Sprintf("monitor %q: the push token its job sends", cleanName(m.Name, "push")), tok)
	m.Comments = append(m.Comments, "Point the job at upbeat's /push/TOKEN instead of Uptime Kuma's /api/push/TOKEN; status=down is not read")
	return true
}

// grpcMonitor maps a gRPC call whose answer must hold a keyword. upbeat's
// gRPC check asks the standard health service (grpc.health.v1.Health)
// instead: a Kuma monitor calling that service's Check for "SERVING" maps
// exactly; any other call becomes a health check of the whole server.
func (r *kumaReader) grpcMonitor(row kumaRow, m *Monitor, item string) bool {
	target := strings.TrimSpace(row.str("grpc_url"))
	scheme := "grpc"
	if row.flag("grpc_enable_tls") {
		scheme = "grpcs"
	}
	if s, rest, ok := strings.Cut(target, "://"); ok {
		if s == "grpcs" || s == "https" {
			scheme = "grpcs"
		}
		target = rest
	}
	target = strings.Trim(target, "/")
	if target == "" {
		r.skip(item, "it has no gRPC address")
		return false
	}
	svc, method, kw := row.str("grpc_service_name"), row.str("grpc_method"), row.str("keyword")
	health := (svc == "Health" || strings.HasSuffix(svc, ".Health")) && strings.EqualFold(method, "check")
	asked := ""
	if health {
		var body struct {
			Service string `json:"service"`
		}
		json.Unmarshal([]byte(row.str("grpc_body")), &body)
		asked = strings.Trim(body.Service, "/")
	}
	m.URL = scheme + "://" + target
	if asked != "" {
		m.URL += "/" + asked
	}
	m.Insecure = row.flag("ignore_tls") && scheme == "grpcs"
	switch {
	case !health:
		r.partial(item, "upbeat does not call %s.%s: it asks the server's standard gRPC health service about the whole server, which the server must offer; the keyword %q is not checked", svc, method, kw)
	case row.flag("invert_keyword"):
		r.partial(item, "the keyword check is inverted (down when %q is found); upbeat's gRPC check is up when the service answers SERVING", kw)
	case kw != "SERVING":
		r.partial(item, "the keyword %q is not checked: upbeat's gRPC check is up when the service answers SERVING", kw)
	}
	if md := strings.TrimSpace(row.str("grpc_metadata")); md != "" && md != "{}" {
		r.partial(item, "its gRPC metadata is not sent: upbeat's gRPC check sends none")
	}
	return true
}

// databaseMonitor maps postgres, mysql and redis: the connection string
// without its password becomes the URL, the password a variable, and the
// query (postgres and mysql) and its expected value (mysql's conditions,
// version 2) carry over.
func (r *kumaReader) databaseMonitor(row kumaRow, m *Monitor, item, typ string) bool {
	u, err := url.Parse(strings.TrimSpace(row.str("database_connection_string")))
	if err != nil || u.Host == "" {
		r.skip(item, "its connection string is not a URL such as %s://user@host/database", typ)
		return false
	}
	password := ""
	if u.User != nil {
		password, _ = u.User.Password()
		u.User = url.User(u.User.Username())
		if u.User.Username() == "" {
			u.User = nil
		}
	}
	switch typ {
	case "postgres":
		u.Scheme = "postgres"
		r.postgresSSL(u, item)
	case "mysql":
		u.Scheme = "mysql"
		if p := row.str("radius_password"); p != "" {
			password = p // Kuma's separate password field wins over the URL's
		}
	case "redis":
		if u.Scheme != "rediss" {
			u.Scheme = "redis"
		}
		m.Insecure = u.Scheme == "rediss" && row.flag("ignore_tls")
	}
	name := cleanName(m.Name, "monitor")
	s, err := r.secretURL(name, item, u.String(), "connection string")
	if err != nil {
		r.skip(item, "%v", err)
		return false
	}
	m.URL = s
	if password != "" {
		m.Password = r.secret(name, "PASSWORD", fmt.Sprintf("monitor %q: the database password", name), password)
	}
	if typ != "redis" {
		m.Query = strings.TrimSpace(row.str("database_query"))
	}
	if c := strings.TrimSpace(row.str("conditions")); typ == "mysql" && c != "" && c != "[]" {
		r.resultConditions(c, m, item)
	}
	return true
}

// postgresSSL turns the TLS parameters of node-postgres's connection
// strings into libpq's sslmode, which upbeat reads.
func (r *kumaReader) postgresSSL(u *url.URL, item string) {
	q := u.Query()
	changed := false
	if v, ok := q["ssl"]; ok {
		switch strings.ToLower(v[0]) {
		case "true", "1":
			q.Set("sslmode", "verify-full") // node-postgres verifies the certificate and the name
		case "false", "0":
			q.Set("sslmode", "disable")
		}
		q.Del("ssl")
		changed = true
	}
	if q.Get("sslmode") == "no-verify" {
		q.Set("sslmode", "require")
		changed = true
	}
	if changed {
		u.RawQuery = q.Encode()
	}
}

// resultConditions maps a database monitor's conditions on its result:
// "result equals X" is expect_value; nothing else maps.
func (r *kumaReader) resultConditions(raw string, m *Monitor, item string) {
	var conds []kumaCondition
	if err := json.Unmarshal([]byte(raw), &conds); err != nil {
		r.partial(item, "its conditions are not JSON; left out")
		return
	}
	for _, c := range conds {
		desc := strings.TrimSpace(fmt.Sprintf("%s %s %s", c.Variable, c.Operator, c.Value))
		switch {
		case c.Type != "expression" || c.AndOr == "or":
			r.partial(item, "condition group or 'or' is not mapped: upbeat takes one expected value")
		case c.Variable == "result" && c.Operator == "equals" && m.ExpectValue == "":
			m.ExpectValue = c.Value
		default:
			r.partial(item, "condition %q is not mapped: upbeat compares the result with one expected value (expect_value)", desc)
		}
	}
}

// smtpMonitor maps an SMTP server check and how it uses TLS.
func (r *kumaReader) smtpMonitor(row kumaRow, m *Monitor, item string) bool {
	host := strings.TrimSpace(row.str("hostname"))
	if host == "" {
		r.skip(item, "it has no hostname")
		return false
	}
	port := row.int("port")
	if port <= 0 || port > 65535 {
		port = 25 // as Kuma does
	}
	m.URL = "smtp://" + hostPort(host, port)
	switch row.str("smtp_security") {
	case "secure":
		m.URL = "smtps://" + hostPort(host, port)
	case "starttls":
		m.StartTLS = "mandatory"
	case "nostarttls":
		m.StartTLS = "none"
	}
	return true
}

// wsMonitor maps a WebSocket upgrade: the handshake, with the monitor's
// headers and authentication.
func (r *kumaReader) wsMonitor(row kumaRow, m *Monitor, item string) bool {
	s, err := r.secretURL(cleanName(m.Name, "monitor"), item, row.str("url"), "URL")
	if err != nil {
		r.skip(item, "%v", err)
		return false
	}
	if !strings.HasPrefix(s, "ws://") && !strings.HasPrefix(s, "wss://") {
		r.skip(item, "its URL is not ws:// or wss://")
		return false
	}
	m.URL = s
	r.headers(row, m, item)
	r.auth(row, m, item, true)
	m.Insecure = strings.HasPrefix(s, "wss://") && row.flag("ignore_tls")
	if codes := row.str("accepted_statuscodes_json"); codes != "" {
		var list []string
		json.Unmarshal([]byte(codes), &list)
		if len(list) > 0 && !slices.Equal(list, []string{"1000"}) {
			r.partial(item, "the accepted close codes %s are not kept: upbeat's WebSocket check is up when the handshake succeeds", strings.Join(list, ", "))
		}
	}
	if p := strings.TrimSpace(row.str("ws_subprotocol")); p != "" {
		r.partial(item, "the subprotocol %q is not asked for: upbeat's WebSocket check names none", p)
	}
	if row.flag("ws_ignore_sec_websocket_accept_header") {
		r.partial(item, "upbeat always checks the server's Sec-WebSocket-Accept header; Uptime Kuma was told to ignore it")
	}
	return true
}

// groupTags names the groups a monitor is in, innermost first.
func (r *kumaReader) groupTags(row kumaRow) []string {
	var tags []string
	seen := map[int64]bool{}
	for p := id(row, "parent"); p != 0 && !seen[p]; {
		seen[p] = true
		g, ok := r.byID[p]
		if !ok {
			break
		}
		tags = appendUnique(tags, cleanName(g.str("name"), fmt.Sprintf("group-%d", p)))
		p = id(g, "parent")
	}
	return tags
}

// readTags reads tags: "name", or "name:value" when the monitor gave it
// a value.
func (r *kumaReader) readTags() error {
	if !r.k.tables["tag"] || !r.k.tables["monitor_tag"] {
		return nil
	}
	rows, err := r.k.query(`SELECT mt.monitor_id AS monitor_id, t.name AS name, mt.value AS value
		FROM monitor_tag mt JOIN tag t ON t.id = mt.tag_id ORDER BY mt.id`)
	if err != nil {
		return fmt.Errorf("read the tags: %v", sqliteError(err))
	}
	for _, t := range rows {
		tag := cleanName(t.str("name"), "tag")
		if v := cleanName(t.str("value"), ""); v != "" {
			tag += ":" + v
		}
		mid := id(t, "monitor_id")
		r.tags[mid] = appendUnique(r.tags[mid], tag)
	}
	return nil
}

func appendUnique(list []string, vs ...string) []string {
	for _, v := range vs {
		found := false
		for _, e := range list {
			if e == v {
				found = true
				break
			}
		}
		if !found {
			list = append(list, v)
		}
	}
	return list
}

// domainMonitor adds a domain:// monitor for an HTTP monitor whose
// domain expiry Kuma watched (version 2), once per domain.
func (r *kumaReader) domainMonitor(row kumaRow, m *Monitor) {
	if !row.flag("domain_expiry_notification") {
		return
	}
	domain, ok := registrable(hostOf(m.URL))
	if !ok {
		return
	}
	if d, ok := r.domains[domain]; ok {
		d.Alerts = appendUnique(d.Alerts, m.Alerts...)
		return
	}
	d := &Monitor{
		Name:     domain + " registration",
		URL:      "domain://" + domain,
		Interval: 12 * time.Hour,
		Tags:     m.Tags,
		Alerts:   m.Alerts,
		Comments: []string{fmt.Sprintf("Uptime Kuma watched the domain expiry of monitor %q", m.Name)},
	}
	r.domains[domain] = d
	r.add(d, fmt.Sprintf("monitor %q (domain expiry)", m.Name), domain)
}

// readNotifications maps the notification channels.
func (r *kumaReader) readNotifications() error {
	rows, err := r.k.table("notification", "id")
	if err != nil {
		return err
	}
	r.cfg.Found.Alerts = len(rows)
	for _, row := range rows {
		nid := id(row, "id")
		var c map[string]any
		if err := json.Unmarshal([]byte(row.str("config")), &c); err != nil {
			c = map[string]any{}
		}
		typ, _ := c["type"].(string)
		item := fmt.Sprintf("notification %q (%s)", cleanText(row.str("name")), typ)
		if row.has("active") && !row.flag("active") {
			r.unmapped[nid] = "it is turned off in Uptime Kuma"
			r.skip(item, "it is turned off in Uptime Kuma")
			continue
		}
		a := &Alert{}
		a.Name = r.alertName(row.str("name"), fmt.Sprintf("notification-%d", nid), &a.Comments)
		if err := r.notification(a, typ, c); err != nil {
			delete(r.builder.alerts, a.Name)
			why := fmt.Sprintf("%s: %v", typ, err)
			r.unmapped[nid] = why
			r.skip(item, "%v", err)
			continue
		}
		r.alerts[nid] = a.Name
		r.cfg.Alerts = append(r.cfg.Alerts, a)
	}
	return nil
}

// kumaConfig reads a field of a channel's config as text, whatever JSON
// type Kuma stored it as (ports and flags are numbers or strings,
// depending on the version and the form that saved them).
type kumaConfig map[string]any

func (c kumaConfig) s(k string) string {
	switch v := c[k].(type) {
	case string:
		return strings.TrimSpace(v)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	}
	return ""
}

func (c kumaConfig) n(k string) int { i, _ := strconv.Atoi(c.s(k)); return i }

// kumaChannels map each of Kuma's notification types that upbeat can
// send to onto an alert.
var kumaChannels = map[string]func(r *kumaReader, a *Alert, c kumaConfig) error{
	"webhook": (*kumaReader).webhook,
	"smtp":    (*kumaReader).smtp,
	"ntfy":    (*kumaReader).ntfy,
	"telegram": func(r *kumaReader, a *Alert, c kumaConfig) error {
		return r.telegramAlert(a, c.s("telegramBotToken"), c.s("telegramChatID"), c.s("telegramServerUrl"))
	},
	"slack": func(r *kumaReader, a *Alert, c kumaConfig) error {
		return r.slackAlert(a, c.s("slackwebhookURL"), c.s("slackchannel"))
	},
	"discord": func(r *kumaReader, a *Alert, c kumaConfig) error { return r.discordAlert(a, c.s("discordWebhookUrl")) },
	"teams":   func(r *kumaReader, a *Alert, c kumaConfig) error { return r.teamsAlert(a, c.s("webhookUrl")) },
	"mattermost": func(r *kumaReader, a *Alert, c kumaConfig) error {
		return r.hookAlert(a, "mattermost", "Mattermost", c.s("mattermostWebhookUrl"), c.s("mattermostchannel"))
	},
	"rocket.chat": func(r *kumaReader, a *Alert, c kumaConfig) error {
		return r.hookAlert(a, "rocketchat", "Rocket.Chat", c.s("rocketwebhookURL"), c.s("rocketchannel"))
	},
	"GoogleChat": func(r *kumaReader, a *Alert, c kumaConfig) error {
		return r.googleChatAlert(a, c.s("googleChatWebhookURL"))
	},
	"gotify": func(r *kumaReader, a *Alert, c kumaConfig) error {
		return r.gotifyAlert(a, c.s("gotifyserverurl"), c.s("gotifyapplicationToken"))
	},
	"pushover": func(r *kumaReader, a *Alert, c kumaConfig) error {
		return r.pushoverAlert(a, c.s("pushoverapptoken"), c.s("pushoveruserkey"), c.s("pushoverdevice"))
	},
	"matrix": func(r *kumaReader, a *Alert, c kumaConfig) error {
		return r.matrixAlert(a, c.s("homeserverUrl"), c.s("accessToken"), c.s("internalRoomId"))
	},
	"pushbullet": func(r *kumaReader, a *Alert, c kumaConfig) error {
		return r.pushbulletAlert(a, c.s("pushbulletAccessToken"))
	},
	"Opsgenie": func(r *kumaReader, a *Alert, c kumaConfig) error {
		return r.opsgenieAlert(a, c.s("opsgenieApiKey"), c.s("opsgenieRegion") == "eu")
	},
	"PagerDuty": func(r *kumaReader, a *Alert, c kumaConfig) error {
		return r.pagerDutyAlert(a, c.s("pagerdutyIntegrationKey"))
	},
}

// notification maps one channel's config (Kuma stores it as JSON, with
// the service in "type").
func (r *kumaReader) notification(a *Alert, typ string, c map[string]any) error {
	if typ == "" {
		return errors.New("its config names no service")
	}
	mapper, ok := kumaChannels[typ]
	if !ok {
		return fmt.Errorf("upbeat has no channel for %s", typ)
	}
	return mapper(r, a, kumaConfig(c))
}

// webhook maps a webhook channel. Its extra headers are a JSON object
// in a string; they are written in name order so that imports are stable.
func (r *kumaReader) webhook(a *Alert, c kumaConfig) error {
	var headers []KV
	if h := c.s("webhookAdditionalHeaders"); h != "" {
		var hs map[string]any
		if json.Unmarshal([]byte(h), &hs) == nil {
			headers = sortedKV(hs)
		}
	}
	if err := r.webhookAlert(a, c.s("webhookURL"), headers); err != nil {
		return err
	}
	a.Comments = append(a.Comments, "upbeat posts its own JSON (see engine/alert/WEBHOOK.md), not Uptime Kuma's")
	if c.s("webhookContentType") == "custom" || c.s("webhookCustomBody") != "" {
		r.partial(fmt.Sprintf("notification %q (webhook)", a.Name), "its custom body is not kept: upbeat posts its own JSON")
	}
	return nil
}

// smtp maps an email channel: every recipient (to, cc and bcc alike) and
// how the connection is secured.
func (r *kumaReader) smtp(a *Alert, c kumaConfig) error {
	var to []string
	for _, k := range []string{"smtpTo", "smtpCC", "smtpBCC"} {
		for _, t := range strings.Split(c.s(k), ",") {
			if t = strings.TrimSpace(t); t != "" {
				to = append(to, t)
			}
		}
	}
	port := c.n("smtpPort")
	starttls := "opportunistic"
	if c.s("smtpIgnoreSTARTTLS") == "true" {
		starttls = "none"
	}
	if c.s("smtpSecure") == "true" && port != 465 {
		r.partial(fmt.Sprintf("notification %q (smtp)", a.Name), "it used TLS from the start on port %d; upbeat does that on port 465 only and uses STARTTLS here", port)
		starttls = "mandatory"
	}
	return r.emailAlert(a, c.s("smtpHost"), port, c.s("smtpUsername"), c.s("smtpPassword"), c.s("smtpFrom"), to, starttls)
}

// ntfy maps an ntfy channel. Older Kuma versions have no authentication
// method field: a token without a user name means token authentication.
// upbeat sends one of the two, the token first.
func (r *kumaReader) ntfy(a *Alert, c kumaConfig) error {
	token := ""
	if c.s("ntfyAuthenticationMethod") == "accessToken" || c.s("ntfyaccesstoken") != "" && c.s("ntfyusername") == "" {
		token = c.s("ntfyaccesstoken")
	}
	user := c.s("ntfyusername")
	if token != "" {
		user = ""
	}
	return r.ntfyAlert(a, c.s("ntfyserverurl"), c.s("ntfytopic"), user, c.s("ntfypassword"), token, c.n("ntfyPriority"))
}

// readMaintenance maps the maintenance windows.
func (r *kumaReader) readMaintenance() error {
	rows, err := r.k.table("maintenance", "id")
	if err != nil {
		return err
	}
	links, err := r.k.table("monitor_maintenance", "id")
	if err != nil {
		return err
	}
	pages, err := r.k.table("maintenance_status_page", "id")
	if err != nil {
		return err
	}
	of := map[int64][]int64{}
	for _, l := range links {
		of[id(l, "maintenance_id")] = append(of[id(l, "maintenance_id")], id(l, "monitor_id"))
	}
	onPages := map[int64]bool{}
	for _, p := range pages {
		onPages[id(p, "maintenance_id")] = true
	}
	r.cfg.Found.Maintenance = len(rows)
	for _, row := range rows {
		r.window(row, of[id(row, "id")], onPages[id(row, "id")])
	}
	return nil
}

var kumaWeekdays = []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun"}

func (r *kumaReader) window(row kumaRow, monitorIDs []int64, onPage bool) {
	item := fmt.Sprintf("maintenance %q (%s)", cleanText(row.str("title")), row.str("strategy"))
	if !row.flag("active") {
		r.skip(item, "it is inactive in Uptime Kuma")
		return
	}
	w := &Window{Name: row.str("title")}
	for _, mid := range monitorIDs {
		if n, ok := r.names[mid]; ok {
			w.Monitors = append(w.Monitors, n)
		}
	}
	if len(w.Monitors) == 0 {
		why := "none of its monitors was imported"
		if len(monitorIDs) == 0 && onPage {
			why = "it applies to status pages, and upbeat's windows name monitors or tags"
		} else if len(monitorIDs) == 0 {
			why = "it names no monitor"
		}
		r.skip(item, "%s", why)
		return
	}
	tz, ok := r.windowZone(row.str("timezone"), item)
	if !ok {
		return
	}
	w.Timezone = tz
	if r.windowTimes(row, w, item) {
		r.addWindow(w, fmt.Sprintf("maintenance-%d", id(row, "id")))
	}
}

// windowZone maps a window's time zone. Kuma can follow its server's
// zone, which the import cannot know: UTC is written, and the report says
// so.
func (r *kumaReader) windowZone(tz, item string) (string, bool) {
	switch tz {
	case "", "UTC":
		return "UTC", true
	case "SAME_AS_SERVER":
		r.partial(item, "it followed the Uptime Kuma server's time zone; UTC was written, change timezone if that was not UTC")
		return "UTC", true
	}
	if _, err := time.LoadLocation(tz); err != nil {
		r.skip(item, "its time zone %q is unknown here", tz)
		return "", false
	}
	return tz, true
}

// windowTimes maps when a window is on, by its strategy; false means it
// was left out.
func (r *kumaReader) windowTimes(row kumaRow, w *Window, item string) bool {
	strategy := row.str("strategy")
	end := kumaTime(row.str("end_date"))
	switch strategy {
	case "manual":
		r.skip(item, "a manual window is turned on and off by hand: in upbeat, press m on the monitor in the dashboard")
		return false
	case "single":
		start := kumaTime(row.str("start_date"))
		if start == "" || end == "" {
			r.skip(item, "it has no start or no end")
			return false
		}
		w.Start, w.End = start, end
		return true
	}
	recurring, ok := kumaRecurring[strategy]
	if !ok {
		r.skip(item, "upbeat does not know the strategy %q", strategy)
		return false
	}
	day := kumaDay{clock(row.str("start_time")), clock(row.str("end_time"))}
	if strategy != "cron" && (day.start == "" || day.end == "") {
		r.skip(item, "it has no time of day")
		return false
	}
	if !recurring(r, row, w, day, item) {
		return false
	}
	if end != "" {
		r.partial(item, "it ends on %s; upbeat repeats it with no end date", end)
	}
	return true
}

// kumaDay is the time of day a recurring window starts and ends ("15:04").
type kumaDay struct{ start, end string }

// duration is how long the window lasts; one that ends at or before its
// start runs past midnight.
func (d kumaDay) duration() time.Duration {
	a, _ := time.Parse("15:04", d.start)
	b, _ := time.Parse("15:04", d.end)
	n := b.Sub(a)
	if n <= 0 {
		n += 24 * time.Hour
	}
	return n
}

// kumaRecurring map Kuma's recurring strategies onto w; false means the
// window was left out (and the report says why).
var kumaRecurring = map[string]func(r *kumaReader, row kumaRow, w *Window, day kumaDay, item string) bool{
	"recurring-weekday":      (*kumaReader).weekdayWindow,
	"recurring-interval":     (*kumaReader).intervalWindow,
	"recurring-day-of-month": (*kumaReader).dayOfMonthWindow,
	"cron":                   (*kumaReader).cronWindow,
}

// weekdayWindow maps a window on some weekdays; Kuma counts them from
// Sunday, as 0 or 7.
func (r *kumaReader) weekdayWindow(row kumaRow, w *Window, day kumaDay, item string) bool {
	var days []int
	json.Unmarshal([]byte(row.str("weekdays")), &days)
	sort.Ints(days)
	for _, d := range days {
		if d >= 0 && d <= 7 {
			w.Weekdays = appendUnique(w.Weekdays, kumaWeekdays[d])
		}
	}
	if len(w.Weekdays) == 0 {
		r.skip(item, "it names no weekday")
		return false
	}
	w.At, w.Duration = day.start, day.duration()
	return true
}

// intervalWindow maps a window every N days. upbeat has no such
// schedule: every day is daily, and every N days becomes a cron line,
// which counts from the first of the month.
func (r *kumaReader) intervalWindow(row kumaRow, w *Window, day kumaDay, item string) bool {
	if n := row.int("interval_day"); n <= 1 {
		w.At, w.Duration = day.start, day.duration()
	} else {
		w.Cron = fmt.Sprintf("%s */%d * *", cronAt(day.start), n)
		w.Duration = day.duration()
		r.partial(item, "every %s counts from the first of each month in upbeat (cron), not from the window's start", humanize.Count(int(n), "day", "days"))
	}
	return true
}

// dayOfMonthWindow maps a window on some days of the month, as a cron
// line. Kuma's days counted from the end of the month have no cron form.
func (r *kumaReader) dayOfMonthWindow(row kumaRow, w *Window, day kumaDay, item string) bool {
	var days []any
	json.Unmarshal([]byte(row.str("days_of_month")), &days)
	var list []string
	for _, d := range days {
		switch d := d.(type) {
		case float64:
			list = append(list, strconv.Itoa(int(d)))
		case string:
			if _, err := strconv.Atoi(d); err == nil {
				list = append(list, d)
			} else {
				r.partial(item, "the day %q (counted from the end of the month) is not kept", d)
			}
		}
	}
	if len(list) == 0 {
		r.skip(item, "it names no day of the month upbeat can use")
		return false
	}
	w.Cron = fmt.Sprintf("%s %s * *", cronAt(day.start), strings.Join(list, ","))
	w.Duration = day.duration()
	return true
}

// cronWindow maps a window with a cron line of its own, if it is a
// standard five-field one (Kuma's library also takes L, W, # and ?).
func (r *kumaReader) cronWindow(row kumaRow, w *Window, _ kumaDay, item string) bool {
	w.Cron = strings.TrimSpace(row.str("cron"))
	w.Duration = time.Duration(row.num("duration")) * time.Second
	if w.Cron == "" || w.Duration <= 0 {
		r.skip(item, "it has no cron line or no duration")
		return false
	}
	if strings.ContainsAny(w.Cron, "LW#?") || len(strings.Fields(w.Cron)) != 5 {
		r.skip(item, "its cron line %q uses what a standard five-field cron line lacks", w.Cron)
		return false
	}
	return true
}

// cronAt turns "02:30" into the minute and hour fields of a cron line.
func cronAt(hhmm string) string {
	t, _ := time.Parse("15:04", hhmm)
	return fmt.Sprintf("%d %d", t.Minute(), t.Hour())
}

// kumaTime reads a stored date and time as local time in the window's
// zone, written as the config reads it.
func kumaTime(s string) string {
	s = strings.TrimSpace(s)
	for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02T15:04", time.RFC3339, "2006-01-02T15:04:05.000Z"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Format("2006-01-02T15:04:05")
		}
	}
	return ""
}

// clock reads a stored time of day ("02:30", "02:30:00", or a JSON
// object with hours and minutes) as "02:30".
func clock(s string) string {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "{") {
		var t struct{ Hours, Minutes int }
		if json.Unmarshal([]byte(s), &t) == nil {
			return fmt.Sprintf("%02d:%02d", t.Hours, t.Minutes)
		}
	}
	for _, layout := range []string{"15:04:05", "15:04", "2006-01-02 15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Format("15:04")
		}
	}
	return ""
}
