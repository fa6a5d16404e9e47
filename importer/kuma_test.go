package importer

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/upbeat-monitor/upbeat/engine/alert/maint"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// kumaV1Schema is the part of Uptime Kuma 1.23's schema the importer
// reads: the tables with the columns they have once the template database
// and every SQL patch of that version are applied.
const kumaV1Schema = `
CREATE TABLE user (id INTEGER PRIMARY KEY AUTOINCREMENT, username VARCHAR(255) NOT NULL UNIQUE, password VARCHAR(255), active BOOLEAN NOT NULL DEFAULT 1, timezone VARCHAR(150), twofa_secret VARCHAR(64), twofa_status BOOLEAN NOT NULL DEFAULT 0, twofa_last_token VARCHAR(6));
CREATE TABLE setting (id INTEGER PRIMARY KEY AUTOINCREMENT, key VARCHAR(200) NOT NULL UNIQUE, value TEXT, type VARCHAR(20));
CREATE TABLE monitor (
	id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, name VARCHAR(150), active BOOLEAN DEFAULT 1 NOT NULL,
	user_id INTEGER REFERENCES user ON UPDATE CASCADE ON DELETE SET NULL, interval INTEGER DEFAULT 20 NOT NULL,
	url TEXT, type VARCHAR(20), weight INTEGER DEFAULT 2000, hostname VARCHAR(255), port INTEGER,
	created_date DATETIME DEFAULT (DATETIME('now')) NOT NULL, keyword VARCHAR(255), maxretries INTEGER NOT NULL DEFAULT 0,
	ignore_tls BOOLEAN DEFAULT 0 NOT NULL, upside_down BOOLEAN DEFAULT 0 NOT NULL, maxredirects INTEGER DEFAULT 10 NOT NULL,
	accepted_statuscodes_json TEXT DEFAULT '["200-299"]' NOT NULL, dns_resolve_type VARCHAR(5), dns_resolve_server VARCHAR(255),
	dns_last_result VARCHAR(255), retry_interval INTEGER DEFAULT 0 NOT NULL, push_token VARCHAR(20) DEFAULT NULL,
	method TEXT DEFAULT 'GET' NOT NULL, body TEXT DEFAULT NULL, headers TEXT DEFAULT NULL, basic_auth_user TEXT DEFAULT NULL,
	basic_auth_pass TEXT DEFAULT NULL, docker_host INTEGER, docker_container VARCHAR(255), proxy_id INTEGER,
	expiry_notification BOOLEAN DEFAULT 1, mqtt_topic TEXT, mqtt_success_message VARCHAR(255), mqtt_username VARCHAR(255),
	mqtt_password VARCHAR(255), database_connection_string VARCHAR(2000), database_query TEXT, auth_method VARCHAR(250),
	auth_domain TEXT, auth_workstation TEXT, grpc_url VARCHAR(255) DEFAULT NULL, grpc_protobuf TEXT DEFAULT NULL,
	grpc_body TEXT DEFAULT NULL, grpc_metadata TEXT DEFAULT NULL, grpc_method VARCHAR(255) DEFAULT NULL,
	grpc_service_name VARCHAR(255) DEFAULT NULL, grpc_enable_tls BOOLEAN DEFAULT 0 NOT NULL, radius_username VARCHAR(255),
	radius_password VARCHAR(255), radius_calling_station_id VARCHAR(50), radius_called_station_id VARCHAR(50),
	radius_secret VARCHAR(255), resend_interval INTEGER DEFAULT 0 NOT NULL, packet_size INTEGER DEFAULT 56 NOT NULL,
	game VARCHAR(255), http_body_encoding VARCHAR(25), description TEXT DEFAULT NULL, tls_ca TEXT DEFAULT NULL,
	tls_cert TEXT DEFAULT NULL, tls_key TEXT DEFAULT NULL, parent INTEGER REFERENCES monitor(id) ON DELETE SET NULL ON UPDATE CASCADE,
	invert_keyword BOOLEAN DEFAULT 0 NOT NULL, json_path TEXT, expected_value VARCHAR(255), kafka_producer_topic VARCHAR(255),
	kafka_producer_brokers TEXT, kafka_producer_sasl_options TEXT, kafka_producer_message TEXT, oauth_client_id TEXT DEFAULT NULL,
	oauth_client_secret TEXT DEFAULT NULL, oauth_token_url TEXT DEFAULT NULL, oauth_scopes TEXT DEFAULT NULL,
	oauth_auth_method TEXT DEFAULT NULL, timeout DOUBLE DEFAULT 0 NOT NULL, gamedig_given_port_only BOOLEAN DEFAULT 1 NOT NULL,
	kafka_producer_ssl BOOLEAN DEFAULT 0 NOT NULL, kafka_producer_allow_auto_topic_creation BOOLEAN DEFAULT 0 NOT NULL);
CREATE TABLE notification (id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, name VARCHAR(255), active BOOLEAN NOT NULL DEFAULT 1,
	user_id INTEGER NOT NULL, is_default BOOLEAN DEFAULT 0 NOT NULL, config TEXT);
CREATE TABLE monitor_notification (id INTEGER PRIMARY KEY NOT NULL, monitor_id INTEGER NOT NULL REFERENCES monitor(id) ON DELETE CASCADE,
	notification_id INTEGER NOT NULL REFERENCES notification(id) ON DELETE CASCADE);
CREATE TABLE tag (id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, name VARCHAR(255) NOT NULL, color VARCHAR(255) NOT NULL,
	created_date DATETIME DEFAULT (DATETIME('now')) NOT NULL);
CREATE TABLE monitor_tag (id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, monitor_id INTEGER NOT NULL, tag_id INTEGER NOT NULL, value TEXT);
CREATE TABLE maintenance (id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, title VARCHAR(150) NOT NULL, description TEXT NOT NULL,
	user_id INTEGER, active BOOLEAN NOT NULL DEFAULT 1, strategy VARCHAR(50) NOT NULL DEFAULT 'single', start_date DATETIME,
	end_date DATETIME, start_time TIME, end_time TIME, weekdays VARCHAR2(250) DEFAULT '[]', days_of_month TEXT DEFAULT '[]',
	interval_day INTEGER, cron TEXT, timezone VARCHAR(255), duration INTEGER);
CREATE TABLE monitor_maintenance (id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, monitor_id INTEGER NOT NULL, maintenance_id INTEGER NOT NULL);
CREATE TABLE status_page (id INTEGER PRIMARY KEY AUTOINCREMENT, slug VARCHAR(255) NOT NULL UNIQUE, title VARCHAR(255) NOT NULL);
CREATE TABLE proxy (id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, user_id INT NOT NULL, protocol VARCHAR(10) NOT NULL,
	host VARCHAR(255) NOT NULL, port SMALLINT NOT NULL, auth BOOLEAN NOT NULL, username VARCHAR(255) NULL, password VARCHAR(255) NULL,
	active BOOLEAN NOT NULL DEFAULT 1, 'default' BOOLEAN NOT NULL DEFAULT 0, created_date DATETIME DEFAULT (DATETIME('now')) NOT NULL);
CREATE TABLE maintenance_status_page (id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, status_page_id INTEGER NOT NULL, maintenance_id INTEGER NOT NULL);
`

