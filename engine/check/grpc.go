package check

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/connectivity"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"

	"github.com/upbeat-monitor/upbeat/engine"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// GRPC checks grpc://host:port/service and grpcs://host:port/service
// monitors with the standard health protocol (grpc.health.v1.Health/Check,
// as grpc_health_probe and Kubernetes do): the service is the URL's path,
// empty for the server as a whole. SERVING is up; NOT_SERVING (and
// UNKNOWN) is grpc_not_serving, a service the health server does not know
// grpc_service_unknown, a server without the health service grpc_no_health.
// Code is the call's gRPC status code (0 for OK). For grpcs:// the
// certificate is verified and its expiry judged like a tls:// check's.
//
// The connection is made and waited for before the call, so that a
// deadline can say whether it cut short the TCP connect, the TLS
// handshake, the HTTP/2 handshake or the call.
type GRPC struct{ b *base }

var _ engine.Checker = (*GRPC)(nil)

var grpcTimeouts = svcTimeouts{
	handshake: ClassGRPCHandshakeTimeout, handshakeWhat: "the HTTP/2 handshake",
	request: ClassGRPCCallTimeout, requestWhat: "the health call",
}

// Check makes one health call for m.
func (c *GRPC) Check(ctx context.Context, m *monitor.Monitor) (r monitor.Result) {
	ctx, cancel := withDeadline(ctx)
	defer cancel()

	u, err := parsedURL(m)
	if err != nil {
		fail(&r, ClassConfig, err.Error())
		return r
	}
	host := u.Hostname()
	if host == "" {
		fail(&r, ClassConfig, "grpc url has no host: grpc://host:port/service")
		return r
	}
	useTLS := u.Scheme == "grpcs"
	def := "80"
	var creds credentials.TransportCredentials = insecure.NewCredentials()
	p := newProbe(c.b, m, useTLS)
	p.noSniff = true
	if useTLS {
		def = "443"
		cfg, err := c.b.serviceTLS(m, host)
		if err != nil {
			fail(&r, ClassConfig, err.Error())
			return r
		}
		creds = &probeCreds{TransportCredentials: credentials.NewTLS(cfg), p: p}
	}
	service := strings.Trim(u.Path, "/")
	addr := hostPort(host, u.Port(), def)

	conn, err := grpc.NewClient("passthrough:///"+addr,
		grpc.WithTransportCredentials(creds),
		grpc.WithContextDialer(func(ctx context.Context, addr string) (net.Conn, error) { return p.dial(ctx, addr) }),
		grpc.WithUserAgent(c.b.userAgent),
		grpc.WithDisableRetry(),
		grpc.WithDisableServiceConfig(),
	)
	if err != nil {
		fail(&r, ClassConfig, "grpc: "+err.Error())
		return r
	}
	defer conn.Close()
	defer p.finish(&r)

	conn.Connect()
	for s := conn.GetState(); s != connectivity.Ready; s = conn.GetState() {
		if s == connectivity.TransientFailure || s == connectivity.Shutdown || !conn.WaitForStateChange(ctx, s) {
			break
		}
	}
	if conn.GetState() == connectivity.Ready {
		p.loggedInNow()
	}
	resp, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{Service: service})
	p.answeredNow()
	if err != nil {
		c.failure(ctx, &r, p, err)
		return r
	}
	st := resp.GetStatus()
	r.Answers = append(r.Answers, "status "+st.String())
	switch st {
	case healthpb.HealthCheckResponse_SERVING:
		r.Status = monitor.StatusUp
		p.judgeServiceCert(&r, m)
	case healthpb.HealthCheckResponse_SERVICE_UNKNOWN:
		fail(&r, ClassGRPCServiceUnknown, fmt.Sprintf("the health service does not know %s", serviceName(service)))
	default:
		fail(&r, ClassGRPCNotServing, fmt.Sprintf("%s is %s", serviceName(service), st))
	}
	return r
}

func serviceName(s string) string {
	if s == "" {
		return "the server"
	}
	return fmt.Sprintf("service %q", s)
}

// failure classifies a failed health call by its gRPC status, and by
// what the probe saw of the connection when the status says no more than
// "unavailable" or "deadline exceeded".
func (c *GRPC) failure(ctx context.Context, r *monitor.Result, p *svcProbe, err error) {
	s, _ := status.FromError(err)
	code := s.Code()
	r.Code = int(code)
	msg := engine.Sanitize(s.Message(), 200)
	switch code {
	case codes.NotFound:
		fail(r, ClassGRPCServiceUnknown, "the health service does not know the service: NotFound: "+msg)
		return
	case codes.Unimplemented:
		fail(r, ClassGRPCNoHealth, "the server has no health service (grpc.health.v1.Health): Unimplemented: "+msg)
		return
	case codes.Canceled, codes.DeadlineExceeded, codes.Unavailable:
		if p.failConn(ctx, r, err, grpcTimeouts) {
			r.Code = int(code)
			return
		}
		if code == codes.Unavailable && !p.tls && p.phaseNow() == phaseHandshake && strings.Contains(msg, "server preface") &&
			(strings.Contains(msg, "EOF") || strings.Contains(msg, "connection reset")) {
			// An HTTP/2 server answers the client's preface with its
			// settings; one that closes without a word is a TLS port
			// that could not make sense of plain text.
			fail(r, ClassTLSRequired, "the server closed the connection without answering the HTTP/2 preface, as a TLS-only port does; use grpcs://")
			return
		}
	}
	if code == codes.Unavailable {
		// grpc-go's text about the transport, not the server's word
		fail(r, ClassGRPCError, "Unavailable: no gRPC session could be set up with the server")
		setDetail(r, err)
		return
	}
	fail(r, ClassGRPCError, code.String()+": "+msg)
}

// probeCreds are TLS transport credentials that tell the probe when the
// handshake starts and ends, and how it went.
type probeCreds struct {
	credentials.TransportCredentials
	p *svcProbe
}

func (c *probeCreds) ClientHandshake(ctx context.Context, authority string, conn net.Conn) (net.Conn, credentials.AuthInfo, error) {
	c.p.beginTLS()
	out, info, err := c.TransportCredentials.ClientHandshake(ctx, authority, conn)
	var st *tls.ConnectionState
	if ti, ok := info.(credentials.TLSInfo); ok {
		st = &ti.State
	}
	c.p.endTLS(st, err)
	return out, info, err
}

func (c *probeCreds) Clone() credentials.TransportCredentials {
	return &probeCreds{TransportCredentials: c.TransportCredentials.Clone(), p: c.p}
}
