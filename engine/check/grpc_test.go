package check

import (
	"crypto/tls"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// grpcServer serves the standard health service on loopback (over TLS
// when cert is given; without the health service when hs is nil) until
// the test ends.
func grpcServer(t *testing.T, cert *tls.Certificate, hs *health.Server) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var opts []grpc.ServerOption
	if cert != nil {
		opts = append(opts, grpc.Creds(credentials.NewServerTLSFromCert(cert)))
	}
	s := grpc.NewServer(opts...)
	if hs != nil {
		healthpb.RegisterHealthServer(s, hs)
	}
	done := make(chan struct{})
	go func() { defer close(done); _ = s.Serve(ln) }()
	t.Cleanup(func() { s.Stop(); <-done })
	return ln.Addr().String()
}

func TestGRPC(t *testing.T) {
	t.Parallel()
	hs := health.NewServer()
	hs.SetServingStatus("shop.Orders", healthpb.HealthCheckResponse_SERVING)
	hs.SetServingStatus("shop.Payments", healthpb.HealthCheckResponse_NOT_SERVING)
	plain := grpcServer(t, nil, hs)
	p := pki(t)
	secure := grpcServer(t, &p.valid, hs)
	bare := grpcServer(t, nil, nil)
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, p.caPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	ca := func(m *monitor.Monitor) { m.CAFile = caFile; m.CertWarnDays = 14 }
	checkCases(t, []serviceCase{
		{name: "server serving", m: svcMonitor("grpc://"+plain, nil), status: monitor.StatusUp, answer: "status SERVING"},
		{name: "service serving", m: svcMonitor("grpc://"+plain+"/shop.Orders", nil), status: monitor.StatusUp},
		{name: "over verified TLS", m: svcMonitor("grpcs://"+secure+"/shop.Orders", ca), status: monitor.StatusUp, cert: true},
		{name: "not serving", m: svcMonitor("grpc://"+plain+"/shop.Payments", nil), status: monitor.StatusDown,
			class: ClassGRPCNotServing, errHas: "NOT_SERVING", answer: "status NOT_SERVING"},
		{name: "service unknown", m: svcMonitor("grpc://"+plain+"/shop.Nothing", nil), status: monitor.StatusDown,
			class: ClassGRPCServiceUnknown, code: 5},
		{name: "no health service", m: svcMonitor("grpc://"+bare, nil), status: monitor.StatusDown,
			class: ClassGRPCNoHealth, code: 12},
		{name: "stopped", m: svcMonitor("grpc://"+closedPort(t), nil), status: monitor.StatusDown, class: ClassRefused},
		{name: "TLS required by the check, not offered", m: svcMonitor("grpcs://"+plain, ca), status: monitor.StatusDown,
			class: ClassTLSUnavailable},
		{name: "TLS required by the server, not offered", m: svcMonitor("grpc://"+secure, nil), status: monitor.StatusDown,
			class: ClassTLSRequired},
		{name: "certificate of an unknown CA", m: svcMonitor("grpcs://"+secure, nil), status: monitor.StatusDown,
			class: ClassTLSUnknownCA},
		{name: "hung", m: svcMonitor("grpc://"+hungServer(t), nil), timeout: 300 * time.Millisecond, status: monitor.StatusDown,
			class: ClassGRPCHandshakeTimeout},
	}, "")
}
