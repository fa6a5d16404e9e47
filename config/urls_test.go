package config

import (
	"strings"
	"testing"
)

// A URL that does not parse because of its password (a stray "%", a
// space, a "/") is reported with what is wrong and how to write it, and
// shown with its user info and secret parameters replaced; no message
// holds any part of a secret. The same for alert URLs, where a webhook's
// path and a service URL's every part may be a token.
func TestURLMistakesHideSecrets(t *testing.T) {
	secrets := []string{"pa%ss", "pa ss", "pa/ss", "T0KEN", "S3CR", "K3Y", "12345:AB", "tok%en", "hunter"}
	for _, tc := range []struct {
		name, src, want string
	}{
		{"percent in password", "[[monitor]]\nname = \"a\"\nurl = \"https://bob:pa%ss@shop.example/health?token=T0KEN\"\n",
			`upbeat.toml:3: monitor.url: "https://xxxxx@shop.example/health?token=xxxxx" is not a URL: the user name or password in it holds a "%" that starts no escape; write "%" itself as %25`},
		{"space in password", "[[monitor]]\nname = \"a\"\nurl = \"https://bob:pa ss@shop.example/\"\n",
			`upbeat.toml:3: monitor.url: "https://xxxxx@shop.example/" is not a URL: the user name or password in it holds a space; write it as %20`},
		{"slash in password", "[[monitor]]\nname = \"a\"\nurl = \"https://bob:pa/ss@shop.example/\"\n",
			`upbeat.toml:3: monitor.url: "https://xxxxx@shop.example/" is not a URL: the user name or password in it holds a "/"; write it as %2F`},
		{"bad escape in path, token in query", "[[monitor]]\nname = \"a\"\nurl = \"https://shop.example/p%zz?api_key=K3Y\"\n",
			`upbeat.toml:3: monitor.url: "https://shop.example/p%zz?api_key=xxxxx" is not a URL: it holds a "%" that starts no escape; write "%" itself as %25`},
		{"tcp without port", "[[monitor]]\nname = \"a\"\nurl = \"tcp://bob:hunter2@db.example\"\n",
			`upbeat.toml:3: monitor.url: "tcp://xxxxx@db.example" has no port; write e.g. tcp://db.example.com:5432`},
		{"no scheme", "[[monitor]]\nname = \"a\"\nurl = \"shop.example/?token=T0KEN\"\n",
			`upbeat.toml:3: monitor.url: "shop.example/?token=xxxxx" has no scheme; write e.g. https://shop.example/?token=xxxxx or tcp://shop.example/?token=xxxxx`},
		{"host and port, no scheme", "[[monitor]]\nname = \"a\"\nurl = \"127.0.0.1:18081\"\n",
			`upbeat.toml:3: monitor.url: "127.0.0.1:18081" has no scheme; write e.g. https://127.0.0.1:18081 or tcp://127.0.0.1:18081`},
		{"host name and port, no scheme", "[[monitor]]\nname = \"a\"\nurl = \"localhost:8080/health\"\n",
			`upbeat.toml:3: monitor.url: "localhost:8080/health" has no scheme; write e.g. https://localhost:8080/health or tcp://localhost:8080/health`},
		{"connectivity check", "[settings]\nconnectivity_check = \"https://u:hunter%zz@net.example/\"\n",
			`upbeat.toml:2: settings.connectivity_check: "https://xxxxx@net.example/" is not a URL: the user name or password in it holds a "%" that starts no escape; write "%" itself as %25`},
		{"proxy", "[[monitor]]\nname = \"a\"\nurl = \"https://a.example/\"\nproxy = \"http://u:hunter%zz@proxy.example:3128\"\n",
			`upbeat.toml:4: monitor.proxy: "http://xxxxx@proxy.example:3128" is not a URL: the user name or password in it holds a "%" that starts no escape; write "%" itself as %25`},
		{"webhook", "[[alert]]\nname = \"w\"\nkind = \"webhook\"\nurl = \"https://hooks.example/services/T0/B0/S3CR%ET?token=T0KEN\"\n",
			`upbeat.toml:4: alert.url: "https://hooks.example/…" is not a URL: it holds a "%" that starts no escape; write "%" itself as %25`},
		{"webhook without scheme", "[[alert]]\nname = \"w\"\nkind = \"webhook\"\nurl = \"hooks.example/services/S3CR\"\n",
			`upbeat.toml:4: alert.url: "hooks.example/…" has no scheme; write e.g. https://hooks.example/…`},
		{"telegram token", "[[alert]]\nname = \"tg\"\nkind = \"telegram\"\ntoken = \"12345:AB CD%\"\nchat_id = 1\n",
			`upbeat.toml:4: alert.token: holds a character no bot token has (a space, %, / or the like); copy the token again from @BotFather`},
		{"telegram base_url", "[[alert]]\nname = \"tg\"\nkind = \"telegram\"\ntoken = \"1:a\"\nchat_id = 1\nbase_url = \"https://u:pa%ss@tg.example/\"\n",
			`upbeat.toml:6: alert.base_url: "https://xxxxx@tg.example" is not a URL: the user name or password in it holds a "%" that starts no escape; write "%" itself as %25`},
		{"service url", "[[alert]]\nname = \"s\"\nkind = \"url\"\nurl = \"discord://tok%en@12345\"\n",
			`upbeat.toml:4: alert.url: "discord://…" is not a URL: the user name or password in it holds a "%" that starts no escape; write "%" itself as %25`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := parseErrors(t, tc.src).Error()
			if got != tc.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tc.want)
			}
			shown := strings.ReplaceAll(got, "pass", "") // "password" is a word of the message
			for _, s := range secrets {
				if strings.Contains(shown, s) {
					t.Errorf("%q shown in %s", s, got)
				}
			}
		})
	}
}
