package kb

// serverEntries explain the registered 5xx codes.
func serverEntries() []Entry {
	return []Entry{
		{
			Code: 500, Name: "Internal Server Error", Family: FamilyServer,
			Summary: "the application failed while handling the request",
			Meaning: "The application, or the server running it, hit a failure and answered with the most general error it has. " +
				"Bugs, crashes in the middle of a request and broken configuration all end up here. " +
				"The reply rarely says why; the application's own log at the same second does.",
			Causes: []string{
				"An unhandled exception in the code, often from the latest deploy",
				"The database is down, slow or out of connections (pool exhausted)",
				"A syntax error in .htaccess, the web server config or the app config after an edit",
				"Disk full, memory exhausted, or a PHP memory_limit reached",
				"Files or sockets the app needs are not readable by its user",
				"A dependency API failed and the error went uncaught",
			},
			FirstStep: "Read the application's log around the failure time, with `journalctl -u APP --since '-15 min'` or its log file, and start from the first stack trace.",
		},
		{
			Code: 501, Name: "Not Implemented", Family: FamilyServer,
			Summary: "this server has no support for the method or feature asked for",
			Meaning: "Nothing on this server knows how to handle the method used, or the functionality the request relies on is missing. " +
				"Unlike 405, the refusal covers the whole server rather than one resource. " +
				"Monitors meet it when they send an uncommon method or when the upstream is only a stub.",
			Causes: []string{
				"A method such as HEAD, OPTIONS or PATCH the server does not implement",
				"A stub or placeholder endpoint deployed by mistake",
				"An old proxy that does not know a newer method",
				"A feature flag leaving an endpoint unimplemented",
			},
			FirstStep: "Compare `curl -si -X GET URL` with the monitor's method, and see from the Server header which component refused.",
		},
		{
			Code: 502, Name: "Bad Gateway", Family: FamilyServer,
			Summary: "the proxy got no valid answer from the app behind it",
			Meaning: "A reverse proxy, load balancer or CDN passed the request on and got back nothing usable: the connection was refused, closed early, or the reply was not valid HTTP. " +
				"The proxy itself is up; whatever sits behind it is not answering properly. " +
				"The proxy's error log names the upstream address and the exact failure, such as connection refused or an upstream that closed the connection.",
			Causes: []string{
				"The app process behind the proxy crashed, was OOM-killed or is restarting",
				"Every worker is busy or stuck (PHP-FPM, Gunicorn or Puma pool full)",
				"The proxy points at the wrong host, port, socket path or scheme",
				"A deploy stopped the old process before the new one was ready",
				"A firewall or security group blocks the proxy from the upstream",
				"The upstream sends headers larger than the proxy's buffers",
			},
			FirstStep: "On the proxy host, read the newest lines of its error log (`tail -n 50 /var/log/nginx/error.log`) and run `curl -sv` against the upstream address it names, from that same host.",
		},
		{
			Code: 503, Name: "Service Unavailable", Family: FamilyServer,
			Summary: "the server is turning requests away: overloaded or in maintenance",
			Meaning: "The server is running but has chosen not to handle requests right now, because it is overloaded, draining or in maintenance. " +
				"It is meant to pass, and the server may say when to come back in a Retry-After header, which upbeat records. " +
				"A load balancer also answers 503 when no healthy backend is left. " +
				"Planned downtime belongs in an upbeat [[maintenance]] window, where it shows as maintenance and pages nobody.",
			Causes: []string{
				"A maintenance mode or deploy flag is switched on",
				"The load balancer has no healthy targets left",
				"The worker or connection pool is exhausted under load",
				"Rate limiting or load shedding by the server",
				"Autoscaling still starting instances during a spike",
				"A circuit breaker open towards a failing dependency",
			},
			FirstStep: "Check the Retry-After header and the body with `curl -si URL` to tell planned maintenance from overload, then look at the health of the load balancer's targets.",
		},
		{
			Code: 504, Name: "Gateway Timeout", Family: FamilyServer,
			Summary: "the proxy gave up waiting for the app behind it",
			Meaning: "A proxy or load balancer handed the request to the upstream, which accepted it but did not reply before the proxy's own timeout ran out. " +
				"The upstream may still be working on the request. " +
				"Response times that creep up for a while before the 504s start are the classic warning, and the latency chart shows them.",
			Causes: []string{
				"A slow database query, lock wait or deadlock in the backend",
				"A call to an external API that hangs and has no timeout of its own",
				"A saturated backend where requests queue too long",
				"A proxy timeout (nginx proxy_read_timeout, 60 s by default) shorter than a legitimate slow request",
				"Network trouble or packet loss between the proxy and the backend",
				"An upstream hostname that resolves slowly or to a dead address",
			},
			FirstStep: "Search the proxy's error log for `upstream timed out` to find the slow upstream and path, then list long-running queries on the database (query `pg_stat_activity` on PostgreSQL, run `SHOW FULL PROCESSLIST` on MySQL).",
		},
		{
			Code: 505, Name: "HTTP Version Not Supported", Family: FamilyServer,
			Summary: "the HTTP version in the request is one this server will not speak",
			Meaning: "The request line named an HTTP version that this server is unwilling or unable to speak. " +
				"Strict legacy servers and proxies that pass along a version the backend lacks are the usual sources. " +
				"It also appears when something other than an HTTP server is listening on the port.",
			Causes: []string{
				"A proxy forwarding a version the backend rejects",
				"A legacy appliance or embedded server",
				"A service on the port that does not speak HTTP",
				"Cleartext HTTP/2 (h2c) forced on a server that lacks it",
			},
			FirstStep: "Try `curl -sv --http1.1 URL` and `curl -sv --http1.0 URL` to find a version the server accepts, then fix the proxy's upstream protocol setting.",
		},
		{
			Code: 506, Name: "Variant Also Negotiates", Family: FamilyServer,
			Summary: "the server's content negotiation points back at itself",
			Meaning: "Transparent content negotiation on the server picked a variant that is itself configured to negotiate, which makes a circle. " +
				"It is a server configuration bug, not a client problem. " +
				"Outside Apache with type maps it is extremely rare.",
			Causes: []string{
				"A type map or MultiViews misconfiguration in Apache",
				"A variant resource set up to negotiate again",
				"An experimental negotiation module",
			},
			FirstStep: "Find the path in the server's error log and check its negotiation setup (Apache type maps, MultiViews) for a variant that negotiates again.",
		},
		{
			Code: 507, Name: "Insufficient Storage", Family: FamilyServer,
			Summary: "the server has no room left to store what the request needs",
			Meaning: "The server could not save what it needed to finish the request. " +
				"WebDAV defined it, and some applications and object stores use it for a full disk or quota. " +
				"Other writes on the same host are probably failing as well.",
			Causes: []string{
				"A full disk or volume",
				"Inodes used up by many small files",
				"A user or bucket quota reached",
				"Logs or temporary uploads filling the disk",
			},
			FirstStep: "Run `df -h` and `df -i` on the server and free or grow the full filesystem, starting with logs and temporary files.",
		},
		{
			Code: 508, Name: "Loop Detected", Family: FamilyServer,
			Summary: "the server found that handling the request would never end",
			Meaning: "The server stopped because processing would loop forever, like a WebDAV binding that contains itself or a proxy that forwards to itself. " +
				"Shared hosts running CloudLinux also send 508 when an account reaches its process or CPU limit. " +
				"Either way the fix is on the server side.",
			Causes: []string{
				"Rewrite rules or internal redirects that call each other",
				"A proxy forwarding to its own address",
				"A WebDAV collection bound into itself",
				"On shared hosting, the account's entry-process or CPU limit",
			},
			FirstStep: "Search the server's error log for the looping path and check rewrite and proxy_pass rules for a target that points back at the same server.",
		},
		{
			Code: 510, Name: "Not Extended", Family: FamilyServer,
			Summary: "the request lacks an extension the server requires",
			Meaning: "The server wants a further extension declared in the request, using a mechanism from an experimental RFC that never caught on. " +
				"The code is historic and almost never sent. " +
				"Some gateways misuse it for policy refusals.",
			Causes: []string{
				"The experimental HTTP extension framework in use",
				"A gateway policy demanding extra headers",
				"A misconfigured server",
			},
			FirstStep: "Read the body with `curl -si URL` for the extension it asks for, and check the gateway's policy settings.",
		},
		{
			Code: 511, Name: "Network Authentication Required", Family: FamilyServer,
			Summary: "a captive portal wants a login before allowing network access",
			Meaning: "A device intercepting traffic, like a hotel or office Wi-Fi portal, wants the client to sign in before letting anything through. " +
				"The reply does not come from the site being checked. " +
				"The monitor host is behind a captive portal.",
			Causes: []string{
				"The monitor host is on a network with a captive portal",
				"The network access session expired",
				"A company proxy that demands a web login",
			},
			FirstStep: "Run `curl -si http://neverssl.com/` on the monitor host to see the portal, then sign in or move the monitor to a network without one.",
		},
	}
}