// kumaV2Schema is what version 2's knex migrations add to it: a table
// recording them, and new monitor columns.
const kumaV2Schema = `
CREATE TABLE knex_migrations (id INTEGER PRIMARY KEY AUTOINCREMENT, name VARCHAR(255), batch INTEGER, migration_time DATETIME);
INSERT INTO knex_migrations (name, batch) VALUES ('2023-08-16-0000-create-uptime.js', 1), ('2024-08-24-0000-conditions.js', 1);
ALTER TABLE monitor ADD COLUMN mqtt_check_type VARCHAR(255) NOT NULL DEFAULT 'keyword';
ALTER TABLE monitor ADD COLUMN remote_browser INTEGER;
ALTER TABLE monitor ADD COLUMN snmp_oid VARCHAR(255);
ALTER TABLE monitor ADD COLUMN snmp_version VARCHAR(255);
ALTER TABLE monitor ADD COLUMN json_path_operator VARCHAR(255);
ALTER TABLE monitor ADD COLUMN cache_bust BOOLEAN NOT NULL DEFAULT 0;
ALTER TABLE monitor ADD COLUMN conditions TEXT NOT NULL DEFAULT '[]';
ALTER TABLE monitor ADD COLUMN rabbitmq_nodes TEXT;
ALTER TABLE monitor ADD COLUMN rabbitmq_username VARCHAR(255);
ALTER TABLE monitor ADD COLUMN rabbitmq_password VARCHAR(255);
ALTER TABLE monitor ADD COLUMN smtp_security VARCHAR(255);
ALTER TABLE monitor ADD COLUMN ws_ignore_sec_websocket_accept_header BOOLEAN NOT NULL DEFAULT 0;
ALTER TABLE monitor ADD COLUMN ws_subprotocol VARCHAR(255) NOT NULL DEFAULT '';
ALTER TABLE monitor ADD COLUMN ping_count INTEGER NOT NULL DEFAULT 1;
ALTER TABLE monitor ADD COLUMN ping_numeric BOOLEAN NOT NULL DEFAULT 1;
ALTER TABLE monitor ADD COLUMN ping_per_request_timeout INTEGER NOT NULL DEFAULT 2;
ALTER TABLE monitor ADD COLUMN ip_family VARCHAR(4);
ALTER TABLE monitor ADD COLUMN manual_status VARCHAR(255);
ALTER TABLE monitor ADD COLUMN oauth_audience VARCHAR(255);
ALTER TABLE monitor ADD COLUMN mqtt_websocket_path VARCHAR(255);
ALTER TABLE monitor ADD COLUMN domain_expiry_notification BOOLEAN DEFAULT 0;
ALTER TABLE monitor ADD COLUMN save_response BOOLEAN NOT NULL DEFAULT 0;
ALTER TABLE monitor ADD COLUMN save_error_response BOOLEAN NOT NULL DEFAULT 1;
ALTER TABLE monitor ADD COLUMN response_max_length INTEGER NOT NULL DEFAULT 1024;
ALTER TABLE monitor ADD COLUMN system_service_name VARCHAR(255);
ALTER TABLE monitor ADD COLUMN subtype VARCHAR(10);
ALTER TABLE monitor ADD COLUMN location VARCHAR(255);
ALTER TABLE monitor ADD COLUMN protocol VARCHAR(20);
ALTER TABLE monitor ADD COLUMN snmp_v3_username VARCHAR(255);
ALTER TABLE monitor ADD COLUMN expected_tls_alert VARCHAR(50);
ALTER TABLE monitor ADD COLUMN retry_only_on_status_code_failure BOOLEAN NOT NULL DEFAULT 0;
ALTER TABLE monitor ADD COLUMN screenshot_delay INTEGER NOT NULL DEFAULT 0;
ALTER TABLE monitor ADD COLUMN bearer_token TEXT DEFAULT NULL;
ALTER TABLE maintenance ADD COLUMN last_start_date DATETIME;
`

// row is one row to insert.
type row map[string]any

// kumaDBFile makes a Kuma database in a temporary directory.
func kumaDBFile(t *testing.T, v2 bool, fill func(ins func(table string, r row) int64)) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "kuma.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// One connection, and no syncing to disk: the file is made to be read
	// once, and the tests make many.
	db.SetMaxOpenConns(1)
	for _, p := range []string{"PRAGMA journal_mode = MEMORY", "PRAGMA synchronous = OFF"} {
		if _, err := db.Exec(p); err != nil {
			t.Fatal(err)
		}
	}
	schema := kumaV1Schema
	if v2 {
		schema += kumaV2Schema
	}
	for _, stmt := range strings.Split(schema, ";") {
		if strings.TrimSpace(stmt) == "" {
			continue
		}
		if _, err := db.Exec(stmt); err != nil {
			t.Fatalf("%v\n%s", err, stmt)
		}
	}
	ins := func(table string, r row) int64 {
		cols := make([]string, 0, len(r))
		for c := range r {
			cols = append(cols, c)
		}
		sort.Strings(cols)
		args := make([]any, len(cols))
		marks := make([]string, len(cols))
		for i, c := range cols {
			args[i] = r[c]
			marks[i] = "?"
			cols[i] = `"` + c + `"`
		}
		res, err := db.Exec(fmt.Sprintf(`INSERT INTO "%s" (%s) VALUES (%s)`, table, strings.Join(cols, ", "), strings.Join(marks, ", ")), args...)
		if err != nil {
			t.Fatalf("insert into %s: %v", table, err)
		}
		id, _ := res.LastInsertId()
		return id
	}
	if fill != nil {
		fill(ins)
	}
	return path
}

