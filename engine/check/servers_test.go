package check

import (
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/upbeat-monitor/upbeat/internal/testserver"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// servers are the real servers the tests of this package share: each is
// started by the first test that needs it and stopped by TestMain.
var servers testserver.Group

// stopServers runs the package's tests, then stops the shared servers
// (before goleak looks for goroutines left behind).
type stopServers struct{ m interface{ Run() int } }

func (s stopServers) Run() int {
	code := s.m.Run()
	servers.Close()
	return code
}

// The shared servers take seconds to boot (initdb, mariadb-install-db,
// postfix). A test asks for its server before it calls t.Parallel, which
// starts the server in the background, and waits for it after: the
// servers boot together while the serial tests run, instead of one or
// two at a time once the parallel tests are let go.

// startShared starts the group's server name (once) in the background
// and returns a function that waits for it.
func startShared(name string, start func() (any, error)) func() (any, error) {
	done := make(chan struct{})
	var v any
	var err error
	go func() {
		defer close(done)
		v, err = servers.Once(name, start)
	}()
	return func() (any, error) {
		<-done
		return v, err
	}
}

// postgresServer starts the shared PostgreSQL; the function it returns
// waits for it.
func postgresServer(t *testing.T) func() *testserver.Postgres {
	t.Helper()
	testserver.Need(t, "postgresql", "postgres")
	wait := startShared("postgres", func() (any, error) { return testserver.StartPostgres(&servers) })
	return func() *testserver.Postgres {
		t.Helper()
		v, err := wait()
		if err != nil {
			t.Fatal(err)
		}
		return v.(*testserver.Postgres)
	}
}

// mariadbServer starts the shared MariaDB; the function it returns waits
// for it.
func mariadbServer(t *testing.T) func() *testserver.MariaDB {
	t.Helper()
	testserver.Need(t, "mariadb-server", "mariadbd", "mysqld")
	wait := startShared("mariadb", func() (any, error) { return testserver.StartMariaDB(&servers) })
	return func() *testserver.MariaDB {
		t.Helper()
		v, err := wait()
		if err != nil {
			t.Fatal(err)
		}
		return v.(*testserver.MariaDB)
	}
}

// redisServer starts the shared Redis; the function it returns waits for
// it.
func redisServer(t *testing.T) func() *testserver.Redis {
	t.Helper()
	testserver.Need(t, "redis-server", "redis-server")
	wait := startShared("redis", func() (any, error) { return testserver.StartRedis(&servers) })
	return func() *testserver.Redis {
		t.Helper()
		v, err := wait()
		if err != nil {
			t.Fatal(err)
		}
		return v.(*testserver.Redis)
	}
}

// postfixServer starts the shared Postfix; the function it returns waits
// for it, and skips the test where Postfix cannot run (not as root).
func postfixServer(t *testing.T) func() *testserver.Postfix {
	t.Helper()
	testserver.Need(t, "postfix", "postfix")
	wait := startShared("postfix", func() (any, error) { return testserver.StartPostfix(&servers) })
	return func() *testserver.Postfix {
		t.Helper()
		v, err := wait()
		if errors.Is(err, testserver.ErrNeedsRoot) {
			t.Skip("postfix's master must be started as root")
		}
		if err != nil {
			t.Fatal(err)
		}
		return v.(*testserver.Postfix)
	}
}

// hungServer accepts connections and never says a word.
func hungServer(t *testing.T) string {
	return rawServer(t, func(c net.Conn) { _, _ = io.Copy(io.Discard, c) })
}

// serviceCase is one check against a real server and what it must give.
type serviceCase struct {
	name    string
	m       *monitor.Monitor
	timeout time.Duration
	status  monitor.Status
	class   string
	errHas  string // the error must hold this
	answer  string // one of Answers must start with this
	code    int    // Code, when not zero
	cert    bool   // the certificate's expiry must be recorded
}

// checkCases runs each case with the checker of its kind and compares.
// secret, when set, must appear in no part of any result.
func checkCases(t *testing.T, cases []serviceCase, secret string) {
	t.Helper()
	checkers := New(Options{})
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			timeout := tt.timeout
			if timeout == 0 {
				timeout = 5 * time.Second
			}
			r := run(t, checkers[tt.m.Kind], tt.m, timeout)
			if r.Status != tt.status || r.Class != tt.class {
				t.Fatalf("got %v/%q (%q, answers %q), want %v/%q", r.Status, r.Class, r.Error, r.Answers, tt.status, tt.class)
			}
			if tt.errHas != "" && !strings.Contains(r.Error, tt.errHas) {
				t.Errorf("error %q does not say %q", r.Error, tt.errHas)
			}
			if tt.answer != "" && !hasAnswer(r.Answers, tt.answer) {
				t.Errorf("answers %q hold nothing starting %q", r.Answers, tt.answer)
			}
			if tt.code != 0 && r.Code != tt.code {
				t.Errorf("code %d, want %d", r.Code, tt.code)
			}
			if tt.cert && (r.CertExpiry.IsZero() || r.CertDays < 300) {
				t.Errorf("certificate not judged: expiry %v, %d days", r.CertExpiry, r.CertDays)
			}
			if r.Latency <= 0 || r.Latency > timeout+time.Second {
				t.Errorf("latency %v", r.Latency)
			}
			if tt.status != monitor.StatusDown && r.Phases.Connect <= 0 {
				t.Errorf("phases not measured: %+v", r.Phases)
			}
			if secret != "" {
				all := r.Error + " " + strings.Join(r.Answers, " ") + " " + r.URL + " " + r.CertIssuer
				if strings.Contains(all, secret) {
					t.Errorf("the password shows in the result: %q", all)
				}
			}
			if !clean(r.Error) {
				t.Errorf("unsanitized error %q", r.Error)
			}
		})
	}
}