// nonStandardEntries explain codes outside the registry that real servers,
// frameworks and load balancers send or log.
func nonStandardEntries() []Entry {
	return []Entry{
		{
			Code: 419, Name: "Page Expired (Laravel)", Family: FamilyClient,
			Summary: "the form's CSRF token or session expired (Laravel)",
			Meaning: "Laravel answers 419 when a POST arrives with a missing or stale CSRF token, most often because the session expired. " +
				"It is not a registered code. " +
				"A monitor that posts to a form route without a session will always get it.",
			Causes: []string{
				"The session expired before the form was sent",
				"No CSRF token in the request",
				"The session store (files, Redis, database) unavailable or wiped",
				"A wrong SESSION_DOMAIN or cookie domain",
			},
			FirstStep: "Check that Laravel's session driver works (its Redis, database or storage/framework/sessions directory) and that the monitor is not posting to a CSRF-protected route.",
		},
		{
			Code: 440, Name: "Login Time-out (IIS)", Family: FamilyClient,
			Summary: "the login session expired (Microsoft IIS)",
			Meaning: "An IIS extension telling the client that its session timed out and it must sign in again. " +
				"Outlook on the web and Exchange send it. " +
				"It is not a registered code.",
			Causes: []string{
				"A session lifetime shorter than the monitor's interval",
				"Credentials that are no longer valid",
				"A server restart that dropped all sessions",
			},
			FirstStep: "Have the monitor check an unauthenticated health URL, or compare the IIS session timeout with the monitor's interval.",
		},
		{
			Code: 444, Name: "No Response (nginx)", Family: FamilyClient,
			Summary: "nginx dropped the connection without sending anything",
			Meaning: "A `return 444` rule in nginx closes the connection with no reply at all, to shed unwanted traffic. " +
				"The client sees an empty reply or a reset, never the number, which exists only in nginx's access log. " +
				"A monitor gets this when its requests match such a rule.",
			Causes: []string{
				"A default server block that returns 444 for unknown Host headers",
				"Bot or user-agent filtering rules",
				"Rate or geo blocking implemented with 444",
				"The monitor uses an IP address instead of the hostname",
			},
			FirstStep: "Find the monitor's requests with status 444 in nginx's access log and check which server block or `return 444` rule matched them.",
		},
		{
			Code: 449, Name: "Retry With (IIS)", Family: FamilyClient,
			Summary: "the server wants the request again with more details (IIS)",
			Meaning: "A Microsoft extension asking the client to retry after supplying missing information. " +
				"Exchange ActiveSync and old IIS applications send it. " +
				"It is not part of standard HTTP.",
			Causes: []string{
				"Parameters an Exchange ActiveSync endpoint requires are missing",
				"The client does not send the device details the server wants",
				"Behaviour of a legacy IIS application",
			},
			FirstStep: "Read the body and headers with `curl -si URL` to see which details the server asks for and add them to the monitor's request.",
		},
		{
			Code: 460, Name: "Client Closed Connection (AWS ELB)", Family: FamilyClient,
			Summary: "the client hung up before the AWS load balancer could answer",
			Meaning: "An AWS Application Load Balancer logs 460 when the client closes the connection before the target has replied. " +
				"Like nginx's 499, the client never receives it. " +
				"Slow targets are the usual reason.",
			Causes: []string{
				"A client timeout shorter than the target's response time",
				"Slow targets behind the load balancer",
				"Network interruptions on the client side",
			},
			FirstStep: "Compare target_processing_time for the 460 lines in the ALB access logs with the client's timeout to find the slow target.",
		},
		{
			Code: 463, Name: "X-Forwarded-For Too Long (AWS ELB)", Family: FamilyClient,
			Summary: "the load balancer got an X-Forwarded-For with too many addresses",
			Meaning: "An AWS load balancer answers 463 when the X-Forwarded-For header lists more than 30 addresses. " +
				"That usually means requests are looping through proxies, or a client is forging a huge header. " +
				"The request never reaches your targets.",
			Causes: []string{
				"A proxy loop that appends an address on every pass",
				"A client sending a forged, very long X-Forwarded-For",
				"Many chained proxies that each append to the header",
			},
			FirstStep: "Inspect the X-Forwarded-For values of the failing requests and look for a proxy or CDN that sends traffic back to the same load balancer.",
		},
		{
			Code: 494, Name: "Request Header Too Large (nginx)", Family: FamilyClient,
			Summary: "nginx refused the request because its headers are too big",
			Meaning: "nginx uses 494 internally when headers exceed large_client_header_buffers. " +
				"The access log shows 494 while the client usually gets a 400 page about an oversized header or cookie. " +
				"It is the nginx counterpart of the registered 431.",
			Causes: []string{
				"Large cookies",
				"A long token in the Authorization header",
				"A low large_client_header_buffers setting",
			},
			FirstStep: "Raise large_client_header_buffers for that server block, for instance to `4 32k`, or trim the cookies and headers being sent.",
		},
		{
			Code: 495, Name: "SSL Certificate Error (nginx)", Family: FamilyClient,
			Summary: "the client certificate presented to nginx failed verification",
			Meaning: "With mutual TLS on, nginx records 495 when the client's certificate does not verify. " +
				"The client normally sees a 400 page. " +
				"It is about the certificate the monitor sends, not the server's own.",
			Causes: []string{
				"An expired client certificate",
				"A client certificate issued by a CA missing from ssl_client_certificate",
				"A missing intermediate in the client chain",
				"ssl_verify_depth set too low",
			},
			FirstStep: "Check the client certificate with `openssl x509 -in client.pem -noout -dates -issuer` and compare its issuer with the CA file nginx trusts.",
		},
		{
			Code: 496, Name: "SSL Certificate Required (nginx)", Family: FamilyClient,
			Summary: "nginx requires a client certificate and none was sent",
			Meaning: "With ssl_verify_client on, nginx refuses requests that present no client certificate and records 496. " +
				"The client gets a 400 page. " +
				"Either the monitor needs a certificate or the endpoint should not demand one.",
			Causes: []string{
				"The monitor has no client certificate configured",
				"Mutual TLS newly turned on for the endpoint",
				"A proxy in between that terminates TLS and drops the client certificate",
			},
			FirstStep: "Test with `curl -v --cert client.pem --key client.key URL` to confirm that presenting a certificate fixes it.",
		},
		{
			Code: 497, Name: "HTTP Request Sent to HTTPS Port (nginx)", Family: FamilyClient,
			Summary: "plain HTTP arrived on a port where nginx expects TLS",
			Meaning: "nginx records 497 when an unencrypted request reaches a TLS listener. " +
				"The client sees a 400 page saying so, unless an error_page redirects it to https. " +
				"The monitor's scheme and port disagree.",
			Causes: []string{
				"An http:// url with port 443 or another TLS port",
				"A load balancer forwarding plain HTTP to nginx's TLS listener",
				"A redirect that lost the scheme",
			},
			FirstStep: "Change the monitor's url to https:// for that port, or check the target protocol on the load balancer.",
		},
		{
			Code: 499, Name: "Client Closed Request (nginx)", Family: FamilyClient,
			Summary: "the client hung up before nginx could send the answer",
			Meaning: "nginx logs 499 when the client closes the connection while the request is still being worked on. " +
				"The client never receives it; for a monitor it shows up as the monitor's own timeout. " +
				"Many 499 lines mean the upstreams are slower than the clients are willing to wait.",
			Causes: []string{
				"A client or monitor timeout shorter than the backend's response time",
				"A slow upstream, for the same reasons as a 504",
				"Users or load balancers aborting long requests",
				"A load balancer idle timeout below nginx's",
			},
			FirstStep: "Log `$request_time` and `$upstream_response_time` in nginx and read them on the 499 lines to find the slow upstream path.",
		},
		{
			Code: 509, Name: "Bandwidth Limit Exceeded", Family: FamilyServer,
			Summary: "the hosting account used up its bandwidth allowance",
			Meaning: "Not a registered code, but shared hosting (cPanel, Apache bandwidth modules) sends it when a site goes over its traffic quota. " +
				"The site stays down until the period resets or the limit is raised. " +
				"Nothing inside the application is broken.",
			Causes: []string{
				"The monthly bandwidth quota is used up",
				"A traffic spike or large files hotlinked from elsewhere",
				"Bots or scrapers eating the quota",
				"A plan change that lowered the limit",
			},
			FirstStep: "Check bandwidth use in the hosting control panel and raise the limit, or block the heaviest consumer you find in the access log.",
		},
		{
			Code: 529, Name: "Site Is Overloaded", Family: FamilyServer,
			Summary: "the service says it is overloaded; back off and retry later",
			Meaning: "An unregistered code that some providers, such as Qualys SSL Labs and several AI APIs, use to say they are over capacity. " +
				"It behaves like a 503 for load. " +
				"The trouble is on the provider's side, not yours.",
			Causes: []string{
				"The provider is under heavy load",
				"Your traffic counts against a shared capacity pool",
				"An incident at the provider",
			},
			FirstStep: "Check the provider's status page and retry with backoff, since nothing on your own servers will change it.",
		},
		{
			Code: 561, Name: "Unauthorized (AWS ELB)", Family: FamilyServer,
			Summary: "the load balancer's sign-in step failed at the identity provider",
			Meaning: "An AWS Application Load Balancer with authentication turned on sends 561 when the identity provider returns an error during sign-in. " +
				"The request never reached your targets. " +
				"The fault lies in the OIDC or Cognito setup, not in the application.",
			Causes: []string{
				"A wrong client ID or secret in the listener's authenticate action",
				"The identity provider's token endpoint unreachable from the load balancer",
				"Expired or revoked credentials at the identity provider",
				"A redirect URI that the identity provider does not accept",
			},
			FirstStep: "Open the listener rule's authenticate action and check the identity provider settings, then read the error_reason field for these requests in the ALB access logs.",
		},
		{
			Code: 598, Name: "Network Read Timeout (informal)", Family: FamilyServer,
			Summary: "a proxy timed out reading from the upstream (informal code)",
			Meaning: "Some proxies use this unregistered code when reading from the upstream takes too long. " +
				"Clients treat it as a generic 5xx. " +
				"Read it as a 504 under another number.",
			Causes: []string{
				"An upstream slower than the proxy's read timeout",
				"Network stalls between the proxy and the upstream",
				"A proxy read timeout set too low",
			},
			FirstStep: "Find the proxy that sent it from the Via or Server header of `curl -si URL`, then compare its read timeout with the upstream's latency.",
		},
		{
			Code: 599, Name: "Network Connect Timeout (informal)", Family: FamilyServer,
			Summary: "a proxy timed out connecting to the upstream (informal code)",
			Meaning: "Some proxies and client libraries use this unregistered code when a connection to the upstream cannot be opened in time. " +
				"It is not part of the standard. " +
				"Treat it as a failure to reach the backend at all.",
			Causes: []string{
				"The upstream host is down or unreachable",
				"A firewall silently dropping the proxy's connection attempts",
				"The upstream's listen backlog is full",
			},
			FirstStep: "From the proxy host, test the upstream with `nc -vz -w 5 HOST PORT` to see whether a TCP connection can be opened.",
		},
	}
}

