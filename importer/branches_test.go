package importer

import (
	"encoding/json"
	"strings"
	"testing"
)

// These tests pin the branches of the importers' mapping functions that
// the fixture-driven tests do not reach, one small input each, so that a
// refactor that changes what a branch does fails here.

// dump renders what an import made, and its notes, as one string the
// cases look for pieces of.
func dump(t *testing.T, c *Config) string {
	t.Helper()
	var b strings.Builder
	for _, v := range []any{c.Monitors, c.Alerts, c.Maintenance} {
		j, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(j)
		b.WriteByte('\n')
	}
	for _, n := range c.Notes {
		if n.Skipped {
			b.WriteString("SKIPPED ")
		}
		b.WriteString(n.String() + "\n")
	}
	return b.String()
}

// wantPieces checks that got holds every piece of want and none of not.
func wantPieces(t *testing.T, got string, want, not []string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("want %q in:\n%s", w, got)
		}
	}
	for _, n := range not {
		if strings.Contains(got, n) {
			t.Errorf("do not want %q in:\n%s", n, got)
		}
	}
}

func TestUptimeRobotBranches(t *testing.T) {
	const header = "Friendly Name,URL,Type,Sub-Type,Port,Keyword Type,Keyword Value,Keyword Case Type,HTTP Method,Interval,Timeout,Tags,Status\n"
	for _, tc := range []struct {
		name, row string
		want, not []string
	}{
		{"no type, bare host", "a,host.example.com,,,,,,,,,,,", []string{`"URL":"icmp://host.example.com"`}, nil},
		{"no type, URL", "a,https://a.example.com/,,,,,,,,,,,", []string{`"URL":"https://a.example.com/"`}, nil},
		{"paused", "a,https://a.example.com/,1,,,,,,,,,,0", []string{"SKIPPED monitor \"a\" (line 2): it is paused"}, nil},
		{"no url", "a,,1,,,,,,,,,,", []string{"SKIPPED monitor \"a\" (line 2): it has no URL or host"}, nil},
		{"http without scheme", "a,a.example.com/x,1,,,,,,,,,,", []string{`"URL":"https://a.example.com/x"`}, nil},
		{"bad http url", "a,https://a b/,1,,,,,,,,,,", []string{"SKIPPED monitor \"a\""}, []string{`"URL":"https://a b/"`}},
		{"post", "a,https://a.example.com/,1,,,,,,post,,,,", []string{`"Method":"POST"`}, nil},
		{"head stays default", "a,https://a.example.com/,1,,,,,,HEAD,,,,", []string{`"Method":""`}, nil},
		{"keyword without word", "a,https://a.example.com/,2,,,,,,,,,,", []string{"keyword monitor without a keyword"}, nil},
		{"keyword not exists", "a,https://a.example.com/,keyword,,,not exists,ok,,,,,,", []string{"cannot invert"}, []string{`"ExpectBody":"ok"`}},
		{"keyword any case", "a,https://a.example.com/,2,,,1,ok,0,,,,,", []string{`"ExpectBody":"ok"`, "matched in any case"}, nil},
		{"keyword exact case", "a,https://a.example.com/,2,,,1,ok,1,,,,,", []string{`"ExpectBody":"ok"`}, []string{"any case"}},
		{"port from subtype", "a,db.example.com,4,https,,,,,,,,,", []string{`"URL":"tcp://db.example.com:443"`}, nil},
		{"port out of range", "a,db.example.com,port,smtp,70000,,,,,,,,", []string{`"URL":"tcp://db.example.com:25"`}, nil},
		{"no port", "a,db.example.com,4,,,,,,,,,,", []string{"SKIPPED monitor \"a\" (line 2): it has no port"}, nil},
		{"heartbeat url", "a,https://heartbeat.uptimerobot.com/m123-abc/,5,,,,,,,,,,", []string{`"URL":"push://${A_PUSH_TOKEN}"`, "/push/TOKEN"}, nil},
		{"unknown type", "a,https://a.example.com/,9,,,,,,,,,,", []string{`SKIPPED monitor "a" (line 2): upbeat has no check for UptimeRobot's "9" monitors`}, nil},
		{"bad interval", "a,https://a.example.com/,1,,,,,,,soon,,,", []string{"interval: \"soon\" is not an interval; upbeat's default is used"}, nil},
		{"timeout", "a,https://a.example.com/,1,,,,,,,,45,,", []string{`"Timeout":45000000000`}, nil},
		{"bad timeout ignored", "a,https://a.example.com/,1,,,,,,,,-1,,", []string{`"Timeout":0`}, nil},
		{"heartbeat has no timeout", "a,https://a.example.com/m1-x,5,,,,,,,,45,,", []string{`"Timeout":0`}, nil},
		{"tags", "a,https://a.example.com/,1,,,,,,,,,\"web;db|web, ,x\",", []string{`"Tags":["web","db","x"]`}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := FromUptimeRobot([]byte(header + tc.row + "\n"))
			if err != nil {
				t.Fatal(err)
			}
			wantPieces(t, dump(t, c), tc.want, tc.not)
		})
	}
}