func hasAnswer(answers []string, prefix string) bool {
	for _, a := range answers {
		if strings.HasPrefix(a, prefix) {
			return true
		}
	}
	return false
}

// svcMonitor is a monitor of a service with the fields the loader fills.
func svcMonitor(url string, set func(m *monitor.Monitor)) *monitor.Monitor {
	m := testMonitor(url)
	if set != nil {
		set(m)
	}
	return m
}

func TestPostgresAgainstRealServer(t *testing.T) {
	server := postgresServer(t) // boots while the serial tests run
	t.Parallel()
	pg := server()
	pw := func(m *monitor.Monitor) { m.Password = pg.Password }
	url := "postgres://postgres@" + pg.Addr + "/postgres"
	maxLag := 0.5
	checkCases(t, []serviceCase{
		{name: "up", m: svcMonitor(url, pw), status: monitor.StatusUp, answer: "version "},
		{name: "up over verified TLS", m: svcMonitor(url+"?sslmode=verify-full", func(m *monitor.Monitor) {
			pw(m)
			m.CAFile = pg.TLS.CAFile
			m.CertWarnDays = 14
		}), status: monitor.StatusUp, cert: true},
		{name: "certificate near expiry", m: svcMonitor(url+"?sslmode=verify-full", func(m *monitor.Monitor) {
			pw(m)
			m.CAFile = pg.TLS.CAFile
			m.CertWarnDays = 400
		}), status: monitor.StatusDegraded, class: ClassTLSExpiring, cert: true},
		{name: "value as expected", m: svcMonitor(url, func(m *monitor.Monitor) {
			pw(m)
			m.Query, m.ExpectValue = "SELECT 40 + 2", "42"
		}), status: monitor.StatusUp, answer: "value 42"},
		{name: "wrong value", m: svcMonitor(url, func(m *monitor.Monitor) {
			pw(m)
			m.Query, m.ExpectValue = "SELECT 'replica'", "primary"
		}), status: monitor.StatusDown, class: ClassPostgresValue, errHas: `"replica"`},
		{name: "lag over the bound", m: svcMonitor(url, func(m *monitor.Monitor) {
			pw(m)
			m.Query, m.MaxValue = "SELECT 1.5", &maxLag
		}), status: monitor.StatusDown, class: ClassPostgresValue, errHas: "more than max_value 0.5"},
		{name: "wrong password", m: svcMonitor(url, func(m *monitor.Monitor) { m.Password = "not-" + pg.Password }),
			status: monitor.StatusDown, class: ClassPostgresAuth, errHas: "password authentication failed"},
		{name: "no such database", m: svcMonitor("postgres://postgres@"+pg.Addr+"/nosuchdb?sslmode=disable", pw),
			status: monitor.StatusDown, class: ClassPostgresNoDatabase},
		{name: "query fails", m: svcMonitor(url, func(m *monitor.Monitor) { pw(m); m.Query = "SELECT * FROM no_such_table" }),
			status: monitor.StatusDown, class: ClassPostgresQuery, errHas: "42P01"},
		{name: "stopped", m: svcMonitor("postgres://postgres@"+closedPort(t)+"/postgres", pw),
			status: monitor.StatusDown, class: ClassRefused},
		{name: "TLS required, not offered by the check", m: svcMonitor("postgres://postgres@"+pg.Addr+"/"+pg.TLSOnlyDB+"?sslmode=disable", pw),
			status: monitor.StatusDown, class: ClassTLSRequired, errHas: "sslmode=require"},
		{name: "TLS required by the check, not offered", m: svcMonitor("postgres://postgres@"+noTLSPostgres(t)+"/postgres?sslmode=require", pw),
			status: monitor.StatusDown, class: ClassTLSUnavailable},
		{name: "certificate of an unknown CA", m: svcMonitor(url+"?sslmode=verify-full", pw),
			status: monitor.StatusDown, class: ClassTLSUnknownCA},
		{name: "hung", m: svcMonitor("postgres://postgres@"+hungServer(t)+"/postgres", pw), timeout: 300 * time.Millisecond,
			status: monitor.StatusDown, class: ClassPostgresLoginTimeout, errHas: "sent nothing"},
	}, pg.Password)
}