// cloudflareEntries explain the 52x and 530 codes that Cloudflare's edge
// sends when something between it and the origin goes wrong.
func cloudflareEntries() []Entry {
	return []Entry{
		{
			Code: 520, Name: "Web Server Returned an Unknown Error (Cloudflare)", Family: FamilyCloudflare,
			Summary: "the origin answered Cloudflare with nothing usable",
			Meaning: "Cloudflare reached your origin, but what came back was empty, cut off or not valid HTTP. " +
				"It is Cloudflare's catch-all for origin replies it cannot use. " +
				"The origin's logs for that moment usually show a crash, a reset connection or a response with oversized headers.",
			Causes: []string{
				"The origin application crashed or the web server restarted mid-request",
				"Something on the origin reset the connection (a firewall or security module)",
				"Response headers over Cloudflare's size limit, often from large cookies",
				"An empty reply from a misconfigured origin or the wrong origin port",
				"The origin closing keep-alive connections that Cloudflare was reusing",
			},
			FirstStep: "Request the origin directly, skipping Cloudflare, with `curl -sv --resolve HOST:443:ORIGIN_IP https://HOST/`, and read the origin web server's error log for the same minute.",
		},
		{
			Code: 521, Name: "Web Server Is Down (Cloudflare)", Family: FamilyCloudflare,
			Summary: "nothing on the origin accepted Cloudflare's connection",
			Meaning: "When Cloudflare tried to open a TCP connection to your server, it got an immediate rejection back. " +
				"Either nothing is listening on that port, or a firewall rejects Cloudflare's addresses. " +
				"The origin host is reachable, but no web server is accepting Cloudflare.",
			Causes: []string{
				"The web server on the origin is stopped or crashed",
				"A firewall, iptables or fail2ban rule rejecting Cloudflare's IP ranges",
				"The origin listens on a different port than Cloudflare uses (80 or 443)",
				"The hosting provider blocking Cloudflare's traffic as a flood",
			},
			FirstStep: "On the origin run `systemctl status nginx` (or your web server) and `ss -ltnp` to confirm it listens, then make sure the firewall accepts every range listed at https://www.cloudflare.com/ips/.",
		},
		{
			Code: 522, Name: "Connection Timed Out (Cloudflare)", Family: FamilyCloudflare,
			Summary: "the origin never answered Cloudflare's attempts to connect",
			Meaning: "Cloudflare's attempts to connect to the origin got no answer before its time limit ran out, so no TCP session was ever set up. " +
				"Unlike 521, nothing refused: the packets were simply not answered. " +
				"Silently dropped packets, an overloaded host or an outdated origin IP are the usual reasons.",
			Causes: []string{
				"A firewall silently dropping Cloudflare's IP ranges",
				"The DNS record in Cloudflare pointing at an old or wrong origin IP",
				"An overloaded origin with a full listen backlog",
				"The origin host down or its network unreachable",
				"Routing trouble between Cloudflare and the hosting network",
			},
			FirstStep: "Check that the A/AAAA record in the Cloudflare dashboard is the origin's current IP, then make sure the origin firewall accepts (rather than drops) Cloudflare's IP ranges.",
		},
		{
			Code: 523, Name: "Origin Is Unreachable (Cloudflare)", Family: FamilyCloudflare,
			Summary: "there is no network route from Cloudflare to the origin",
			Meaning: "No network path from Cloudflare's edge to the origin address could be found, most often because the DNS record names an address that nothing routes to. " +
				"This is typically a DNS settings problem rather than a crashed server. " +
				"An origin whose IP changed without an update in Cloudflare is the classic case.",
			Causes: []string{
				"A wrong or outdated origin IP in Cloudflare DNS",
				"An origin IP that changed (new server, dynamic address)",
				"A private or unroutable address in the DNS record",
				"A network outage at the hosting provider",
			},
			FirstStep: "Compare the origin address in the Cloudflare DNS dashboard with the server's real public address (`ip -br addr` on the origin, or its cloud console).",
		},
		{
			Code: 524, Name: "A Timeout Occurred (Cloudflare)", Family: FamilyCloudflare,
			Summary: "the origin took the request but did not answer within 100 s",
			Meaning: "The connection to the origin worked and the request went through, but the origin produced no reply before Cloudflare's read timeout, 100 seconds by default, expired. " +
				"The origin is up; the request is just too slow. " +
				"It is Cloudflare's counterpart of a 504, and only Enterprise plans can raise the limit.",
			Causes: []string{
				"A slow endpoint (report, export, heavy query) running past 100 s",
				"Database locks or long queries on the origin",
				"An overloaded origin where requests wait in a queue",
				"A backend behind the origin's web server that hung",
			},
			FirstStep: "Find the requests that took over 100 s in the origin's access log and move that work into a background job with a status URL to poll.",
		},
		{
			Code: 525, Name: "SSL Handshake Failed (Cloudflare)", Family: FamilyCloudflare,
			Summary: "the origin failed the TLS handshake that Cloudflare started",
			Meaning: "Cloudflare is set to reach the origin over HTTPS (SSL mode Full or Full strict) and the handshake failed. " +
				"The origin either does not speak TLS on port 443 or cannot agree with Cloudflare on a version or cipher. " +
				"The visitor's side of the connection is fine.",
			Causes: []string{
				"No certificate set up on the origin for this hostname (SNI not configured)",
				"Nothing serving TLS on the origin's port 443",
				"No TLS version or cipher suite in common",
				"SSL mode Full while the origin only serves plain HTTP",
			},
			FirstStep: "Run `openssl s_client -connect ORIGIN_IP:443 -servername HOST </dev/null` and check that the handshake completes and a certificate for HOST comes back.",
		},
		{
			Code: 526, Name: "Invalid SSL Certificate (Cloudflare)", Family: FamilyCloudflare,
			Summary: "the certificate the origin presented is not trusted by Cloudflare",
			Meaning: "In Full (strict) mode Cloudflare validates the origin's certificate, and it was rejected: expired, self-signed, issued for another name or missing its chain. " +
				"The handshake worked but trust did not. " +
				"A Cloudflare Origin CA certificate or any publicly trusted one fixes it.",
			Causes: []string{
				"An expired origin certificate",
				"A self-signed certificate while strict mode is on",
				"A certificate whose names do not include the requested hostname",
				"A missing intermediate certificate in the served chain",
				"The wrong certificate chosen because SNI is not configured",
			},
			FirstStep: "Inspect the origin certificate with `openssl s_client -connect ORIGIN_IP:443 -servername HOST </dev/null | openssl x509 -noout -subject -enddate` and renew or replace it.",
		},
		{
			Code: 527, Name: "Railgun Error (Cloudflare)", Family: FamilyCloudflare,
			Summary: "the Railgun link between Cloudflare and the origin broke (retired)",
			Meaning: "Railgun was a Cloudflare service that compressed traffic between its edge and a listener installed near the origin, and 527 meant that link broke. " +
				"Cloudflare has retired Railgun, so the code is now rare. " +
				"Seeing it means an old setup still routes through a Railgun listener.",
			Causes: []string{
				"The Railgun listener stopped or unreachable",
				"A firewall blocking the listener's port (2408)",
				"The link from the listener to the origin failing",
				"A leftover configuration from before Railgun was retired",
			},
			FirstStep: "Remove the Railgun setting for the zone in the Cloudflare dashboard, or check the listener service and its log on the origin if it must stay.",
		},
		{
			Code: 530, Name: "Origin Error (Cloudflare 1xxx)", Family: FamilyCloudflare,
			Summary: "an error from Cloudflare's 1xxx series; the page body names it",
			Meaning: "Cloudflare sends 530 together with an error numbered 1xxx in the page body, and that number is what tells you the cause. " +
				"The common ones are 1016, where the origin hostname does not resolve, and 1033, where a Cloudflare Tunnel has no running connector. " +
				"Treat the 530 as an envelope around the real error.",
			Causes: []string{
				"Error 1016: a CNAME or origin hostname that does not resolve",
				"Error 1033: the cloudflared tunnel is not connected",
				"The origin DNS record was deleted",
				"The account or zone is suspended",
			},
			FirstStep: "Read the 1xxx number with `curl -s URL | grep -o 'Error 1[0-9]*'`, and for 1033 run `cloudflared tunnel info NAME` on the origin to see whether any connector is up.",
		},
	}
}
