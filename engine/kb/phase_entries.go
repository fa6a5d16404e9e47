package kb

// The entries of a deadline in the connect and TLS phases, shared by every
// kind that names the phase a deadline cut short. Issue 10 (HTTP) writes
// entries for the same two classes: when both are merged, this file goes
// (and its call in services.go).
func phaseEntries() []Entry {
	return []Entry{
		{
			Class: "connect_timeout", Name: "Connect timed out", Family: FamilyNetwork,
			Summary: "no TCP connection could be opened before the timeout",
			Meaning: "The connection attempt got no answer at all: neither an accept nor a refusal came back before the monitor's timeout. " +
				"Nothing was said to the service, so this is about the path or the host, not the application. " +
				"A firewall that drops packets instead of rejecting them looks exactly like this.",
			Causes: []string{
				"A firewall or security group silently dropping traffic to the port",
				"The host is down or unreachable, and nothing on the path says so",
				"A wrong address in the url, pointing at a host that does not exist",
				"The listen queue of a badly overloaded server is full",
			},
			FirstStep: "From the monitor host run `nc -vz -w 5 HOST PORT` and compare with the same from a host next to the target, to tell a network block from a dead host.",
		},
		{
			Class: "tls_timeout", Name: "TLS handshake timed out", Family: FamilyTLS,
			Summary: "connected, but the TLS handshake did not finish in time",
			Meaning: "The TCP connection opened, then the TLS negotiation stalled before the timeout. " +
				"The server accepted the connection but never completed its side of the handshake. " +
				"Often the port does not speak TLS at all and is waiting for the client to say something else.",
			Causes: []string{
				"A plain-text service on the port, waiting for its own protocol",
				"A TLS terminator or proxy that is overloaded or hung",
				"A middlebox dropping the larger handshake packets (an MTU problem)",
				"A server waiting for a client certificate it never gets",
			},
			FirstStep: "Run `openssl s_client -connect HOST:PORT -servername HOST </dev/null` from the monitor host and see where it stops.",
		},
	}
}