// noTLSPostgres is what a PostgreSQL server built without TLS says to a
// client asking for it: 'N' to the SSLRequest.
func noTLSPostgres(t *testing.T) string {
	return rawServer(t, func(c net.Conn) {
		buf := make([]byte, 8)
		if _, err := io.ReadFull(c, buf); err == nil {
			_, _ = c.Write([]byte{'N'})
		}
		_, _ = io.Copy(io.Discard, c)
	})
}

// noTLSMySQL greets like a MySQL server built without TLS: a protocol 10
// handshake whose capability flags lack CLIENT_SSL.
func noTLSMySQL(t *testing.T) string {
	var p []byte
	p = append(p, 10)
	p = append(p, "10.11.0-no-tls\x00"...)
	p = append(p, 1, 0, 0, 0)            // connection id
	p = append(p, "abcdefgh"...)         // scramble, first part
	p = append(p, 0)                     // filler
	p = append(p, 0xff, 0xf7)            // capabilities, low half: all but CLIENT_SSL (0x0800)
	p = append(p, 33, 2, 0)              // charset, status
	p = append(p, 0xff, 0x81)            // capabilities, high half
	p = append(p, 21)                    // scramble length
	p = append(p, make([]byte, 10)...)   // reserved
	p = append(p, "ijklmnopqrst\x00"...) // scramble, second part
	p = append(p, "mysql_native_password\x00"...)
	packet := append([]byte{byte(len(p)), byte(len(p) >> 8), byte(len(p) >> 16), 0}, p...)
	return rawServer(t, func(c net.Conn) {
		_, _ = c.Write(packet)
		_, _ = io.Copy(io.Discard, c)
	})
}