// kumaCases are monitors of every type both versions have, each with
// what the importer should make of it: a URL, or "" when it is left out.
type kumaCase struct {
	r   row
	url string // "" = left out
}

func kumaCases(v2 bool) []kumaCase {
	cases := []kumaCase{
		{r: row{"name": "shop", "type": "http", "url": "https://shop.example.com/health", "interval": 30, "timeout": 24, "maxretries": 2, "retry_interval": 10,
			"accepted_statuscodes_json": `["200-299","404"]`, "headers": `{"X-Api-Key":"SECRETkey","Accept":"application/json"}`, "method": "POST", "body": `{"a":1}`,
			"maxredirects": 3, "ignore_tls": 1, "description": "the shop's health page"}, url: "https://shop.example.com/health"},
		{r: row{"name": "login", "type": "keyword", "url": "https://example.com/login", "keyword": "Sign in", "interval": 60,
			"auth_method": "basic", "basic_auth_user": "probe", "basic_auth_pass": "SECRETbasic"}, url: "https://example.com/login"},
		{r: row{"name": "banner", "type": "keyword", "url": "https://example.com/", "keyword": "Maintenance", "invert_keyword": 1, "interval": 60}, url: "https://example.com/"},
		{r: row{"name": "status", "type": "json-query", "url": "https://api.example.com/status", "json_path": "data.status", "expected_value": "UP", "interval": 60}, url: "https://api.example.com/status"},
		{r: row{"name": "port", "type": "port", "hostname": "db.example.com", "port": 5432, "interval": 60}, url: "tcp://db.example.com:5432"},
		{r: row{"name": "ping", "type": "ping", "hostname": "2001:db8::1", "interval": 60}, url: "icmp://[2001:db8::1]"},
		{r: row{"name": "dns", "type": "dns", "hostname": "example.com", "dns_resolve_server": "9.9.9.9", "dns_resolve_type": "AAAA", "port": 53, "interval": 300}, url: "dns://9.9.9.9/example.com?type=AAAA"},
		{r: row{"name": "backup", "type": "push", "push_token": "SECRETpushtoken0123456789abcdef", "interval": 86400}, url: "push://x-backup-push-token"},
		{r: row{"name": "real browser", "type": "real-browser", "url": "https://app.example.com/", "interval": 300}, url: "https://app.example.com/"},
		{r: row{"name": "upside", "type": "http", "url": "https://gone.example.com/", "upside_down": 1}},
		{r: row{"name": "paused", "type": "http", "url": "https://paused.example.com/", "active": 0}},
		{r: row{"name": "docker", "type": "docker", "docker_container": "web"}},
		{r: row{"name": "grpc", "type": "grpc-keyword", "grpc_url": "grpc.example.com:443", "grpc_enable_tls": 1, "grpc_service_name": "grpc.health.v1.Health",
			"grpc_method": "check", "grpc_body": `{"service":"orders.v1.Orders"}`, "keyword": "SERVING"}, url: "grpcs://grpc.example.com:443/orders.v1.Orders"},
		{r: row{"name": "grpc custom", "type": "grpc-keyword", "grpc_url": "catalog.example.com:50051", "grpc_service_name": "shop.Catalog",
			"grpc_method": "listItems", "grpc_body": `{}`, "keyword": "items"}, url: "grpc://catalog.example.com:50051"},
		{r: row{"name": "mysql", "type": "mysql", "database_connection_string": "mysql://root:SECRETmysql@db.example.com:3306/shop",
			"database_query": "SELECT COUNT(*) FROM orders"}, url: "mysql://root@db.example.com:3306/shop"},
		{r: row{"name": "postgres", "type": "postgres", "database_connection_string": "postgresql://app:SECRETpg@db.example.com:5432/app?ssl=true",
			"database_query": "SELECT 1 FROM pg_stat_replication"}, url: "postgres://app@db.example.com:5432/app?sslmode=verify-full"},
		{r: row{"name": "redis", "type": "redis", "database_connection_string": "redis://:SECRETredis@cache.example.com:6379"},
			url: "redis://cache.example.com:6379"},
		{r: row{"name": "redis tls", "type": "redis", "database_connection_string": "rediss://default:SECRETrediss@cache.example.com:6380/2", "ignore_tls": 1},
			url: "rediss://default@cache.example.com:6380/2"},
		{r: row{"name": "oauth", "type": "json-query", "url": "https://api.example.com/private", "json_path": "ok", "expected_value": "true",
			"auth_method": "oauth2-cc", "oauth_token_url": "https://auth.example.com/token", "oauth_client_id": "upbeat", "oauth_client_secret": "SECREToauth",
			"oauth_scopes": "status:read status:list", "oauth_auth_method": "client_secret_post"}, url: "https://api.example.com/private"},
		{r: row{"name": "mtls", "type": "http", "url": "https://mtls.example.com/", "auth_method": "mtls",
			"tls_cert": "-----BEGIN CERTIFICATE-----", "tls_key": "-----BEGIN PRIVATE KEY-----SECRETkey"}, url: "https://mtls.example.com/"},
		{r: row{"name": "ntlm", "type": "http", "url": "https://intranet.example.com/", "auth_method": "ntlm", "basic_auth_user": "dom\\user", "basic_auth_pass": "SECRETntlm"},
			url: "https://intranet.example.com/"},
		{r: row{"name": "proxied", "type": "http", "url": "https://internal.example.com/", "proxy_id": 1}, url: "https://internal.example.com/"},
		{r: row{"name": "proxied too", "type": "keyword", "url": "https://internal2.example.com/", "keyword": "ok", "proxy_id": 1}, url: "https://internal2.example.com/"},
		{r: row{"name": "socks4", "type": "http", "url": "https://legacy.example.com/", "proxy_id": 2}, url: "https://legacy.example.com/"},
		{r: row{"name": "proxy off", "type": "http", "url": "https://direct.example.com/", "proxy_id": 3}, url: "https://direct.example.com/"},
		{r: row{"name": "strict", "type": "http", "url": "https://strict.example.com/", "interval": 20, "timeout": 0.005, "maxretries": 20,
			"retry_interval": 20, "maxredirects": 50}, url: "https://strict.example.com/"},
		{r: row{"name": "form", "type": "http", "url": "https://forms.example.com/submit", "method": "POST", "body": "a=1&b=2", "http_body_encoding": "form"},
			url: "https://forms.example.com/submit"},
		{r: row{"name": "mongodb", "type": "mongodb", "database_connection_string": "mongodb://x:SECRETmongo@m.example.com"}},
		{r: row{"name": "sqlserver", "type": "sqlserver", "database_connection_string": "Server=x;Password=SECRETmssql"}},
		{r: row{"name": "radius", "type": "radius", "hostname": "radius.example.com"}},
		{r: row{"name": "mqtt", "type": "mqtt", "hostname": "mqtt.example.com", "mqtt_topic": "t"}},
		{r: row{"name": "kafka", "type": "kafka-producer", "kafka_producer_brokers": `["k:9092"]`}},
		{r: row{"name": "game", "type": "gamedig", "game": "minecraft", "hostname": "mc.example.com"}},
		{r: row{"name": "steam", "type": "steam", "hostname": "steam.example.com"}},
		{r: row{"name": "tailscale", "type": "tailscale-ping", "hostname": "node"}},
	}
	if v2 {
		cases = append(cases,
			kumaCase{r: row{"name": "status v2", "type": "json-query", "url": "https://api.example.com/v2", "json_path": "$.checks[0].latency", "json_path_operator": "<", "expected_value": "250", "interval": 60}, url: "https://api.example.com/v2"},
			kumaCase{r: row{"name": "dns v2", "type": "dns", "hostname": "www.example.com", "dns_resolve_server": "1.1.1.1", "dns_resolve_type": "A", "port": 53,
				"conditions": `[{"type":"expression","variable":"record","operator":"contains","value":"93.184.216.34","andOr":"and"}]`}, url: "dns://1.1.1.1/www.example.com?type=A"},
			kumaCase{r: row{"name": "expiring", "type": "http", "url": "https://www.shop.example.co.uk/", "domain_expiry_notification": 1}, url: "https://www.shop.example.co.uk/"},
			kumaCase{r: row{"name": "smtp", "type": "smtp", "hostname": "mail.example.com", "port": 587, "smtp_security": "starttls"}, url: "smtp://mail.example.com:587"},
			kumaCase{r: row{"name": "smtps", "type": "smtp", "hostname": "mail.example.com", "port": 465, "smtp_security": "secure"}, url: "smtps://mail.example.com:465"},
			kumaCase{r: row{"name": "smtp plain", "type": "smtp", "hostname": "relay.example.com", "smtp_security": "nostarttls"}, url: "smtp://relay.example.com:25"},
			kumaCase{r: row{"name": "websocket", "type": "websocket-upgrade", "url": "wss://ws.example.com/socket", "headers": `{"X-Client":"upbeat"}`,
				"auth_method": "bearer", "bearer_token": "SECRETwsbearer", "accepted_statuscodes_json": `["1000"]`}, url: "wss://ws.example.com/socket"},
			kumaCase{r: row{"name": "websocket basic", "type": "websocket-upgrade", "url": "ws://ws.example.com/plain", "auth_method": "basic",
				"basic_auth_user": "ws", "basic_auth_pass": "SECRETwsbasic", "ws_subprotocol": "graphql-ws", "accepted_statuscodes_json": `["1000","1001"]`},
				url: "ws://ws.example.com/plain"},
			kumaCase{r: row{"name": "mysql v2", "type": "mysql", "database_connection_string": "mysql://probe@db.example.com/shop", "radius_password": "SECRETmysqlfield",
				"database_query": "SELECT status FROM health", "conditions": `[{"type":"expression","variable":"result","operator":"equals","value":"ok","andOr":"and"}]`},
				url: "mysql://probe@db.example.com/shop"},
			kumaCase{r: row{"name": "oauth v2", "type": "http", "url": "https://api.example.com/v2/private", "auth_method": "oauth2-cc",
				"oauth_token_url": "https://auth.example.com/token", "oauth_client_id": "upbeat-v2", "oauth_client_secret": "SECREToauth2", "oauth_audience": "api.example.com"},
				url: "https://api.example.com/v2/private"},
			kumaCase{r: row{"name": "bearer", "type": "http", "url": "https://api.example.com/bearer", "auth_method": "bearer", "bearer_token": "SECRETbearer"},
				url: "https://api.example.com/bearer"},
			kumaCase{r: row{"name": "ipv6 only", "type": "http", "url": "https://v6.example.com/", "ip_family": "ipv6", "cache_bust": 1}, url: "https://v6.example.com/"},
			kumaCase{r: row{"name": "snmp", "type": "snmp", "hostname": "switch", "snmp_oid": "1.3.6"}},
			kumaCase{r: row{"name": "rabbitmq", "type": "rabbitmq", "rabbitmq_nodes": `["http://r:15672"]`, "rabbitmq_password": "SECRETrabbit"}},
			kumaCase{r: row{"name": "sip", "type": "sip-options", "hostname": "sip.example.com"}},
			kumaCase{r: row{"name": "ntp", "type": "ntp", "hostname": "pool.ntp.org"}},
			kumaCase{r: row{"name": "manual", "type": "manual", "manual_status": "up"}},
			kumaCase{r: row{"name": "globalping", "type": "globalping", "hostname": "example.com", "subtype": "ping"}},
			kumaCase{r: row{"name": "service", "type": "system-service", "system_service_name": "nginx"}},
			kumaCase{r: row{"name": "oracle", "type": "oracledb", "database_connection_string": "oracle://x"}},
			kumaCase{r: row{"name": "pm2", "type": "pm2"}},
		)
	}
	return cases
}

