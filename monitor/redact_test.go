package monitor

import (
	"strings"
	"testing"
)

func TestRedactURL(t *testing.T) {
	for in, want := range map[string]string{
		"":                                   "",
		"https://shop.example.com/health":    "https://shop.example.com/health",
		"tcp://db.internal:5432":             "tcp://db.internal:5432",
		"https://bob:hunter2@api.example/x":  "https://xxxxx@api.example/x",
		"https://ghp_T0KEN@github.com/o/r":   "https://xxxxx@github.com/o/r",
		"https://medium.com/@someone":        "https://medium.com/@someone",
		"push://0123456789abcdef":            "push://…",
		"push://…":                           "push://…",
		"discord://T0KEN@12345":              "discord://xxxxx@12345",
		"https://h/?token=T0KEN&x=1&Key=K3Y": "https://h/?token=xxxxx&x=1&Key=xxxxx",
		"https://h/?APIKEY=a&api_key=b&access_token=c&sig=d&signature=e&secret=f&password=g&auth=h&q=ok": "https://h/?APIKEY=xxxxx&api_key=xxxxx&access_token=xxxxx&sig=xxxxx&signature=xxxxx&secret=xxxxx&password=xxxxx&auth=xxxxx&q=ok",
		"https://s3.example/o?X-Amz-Credential=AK&X-Amz-Signature=S&v=1":                                 "https://s3.example/o?X-Amz-Credential=xxxxx&X-Amz-Signature=xxxxx&v=1",
		"https://app.example/cb#access_token=T0KEN&state=1":                                              "https://app.example/cb#access_token=xxxxx&state=1",
		// URLs that do not parse: user info is everything before the last "@".
		"https://bob:pa%ss@shop.example/x?token=T0KEN": "https://xxxxx@shop.example/x?token=xxxxx",
		"https://bob:pa ss@shop.example/":              "https://xxxxx@shop.example/",
		"https://bob:pa/ss@shop.example/":              "https://xxxxx@shop.example/",
		"https://bob:pa?ss@shop.example/":              "https://xxxxx@shop.example/",
		"https://bob:12#ss@shop.example":               "https://xxxxx@shop.example",
		"discord:T0K%EN@12345":                         "discord:xxxxx@12345",
		"bob:p%ss@host":                                "bob:xxxxx@host",
	} {
		got := RedactURL(in)
		if got != want {
			t.Errorf("RedactURL(%q) = %q, want %q", in, got, want)
		}
		if again := RedactURL(got); again != got {
			t.Errorf("RedactURL(%q) = %q, not the same twice", got, again)
		}
	}
}

func TestSecretQueryKey(t *testing.T) {
	for _, k := range []string{"token", "Token", "key", "apikey", "apiKey", "api_key", "api-key", "access_token",
		"sig", "signature", "secret", "client_secret", "password", "passwd", "auth", "private_token", "X-Amz-Signature"} {
		if !SecretQueryKey(k) {
			t.Errorf("%q is not taken for a secret", k)
		}
	}
	for _, k := range []string{"q", "page", "type", "status", "v", "lang", "region"} {
		if SecretQueryKey(k) {
			t.Errorf("%q is taken for a secret", k)
		}
	}
}

func TestRedactURLs(t *testing.T) {
	in := `Post "https://bob:pa ss@hooks.example/x?token=T0KEN": dial tcp 127.0.0.1:9: refused; see https://a:S3CRET@b.example/c?key=K3Y.`
	got := RedactURLs(in)
	for _, secret := range []string{"pa ss", "T0KEN", "S3CRET", "K3Y"} {
		if strings.Contains(got, secret) {
			t.Errorf("%q left in %q", secret, got)
		}
	}
	if !strings.Contains(got, `"https://xxxxx@hooks.example/x?token=xxxxx"`) || !strings.Contains(got, "dial tcp 127.0.0.1:9: refused") {
		t.Errorf("RedactURLs = %q", got)
	}
	if plain := "no url: here"; RedactURLs(plain) != plain {
		t.Errorf("RedactURLs(%q) = %q", plain, RedactURLs(plain))
	}
}
