package kb

import (
	"fmt"
	"strings"
	"testing"
)

// serviceClasses are the classes of the checks of the services behind a
// site (check.ServiceClasses; engine/check tests that the two agree).
var serviceClasses = []string{
	"connect_timeout", "tls_timeout", "tls_required", "tls_unavailable",
	"grpc_not_serving", "grpc_service_unknown", "grpc_no_health", "grpc_error", "grpc_handshake_timeout", "grpc_call_timeout",
	"ws_handshake", "ws_closed", "ws_reply_mismatch", "ws_handshake_timeout", "ws_reply_timeout",
	"postgres_auth_failed", "postgres_not_allowed", "postgres_no_database", "postgres_unavailable",
	"postgres_query_failed", "postgres_value_mismatch", "postgres_login_timeout", "postgres_query_timeout",
	"mysql_auth_failed", "mysql_not_allowed", "mysql_no_database", "mysql_unavailable",
	"mysql_query_failed", "mysql_value_mismatch", "mysql_login_timeout", "mysql_query_timeout",
	"redis_auth_failed", "redis_unavailable", "redis_command_failed", "redis_value_mismatch",
	"redis_login_timeout", "redis_command_timeout", "redis_bad_reply",
	"smtp_bad_greeting", "smtp_banner_timeout", "smtp_reply_timeout",
}

// smtpCodes are the SMTP reply codes explained one by one.
var smtpCodes = []int{421, 450, 451, 452, 454, 455, 500, 501, 502, 503, 504, 521, 530, 534, 535, 538, 550, 551, 552, 553, 554, 556}

func TestEveryServiceClassHasAnEntry(t *testing.T) {
	keys := append([]string{"smtp_4xx", "smtp_5xx"}, serviceClasses...)
	for _, c := range smtpCodes {
		keys = append(keys, fmt.Sprintf("smtp_%d", c))
	}
	for _, class := range keys {
		e, ok := Lookup(class)
		if !ok {
			t.Errorf("no entry for class %q", class)
			continue
		}
		if e.Class != class || e.Code != 0 {
			t.Errorf("%s: entry has class %q code %d", class, e.Class, e.Code)
		}
		checkEntry(t, class, e)
	}
}

// An SMTP reply code is explained as SMTP, never as the HTTP status of the
// same number, also for a code without an entry of its own.
func TestSMTPCodesAreNotHTTP(t *testing.T) {
	for _, tt := range []struct {
		code        int
		class, want string
	}{
		{421, "smtp_421", "smtp_421"},
		{554, "smtp_554", "smtp_554"},
		{455, "smtp_455", "smtp_455"},
		{432, "smtp_432", "smtp_4xx"},
		{555, "smtp_555", "smtp_5xx"},
		{0, "smtp_brand_new", "smtp_bad_greeting"},
		{503, "postgres_something_new", "postgres_query_failed"},
		{1045, "mysql_auth_failed", "mysql_auth_failed"},
		{14, "grpc_error", "grpc_error"},
		{403, "ws_handshake", "ws_handshake"},
	} {
		if got := ForResult(tt.code, tt.class); got.Class != tt.want || got.Family == FamilyServer {
			t.Errorf("ForResult(%d, %q) = %s (%s), want %s", tt.code, tt.class, got.Class, got.Family, tt.want)
		}
	}
	// "explain smtp 421" finds the SMTP entry; "explain 421" stays HTTP's.
	if e, ok := Lookup("smtp 421"); !ok || e.Class != "smtp_421" {
		t.Errorf("Lookup(smtp 421) = %q, %v", e.Class, ok)
	}
	if e, _ := Lookup("421"); e.Class != "http_421" {
		t.Errorf("Lookup(421) = %q, want the HTTP entry", e.Class)
	}
	if out := Format(ForResult(535, "smtp_535"), 80); !strings.Contains(out, "SMTP 535") {
		t.Errorf("explain smtp_535 does not name the code:\n%s", out)
	}
}
