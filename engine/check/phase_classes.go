package check

// The classes of a deadline in the connect and TLS phases, shared by every
// kind that names the phase a deadline cut short. Issue 10 (HTTP) defines
// the same two names in classify.go: when both are merged, this file goes.
const (
	ClassConnectTimeout = "connect_timeout" // no TCP connection before the deadline
	ClassTLSTimeout     = "tls_timeout"     // connected, the TLS handshake did not finish
)

// phaseClasses lists them, for the knowledge base's tests; Classes lists
// them once this file goes.
func phaseClasses() []string { return []string{ClassConnectTimeout, ClassTLSTimeout} }