func TestKumaWindowBranches(t *testing.T) {
	base := func(extra kumaRow) kumaRow {
		r := kumaRow{"id": int64(7), "title": "w", "active": int64(1), "strategy": "recurring-weekday",
			"start_time": "02:00", "end_time": "03:30", "weekdays": "[1,3]", "timezone": "UTC"}
		for k, v := range extra {
			r[k] = v
		}
		return r
	}
	for _, tc := range []struct {
		name      string
		row       kumaRow
		ids       []int64
		onPage    bool
		want, not []string
	}{
		{"inactive", base(kumaRow{"active": int64(0)}), []int64{1}, false, []string{"SKIPPED maintenance \"w\" (recurring-weekday): it is inactive"}, nil},
		{"monitor left out", base(nil), []int64{2}, false, []string{"none of its monitors was imported"}, nil},
		{"no monitor", base(nil), nil, false, []string{"it names no monitor"}, nil},
		{"page only", base(nil), nil, true, []string{"it applies to status pages"}, nil},
		{"server zone", base(kumaRow{"timezone": "SAME_AS_SERVER"}), []int64{1}, false, []string{`"Timezone":"UTC"`, "server's time zone"}, nil},
		{"empty zone", base(kumaRow{"timezone": ""}), []int64{1}, false, []string{`"Timezone":"UTC"`}, []string{"time zone"}},
		{"named zone", base(kumaRow{"timezone": "Europe/Berlin"}), []int64{1}, false, []string{`"Timezone":"Europe/Berlin"`}, nil},
		{"unknown zone", base(kumaRow{"timezone": "Mars/Base"}), []int64{1}, false, []string{`its time zone "Mars/Base" is unknown here`}, nil},
		{"manual", base(kumaRow{"strategy": "manual"}), []int64{1}, false, []string{"press m on the monitor"}, nil},
		{"single", base(kumaRow{"strategy": "single", "start_date": "2026-01-02 03:04:05", "end_date": "2026-01-02 05:00"}), []int64{1}, false,
			[]string{`"Start":"2026-01-02T03:04:05","End":"2026-01-02T05:00:00"`}, nil},
		{"single without end", base(kumaRow{"strategy": "single", "start_date": "2026-01-02 03:04:05"}), []int64{1}, false, []string{"it has no start or no end"}, nil},
		{"weekday", base(nil), []int64{1}, false, []string{`"Weekdays":["mon","wed"],"At":"02:00","Duration":5400000000000`}, nil},
		{"weekday over midnight", base(kumaRow{"start_time": "23:00", "end_time": "01:00", "weekdays": "[0,7,9]"}), []int64{1}, false,
			[]string{`"Weekdays":["sun"],"At":"23:00","Duration":7200000000000`}, nil},
		{"no weekday", base(kumaRow{"weekdays": "[]"}), []int64{1}, false, []string{"it names no weekday"}, nil},
		{"no time of day", base(kumaRow{"start_time": ""}), []int64{1}, false, []string{"it has no time of day"}, nil},
		{"every day", base(kumaRow{"strategy": "recurring-interval", "interval_day": int64(1)}), []int64{1}, false, []string{`"At":"02:00","Duration":5400000000000`}, nil},
		{"every third day", base(kumaRow{"strategy": "recurring-interval", "interval_day": int64(3)}), []int64{1}, false,
			[]string{`"Cron":"0 2 */3 * *"`, "every 3 days counts from the first"}, nil},
		{"days of month", base(kumaRow{"strategy": "recurring-day-of-month", "days_of_month": `[1, "15", "lastDay1"]`}), []int64{1}, false,
			[]string{`"Cron":"0 2 1,15 * *"`, `the day "lastDay1"`}, nil},
		{"no day of month", base(kumaRow{"strategy": "recurring-day-of-month", "days_of_month": `["lastDay1"]`}), []int64{1}, false,
			[]string{"it names no day of the month upbeat can use"}, nil},
		{"cron", base(kumaRow{"strategy": "cron", "cron": " 30 1 * * 1 ", "duration": int64(600), "start_time": ""}), []int64{1}, false,
			[]string{`"Cron":"30 1 * * 1"`, `"Duration":600000000000`}, nil},
		{"cron without duration", base(kumaRow{"strategy": "cron", "cron": "30 1 * * 1"}), []int64{1}, false, []string{"no cron line or no duration"}, nil},
		{"cron with L", base(kumaRow{"strategy": "cron", "cron": "0 0 L * *", "duration": int64(60)}), []int64{1}, false,
			[]string{`its cron line "0 0 L * *" uses what`}, nil},
		{"cron with six fields", base(kumaRow{"strategy": "cron", "cron": "0 0 0 1 * *", "duration": int64(60)}), []int64{1}, false,
			[]string{"uses what a standard five-field cron line lacks"}, nil},
		{"recurring with end", base(kumaRow{"end_date": "2027-01-01 00:00:00"}), []int64{1}, false,
			[]string{"it ends on 2027-01-01T00:00:00; upbeat repeats it"}, nil},
		{"unknown strategy", base(kumaRow{"strategy": "lunar"}), []int64{1}, false, []string{`does not know the strategy "lunar"`}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &kumaReader{builder: newBuilder(Kuma, ""), names: map[int64]string{1: "web"}}
			r.window(tc.row, tc.ids, tc.onPage)
			wantPieces(t, dump(t, r.cfg), tc.want, tc.not)
		})
	}
}

