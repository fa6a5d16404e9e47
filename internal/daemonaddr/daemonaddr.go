// Package daemonaddr reads the address of an upbeat daemon as people type
// it (a socket path, unix:///path, http(s)://host:port, or host:port) and
// says why one could not be reached in plain words, for the commands
// that talk to a daemon (attach, status) and the client they use.
package daemonaddr

import (
	"errors"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// Normalize turns host:port, which has no scheme and no slash, into
// http://host:port; anything else is returned as it is (a socket path,
// unix://…, http(s)://…).
func Normalize(addr string) string {
	if strings.Contains(addr, "/") || strings.Contains(addr, "://") {
		return addr
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil || host == "" {
		return addr
	}
	if n, err := strconv.Atoi(port); err != nil || n <= 0 || n > 65535 {
		return addr
	}
	return "http://" + addr
}

// Why is what went wrong reaching a daemon, without the request Go's HTTP
// client wraps around it: "connect: connection refused", not
// `Get "http://localhost/api/v1/events": dial unix …: connect: …`.
func Why(err error) string {
	if err == nil {
		return "no answer"
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		return op.Err.Error()
	}
	return err.Error()
}
