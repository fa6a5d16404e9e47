package alert

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestRedactor(t *testing.T) {
	r := NewRedactor([]*Config{
		{Kind: KindTelegram, Token: "123:tok/en+x"},
		{Kind: KindEmail, Password: "hunter22"},
		{Kind: KindWebhook, URL: "https://hooks.example/services/T000/B000/XXXXXXXXXXXXXXXXXXXXXXXX", Secret: "whsec",
			Headers: map[string]string{"Authorization": "Bearer abcdef123456"}},
		{Kind: KindURL, URL: "ntfy://:ntfypass@ntfy.example/alerts-f00ba5"},
		{Kind: KindEmail, Password: "ab"}, // too short to hunt for
	})
	for in, want := range map[string]string{
		"post https://api/bot123:tok/en+x/sendMessage":              "post https://api/botREDACTED/sendMessage",
		"get /bot123:tok%2Fen+x/x":                                  "get /botREDACTED/x",
		"535 auth failed for hunter22":                              "535 auth failed for REDACTED",
		"dial https://user:pw@host/path":                            "dial https://xxxxx@host/path",
		"post .../services/T000/B000/XXXXXXXXXXXXXXXXXXXXXXXX: 404": "post .../services/T000/B000/REDACTED: 404",
		"header Bearer abcdef123456 refused; secret whsec":          "header REDACTED refused; secret REDACTED",
		"ntfy alerts-f00ba5 ntfypass":                               "ntfy REDACTED REDACTED",
		"an ab test":                                                "an ab test",
	} {
		if got := r.Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDisplayURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://user:pw@shop.example/health?apikey=k1&x=1": "https://xxxxx@shop.example/health?apikey=xxxxx&x=1",
		"push://0123456789abcdef":                           "push://…",
		"tcp://db.internal:5432":                            "tcp://db.internal:5432",
	} {
		if got := displayURL(in); got != want {
			t.Errorf("displayURL(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestHTTPConnectivity(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable) // any answer means the network works
	}))
	if err := HTTPConnectivity(srv.Client(), srv.URL)(context.Background()); err != nil {
		t.Errorf("answered: %v", err)
	}
	url := srv.URL + "/probe"
	srv.Close()
	err := HTTPConnectivity(nil, url)(context.Background())
	if err == nil || !strings.HasPrefix(err.Error(), "connectivity check: ") || strings.Contains(err.Error(), "/probe") {
		t.Errorf("closed server: %v", err)
	}
}

func TestPermanent(t *testing.T) {
	base := errors.New("rejected")
	if !IsPermanent(Permanent(base)) || IsPermanent(base) || Permanent(nil) != nil || !errors.Is(Permanent(base), base) {
		t.Error("Permanent does not mark and unwrap")
	}
}
