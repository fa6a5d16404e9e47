package kb

// requestEntries explain the classes of issue 10: timeouts named by the
// phase that ran out of time, certificate trust told apart, and the ways
// an authenticated or constrained request fails.
func requestEntries() []Entry {
	return []Entry{
		{
			Class: "connect_timeout", Name: "Connect timed out", Family: FamilyNetwork,
			Summary: "the connection request went unanswered until the timeout",
			Meaning: "upbeat sent the opening packet of a TCP connection and heard nothing back, no acceptance and no refusal, until the monitor's timeout. " +
				"Silence like this means the packets are dropped on the way or the host is not there: a closed port answers at once with a refusal. " +
				"Nothing of the request was sent, so the app itself was never asked.",
			Causes: []string{
				"A firewall or security group that drops packets to the port instead of rejecting them",
				"The host is down or the address belongs to nothing",
				"A listener whose accept queue is full, so new connections are ignored",
				"A routing problem or heavy packet loss on the path",
			},
			FirstStep: "From the monitor host run `nc -vz -w 5 HOST PORT`; if it also hangs, check the firewall rules for that port, then whether the host is up at all (`ping`, the cloud console).",
		},
		{
			Class: "tls_timeout", Name: "TLS handshake timed out", Family: FamilyTLS,
			Summary: "connected, but the TLS handshake did not finish in time",
			Meaning: "The TCP connection opened, so something listens on the port, but the TLS handshake that follows did not complete within the monitor's timeout. " +
				"A server that accepts connections and then never speaks TLS, or is too overloaded to do the handshake, looks like this. " +
				"Plain HTTP servers usually answer a handshake with garbage at once, so silence points at a stuck or overwhelmed process.",
			Causes: []string{
				"A TLS terminator or load balancer that is overloaded or out of worker threads",
				"Something on the port that waits for the client to speak another protocol first",
				"A middlebox that lets the connection open but drops the handshake packets",
				"A very slow key exchange on a starved CPU",
			},
			FirstStep: "Run `openssl s_client -connect HOST:PORT -servername HOST </dev/null` from the monitor host and see whether it stalls right after CONNECTED; then look at the load and worker limits of whatever terminates TLS.",
		},
		{
			Class: "body_timeout", Name: "Body timed out", Family: FamilyNetwork,
			Summary: "the headers came, but the body did not finish in time",
			Meaning: "The server answered with a status line and headers, then the rest of the response trickled in too slowly, or stopped, and the monitor's timeout ran out before the body ended. " +
				"The app started to answer, so it is alive, but something stalls while it produces or sends the content. " +
				"The status code in the result is the one the server sent before it stalled.",
			Causes: []string{
				"A streaming or generated response that blocks on a slow query or upstream",
				"A proxy buffering or throttling the response",
				"A very large body over a slow link, against a short timeout",
				"A server that stalls mid-response under load",
			},
			FirstStep: "Run `curl -sv -o /dev/null -w '%{time_starttransfer} %{time_total} %{size_download}\\n' URL` and compare when the first byte came with when the transfer ended.",
		},
		{
			Class: "tls_self_signed", Name: "Self-signed certificate", Family: FamilyTLS,
			Summary: "the server's certificate signs itself and nothing vouches for it",
			Meaning: "The certificate the server presents is its own issuer: no certificate authority signed it, so there is no chain to a trusted root. " +
				"That is normal for a fresh install, a test box or an appliance's default certificate, and wrong for anything public. " +
				"If the certificate is expected, upbeat can trust exactly it with ca_file.",
			Causes: []string{
				"A default certificate generated when the server or appliance was installed",
				"A certificate renewal that failed and fell back to a self-signed one",
				"The wrong virtual host answering, with its placeholder certificate",
				"An internal service where the self-signed certificate is intended",
			},
			FirstStep: "If it is meant to be self-signed, put the certificate in a PEM file and set ca_file to it; otherwise install a certificate from your CA or ACME client and reload the server.",
		},
		{
			Class: "tls_incomplete_chain", Name: "Incomplete certificate chain", Family: FamilyTLS,
			Summary: "the server leaves out an intermediate certificate its chain needs",
			Meaning: "The server's certificate was signed by an intermediate CA whose certificate the server does not send, so the chain to the trusted root is broken. " +
				"Browsers often paper over this by fetching the missing certificate themselves, which is why the site may look fine in one; API clients, phones and other tools fail. " +
				"The message names the missing issuer. " +
				"To tell this apart, upbeat fetches the missing certificate from the URL the server's certificate names (Authority Information Access); for a site on a public address it does so only from public addresses, and the Detail says when it would not (allow_private_redirects lifts that).",
			Causes: []string{
				"The server points at the certificate alone (cert.pem) instead of the full chain (fullchain.pem)",
				"A renewal that replaced the chain file with the leaf only",
				"A load balancer or CDN given the certificate without its chain",
				"An intermediate changed by the CA and the old one still bundled",
			},
			FirstStep: "Point the server at the full chain file (for nginx, ssl_certificate with the leaf followed by the intermediates) and check with `openssl s_client -connect HOST:443 -servername HOST -showcerts </dev/null` that more than one certificate comes back.",
		},
		{
			Class: "json_assertion_invalid", Name: "JSON assertion is no test", Family: FamilyAssertion,
			Summary: "an expect_json expression gave a value that is not true or false",
			Meaning: "An expect_json expression produced a string, a number, an array or an object rather than a boolean, so it cannot say whether the service is healthy. " +
				"jq treats such values as true, which would report a DOWN payload as up; upbeat counts it as down instead. " +
				"The expression needs a comparison, such as `.status == \"UP\"` rather than `.status`.",
			Causes: []string{
				"An expression that picks a field without comparing it",
				"A comparison written with one = (jq's assignment) in a config loaded before validation caught it",
				"A payload whose field changed type, such as a boolean becoming a string",
			},
			FirstStep: "Run `curl -s URL | jq 'EXPR'` with the expression from the message, see what it gives, and rewrite it as a comparison that is true when the service is well.",
		},
		{
			Class: "unsupported_http_version", Name: "HTTP version not spoken", Family: FamilyNetwork,
			Summary: "the server cannot speak the HTTP version http_version requires",
			Meaning: "The monitor sets http_version, and the server would not use it: it refused HTTP/2 during the TLS negotiation (ALPN), answered an HTTP/2 request in HTTP/1, or speaks only HTTP/2 when 1.1 was required. " +
				"Browsers fall back silently, so a broken HTTP/2 setup can go unnoticed without such a monitor. " +
				"The site may still work for clients that accept either version.",
			Causes: []string{
				"HTTP/2 not enabled on the server or load balancer (nginx: `listen 443 ssl http2` or `http2 on`)",
				"A TLS terminator in front that offers only http/1.1 in ALPN",
				"A plain-http port asked for HTTP/2 without TLS, which few servers accept",
				"An HTTP/2-only backend (gRPC-style) checked with http_version = \"1.1\"",
			},
			FirstStep: "Run `curl -sI --http2 URL` (or `--http1.1`) and look at the protocol on the first line of the answer; then enable the version in the server's listen configuration.",
		},
		{
			Class: "header_mismatch", Name: "Header check failed", Family: FamilyAssertion,
			Summary: "a header named in expect_headers is missing or does not match",
			Meaning: "The response came, but a header the monitor expects is absent or its value does not match the regular expression in expect_headers. " +
				"Such checks catch a wrong content type, a missing security header or a cache setting that changed in a deploy. " +
				"The message shows the value the server sent.",
			Causes: []string{
				"A deploy or proxy change that dropped or renamed the header",
				"An error page served with another content type",
				"A CDN or cache adding or rewriting headers",
				"A regular expression stricter than the header's real values",
			},
			FirstStep: "Run `curl -sI URL` and compare the header with the expression in expect_headers.",
		},
		{
			Class: "oauth2_error", Name: "No OAuth2 token", Family: FamilyMonitor,
			Summary: "the token endpoint gave no access token for the client credentials",
			Meaning: "Before the request could go out, upbeat asked the monitor's OAuth2 token endpoint for a token with the client id and secret, and got none. " +
				"The endpoint refused the credentials, answered with an error, or could not be reached, so the monitored URL was never asked. " +
				"The message says which; the secret is never shown.",
			Causes: []string{
				"A wrong, expired or rotated client secret",
				"A client id unknown to the authorization server, or a scope it may not request",
				"A wrong token_url, or an audience parameter the server requires",
				"The authorization server itself is down or unreachable",
				"A token endpoint on a public address that redirects into an internal network, refused unless allow_private_redirects is set",
			},
			FirstStep: "Request a token by hand with `curl -s -u CLIENT_ID:SECRET -d grant_type=client_credentials TOKEN_URL` and read the error field of the answer.",
		},
		{
			Class: "proxy_error", Name: "Proxy failed", Family: FamilyNetwork,
			Summary: "the proxy could not be reached or would not forward the request",
			Meaning: "The monitor sends its requests through a proxy, and the failure happened there: the proxy refused the connection, did not answer, or declined to open a tunnel to the target. " +
				"The target itself was never reached, so this says nothing about it. " +
				"A refusal with status 407 means the proxy wants credentials.",
			Causes: []string{
				"The proxy is down, or the proxy URL names the wrong host or port",
				"Missing or wrong proxy credentials (407 Proxy Authentication Required)",
				"A proxy policy that does not allow the target host or port",
				"A proxy that cannot resolve or reach the target itself",
			},
			FirstStep: "Run `curl -sv -x PROXY_URL URL` from the monitor host and read what the proxy answers to the CONNECT or the request.",
		},
	}
}