// kumaNotifications covers each service the importer maps and one it
// does not; the value is the alert kind expected, "" for left out.
var kumaNotifications = []struct {
	name, config, kind string
	active             int
}{
	{"hook", `{"type":"webhook","webhookURL":"https://hooks.example.com/kuma?token=SECRETwebhook","webhookContentType":"json","webhookAdditionalHeaders":"{\"Authorization\":\"Bearer SECRETauth\"}"}`, "webhook", 1},
	{"tg", `{"type":"telegram","telegramBotToken":"123:SECRETtg","telegramChatID":"-42"}`, "telegram", 1},
	{"mail", `{"type":"smtp","smtpHost":"smtp.example.com","smtpPort":587,"smtpSecure":false,"smtpUsername":"kuma","smtpPassword":"SECRETsmtp","smtpFrom":"kuma@example.com","smtpTo":"a@example.com","smtpCC":"b@example.com"}`, "email", 1},
	{"slack", `{"type":"slack","slackwebhookURL":"https://hooks.slack.com/services/T1/B1/SECRETslack","slackchannel":"#ops"}`, "url", 1},
	{"discord", `{"type":"discord","discordWebhookUrl":"https://discord.com/api/webhooks/42/SECRETdiscord"}`, "url", 1},
	{"ntfy", `{"type":"ntfy","ntfyserverurl":"https://ntfy.sh","ntfytopic":"kuma","ntfyPriority":5,"ntfyAuthenticationMethod":"usernamePassword","ntfyusername":"me","ntfypassword":"SECRETntfy"}`, "url", 1},
	{"gotify", `{"type":"gotify","gotifyserverurl":"http://gotify.example.com:8080","gotifyapplicationToken":"SECRETgotify"}`, "url", 1},
	{"pushover", `{"type":"pushover","pushoveruserkey":"ukey","pushoverapptoken":"SECRETpushover"}`, "url", 1},
	{"teams", `{"type":"teams","webhookUrl":"https://contoso.webhook.office.com/webhookb2/11111111-4444-4444-8444-cccccccccccc@22222222-4444-4444-8444-cccccccccccc/IncomingWebhook/33333333012222222222333333333344/44444444-4444-4444-8444-cccccccccccc/SECRETteams"}`, "url", 1},
	{"matrix", `{"type":"matrix","homeserverUrl":"https://matrix.example.com","internalRoomId":"!room:example.com","accessToken":"SECRETmatrix"}`, "url", 1},
	{"mattermost", `{"type":"mattermost","mattermostWebhookUrl":"https://mm.example.com/hooks/SECRETmm","mattermostchannel":"alerts"}`, "url", 1},
	{"rocket", `{"type":"rocket.chat","rocketwebhookURL":"https://rocket.example.com/hooks/abc/SECRETrocket","rocketchannel":"#ops"}`, "url", 1},
	{"gchat", `{"type":"GoogleChat","googleChatWebhookURL":"https://chat.googleapis.com/v1/spaces/AAA/messages?key=SECRETkey&token=SECRETtoken"}`, "url", 1},
	{"pushbullet", `{"type":"pushbullet","pushbulletAccessToken":"SECRETpb"}`, "url", 1},
	{"opsgenie", `{"type":"Opsgenie","opsgenieApiKey":"SECRETops","opsgenieRegion":"eu"}`, "url", 1},
	{"pagerduty", `{"type":"PagerDuty","pagerdutyIntegrationKey":"SECRETpd"}`, "url", 1},
	{"signal", `{"type":"signal","signalURL":"http://signal","signalNumber":"+1"}`, "", 1},
	{"off", `{"type":"webhook","webhookURL":"https://off.example.com/"}`, "", 0},
}