func TestKumaNotificationBranches(t *testing.T) {
	for _, tc := range []struct {
		typ       string
		c         map[string]any
		want, not []string
	}{
		{"webhook", map[string]any{"webhookURL": "https://hooks.example.com/x", "webhookAdditionalHeaders": `{"X-B":"2","X-A":1}`, "webhookContentType": "custom"},
			[]string{`"Key":"X-A","Value":"1"},{"Key":"X-B","Value":"2"`, "its custom body is not kept", "WEBHOOK.md"}, nil},
		{"webhook", map[string]any{"webhookURL": "https://hooks.example.com/x", "webhookAdditionalHeaders": "not json"}, []string{"WEBHOOK.md"}, []string{"custom body"}},
		{"smtp", map[string]any{"smtpHost": "mail.example.com", "smtpPort": 587.0, "smtpFrom": "a@example.com", "smtpTo": "b@example.com, c@example.com", "smtpCC": "d@example.com", "smtpIgnoreSTARTTLS": true},
			[]string{"b@example.com", "d@example.com", `"none"`}, []string{"mandatory"}},
		{"smtp", map[string]any{"smtpHost": "mail.example.com", "smtpPort": "25", "smtpFrom": "a@example.com", "smtpTo": "b@example.com", "smtpSecure": true},
			[]string{`"mandatory"`, "TLS from the start on port 25"}, nil},
		{"smtp", map[string]any{"smtpHost": "mail.example.com", "smtpPort": 465.0, "smtpFrom": "a@example.com", "smtpTo": "b@example.com", "smtpSecure": true},
			[]string{`"Key":"smtp_port","Value":465`}, []string{"TLS from the start", "mandatory"}},
		{"ntfy", map[string]any{"ntfyserverurl": "https://ntfy.example.com", "ntfytopic": "t", "ntfyaccesstoken": "tk", "ntfyPriority": 4.0},
			[]string{"priority=4", "n_token"}, []string{"n_password"}},
		{"ntfy", map[string]any{"ntfyserverurl": "https://ntfy.example.com", "ntfytopic": "t", "ntfyusername": "u", "ntfypassword": "p", "ntfyaccesstoken": "tk"},
			[]string{"ntfy://u:", "n_password"}, []string{"n_token"}},
		{"ntfy", map[string]any{"ntfyserverurl": "https://ntfy.example.com", "ntfytopic": "t", "ntfyusername": "u", "ntfyAuthenticationMethod": "accessToken", "ntfyaccesstoken": "tk"},
			[]string{"n_token"}, []string{"ntfy://u:", "n_password"}},
		{"teams", map[string]any{"webhookUrl": "https://example.webhook.office.com/webhookb2/x"}, []string{"ERROR its webhook URL is not of the form"}, nil},
		{"mattermost", map[string]any{"mattermostWebhookUrl": "https://mm.example.com/hooks/x", "mattermostchannel": "ops"}, []string{"mattermost"}, nil},
		{"rocket.chat", map[string]any{"rocketwebhookURL": "https://rc.example.com/hooks/x", "rocketchannel": "ops"}, []string{"rocketchat"}, nil},
		{"GoogleChat", map[string]any{"googleChatWebhookURL": "https://chat.googleapis.com/v1/spaces/x/messages?key=k&token=t"}, []string{"googlechat"}, nil},
		{"gotify", map[string]any{"gotifyserverurl": "https://gotify.example.com", "gotifyapplicationToken": "t"}, []string{"gotify"}, nil},
		{"pushover", map[string]any{"pushoverapptoken": "a", "pushoveruserkey": "u"}, []string{"pushover"}, nil},
		{"matrix", map[string]any{"homeserverUrl": "https://matrix.example.com", "accessToken": "t", "internalRoomId": "!r:example.com"}, []string{"matrix"}, nil},
		{"pushbullet", map[string]any{"pushbulletAccessToken": "t"}, []string{"pushbullet"}, nil},
		{"Opsgenie", map[string]any{"opsgenieApiKey": "k", "opsgenieRegion": "eu"}, []string{"opsgenie"}, nil},
		{"PagerDuty", map[string]any{"pagerdutyIntegrationKey": "k"}, []string{"pagerduty"}, nil},
		{"", nil, []string{"ERROR its config names no service"}, nil},
		{"signal", nil, []string{"ERROR upbeat has no channel for signal"}, nil},
	} {
		t.Run(tc.typ, func(t *testing.T) {
			r := &kumaReader{builder: newBuilder(Kuma, "")}
			a := &Alert{Name: "n"}
			err := r.notification(a, tc.typ, tc.c)
			r.cfg.Alerts = append(r.cfg.Alerts, a)
			got := dump(t, r.cfg) + "\n" + strings.ToLower(strings.Join(envNames(r.cfg), " "))
			if err != nil {
				got += "\nERROR " + err.Error()
			}
			wantPieces(t, got, tc.want, tc.not)
		})
	}
}