func TestMySQLAgainstRealServer(t *testing.T) {
	server := mariadbServer(t) // boots while the serial tests run
	t.Parallel()
	db := server()
	pw := func(m *monitor.Monitor) { m.Password = db.Password }
	url := "mysql://" + db.User + "@" + db.Addr + "/shop"
	checkCases(t, []serviceCase{
		{name: "up", m: svcMonitor(url, pw), status: monitor.StatusUp, answer: "version "},
		{name: "up over verified TLS", m: svcMonitor(url+"?tls=true", func(m *monitor.Monitor) {
			pw(m)
			m.CAFile = db.TLS.CAFile
		}), status: monitor.StatusUp, cert: true},
		{name: "value as expected", m: svcMonitor(url, func(m *monitor.Monitor) {
			pw(m)
			m.Query, m.ExpectValue = "SELECT DATABASE()", "shop"
		}), status: monitor.StatusUp, answer: "value shop"},
		{name: "wrong value", m: svcMonitor(url, func(m *monitor.Monitor) {
			pw(m)
			m.Query, m.ExpectValue = "SELECT 7", "8"
		}), status: monitor.StatusDown, class: ClassMySQLValue},
		{name: "wrong password", m: svcMonitor(url, func(m *monitor.Monitor) { m.Password = "not-" + db.Password }),
			status: monitor.StatusDown, class: ClassMySQLAuth, code: 1045},
		{name: "no such database", m: svcMonitor("mysql://"+db.User+"@"+db.Addr+"/nosuchdb", pw),
			status: monitor.StatusDown, class: ClassMySQLNotAllowed, code: 1044},
		{name: "query fails", m: svcMonitor(url, func(m *monitor.Monitor) { pw(m); m.Query = "SELECT * FROM no_such_table" }),
			status: monitor.StatusDown, class: ClassMySQLQuery, code: 1146},
		{name: "stopped", m: svcMonitor("mysql://"+db.User+"@"+closedPort(t)+"/shop", pw),
			status: monitor.StatusDown, class: ClassRefused},
		{name: "TLS required, not offered by the check", m: svcMonitor(url+"?tls=false", pw),
			status: monitor.StatusDown, class: ClassTLSRequired},
		{name: "certificate of an unknown CA", m: svcMonitor(url+"?tls=true", pw),
			status: monitor.StatusDown, class: ClassTLSUnknownCA},
		{name: "TLS required by the check, not offered", m: svcMonitor("mysql://"+db.User+"@"+noTLSMySQL(t)+"/shop?tls=true", pw),
			status: monitor.StatusDown, class: ClassTLSUnavailable, answer: "version 10.11.0-no-tls"},
		{name: "hung", m: svcMonitor("mysql://"+db.User+"@"+hungServer(t)+"/shop", pw), timeout: 300 * time.Millisecond,
			status: monitor.StatusDown, class: ClassMySQLLoginTimeout, errHas: "sent nothing"},
	}, db.Password)
}

