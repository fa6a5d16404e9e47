package importer

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	_ "modernc.org/sqlite" // a pure-Go SQLite: no cgo, one static binary

	"github.com/upbeat-monitor/upbeat/internal/humanize"
	"github.com/upbeat-monitor/upbeat/monitor"
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
	k        *kumaDB
	byID     map[int64]kumaRow
	names    map[int64]string   // monitor id → name in the config
	tags     map[int64][]string // monitor id → tags
	alerts   map[int64]string   // notification id → alert name
	unmapped map[int64]string   // notification id → why it is not mapped
	domains  map[string]*Monitor
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
		builder:  newBuilder(Kuma, version),
		k:        k,
		byID:     map[int64]kumaRow{},
		names:    map[int64]string{},
		tags:     map[int64][]string{},
		alerts:   map[int64]string{},
		unmapped: map[int64]string{},
		domains:  map[string]*Monitor{},
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
// is left out. Kinds upbeat may gain (grpc, databases, smtp, websocket)
// are mapped in monitor() when monitor.KindOf knows their scheme.
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

// kumaKinds maps Kuma monitor types to upbeat schemes that may not exist
// yet, with why they are left out when not.
var kumaKinds = map[string][2]string{
	"grpc-keyword":      {"grpc", "upbeat has no gRPC check"},
	"postgres":          {"postgres", "upbeat has no PostgreSQL check"},
	"mysql":             {"mysql", "upbeat has no MySQL check"},
	"redis":             {"redis", "upbeat has no Redis check"},
	"smtp":              {"smtp", "upbeat has no SMTP check"},
	"websocket-upgrade": {"ws", "upbeat has no WebSocket check"},
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
	default:
		k, known := kumaKinds[typ]
		switch {
		case !known:
			r.skip(item, "upbeat does not know this kind of Uptime Kuma monitor")
			return
		case !kindExists(k[0]):
			r.skip(item, "%s", k[1])
			return
		}
		ok = r.newKindMonitor(row, m, item, typ, k[0])
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
	if row.num("proxy_id") > 0 {
		r.partial(item, "its proxy is not kept")
	}
	if note := clampTimeout(m); note != "" {
		m.Comments = append(m.Comments, note)
	}
	r.addMonitor(m, fmt.Sprintf("monitor-%d", id(row, "id")))
	r.names[id(row, "id")] = m.Name
	if typ == "http" || typ == "keyword" || typ == "json-query" {
		r.domainMonitor(row, m)
	}
}

// kindExists reports whether upbeat checks URLs with this scheme.
func kindExists(scheme string) bool {
	_, ok := monitor.KindOf(scheme)
	return ok
}

// schedule sets the interval, timeout and retries.
func (r *kumaReader) schedule(row kumaRow, m *Monitor, item string) {
	if s := row.num("interval"); s > 0 {
		m.Interval = time.Duration(s * float64(time.Second))
	}
	if s := row.num("timeout"); s > 0 && m.URL != "" && !strings.HasPrefix(m.URL, "push://") {
		m.Timeout = time.Duration(s * float64(time.Second)).Round(time.Millisecond)
	}
	m.Retries = intp(max(row.int("maxretries"), 0))
	if s := row.num("retry_interval"); s > 0 && *m.Retries > 0 {
		m.RetryInterval = time.Duration(s * float64(time.Second))
	}
}

