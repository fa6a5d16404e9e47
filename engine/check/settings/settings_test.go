package settings

import (
	"reflect"
	"strings"
	"testing"
)

func TestRedisCommand(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []any
		err  string
	}{
		{"", []any{"PING"}, ""},
		{"  ", []any{"PING"}, ""},
		{"GET key", []any{"GET", "key"}, ""},
		{"SET k \"two words\"", []any{"SET", "k", "two words"}, ""},
		{`ECHO "a \"quoted\" word"`, []any{"ECHO", `a "quoted" word`}, ""},
		{"GET\tkey  ", []any{"GET", "key"}, ""},
		{`ECHO ""`, []any{"ECHO", ""}, ""},
		{`GET "open`, nil, "a double quote is not closed"},
		{`"" key`, nil, "the command's name is empty"},
	} {
		got, err := RedisCommand(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("RedisCommand(%q) error %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("RedisCommand(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestParseResolve(t *testing.T) {
	for _, tc := range []struct {
		in               string
		host, port, addr string
		err              string
	}{
		{"shop.example.com:443:192.0.2.10", "shop.example.com", "443", "192.0.2.10", ""},
		{"shop.example.com:443:2001:db8::1", "shop.example.com", "443", "2001:db8::1", ""},
		{"shop.example.com:443:[2001:db8::1]", "shop.example.com", "443", "2001:db8::1", ""},
		{"nonsense", "", "", "", "is not host:port:address"},
		{"a:443:", "", "", "", "is not host:port:address"},
		{"a:0:192.0.2.1", "", "", "", "is not a port"},
		{"a:65536:192.0.2.1", "", "", "", "is not a port"},
		{"a:https:192.0.2.1", "", "", "", "is not a port"},
		{"a:443:db.internal", "", "", "", "is not an IP address"},
	} {
		host, port, addr, err := ParseResolve(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseResolve(%q) error %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || host != tc.host || port != tc.port || addr != tc.addr {
			t.Errorf("ParseResolve(%q) = %q %q %q %v", tc.in, host, port, addr, err)
		}
	}
}

// A bad URL's error says what is wrong and never repeats the password.
func TestPostgresURLErrorHidesThePassword(t *testing.T) {
	if err := CheckPostgresURL("postgres://app:s3cret-pw@db.example.com:5432/shop?sslmode=verify-full"); err != nil {
		t.Fatalf("a good URL: %v", err)
	}
	for _, raw := range []string{
		"postgres://app:s3cret-pw@db.example.com:5432/shop?sslmode=sometimes",
		"postgres://app:s3cret-pw@db.example.com:99999/shop",
	} {
		err := CheckPostgresURL(raw)
		if err == nil {
			t.Fatalf("%s: no error", raw)
		}
		if msg := err.Error(); strings.Contains(msg, "s3cret-pw") || !strings.HasPrefix(msg, "postgres url: ") {
			t.Errorf("%s: %q", raw, msg)
		}
	}
}
