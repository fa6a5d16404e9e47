package main

import (
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// plainSMTP is an in-process SMTP server that offers no STARTTLS and
// takes every mail, as a relay inside a private network may.
type plainSMTP struct {
	mu    sync.Mutex
	mails int
}

func (b *plainSMTP) NewSession(*smtp.Conn) (smtp.Session, error) { return plainSession{b}, nil }

type plainSession struct{ b *plainSMTP }

func (plainSession) Mail(string, *smtp.MailOptions) error { return nil }
func (plainSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s plainSession) Data(r io.Reader) error {
	if _, err := io.Copy(io.Discard, r); err != nil {
		return err
	}
	s.b.mu.Lock()
	s.b.mails++
	s.b.mu.Unlock()
	return nil
}
func (plainSession) Reset()        {}
func (plainSession) Logout() error { return nil }

// startPlainSMTP serves b on loopback until the test ends.
func startPlainSMTP(t *testing.T, b *plainSMTP) int {
	t.Helper()
	srv := smtp.NewServer(b)
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { defer close(done); _ = srv.Serve(l) }()
	t.Cleanup(func() { srv.Close(); <-done })
	return l.Addr().(*net.TCPAddr).Port
}

// `alert test` with the default starttls against a server without
// STARTTLS says what failed and what to set, in the config's words, not
// go-mail's ("TLSMandatory"); with the setting it names, the mail goes.
func TestAlertTestWithoutSTARTTLSSaysWhatToDo(t *testing.T) {
	b := &plainSMTP{}
	port := startPlainSMTP(t, b)
	cfg := func(extra string) string {
		return writeConfig(t, fmt.Sprintf("[[alert]]\nname = \"mail\"\nkind = \"email\"\nsmtp_host = \"127.0.0.1\"\nsmtp_port = %d\n"+
			"from = \"upbeat@example.test\"\nto = [\"oncall@example.test\"]\n%s", port, extra))
	}
	_, errOut, code := runCmd(t, "alert", "test", "--config", cfg(""), "mail")
	if code != exitDown {
		t.Fatalf("exit %d, want %d: %s", code, exitDown, errOut)
	}
	for _, want := range []string{"mail: not delivered", "the server does not offer STARTTLS", `starttls = "mandatory" (the default)`,
		`set starttls = "opportunistic" or "none"`} {
		if !strings.Contains(errOut, want) {
			t.Errorf("the error lacks %q:\n%s", want, errOut)
		}
	}
	if strings.Contains(errOut, "TLSMandatory") {
		t.Errorf("go-mail's name of the policy shown:\n%s", errOut)
	}
	out, errOut, code := runCmd(t, "alert", "test", "--config", cfg("starttls = \"opportunistic\"\n"), "mail")
	if code != exitOK || !strings.Contains(out, "delivered") {
		t.Fatalf("with starttls = opportunistic: exit %d %q %q", code, out, errOut)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.mails != 1 {
		t.Errorf("the server got %d mails, want 1", b.mails)
	}
}

// `alert test` with a name the config does not have lists the names it
// has, and says so when it has none.
func TestAlertTestUnknownNameListsAlerts(t *testing.T) {
	p := writeConfig(t, "[[alert]]\nname = \"pager\"\nkind = \"desktop\"\n\n[[alert]]\nname = \"team-chat\"\nkind = \"terminal\"\n")
	_, errOut, code := runCmd(t, "alert", "test", "--config", p, "nope")
	if code != exitConfig || !strings.Contains(errOut, `no [[alert]] named "nope"`) ||
		!strings.Contains(errOut, `the alerts in `+p+`: "pager", "team-chat"`) {
		t.Errorf("exit %d:\n%s", code, errOut)
	}
	empty := writeConfig(t, "[[monitor]]\nname = \"a\"\nurl = \"https://a.example.com/\"\n")
	_, errOut, code = runCmd(t, "alert", "test", "--config", empty, "nope")
	if code != exitConfig || !strings.Contains(errOut, empty+" has no [[alert]]") {
		t.Errorf("no alerts: exit %d:\n%s", code, errOut)
	}
}