// envNames lists the variables an import asks for.
func envNames(c *Config) []string {
	var out []string
	for _, v := range c.Env {
		out = append(out, v.Name)
	}
	return out
}

// gatusEndpointYAML is one endpoint with the given lines (indented under
// it) and the given alerting section.
func gatusEndpointYAML(url, lines, alerting string) string {
	s := ""
	if alerting != "" {
		s = "alerting:\n" + alerting + "\n"
	}
	return s + "endpoints:\n  - name: e\n    url: \"" + url + "\"\n" + lines + "\n"
}

func TestGatusEndpointBranches(t *testing.T) {
	for _, tc := range []struct {
		name, url, lines string
		want, not        []string
	}{
		{"disabled", "https://a.example.com/", "    enabled: false", []string{`SKIPPED endpoint "e": it is disabled`}, nil},
		{"group and interval", "https://a.example.com/", "    group: Core Team\n    interval: 30s", []string{`"Interval":30000000000`, `"Tags":["Core Team"]`}, nil},
		{"bad interval", "https://a.example.com/", "    interval: soon", []string{`"Interval":0`, "interval:"}, nil},
		{"http request", "https://a.example.com/", "    method: put\n    body: hi\n    headers:\n      X-B: b\n      X-A: a",
			[]string{`"Method":"PUT"`, `"Body":"hi"`, `"Headers":[{"Key":"X-A","Value":"a"},{"Key":"X-B","Value":"b"}]`}, nil},
		{"graphql", "https://a.example.com/", "    graphql: true\n    body: \"{ me }\"",
			[]string{`"Method":"POST"`, `{\"query\":\"{ me }\"}`, `{"Key":"Content-Type","Value":"application/json"}`}, nil},
		{"ws", "wss://a.example.com/", "    body: ping\n    method: GET\n    headers:\n      X-A: a",
			[]string{`"Send":"ping"`, `{"Key":"X-A","Value":"a"}`, "method is for HTTP endpoints"}, nil},
		{"ws empty message", "wss://a.example.com/", "    conditions:\n      - \"[BODY].a == 1\"", []string{"Gatus sent an empty message first"}, nil},
		{"tcp with request", "tcp://a.example.com:22", "    body: x", []string{"method, body and headers are for HTTP endpoints"}, nil},
		{"labels and ssh", "https://a.example.com/", "    extra-labels:\n      a: b\n    ssh:\n      username: u", []string{"extra-labels are not kept", "the ssh settings are not kept"}, nil},
		{"window", "https://a.example.com/", "    maintenance-windows:\n      - start: \"23:00\"\n        duration: 1h", []string{`"Name":"e maintenance 1"`, `"Monitors":["e"]`}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := FromGatus([]byte(gatusEndpointYAML(tc.url, tc.lines, "")))
			if err != nil {
				t.Fatal(err)
			}
			wantPieces(t, dump(t, c), tc.want, tc.not)
		})
	}
}

