package check

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"database/sql/driver"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/smtp"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/go-sql-driver/mysql"
	"github.com/gomodule/redigo/redis"
	"github.com/jackc/pgx/v5/pgconn"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/upbeat-monitor/upbeat/internal/testserver"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// BenchmarkServices measures, for each kind of service check, the CPU of
// one check (cpu-µs/op, this process only: the real servers run in their
// own processes; the in-process gRPC and WebSocket servers count in both
// halves alike) against the same client library used bare for the same
// exchange, in one run:
//
//	go test ./engine/check -run '^$' -bench Services -benchtime 300x
//
// Each kind has a check and a bare sub-benchmark; their ratio is the
// checker's overhead.
func BenchmarkServices(b *testing.B) {
	checkers := New(Options{})
	check := func(b *testing.B, m *monitor.Monitor) {
		measure(b, func() error {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if r := checkers[m.Kind].Check(ctx, m); r.Status != monitor.StatusUp {
				return errors.New(r.Class + ": " + r.Error)
			}
			return nil
		})
	}
	bare := func(b *testing.B, probe func(ctx context.Context) error) {
		measure(b, func() error {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			return probe(ctx)
		})
	}

	b.Run("postgres", func(b *testing.B) {
		pg := postgresBench(b)
		url := "postgres://postgres@" + pg.Addr + "/postgres?sslmode=disable"
		b.Run("check", func(b *testing.B) {
			check(b, svcMonitor(url, func(m *monitor.Monitor) { m.Password = pg.Password }))
		})
		b.Run("bare", func(b *testing.B) {
			cfg, err := pgconn.ParseConfig(url)
			if err != nil {
				b.Fatal(err)
			}
			cfg.Password = pg.Password
			bare(b, func(ctx context.Context) error {
				conn, err := pgconn.ConnectConfig(ctx, cfg)
				if err != nil {
					return err
				}
				defer conn.Close(ctx)
				_, err = conn.Exec(ctx, "SELECT 1").ReadAll()
				return err
			})
		})
	})

	b.Run("mysql", func(b *testing.B) {
		db := mariadbBench(b)
		b.Run("check", func(b *testing.B) {
			check(b, svcMonitor("mysql://"+db.User+"@"+db.Addr+"/shop", func(m *monitor.Monitor) { m.Password = db.Password }))
		})
		b.Run("bare", func(b *testing.B) {
			cfg := mysql.NewConfig()
			cfg.User, cfg.Passwd, cfg.Net, cfg.Addr, cfg.DBName = db.User, db.Password, "tcp", db.Addr, "shop"
			cfg.TLS = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // as tls=preferred does
			cfg.AllowFallbackToPlaintext = true
			connector, err := mysql.NewConnector(cfg)
			if err != nil {
				b.Fatal(err)
			}
			bare(b, func(ctx context.Context) error {
				dc, err := connector.Connect(ctx)
				if err != nil {
					return err
				}
				defer dc.Close()
				rows, err := dc.(driver.QueryerContext).QueryContext(ctx, "SELECT 1", nil)
				if err != nil {
					return err
				}
				defer rows.Close()
				return rows.Next(make([]driver.Value, 1))
			})
		})
	})

	b.Run("redis", func(b *testing.B) {
		rs := redisBench(b)
		b.Run("check", func(b *testing.B) {
			check(b, svcMonitor("redis://"+rs.Addr, func(m *monitor.Monitor) { m.Password = rs.Password }))
		})
		b.Run("bare", func(b *testing.B) {
			bare(b, func(context.Context) error {
				c, err := redis.Dial("tcp", rs.Addr, redis.DialPassword(rs.Password),
					redis.DialReadTimeout(5*time.Second), redis.DialWriteTimeout(5*time.Second))
				if err != nil {
					return err
				}
				defer c.Close()
				_, err = c.Do("PING")
				return err
			})
		})
	})

	b.Run("smtp", func(b *testing.B) {
		pf := postfixBench(b)
		b.Run("check", func(b *testing.B) {
			check(b, svcMonitor("smtp://"+pf.TLSAddr, func(m *monitor.Monitor) { m.CAFile = pf.TLS.CAFile }))
		})
		b.Run("bare", func(b *testing.B) {
			pem, err := os.ReadFile(pf.TLS.CAFile)
			if err != nil {
				b.Fatal(err)
			}
			pool, _ := x509.SystemCertPool()
			pool.AppendCertsFromPEM(pem)
			cfg := &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}
			bare(b, func(ctx context.Context) error {
				conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", pf.TLSAddr)
				if err != nil {
					return err
				}
				defer conn.Close()
				c, err := smtp.NewClient(conn, "127.0.0.1")
				if err != nil {
					return err
				}
				if err := c.Hello("localhost"); err != nil {
					return err
				}
				if err := c.StartTLS(cfg); err != nil {
					return err
				}
				return c.Quit()
			})
		})
	})

	b.Run("grpc", func(b *testing.B) {
		addr := grpcBenchServer(b)
		b.Run("check", func(b *testing.B) { check(b, svcMonitor("grpc://"+addr+"/shop.Orders", nil)) })
		b.Run("bare", func(b *testing.B) {
			bare(b, func(ctx context.Context) error {
				conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
				if err != nil {
					return err
				}
				defer conn.Close()
				resp, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{Service: "shop.Orders"})
				if err == nil && resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
					err = errors.New(resp.GetStatus().String())
				}
				return err
			})
		})
	})

	b.Run("ws", func(b *testing.B) {
		srv := httptest.NewServer(wsHandler(b))
		b.Cleanup(srv.Close)
		url := "ws://" + strings.TrimPrefix(srv.URL, "http://") + "/echo"
		b.Run("check", func(b *testing.B) {
			check(b, svcMonitor(url, func(m *monitor.Monitor) { m.Send, m.ExpectBody = "ping", "echo: ping" }))
		})
		b.Run("bare", func(b *testing.B) {
			client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
			bare(b, func(ctx context.Context) error {
				c, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPClient: client})
				if err != nil {
					return err
				}
				defer c.CloseNow()
				if err := c.Write(ctx, websocket.MessageText, []byte("ping")); err != nil {
					return err
				}
				if _, _, err := c.Read(ctx); err != nil {
					return err
				}
				return c.Close(websocket.StatusNormalClosure, "")
			})
		})
	})
}

