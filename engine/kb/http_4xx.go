package kb

// clientEntries explain the registered 4xx codes.
func clientEntries() []Entry {
	return []Entry{
		{
			Code: 400, Name: "Bad Request", Family: FamilyClient,
			Summary: "the server could not parse or accept the request",
			Meaning: "The server turned the request down because something in it was malformed: syntax, framing, headers or body. " +
				"A monitor sends the same request every time, so a sudden 400 usually means the server changed, not the monitor. " +
				"Proxies also answer 400 for headers that are too big or invalid.",
			Causes: []string{
				"A custom header or body on the monitor that the server now rejects",
				"A proxy or WAF rule refusing the shape of the request",
				"Cookies or headers over the server's size limit",
				"Plain HTTP sent to a port that expects TLS",
				"An API release with stricter input validation",
			},
			FirstStep: "Replay the monitor's exact request with `curl -v` and its headers, and read the body of the 400, which usually names the rejected part.",
		},
		{
			Code: 401, Name: "Unauthorized", Family: FamilyClient,
			Summary: "the request carried no valid credentials",
			Meaning: "The resource needs authentication and the request had none, or had credentials the server did not accept. " +
				"The WWW-Authenticate header says which scheme is expected. " +
				"For a monitor this is nearly always an expired or rotated secret.",
			Causes: []string{
				"An API token or password that expired or was rotated",
				"The environment variable holding the secret is stale",
				"Authentication newly turned on for the endpoint",
				"A redirect to another host, where upbeat never forwards credentials",
			},
			FirstStep: "Read the WWW-Authenticate header with `curl -sI URL` and test the current credentials by hand before updating the monitor's secret.",
		},
		{
			Code: 402, Name: "Payment Required", Family: FamilyClient,
			Summary: "the account behind the service is unpaid or over its quota",
			Meaning: "HTTP reserves this code, but many APIs and hosting platforms use it to say an account is unpaid, suspended or out of quota. " +
				"It is a billing problem rather than a technical one. " +
				"It will persist until someone sorts out the account.",
			Causes: []string{
				"An expired card or unpaid invoice",
				"A usage quota used up",
				"A trial period that ended",
				"An account suspended by the provider",
			},
			FirstStep: "Sign in to the provider's billing page for the account that owns the endpoint and check its status and quota.",
		},
		{
			Code: 403, Name: "Forbidden", Family: FamilyClient,
			Summary: "the server understood the request and refuses to serve it",
			Meaning: "The server will not serve this client, and signing in again will not change that. " +
				"Web application firewalls, bot protection and file permissions are the usual sources. " +
				"A 403 that the monitor gets but a browser does not points at rules keyed on IP, user agent or country.",
			Causes: []string{
				"A WAF or bot-protection rule blocking the monitor's IP or user agent",
				"An IP allow-list that lacks the monitor host",
				"File or directory permissions denying the web server's user",
				"A directory without an index file and listing disabled",
				"A valid token without the scope this resource needs",
			},
			FirstStep: "Search the WAF or CDN firewall events for the monitor's source IP, and on the server grep the web server's error log for a permission denial.",
		},
		{
			Code: 404, Name: "Not Found", Family: FamilyClient,
			Summary: "nothing exists at this address",
			Meaning: "The server has no resource at the requested path, or prefers not to admit it has one. " +
				"For an address that used to work, something changed on the server side. " +
				"If every path gives 404, the request probably reached the wrong virtual host or application.",
			Causes: []string{
				"A deploy renamed or removed the route",
				"The default virtual host answered because of a Host or SNI mismatch",
				"A proxy rewrite or path prefix changed",
				"The app runs but its routes failed to load",
				"A typo in the monitor's url",
			},
			FirstStep: "Run `curl -si URL` and check whether the 404 page is your application's or the web server's default one, which tells you whether the app was reached at all.",
		},
		{
			Code: 405, Name: "Method Not Allowed", Family: FamilyClient,
			Summary: "the address exists but not for this HTTP method",
			Meaning: "The resource is there, but it does not accept the method used; the Allow header lists those it does. " +
				"Some frameworks refuse HEAD with this code. " +
				"It also appears after a route became POST-only.",
			Causes: []string{
				"HEAD requests not handled by the application",
				"A route changed to accept only POST",
				"A proxy rule restricting methods",
				"The monitor configured with the wrong method",
			},
			FirstStep: "Read the Allow header with `curl -si -X GET URL` and set the monitor's method to one it lists.",
		},
		{
			Code: 406, Name: "Not Acceptable", Family: FamilyClient,
			Summary: "no version of the resource matches the Accept headers",
			Meaning: "Content negotiation failed: the server cannot produce a format, language or encoding the Accept headers allow. " +
				"Some security filters also misuse the code to block requests. " +
				"Ordinary health endpoints rarely send it.",
			Causes: []string{
				"A strict Accept header on the monitor",
				"An API that dropped a format",
				"A security module such as mod_security answering blocks with 406",
			},
			FirstStep: "Repeat the request with `curl -si -H 'Accept: */*' URL` to see whether the Accept header is the trigger.",
		},
		{
			Code: 407, Name: "Proxy Authentication Required", Family: FamilyClient,
			Summary: "a forward proxy in the path wants credentials",
			Meaning: "Like 401, but the demand comes from a proxy between the monitor and the site rather than from the site. " +
				"The Proxy-Authenticate header names the scheme. " +
				"The monitor host reaches the network through a proxy that does not accept it.",
			Causes: []string{
				"HTTP_PROXY or HTTPS_PROXY set to a proxy that needs a login",
				"Proxy credentials that expired",
				"A company egress proxy that just started enforcing logins",
			},
			FirstStep: "Check the proxy settings on the monitor host with `env | grep -i proxy` and test them with `curl -v --proxy-user USER URL`.",
		},
		{
			Code: 408, Name: "Request Timeout", Family: FamilyClient,
			Summary: "the server gave up waiting for the request to arrive",
			Meaning: "The server closed the connection because the request did not reach it in time. " +
				"Servers also send it on idle keep-alive connections they are about to drop. " +
				"For a monitor it usually means the path between the two is stalling or losing packets.",
			Causes: []string{
				"Packet loss or congestion on the way to the server",
				"A slow upload of a request body",
				"A very low header or body timeout on the server",
				"A proxy holding the request before forwarding it",
			},
			FirstStep: "Run `mtr -rwc 20 HOST` from the monitor host to look for loss on the path, and check the server's client header and body timeouts.",
		},
		{
			Code: 409, Name: "Conflict", Family: FamilyClient,
			Summary: "the request clashes with the resource's current state",
			Meaning: "The server refused because carrying out the request would conflict with the current state, like an edit based on an old version or a duplicate create. " +
				"APIs and version control servers use it. " +
				"A read-only health check should not see it.",
			Causes: []string{
				"The monitor hits a write endpoint",
				"Concurrent edits or a version mismatch",
				"An attempt to create something that already exists",
			},
			FirstStep: "Read the conflict details in the body with `curl -si URL` and make sure the monitor targets a read-only endpoint.",
		},
		{
			Code: 410, Name: "Gone", Family: FamilyClient,
			Summary: "the resource was removed on purpose and will not return",
			Meaning: "Like 404, but the server states that the removal is deliberate and permanent. " +
				"Search engines drop such addresses quickly. " +
				"A monitored url that returns it belongs to a retired endpoint.",
			Causes: []string{
				"An API version that was retired",
				"Content removed on purpose",
				"A published sunset date that has passed",
			},
			FirstStep: "Look in the service's changelog or deprecation notices for the replacement address and point the monitor at it.",
		},
		{
			Code: 411, Name: "Length Required", Family: FamilyClient,
			Summary: "the server wants a Content-Length header",
			Meaning: "The server refuses a request that has a body but does not state its length. " +
				"Chunked uploads to strict servers or proxies trigger it. " +
				"Plain GET checks do not.",
			Causes: []string{
				"A body sent with chunked encoding to a strict server",
				"A proxy that strips Content-Length",
				"A monitor configured with a body but no length",
			},
			FirstStep: "Replay the request with `curl -v --data @body.json URL`, which sets Content-Length, and change the monitor's request if that works.",
		},
		{
			Code: 412, Name: "Precondition Failed", Family: FamilyClient,
			Summary: "a condition in the request headers did not hold",
			Meaning: "The request carried a condition such as If-Match or If-Unmodified-Since that the current resource fails, so the server did nothing. " +
				"It guards against lost updates. " +
				"A monitor only gets it when it sends conditional headers.",
			Causes: []string{
				"Conditional headers among the monitor's custom headers",
				"An outdated ETag",
				"A proxy adding conditions",
			},
			FirstStep: "Remove conditional headers from the monitor's request and run `upbeat check` again to confirm.",
		},
		{
			Code: 413, Name: "Content Too Large", Family: FamilyClient,
			Summary: "the request body is bigger than the server accepts",
			Meaning: "The server or a proxy in front of it rejected the request because the body is over a configured limit. " +
				"nginx allows only 1 MB by default (client_max_body_size), so uploads run into it often. " +
				"The refusal can arrive before the body has been sent.",
			Causes: []string{
				"client_max_body_size in nginx, or its equivalent, set too low",
				"A body limit on a load balancer or WAF",
				"A monitor posting a large payload",
				"An upload limit inside the application",
			},
			FirstStep: "See which layer answered from the Server header of `curl -si URL` and raise that layer's body limit (for nginx, client_max_body_size).",
		},
		{
			Code: 414, Name: "URI Too Long", Family: FamilyClient,
			Summary: "the address is longer than the server will handle",
			Meaning: "The request line was over the server's limit, usually because of a huge query string. " +
				"A redirect loop that appends parameters at every hop produces it too. " +
				"Most servers allow around 8 KB.",
			Causes: []string{
				"A very long query string",
				"A redirect loop that grows the address each time",
				"Data that belongs in a POST body put into the address",
				"A low large_client_header_buffers setting in nginx",
			},
			FirstStep: "Trace the redirects with `curl -sIL URL | grep -i '^location'` and see whether the address grows at each hop.",
		},
		{
			Code: 415, Name: "Unsupported Media Type", Family: FamilyClient,
			Summary: "the server does not accept the format of the body",
			Meaning: "The body is in a format the endpoint does not take, judged by Content-Type or Content-Encoding. " +
				"APIs answer this way when JSON arrives labelled as something else. " +
				"Only requests that carry a body can get it.",
			Causes: []string{
				"A missing or wrong Content-Type on the monitor's request",
				"An API that dropped support for a format",
				"A compressed body the server does not accept",
			},
			FirstStep: "Set the Content-Type the API documents and test it with `curl -si -H 'Content-Type: application/json' --data @body.json URL`.",
		},
		{
			Code: 416, Name: "Range Not Satisfiable", Family: FamilyClient,
			Summary: "the requested byte range lies outside the resource",
			Meaning: "The request asked for bytes the resource does not have, such as a range past the end of a file. " +
				"It usually follows a resumed download of a file that shrank. " +
				"upbeat sends no ranges, so a proxy or a custom header is the likely source.",
			Causes: []string{
				"A Range header added by a proxy or in the monitor's headers",
				"A cached object whose size changed",
				"A resumed download of a replaced file",
			},
			FirstStep: "Look for a Range header among the monitor's custom headers, then purge the object from the cache in front of the server.",
		},
		{
			Code: 417, Name: "Expectation Failed", Family: FamilyClient,
			Summary: "the server cannot meet the request's Expect header",
			Meaning: "The request carried an Expect header, nearly always 100-continue, that the server or a proxy will not honour. " +
				"Old proxies are the usual culprit. " +
				"Sending the body without the expectation avoids it.",
			Causes: []string{
				"An old proxy rejecting Expect: 100-continue",
				"A client library adding Expect for large bodies",
				"A custom Expect header on the monitor",
			},
			FirstStep: "Repeat the request with `curl -v -H 'Expect:' URL`, which drops the header, and remove it from the monitor if that works.",
		},
		{
			Code: 418, Name: "I'm a teapot", Family: FamilyClient,
			Summary: "a joke code that some sites use to turn away bots",
			Meaning: "An April Fools' RFC about coffee pots defined it, and it stays reserved so nobody reuses the number. " +
				"Some sites and bot filters send it to refuse automated traffic. " +
				"From a real service it usually means the monitor was classified as a bot.",
			Causes: []string{
				"Bot protection rejecting the monitor's user agent",
				"A deliberate easter egg or test endpoint",
				"Rate-limiting software that uses 418 as its refusal",
			},
			FirstStep: "Check the bot-protection or WAF log for the monitor's source IP and user agent and add an allow rule for the monitor.",
		},
		{
			Code: 421, Name: "Misdirected Request", Family: FamilyClient,
			Summary: "the request reached a server that cannot answer for that host",
			Meaning: "The server got a request for a hostname it does not serve on this connection. " +
				"It mostly comes from HTTP/2 connection reuse, when one TLS connection is shared by several names that one certificate covers but different backends serve. " +
				"A mismatch between the SNI name and the Host header causes it too.",
			Causes: []string{
				"HTTP/2 connection reuse across hostnames that live on different backends",
				"The SNI name and the Host header differ",
				"A wildcard or multi-name certificate covering hosts the server does not serve",
				"A CDN or load balancer routing by SNI",
			},
			FirstStep: "Compare `curl -sv --http1.1 URL` with `curl -sv --http2 URL` and make sure the SNI name and the Host header select the same server block.",
		},
		{
			Code: 422, Name: "Unprocessable Content", Family: FamilyClient,
			Summary: "the request is well formed but its content is invalid",
			Meaning: "The syntax was fine, but the server could not act on what the request said because validation failed. " +
				"APIs use it for field-level errors. " +
				"For a monitor it means the request body or parameters no longer pass validation.",
			Causes: []string{
				"The API's validation rules changed",
				"The monitor's payload lacks a newly required field",
				"Wrong data types in the payload",
			},
			FirstStep: "Read the error details in the body with `curl -si URL` and update the monitor's request to match the current API schema.",
		},
		{
			Code: 423, Name: "Locked (WebDAV)", Family: FamilyClient,
			Summary: "the resource is locked by someone else",
			Meaning: "A WebDAV reply saying the target is locked. " +
				"The lock must be released or expire before the request can succeed. " +
				"Stale locks left by crashed clients are common.",
			Causes: []string{
				"Another client holds a WebDAV lock",
				"A stale lock left by a client that crashed",
				"A long operation holding the lock",
			},
			FirstStep: "List the active locks on the resource with a PROPFIND for lockdiscovery and release the stale one or wait for it to time out.",
		},
		{
			Code: 424, Name: "Failed Dependency (WebDAV)", Family: FamilyClient,
			Summary: "not attempted because an action it relied on failed",
			Meaning: "A WebDAV reply for an operation that was skipped because another action it needed had already failed. " +
				"The real failure is elsewhere in the same request. " +
				"The other statuses in the multi-status body point at it.",
			Causes: []string{
				"A sibling operation in the same request failed",
				"A lock or permission failure on a related resource",
				"A partly invalid batch request",
			},
			FirstStep: "Read the multi-status body with `curl -s URL` and fix the first item that failed.",
		},
		{
			Code: 425, Name: "Too Early", Family: FamilyClient,
			Summary: "the server will not act on a request sent as TLS early data",
			Meaning: "The request came in TLS 1.3 early data (0-RTT), which an attacker could replay, so the server refuses it until the handshake completes. " +
				"A client should simply retry after the handshake. " +
				"Repeated 425s mean a client or proxy keeps insisting on early data.",
			Causes: []string{
				"0-RTT enabled on a CDN or proxy for requests that change state",
				"A client that always resends in early data",
				"An origin that rejects all early data",
			},
			FirstStep: "Check the early-data (0-RTT) setting on the CDN or proxy in front and turn it off for this hostname if the origin keeps refusing.",
		},
		{
			Code: 426, Name: "Upgrade Required", Family: FamilyClient,
			Summary: "the server requires a different protocol",
			Meaning: "The server refuses the request over the current protocol and names the one it requires in the Upgrade header. " +
				"The usual case is a server that insists on TLS or a newer HTTP version. " +
				"A monitor on plain http:// can get it from a server that only talks HTTPS.",
			Causes: []string{
				"Plain HTTP used where the server requires TLS",
				"A server requiring HTTP/2 or a WebSocket upgrade",
				"An outdated protocol on the client side",
			},
			FirstStep: "Read the Upgrade header with `curl -sI URL` and change the monitor's url to the protocol it names, usually https://.",
		},
		{
			Code: 428, Name: "Precondition Required", Family: FamilyClient,
			Summary: "the server insists on a conditional request",
			Meaning: "The server requires changes to carry a condition such as If-Match, to prevent lost updates. " +
				"It applies to writes. " +
				"A read-only check should never get it.",
			Causes: []string{
				"The monitor sends a write without If-Match",
				"The API turned on optimistic locking",
				"The monitor points at the wrong endpoint",
			},
			FirstStep: "Point the monitor at a GET endpoint, or fetch the ETag first and send it as If-Match.",
		},
		{
			Code: 429, Name: "Too Many Requests", Family: FamilyClient,
			Summary: "rate limited: this client sent too many requests",
			Meaning: "The server or an API gateway is throttling this client. " +
				"A Retry-After header often says how long to back off. " +
				"For a monitor it means the check interval, or something else sharing the same IP or key, is over the allowed rate.",
			Causes: []string{
				"A check interval too short for the API's rate limit",
				"Other clients sharing the same egress IP or API key",
				"A rate-limiting rule at the WAF or CDN",
				"A traffic spike that tightened adaptive limits",
			},
			FirstStep: "Read the Retry-After and rate-limit headers with `curl -sI URL`, then lengthen the monitor's interval or ask for the monitor's IP to be allowed.",
		},
		{
			Code: 431, Name: "Request Header Fields Too Large", Family: FamilyClient,
			Summary: "the request headers are too big for the server",
			Meaning: "The server refused because one header, or all of them together, is over its limit. " +
				"Oversized cookies and long tokens are the usual cause. " +
				"nginx records the same situation as 494 and sends the client a 400.",
			Causes: []string{
				"Large cookies piling up on the client",
				"Long bearer tokens or many custom headers",
				"A low header size limit on a server or proxy",
			},
			FirstStep: "Compare the size of the monitor's headers with the server's limit (in nginx, large_client_header_buffers) and trim the headers or raise the limit.",
		},
		{
			Code: 451, Name: "Unavailable For Legal Reasons", Family: FamilyClient,
			Summary: "blocked because of a legal demand such as a court order",
			Meaning: "The server or something in the path refuses access because of a legal demand, such as a court order or a national block. " +
				"The number nods to the novel Fahrenheit 451. " +
				"The block may apply only in some countries, so checks from elsewhere can pass.",
			Causes: []string{
				"A court-ordered or government block in the monitor's region",
				"Geo-restriction for licensing reasons",
				"An ISP or national filter",
			},
			FirstStep: "Check from another location, such as a second upbeat daemon elsewhere, to learn whether the block is regional, and read the body for the authority named.",
		},
	}
}