func TestKuma(t *testing.T) {
	for _, v2 := range []bool{false, true} {
		name := "v1"
		if v2 {
			name = "v2"
		}
		t.Run(name, func(t *testing.T) { testKuma(t, v2) })
	}
}

func testKuma(t *testing.T, v2 bool) {
	cases := kumaCases(v2)
	ids := map[string]int64{}
	path := kumaDBFile(t, v2, func(ins func(string, row) int64) {
		ins("user", row{"username": "admin"})
		ins("proxy", row{"user_id": 1, "protocol": "http", "host": "proxy.example.com", "port": 3128, "auth": 1, "username": "kuma", "password": "SECRETproxy"})
		ins("proxy", row{"user_id": 1, "protocol": "socks4", "host": "socks.example.com", "port": 1080, "auth": 0})
		ins("proxy", row{"user_id": 1, "protocol": "https", "host": "off.example.com", "port": 443, "auth": 0, "active": 0})
		group := ins("monitor", row{"name": "Production", "type": "group", "interval": 60})
		for _, c := range cases {
			r := c.r
			if r["name"] == "shop" || r["name"] == "login" {
				r["parent"] = group
			}
			ids[r["name"].(string)] = ins("monitor", r)
		}
		// A second monitor named shop, and one with an awkward name.
		ids["shop#2"] = ins("monitor", row{"name": "shop", "type": "http", "url": "https://shop2.example.com/"})
		ids["odd"] = ins("monitor", row{"name": "  odd\tname \"quoted\" ✓\n", "type": "http", "url": "https://odd.example.com/"})
		env := ins("tag", row{"name": "env", "color": "#000"})
		team := ins("tag", row{"name": "team", "color": "#fff"})
		ins("monitor_tag", row{"monitor_id": ids["shop"], "tag_id": env, "value": "prod"})
		ins("monitor_tag", row{"monitor_id": ids["shop"], "tag_id": team, "value": ""})
		ins("monitor_tag", row{"monitor_id": ids["port"], "tag_id": env, "value": "prod"})
		for i, n := range kumaNotifications {
			nid := ins("notification", row{"name": n.name, "config": n.config, "active": n.active, "user_id": 1})
			mid := ids["shop"]
			if i%2 == 1 {
				mid = ids["port"]
			}
			ins("monitor_notification", row{"id": i + 1, "monitor_id": mid, "notification_id": nid})
		}
		// Maintenance of each strategy.
		mw := func(r row, monitors ...string) {
			r["description"] = ""
			id := ins("maintenance", r)
			for _, m := range monitors {
				ins("monitor_maintenance", row{"monitor_id": ids[m], "maintenance_id": id})
			}
		}
		mw(row{"title": "deploy", "strategy": "single", "start_date": "2026-11-24 02:00:00", "end_date": "2026-11-24 02:30:00", "timezone": "Europe/Berlin"}, "shop", "port")
		mw(row{"title": "weekly", "strategy": "recurring-weekday", "start_time": "03:00", "end_time": "01:00", "weekdays": "[1,3,0]", "timezone": "UTC"}, "shop")
		mw(row{"title": "monthly", "strategy": "recurring-day-of-month", "start_time": "04:15", "end_time": "05:00", "days_of_month": `[1,15,"lastDay1"]`, "timezone": "SAME_AS_SERVER"}, "port")
		mw(row{"title": "cron", "strategy": "cron", "cron": "30 1 * * 6", "duration": 5400, "timezone": "America/New_York"}, "dns")
		mw(row{"title": "every 3 days", "strategy": "recurring-interval", "interval_day": 3, "start_time": "06:00", "end_time": "06:10"}, "ping")
		mw(row{"title": "by hand", "strategy": "manual"}, "shop")
		mw(row{"title": "old", "strategy": "single", "active": 0, "start_date": "2020-01-01 00:00:00", "end_date": "2020-01-01 01:00:00"}, "shop")
		page := ins("status_page", row{"slug": "main", "title": "Main"})
		pm := ins("maintenance", row{"title": "page only", "description": "", "strategy": "single", "start_date": "2026-01-01 00:00:00", "end_date": "2026-01-01 01:00:00"})
		ins("maintenance_status_page", row{"status_page_id": page, "maintenance_id": pm})
		mw(row{"title": "for a left-out monitor", "strategy": "single", "start_date": "2026-01-01 00:00:00", "end_date": "2026-01-01 01:00:00"}, "docker")
	})

	c, err := Import(path, "")
	if err != nil {
		t.Fatal(err)
	}
	wantDetail := "schema v1"
	if v2 {
		wantDetail = "schema v2"
	}
	if c.Source != Kuma || c.Detail != wantDetail {
		t.Errorf("source %q %q, want kuma %q", c.Source, c.Detail, wantDetail)
	}
	cfg, text := load(t, c)
	noSecrets(t, text)

	// Every monitor is either in the config with the URL expected, or
	// named in the report as left out.
	for _, kc := range cases {
		name := kc.r["name"].(string)
		want := kc.url
		if want == "" {
			wantSkipped(t, c, fmt.Sprintf("monitor %q", name))
			if slices.ContainsFunc(cfg.Monitors, func(m *monitor.Monitor) bool { return m.Name == name }) {
				t.Errorf("%s is in the config and in the report as left out", name)
			}
			continue
		}
		if m := byName(t, cfg, name); m.URL != want {
			t.Errorf("%s: url %q, want %q", name, m.URL, want)
		}
	}
	wantSkipped(t, c, `monitor "Production" (group)`)

	shop := byName(t, cfg, "shop")
	if shop.Interval != 30*time.Second || shop.Timeout != 24*time.Second || shop.Retries != 2 || shop.RetryInterval != 10*time.Second ||
		shop.Method != "POST" || shop.Body != `{"a":1}` || shop.MaxRedirects != 3 || !shop.Insecure ||
		shop.Headers["X-Api-Key"] != dummy("SHOP_X_API_KEY") || shop.Headers["Accept"] != "application/json" {
		t.Errorf("shop: %+v", shop)
	}
	if len(shop.ExpectStatus) != 11 || !slices.Contains(shop.ExpectStatus, 404) || !slices.Contains(shop.ExpectStatus, 226) {
		t.Errorf("shop: expect_status %v, want the 2xx codes and 404", shop.ExpectStatus)
	}
	if !slices.Equal(shop.Tags, []string{"Production", "env:prod", "team"}) {
		t.Errorf("shop tags %q", shop.Tags)
	}
	var wantAlerts []string
	for i, n := range kumaNotifications {
		if i%2 == 0 && n.kind != "" {
			wantAlerts = append(wantAlerts, n.name)
		}
	}
	if !slices.Equal(shop.Alerts, wantAlerts) {
		t.Errorf("shop alerts %q, want %q", shop.Alerts, wantAlerts)
	}
	if m := byName(t, cfg, "login"); m.ExpectBody != "Sign in" || !slices.Equal(m.Tags, []string{"Production"}) {
		t.Errorf("login: %+v", m)
	}
	if m := byName(t, cfg, "login"); m.BasicAuth == nil || m.BasicAuth.User != "probe" || m.BasicAuth.Password != dummy("LOGIN_PASSWORD") || strings.Contains(m.URL, "@") {
		t.Errorf("login: basic auth %+v from URL %q, want user probe and the password from LOGIN_PASSWORD, and no password in the URL", m.BasicAuth, m.URL)
	}
	if m := byName(t, cfg, "banner"); m.ExpectBody != "" {
		t.Errorf("banner: an inverted keyword must not become expect_body: %+v", m)
	}
	wantPartial(t, c, `monitor "banner"`, "inverted")
	st := byName(t, cfg, "status")
	if len(st.ExpectJSON) != 1 || !jqTrue(t, st.ExpectJSON[0], map[string]any{"data": map[string]any{"status": "UP"}}) ||
		jqTrue(t, st.ExpectJSON[0], map[string]any{"data": map[string]any{"status": "DOWN"}}) {
		t.Errorf("status: expect_json %q", st.ExpectJSON)
	}
	if m := byName(t, cfg, "backup"); m.Kind != monitor.KindPush || m.Interval != 24*time.Hour || m.Retries != 0 {
		t.Errorf("backup: %+v", m)
	}
	if m := byName(t, cfg, "shop-2"); m.URL != "https://shop2.example.com/" {
		t.Errorf("the second shop: %+v", m)
	}
	if m := byName(t, cfg, `odd name "quoted" ✓`); m.URL != "https://odd.example.com/" {
		t.Errorf("odd: %+v", m)
	}
	if v2 {
		sv := byName(t, cfg, "status v2")
		if len(sv.ExpectJSON) != 1 || !jqTrue(t, sv.ExpectJSON[0], map[string]any{"checks": []any{map[string]any{"latency": 100.0}}}) ||
			jqTrue(t, sv.ExpectJSON[0], map[string]any{"checks": []any{map[string]any{"latency": 300.0}}}) {
			t.Errorf("status v2: expect_json %q", sv.ExpectJSON)
		}
		if m := byName(t, cfg, "dns v2"); m.ExpectAnswer != "93.184.216.34" {
			t.Errorf("dns v2: %+v", m)
		}
		if m := byName(t, cfg, "example.co.uk registration"); m.URL != "domain://example.co.uk" {
			t.Errorf("domain expiry: %+v", m)
		}
	}

	// The services behind a site, and how requests are made.
	if m := byName(t, cfg, "grpc"); m.Kind != monitor.KindGRPC {
		t.Errorf("grpc: %+v", m)
	}
	noNotes(t, c, `monitor "grpc" (`)
	wantPartial(t, c, `monitor "grpc custom"`, "does not call shop.Catalog.listItems")
	wantPartial(t, c, `monitor "grpc custom"`, `keyword "items" is not checked`)
	if m := byName(t, cfg, "mysql"); m.Password != dummy("MYSQL_PASSWORD") || m.Query != "SELECT COUNT(*) FROM orders" {
		t.Errorf("mysql: password %q, query %q", m.Password, m.Query)
	}
	if m := byName(t, cfg, "postgres"); m.Kind != monitor.KindPostgres || m.Password != dummy("POSTGRES_PASSWORD") || m.Query != "SELECT 1 FROM pg_stat_replication" {
		t.Errorf("postgres: %+v", m)
	}
	if m := byName(t, cfg, "redis"); m.Password != dummy("REDIS_PASSWORD") || m.Query != "" || m.Insecure {
		t.Errorf("redis: %+v", m)
	}
	if m := byName(t, cfg, "redis tls"); m.Password != dummy("REDIS_TLS_PASSWORD") || !m.Insecure {
		t.Errorf("redis tls: %+v", m)
	}
	o := byName(t, cfg, "oauth").OAuth2
	if o == nil || o.TokenURL != "https://auth.example.com/token" || o.ClientID != "upbeat" || o.ClientSecret != dummy("OAUTH_CLIENT_SECRET") ||
		!slices.Equal(o.Scopes, []string{"status:read", "status:list"}) {
		t.Errorf("oauth: %+v", o)
	}
	wantPartial(t, c, `monitor "mtls"`, "save tls_cert and tls_key")
	wantPartial(t, c, `monitor "ntlm"`, "no NTLM")
	if m := byName(t, cfg, "ntlm"); m.BasicAuth != nil {
		t.Errorf("ntlm: its NTLM login must not become basic auth: %+v", m.BasicAuth)
	}
	// Both monitors behind the proxy share one variable for its password.
	for _, name := range []string{"proxied", "proxied too"} {
		m := byName(t, cfg, name)
		if m.Proxy == nil || m.Proxy.String() != "http://kuma:"+dummy("PROXY_EXAMPLE_COM_PASSWORD")+"@proxy.example.com:3128" {
			t.Errorf("%s: proxy %v", name, m.Proxy)
		}
	}
	if m := byName(t, cfg, "socks4"); m.Proxy != nil {
		t.Errorf("socks4: proxy %v, want none", m.Proxy)
	}
	wantPartial(t, c, `monitor "socks4"`, "the proxy speaks socks4")
	if m := byName(t, cfg, "proxy off"); m.Proxy != nil {
		t.Errorf("proxy off: a proxy turned off in Kuma is not used, but got %v", m.Proxy)
	}
	noNotes(t, c, `monitor "proxy off"`)
	// Values beyond upbeat's bounds become the nearest allowed, with a note.
	if m := byName(t, cfg, "strict"); m.Retries != 10 || m.Timeout != 10*time.Millisecond || m.MaxRedirects != 30 {
		t.Errorf("strict: retries %d, timeout %s, max_redirects %d; want 10, 10ms, 30", m.Retries, m.Timeout, m.MaxRedirects)
	}
	wantPartial(t, c, `monitor "strict"`, "retries 20 → 10: upbeat allows at most 10")
	wantPartial(t, c, `monitor "strict"`, "timeout 5ms → 10ms: upbeat allows at least 10ms")
	wantPartial(t, c, `monitor "strict"`, "max_redirects 50 → 30: upbeat allows at most 30")
	if m := byName(t, cfg, "form"); m.Headers["Content-Type"] != "application/x-www-form-urlencoded" || m.Body != "a=1&b=2" {
		t.Errorf("form: %+v", m)
	}
	if m := byName(t, cfg, "shop"); m.Headers["Content-Type"] != "application/json" {
		t.Errorf("shop: Kuma sends a JSON body as application/json; headers %v", m.Headers)
	}
	if v2 {
		if m := byName(t, cfg, "smtp"); m.Kind != monitor.KindSMTP || m.StartTLS != "mandatory" {
			t.Errorf("smtp: %+v", m)
		}
		if m := byName(t, cfg, "smtp plain"); m.StartTLS != "none" {
			t.Errorf("smtp plain: %+v", m)
		}
		if m := byName(t, cfg, "smtps"); m.StartTLS != "" {
			t.Errorf("smtps: %+v", m)
		}
		ws := byName(t, cfg, "websocket")
		if ws.Kind != monitor.KindWS || ws.Headers["Authorization"] != "Bearer "+dummy("WEBSOCKET_BEARER_TOKEN") || ws.Headers["X-Client"] != "upbeat" {
			t.Errorf("websocket: %+v", ws)
		}
		noNotes(t, c, `monitor "websocket" (`)
		if m := byName(t, cfg, "websocket basic"); m.Headers["Authorization"] != "Basic "+dummy("WEBSOCKET_BASIC_BASIC_AUTH") {
			t.Errorf("websocket basic: %+v", m)
		}
		wantPartial(t, c, `monitor "websocket basic"`, `subprotocol "graphql-ws"`)
		wantPartial(t, c, `monitor "websocket basic"`, "close codes 1000, 1001")
		if m := byName(t, cfg, "mysql v2"); m.Password != dummy("MYSQL_V2_PASSWORD") || m.ExpectValue != "ok" || m.Query != "SELECT status FROM health" {
			t.Errorf("mysql v2: %+v", m)
		}
		if o := byName(t, cfg, "oauth v2").OAuth2; o == nil || o.Params["audience"] != "api.example.com" || o.ClientSecret != dummy("OAUTH_V2_CLIENT_SECRET") {
			t.Errorf("oauth v2: %+v", o)
		}
		if m := byName(t, cfg, "bearer"); m.Headers["Authorization"] != "Bearer "+dummy("BEARER_BEARER_TOKEN") {
			t.Errorf("bearer: %+v", m)
		}
		if m := byName(t, cfg, "ipv6 only"); m.IPVersion != 6 {
			t.Errorf("ipv6 only: %+v", m)
		}
		wantPartial(t, c, `monitor "ipv6 only"`, "random query parameter")
	}
	wantSkipped(t, c, `monitor "upside"`)

	// Notifications.
	for _, n := range kumaNotifications {
		if n.kind == "" {
			wantSkipped(t, c, fmt.Sprintf("notification %q", n.name))
			continue
		}
		if a := alertByName(t, cfg, n.name); a.Kind != n.kind {
			t.Errorf("notification %s: kind %q, want %q", n.name, a.Kind, n.kind)
		}
	}
	if a := alertByName(t, cfg, "mail"); a.SMTPPort != 587 || a.StartTLS != "opportunistic" || !slices.Equal(a.To, []string{"a@example.com", "b@example.com"}) {
		t.Errorf("mail: %+v", a)
	}
	if a := alertByName(t, cfg, "hook"); !strings.Contains(a.URL, "token="+dummy("HOOK_TOKEN")) || a.Headers["Authorization"] != dummy("HOOK_AUTHORIZATION") {
		t.Errorf("hook: %+v", a)
	}
	wantPartial(t, c, `monitor "port"`, "not mapped")

	// Maintenance.
	windows := map[string]*maint.Config{}
	for _, w := range cfg.Maintenance {
		windows[w.Name] = w
	}
	berlin, _ := time.LoadLocation("Europe/Berlin")
	if w := windows["deploy"]; w == nil || !w.Start.Equal(time.Date(2026, 11, 24, 2, 0, 0, 0, berlin)) || !slices.Equal(w.Monitors, []string{"shop", "port"}) {
		t.Errorf("deploy: %+v", w)
	}
	if w := windows["weekly"]; w == nil || w.At != "03:00" || w.Duration != 22*time.Hour || !slices.Equal(w.Weekdays, []string{"sun", "mon", "wed"}) {
		t.Errorf("weekly: %+v", w)
	}
	if w := windows["monthly"]; w == nil || w.Cron != "15 4 1,15 * *" || w.Duration != 45*time.Minute || w.Timezone != "UTC" {
		t.Errorf("monthly: %+v", w)
	}
	wantPartial(t, c, `maintenance "monthly"`, "lastDay1")
	wantPartial(t, c, `maintenance "monthly"`, "server's time zone")
	if w := windows["cron"]; w == nil || w.Cron != "30 1 * * 6" || w.Duration != 90*time.Minute || w.Timezone != "America/New_York" {
		t.Errorf("cron: %+v", w)
	}
	if w := windows["every 3 days"]; w == nil || w.Cron != "0 6 */3 * *" || w.Duration != 10*time.Minute {
		t.Errorf("every 3 days: %+v", w)
	}
	wantSkipped(t, c, `maintenance "by hand"`, `maintenance "old"`, `maintenance "page only"`, `maintenance "for a left-out monitor"`)
	if len(cfg.Maintenance) != 5 {
		t.Errorf("%d windows, want 5", len(cfg.Maintenance))
	}
}