func TestGatusClientBranches(t *testing.T) {
	for _, tc := range []struct {
		name, url, client string
		want, not         []string
	}{
		{"timeout", "https://a.example.com/", "timeout: 5s", []string{`"Timeout":5000000000`}, nil},
		{"bad timeout", "https://a.example.com/", "timeout: soon", []string{"client timeout:"}, nil},
		{"insecure http", "https://a.example.com/", "insecure: true", []string{`"Insecure":true`}, nil},
		{"insecure tcp", "tcp://a.example.com:1", "insecure: true", []string{`"Insecure":false`}, nil},
		{"ignore redirect", "https://a.example.com/", "ignore-redirect: true", []string{`"MaxRedirects":0`}, nil},
		{"ignore redirect tcp", "tcp://a.example.com:1", "ignore-redirect: true", []string{`"MaxRedirects":null`}, nil},
		{"proxy", "https://a.example.com/", "proxy-url: http://proxy.example.com:3128", []string{`"Proxy":"http://proxy.example.com:3128"`}, nil},
		{"bad proxy", "https://a.example.com/", "proxy-url: \"http://a b\"", []string{"client proxy-url is not kept:"}, nil},
		{"proxy tcp", "tcp://a.example.com:1", "proxy-url: http://proxy.example.com:3128", []string{"client proxy-url is not kept: upbeat uses it for http and https monitors only"}, nil},
		{"oauth2 over userinfo", "https://u:p@a.example.com/", "oauth2:\n        token-url: https://id.example.com/token\n        client-id: c\n        client-secret: s",
			[]string{`"BasicAuth":null`, "the OAuth2 token replaced them"}, nil},
		{"oauth2 tcp", "tcp://a.example.com:1", "oauth2:\n        token-url: https://id.example.com/token", []string{"client oauth2 is not kept"}, nil},
		{"tls on tcp", "tcp://a.example.com:1", "tls:\n        certificate-file: c.pem", []string{"client tls is not kept"}, nil},
		{"renegotiation", "https://a.example.com/", "tls:\n        certificate-file: c.pem\n        private-key-file: k.pem\n        renegotiation: freely",
			[]string{`client tls renegotiation "freely" is not kept`}, nil},
		{"network ip", "https://a.example.com/", "network: ip", []string{`"IPVersion":0`}, []string{"client network"}},
		{"network ip6", "https://a.example.com/", "network: ip6", []string{`"IPVersion":6`, "became ip_version = 6"}, nil},
		{"network ip4 icmp", "icmp://a.example.com", "network: ip4", []string{`"IPVersion":0`, "client network ip4 is not kept"}, nil},
		{"network odd", "https://a.example.com/", "network: tcp", []string{`client network "tcp" is not kept`}, nil},
		{"resolver iap tunnel", "https://a.example.com/", "dns-resolver: tcp://8.8.8.8:53\n      identity-aware-proxy:\n        audience: x\n      tunnel: t1",
			[]string{"client dns-resolver tcp://8.8.8.8:53 is not kept", "identity-aware-proxy is not kept", `client tunnel "t1" is not kept`}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := FromGatus([]byte(gatusEndpointYAML(tc.url, "    client:\n      "+tc.client, "")))
			if err != nil {
				t.Fatal(err)
			}
			wantPieces(t, dump(t, c), tc.want, tc.not)
		})
	}
}