func grpcBenchServer(b *testing.B) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	hs := health.NewServer()
	hs.SetServingStatus("shop.Orders", healthpb.HealthCheckResponse_SERVING)
	s := grpc.NewServer()
	healthpb.RegisterHealthServer(s, hs)
	go func() { _ = s.Serve(ln) }()
	b.Cleanup(s.Stop)
	return ln.Addr().String()
}

// The shared servers, for benchmarks.

func postgresBench(b *testing.B) *testserver.Postgres {
	testserver.Need(b, "postgresql", "postgres")
	v, err := servers.Once("postgres", func() (any, error) { return testserver.StartPostgres(&servers) })
	if err != nil {
		b.Fatal(err)
	}
	return v.(*testserver.Postgres)
}

func mariadbBench(b *testing.B) *testserver.MariaDB {
	testserver.Need(b, "mariadb-server", "mariadbd", "mysqld")
	v, err := servers.Once("mariadb", func() (any, error) { return testserver.StartMariaDB(&servers) })
	if err != nil {
		b.Fatal(err)
	}
	return v.(*testserver.MariaDB)
}

func redisBench(b *testing.B) *testserver.Redis {
	testserver.Need(b, "redis-server", "redis-server")
	v, err := servers.Once("redis", func() (any, error) { return testserver.StartRedis(&servers) })
	if err != nil {
		b.Fatal(err)
	}
	return v.(*testserver.Redis)
}

func postfixBench(b *testing.B) *testserver.Postfix {
	testserver.Need(b, "postfix", "postfix")
	v, err := servers.Once("postfix", func() (any, error) { return testserver.StartPostfix(&servers) })
	if errors.Is(err, testserver.ErrNeedsRoot) {
		b.Skip("postfix's master must be started as root")
	}
	if err != nil {
		b.Fatal(err)
	}
	return v.(*testserver.Postfix)
}