func TestKumaEmpty(t *testing.T) {
	for _, v2 := range []bool{false, true} {
		path := kumaDBFile(t, v2, nil)
		c, err := Import(path, Kuma)
		if err != nil {
			t.Fatal(err)
		}
		cfg, _ := load(t, c)
		if len(cfg.Monitors) != 0 || c.Found.Monitors != 0 {
			t.Errorf("an empty database gave %d monitors", len(cfg.Monitors))
		}
	}
}

func TestKumaCorrupt(t *testing.T) {
	dir := t.TempDir()
	good := kumaDBFile(t, true, func(ins func(string, row) int64) {
		ins("monitor", row{"name": "x", "type": "http", "url": "https://x.example.com/"})
	})
	data, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	garbage := append([]byte(sqliteMagic), make([]byte, 4096)...)
	for i := range garbage[len(sqliteMagic):] {
		garbage[len(sqliteMagic)+i] = byte(i * 7)
	}
	other := filepath.Join(dir, "other.db")
	db, _ := sql.Open("sqlite", other)
	db.Exec("CREATE TABLE things (id INTEGER)")
	db.Close()
	for name, tc := range map[string]struct {
		data []byte
		file string
		want string
	}{
		"truncated": {data: data[:len(data)/3], want: "database"},
		"garbage":   {data: garbage, want: "not a readable SQLite database"},
		"empty":     {data: []byte{}, want: "empty"},
		"other":     {file: other, want: "not an Uptime Kuma database"},
	} {
		path := tc.file
		if path == "" {
			path = filepath.Join(dir, name+".db")
			os.WriteFile(path, tc.data, 0o600)
		}
		_, err := Import(path, Kuma)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want one saying %q", name, err, tc.want)
		}
	}
}