func TestRedisAgainstRealServer(t *testing.T) {
	server := redisServer(t) // boots while the serial tests run
	t.Parallel()
	rs := server()
	pw := func(m *monitor.Monitor) { m.Password = rs.Password }
	url := "redis://" + rs.Addr + "/0"
	checkCases(t, []serviceCase{
		{name: "up", m: svcMonitor(url, pw), status: monitor.StatusUp, answer: "version "},
		{name: "up over verified TLS", m: svcMonitor("rediss://"+rs.TLSAddr, func(m *monitor.Monitor) {
			pw(m)
			m.CAFile = rs.TLS.CAFile
		}), status: monitor.StatusUp, cert: true, answer: "value PONG"},
		{name: "value as expected", m: svcMonitor(url, func(m *monitor.Monitor) {
			pw(m)
			m.Query, m.ExpectValue = `ECHO "on call"`, "on call"
		}), status: monitor.StatusUp, answer: "value on call"},
		{name: "missing key", m: svcMonitor(url, func(m *monitor.Monitor) {
			pw(m)
			m.Query, m.ExpectValue = "GET feature:checkout", "on"
		}), status: monitor.StatusDown, class: ClassRedisValue, errHas: "no value"},
		{name: "wrong password", m: svcMonitor(url, func(m *monitor.Monitor) { m.Password = "not-" + rs.Password }),
			status: monitor.StatusDown, class: ClassRedisAuth, errHas: "WRONGPASS"},
		{name: "no password", m: svcMonitor(url, nil), status: monitor.StatusDown, class: ClassRedisAuth},
		{name: "command fails", m: svcMonitor(url, func(m *monitor.Monitor) { pw(m); m.Query = "NOSUCHCOMMAND" }),
			status: monitor.StatusDown, class: ClassRedisCommand},
		// The login went through: the URL names a database the server
		// does not have, no wrong password.
		{name: "no such database", m: svcMonitor("redis://"+rs.Addr+"/99", pw),
			status: monitor.StatusDown, class: ClassRedisCommand, errHas: "SELECT 99, the database of the URL, failed: ERR DB index is out of range"},
		{name: "stopped", m: svcMonitor("redis://"+closedPort(t), pw), status: monitor.StatusDown, class: ClassRefused},
		{name: "TLS required, not offered by the check", m: svcMonitor("redis://"+rs.TLSAddr, pw), timeout: time.Second,
			status: monitor.StatusDown, class: ClassTLSRequired},
		// A plain Redis port takes the ClientHello for the start of a
		// command and waits for the rest of it.
		{name: "TLS required by the check, not offered", m: svcMonitor("rediss://"+rs.Addr, func(m *monitor.Monitor) {
			pw(m)
			m.CAFile = rs.TLS.CAFile
		}), timeout: 300 * time.Millisecond, status: monitor.StatusDown, class: ClassTLSTimeout},
		{name: "hung", m: svcMonitor("redis://"+hungServer(t), pw), timeout: 300 * time.Millisecond,
			status: monitor.StatusDown, class: ClassRedisLoginTimeout, errHas: "sent nothing"},
	}, rs.Password)
}

func TestSMTPAgainstRealServer(t *testing.T) {
	server := postfixServer(t) // boots while the serial tests run
	t.Parallel()
	pf := server()
	ca := func(m *monitor.Monitor) { m.CAFile = pf.TLS.CAFile; m.CertWarnDays = 14 }
	mode := func(s string) func(m *monitor.Monitor) { return func(m *monitor.Monitor) { ca(m); m.StartTLS = s } }
	checkCases(t, []serviceCase{
		{name: "up with STARTTLS", m: svcMonitor("smtp://"+pf.TLSAddr, ca), status: monitor.StatusUp,
			answer: "STARTTLS used", cert: true, code: 250},
		{name: "up without STARTTLS offered", m: svcMonitor("smtp://"+pf.PlainAddr, ca), status: monitor.StatusUp,
			answer: "no STARTTLS offered"},
		{name: "greeting recorded", m: svcMonitor("smtp://"+pf.PlainAddr, ca), status: monitor.StatusUp,
			answer: "greeting upbeat-test.localhost ESMTP"},
		{name: "certificate near expiry", m: svcMonitor("smtp://"+pf.TLSAddr, func(m *monitor.Monitor) { ca(m); m.CertWarnDays = 400 }),
			status: monitor.StatusDegraded, class: ClassTLSExpiring, cert: true},
		{name: "STARTTLS required, not offered", m: svcMonitor("smtp://"+pf.PlainAddr, mode("mandatory")),
			status: monitor.StatusDown, class: ClassTLSUnavailable},
		{name: "certificate of an unknown CA", m: svcMonitor("smtp://"+pf.TLSAddr, nil),
			status: monitor.StatusDown, class: ClassTLSUnknownCA},
		{name: "rejected with 554", m: svcMonitor("smtp://"+pf.RejectAddr, ca), status: monitor.StatusDown,
			class: "smtp_554", code: 554, errHas: "Access denied"},
		{name: "stopped", m: svcMonitor("smtp://"+closedPort(t), ca), status: monitor.StatusDown, class: ClassRefused},
		{name: "TLS from the start, not offered", m: svcMonitor("smtps://"+pf.PlainAddr, ca),
			status: monitor.StatusDown, class: ClassTLSUnavailable},
		{name: "hung", m: svcMonitor("smtp://"+hungServer(t), ca), timeout: 300 * time.Millisecond,
			status: monitor.StatusDown, class: ClassSMTPBannerTimeout},
	}, "")
}