func (r *kumaReader) httpMonitor(row kumaRow, m *Monitor, item string) bool {
	typ := row.str("type")
	raw := strings.TrimSpace(row.str("url"))
	if row.str("auth_method") == "basic" || row.str("auth_method") == "" && row.str("basic_auth_user") != "" {
		if user := row.str("basic_auth_user"); user != "" {
			if u, err := url.Parse(raw); err == nil && u.Host != "" {
				u.User = url.UserPassword(user, row.str("basic_auth_pass"))
				raw = u.String()
			}
		}
	} else if am := row.str("auth_method"); am != "" {
		r.partial(item, "its %s authentication is not kept", am)
	}
	u, err := r.secretURL(m.Name, item, raw, "URL")
	if err != nil {
		r.skip(item, "%v", err)
		return false
	}
	m.URL = u
	if typ == "real-browser" {
		m.Comments = append(m.Comments, "Uptime Kuma loaded this page in a browser; upbeat checks the HTTP answer")
		r.partial(item, "checked as a plain HTTP request, not in a browser")
	}
	m.Method = strings.ToUpper(row.str("method"))
	m.Body = row.str("body")
	if h := strings.TrimSpace(row.str("headers")); h != "" {
		var hs map[string]any
		if err := json.Unmarshal([]byte(h), &hs); err != nil {
			r.partial(item, "its headers are not JSON; left out")
		} else {
			keys := make([]string, 0, len(hs))
			for k := range hs {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			var kv []KV
			for _, k := range keys {
				kv = append(kv, KV{k, fmt.Sprint(hs[k])})
			}
			m.Headers = r.secretHeaders(m.Name, item, kv)
		}
	}
	codes, bad := kumaStatusCodes(row.str("accepted_statuscodes_json"))
	for _, b := range bad {
		r.partial(item, "accepted status %q is not a code or range; left out", b)
	}
	if len(codes) > 0 && !isDefaultStatus(codes) {
		m.ExpectStatus = codes
	}
	if row.has("maxredirects") && row.int("maxredirects") != 10 {
		m.MaxRedirects = intp(max(row.int("maxredirects"), 0))
	}
	m.Insecure = row.flag("ignore_tls")
	if row.str("tls_cert") != "" || row.str("tls_key") != "" {
		r.partial(item, "its client certificate is not kept")
	}
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

// newKindMonitor maps the kinds upbeat gained after this importer was
// written, when they exist: grpc, postgres, mysql, redis, smtp, ws.
func (r *kumaReader) newKindMonitor(row kumaRow, m *Monitor, item, typ, scheme string) bool {
	switch typ {
	case "grpc-keyword":
		target := strings.TrimSpace(row.str("grpc_url"))
		if target == "" {
			r.skip(item, "it has no gRPC address")
			return false
		}
		target = strings.TrimPrefix(strings.TrimPrefix(target, "grpcs://"), "grpc://")
		m.URL = "grpc://" + strings.TrimRight(target, "/") + "/" + row.str("grpc_service_name")
		r.partial(item, "upbeat asks the standard gRPC health service for %q; the method %q and keyword %q are not kept", row.str("grpc_service_name"), row.str("grpc_method"), row.str("keyword"))
	case "postgres", "mysql", "redis":
		conn := strings.TrimSpace(row.str("database_connection_string"))
		u, err := url.Parse(conn)
		if err != nil || u.Host == "" {
			r.skip(item, "its connection string is not a URL")
			return false
		}
		u.Scheme = scheme
		s, err := r.secretURL(m.Name, item, u.String(), "connection string")
		if err != nil {
			r.skip(item, "%v", err)
			return false
		}
		m.URL = s
		if q := row.str("database_query"); q != "" {
			r.partial(item, "the query %q is not kept", q)
		}
	case "smtp":
		host := row.str("hostname")
		port := row.int("port")
		if host == "" || port == 0 {
			r.skip(item, "it has no host or port")
			return false
		}
		m.URL = "smtp://" + hostPort(host, port)
	case "websocket-upgrade":
		s, err := r.secretURL(m.Name, item, row.str("url"), "URL")
		if err != nil {
			r.skip(item, "%v", err)
			return false
		}
		m.URL = s
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
	r.addMonitor(d, domain)
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

// notification maps one channel's config (Kuma stores it as JSON, with
// the service in "type").
func (r *kumaReader) notification(a *Alert, typ string, c map[string]any) error {
	s := func(k string) string {
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
	n := func(k string) int { i, _ := strconv.Atoi(s(k)); return i }
	switch typ {
	case "webhook":
		var headers []KV
		if h := s("webhookAdditionalHeaders"); h != "" {
			var hs map[string]any
			if json.Unmarshal([]byte(h), &hs) == nil {
				keys := make([]string, 0, len(hs))
				for k := range hs {
					keys = append(keys, k)
				}
				sort.Strings(keys)
				for _, k := range keys {
					headers = append(headers, KV{k, fmt.Sprint(hs[k])})
				}
			}
		}
		if err := r.webhookAlert(a, s("webhookURL"), headers); err != nil {
			return err
		}
		a.Comments = append(a.Comments, "upbeat posts its own JSON (see engine/alert/WEBHOOK.md), not Uptime Kuma's")
		if s("webhookContentType") == "custom" || s("webhookCustomBody") != "" {
			r.partial(fmt.Sprintf("notification %q (webhook)", a.Name), "its custom body is not kept: upbeat posts its own JSON")
		}
		return nil
	case "telegram":
		return r.telegramAlert(a, s("telegramBotToken"), s("telegramChatID"), s("telegramServerUrl"))
	case "smtp":
		var to []string
		for _, k := range []string{"smtpTo", "smtpCC", "smtpBCC"} {
			for _, t := range strings.Split(s(k), ",") {
				if t = strings.TrimSpace(t); t != "" {
					to = append(to, t)
				}
			}
		}
		port := n("smtpPort")
		starttls := "opportunistic"
		if s("smtpIgnoreSTARTTLS") == "true" {
			starttls = "none"
		}
		if s("smtpSecure") == "true" && port != 465 {
			r.partial(fmt.Sprintf("notification %q (smtp)", a.Name), "it used TLS from the start on port %d; upbeat does that on port 465 only and uses STARTTLS here", port)
			starttls = "mandatory"
		}
		return r.emailAlert(a, s("smtpHost"), port, s("smtpUsername"), s("smtpPassword"), s("smtpFrom"), to, starttls)
	case "slack":
		return r.slackAlert(a, s("slackwebhookURL"), s("slackchannel"))
	case "discord":
		return r.discordAlert(a, s("discordWebhookUrl"))
	case "teams":
		return r.teamsAlert(a, s("webhookUrl"))
	case "mattermost":
		return r.hookAlert(a, "mattermost", "Mattermost", s("mattermostWebhookUrl"), s("mattermostchannel"))
	case "rocket.chat":
		return r.hookAlert(a, "rocketchat", "Rocket.Chat", s("rocketwebhookURL"), s("rocketchannel"))
	case "GoogleChat":
		return r.googleChatAlert(a, s("googleChatWebhookURL"))
	case "ntfy":
		token := ""
		if s("ntfyAuthenticationMethod") == "accessToken" || s("ntfyaccesstoken") != "" && s("ntfyusername") == "" {
			token = s("ntfyaccesstoken")
		}
		user := s("ntfyusername")
		if token != "" {
			user = ""
		}
		return r.ntfyAlert(a, s("ntfyserverurl"), s("ntfytopic"), user, s("ntfypassword"), token, n("ntfyPriority"))
	case "gotify":
		return r.gotifyAlert(a, s("gotifyserverurl"), s("gotifyapplicationToken"))
	case "pushover":
		return r.pushoverAlert(a, s("pushoverapptoken"), s("pushoveruserkey"), s("pushoverdevice"))
	case "matrix":
		return r.matrixAlert(a, s("homeserverUrl"), s("accessToken"), s("internalRoomId"))
	case "pushbullet":
		return r.pushbulletAlert(a, s("pushbulletAccessToken"))
	case "Opsgenie":
		return r.opsgenieAlert(a, s("opsgenieApiKey"), s("opsgenieRegion") == "eu")
	case "PagerDuty":
		return r.pagerDutyAlert(a, s("pagerdutyIntegrationKey"))
	case "":
		return errors.New("its config names no service")
	}
	return fmt.Errorf("upbeat has no channel for %s", typ)
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
	tz := row.str("timezone")
	switch tz {
	case "", "SAME_AS_SERVER", "UTC":
		if tz == "SAME_AS_SERVER" {
			r.partial(item, "it followed the Uptime Kuma server's time zone; UTC was written, change timezone if that was not UTC")
		}
		tz = "UTC"
	default:
		if _, err := time.LoadLocation(tz); err != nil {
			r.skip(item, "its time zone %q is unknown here", tz)
			return
		}
	}
	w.Timezone = tz
	start, end := kumaTime(row.str("start_date")), kumaTime(row.str("end_date"))
	startTime, endTime := clock(row.str("start_time")), clock(row.str("end_time"))
	daily := func() time.Duration {
		a, _ := time.Parse("15:04", startTime)
		b, _ := time.Parse("15:04", endTime)
		d := b.Sub(a)
		if d <= 0 {
			d += 24 * time.Hour
		}
		return d
	}
	strategy := row.str("strategy")
	switch strategy {
	case "manual":
		r.skip(item, "a manual window is turned on and off by hand: in upbeat, press m on the monitor in the dashboard")
		return
	case "single":
		if start == "" || end == "" {
			r.skip(item, "it has no start or no end")
			return
		}
		w.Start, w.End = start, end
	case "recurring-weekday", "recurring-interval", "recurring-day-of-month", "cron":
		if strategy != "cron" && (startTime == "" || endTime == "") {
			r.skip(item, "it has no time of day")
			return
		}
		switch strategy {
		case "recurring-weekday":
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
				return
			}
			w.At, w.Duration = startTime, daily()
		case "recurring-interval":
			if n := row.int("interval_day"); n <= 1 {
				w.At, w.Duration = startTime, daily()
			} else {
				w.Cron = fmt.Sprintf("%s */%d * *", cronAt(startTime), n)
				w.Duration = daily()
				r.partial(item, "every %s counts from the first of each month in upbeat (cron), not from the window's start", humanize.Count(int(n), "day", "days"))
			}
		case "recurring-day-of-month":
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
				return
			}
			w.Cron = fmt.Sprintf("%s %s * *", cronAt(startTime), strings.Join(list, ","))
			w.Duration = daily()
		case "cron":
			w.Cron = strings.TrimSpace(row.str("cron"))
			w.Duration = time.Duration(row.num("duration")) * time.Second
			if w.Cron == "" || w.Duration <= 0 {
				r.skip(item, "it has no cron line or no duration")
				return
			}
			if strings.ContainsAny(w.Cron, "LW#?") || len(strings.Fields(w.Cron)) != 5 {
				r.skip(item, "its cron line %q uses what a standard five-field cron line lacks", w.Cron)
				return
			}
		}
		if end != "" {
			r.partial(item, "it ends on %s; upbeat repeats it with no end date", end)
		}
	default:
		r.skip(item, "upbeat does not know the strategy %q", strategy)
		return
	}
	r.addWindow(w, fmt.Sprintf("maintenance-%d", id(row, "id")))
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