func TestGatusConditionBranches(t *testing.T) {
	for _, tc := range []struct {
		name, url, cond string
		want, not       []string
	}{
		{"unreadable", "https://a.example.com/", "[STATUS]", []string{"upbeat cannot read it"}, nil},
		{"status", "https://a.example.com/", "[STATUS] == 204", []string{`"ExpectStatus":[204]`}, nil},
		{"status range default", "https://a.example.com/", "[STATUS] < 400", []string{`"ExpectStatus":null`}, nil},
		{"status none", "https://a.example.com/", "[STATUS] > 700", []string{"leave no status code"}, nil},
		{"status bad value", "https://a.example.com/", "[STATUS] == pat(2*)x", []string{"upbeat cannot read this value"}, nil},
		{"status not http", "tcp://a.example.com:1", "[STATUS] == 200", []string{"only HTTP monitors have a status"}, nil},
		{"latency", "https://a.example.com/", "[RESPONSE_TIME] < 300", []string{`"MaxLatency":300000000`, "became max_latency"}, nil},
		{"latency other", "https://a.example.com/", "[RESPONSE_TIME] > 300", []string{"maximum latency only"}, nil},
		{"cert", "https://a.example.com/", "[CERTIFICATE_EXPIRATION] > 240h", []string{`"CertWarnDays":10`, "cert_warn_days = 10"}, nil},
		{"cert bad", "https://a.example.com/", "[CERTIFICATE_EXPIRATION] < 240h", []string{"upbeat warns when fewer than N days"}, nil},
		{"cert without tls", "http://a.example.com/", "[CERTIFICATE_EXPIRATION] > 240h", []string{"sees no certificate"}, nil},
		{"domain", "https://a.example.com/", "[DOMAIN_EXPIRATION] > 720h", []string{`"URL":"domain://example.com"`}, nil},
		{"connected", "tcp://a.example.com:1", "[CONNECTED] == true", nil, []string{"not mapped"}},
		{"connected false", "tcp://a.example.com:1", "[CONNECTED] == false", []string{"other uses of [CONNECTED]"}, nil},
		{"rcode", "8.8.8.8", "[DNS_RCODE] == noerror", nil, []string{"not mapped"}},
		{"rcode other", "8.8.8.8", "[DNS_RCODE] == NXDOMAIN", []string{"other answer codes do not map"}, nil},
		{"grpc serving", "grpc://a.example.com:50051", "[BODY].status == SERVING", nil, []string{"not mapped"}},
		{"grpc other", "grpc://a.example.com:50051", "[BODY].x == 1", []string{"answers SERVING"}, nil},
		{"json", "https://a.example.com/", "[BODY].ok == true", []string{`"ExpectJSON":[".ok == true"]`}, nil},
		{"json on tcp", "tcp://a.example.com:1", "len([BODY].a) > 1", []string{"only HTTP and WebSocket monitors have a JSON body"}, nil},
		{"other", "https://a.example.com/", "[IP] == 127.0.0.1", []string{"upbeat has no such check"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lines := "    conditions:\n      - \"" + tc.cond + "\""
			if !strings.Contains(tc.url, "://") {
				lines += "\n    dns:\n      query-type: A\n      query-name: example.com"
			}
			c, err := FromGatus([]byte(gatusEndpointYAML(tc.url, lines, "")))
			if err != nil {
				t.Fatal(err)
			}
			wantPieces(t, dump(t, c), tc.want, tc.not)
		})
	}
}

func TestGatusProviderBranches(t *testing.T) {
	for _, tc := range []struct {
		name, alerting string
		want, not      []string
	}{
		{"custom", "  custom:\n    url: https://hooks.example.com/x\n    method: PUT\n    headers:\n      X-B: b\n      X-A: a",
			[]string{`"Key":"X-A","Value":"a"},{"Key":"X-B","Value":"b"`, "method and body template are not kept"}, nil},
		{"custom plain", "  custom:\n    url: https://hooks.example.com/x", []string{`"Kind":"webhook"`}, []string{"template"}},
		{"email", "  email:\n    host: mail.example.com\n    port: 2525\n    from: a@example.com\n    to: \"b@example.com, c@example.com\"",
			[]string{`"Value":2525`, `["b@example.com","c@example.com"]`}, nil},
		{"defaults and overrides", "  slack:\n    webhook-url: https://hooks.slack.com/services/T0/B0/x\n    default-alert:\n      failure-threshold: 5\n      send-on-resolved: true\n      enabled: true\n    overrides:\n      - group: g",
			[]string{"per-group overrides are not kept"}, nil},
		{"discord", "  discord:\n    webhook-url: https://discord.com/api/webhooks/1/x", []string{`"Name":"discord"`}, nil},
		{"mattermost", "  mattermost:\n    webhook-url: https://mm.example.com/hooks/x\n    channel: ops", []string{`"Name":"mattermost"`}, nil},
		{"rocketchat", "  rocketchat:\n    webhook-url: https://rc.example.com/hooks/x", []string{`"Name":"rocketchat"`}, nil},
		{"googlechat", "  googlechat:\n    webhook-url: https://chat.googleapis.com/v1/spaces/x/messages?key=k&token=t", []string{`"Name":"googlechat"`}, nil},
		{"ntfy", "  ntfy:\n    topic: t\n    priority: 5", []string{"priority=5"}, nil},
		{"gotify", "  gotify:\n    server-url: https://gotify.example.com\n    token: t", []string{`"Name":"gotify"`}, nil},
		{"pushover", "  pushover:\n    application-token: a\n    user-key: u", []string{`"Name":"pushover"`}, nil},
		{"matrix", "  matrix:\n    server-url: https://matrix.example.com\n    access-token: t\n    internal-room-id: \"!r:example.com\"", []string{`"Name":"matrix"`}, nil},
		{"pagerduty", "  pagerduty:\n    integration-key: k", []string{`"Name":"pagerduty"`}, nil},
		{"opsgenie", "  opsgenie:\n    api-key: k", []string{`"Name":"opsgenie"`}, nil},
		{"teams", "  teams:\n    webhook-url: https://example.com/x", []string{`SKIPPED alerting provider "teams"`}, nil},
		{"unknown", "  signal:\n    number: 1", []string{`SKIPPED alerting provider "signal": upbeat has no channel for signal`}, nil},
		{"not a map", "  slack: 3", nil, []string{"slack"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := FromGatus([]byte(gatusEndpointYAML("https://a.example.com/", "", tc.alerting)))
			if err != nil {
				t.Fatal(err)
			}
			wantPieces(t, dump(t, c), tc.want, tc.not)
		})
	}
}
