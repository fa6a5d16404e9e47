package kb

// classEntries explain the failure classes the checkers and the scheduler
// assign, grouped by family. The key is the class string itself.
func classEntries() []Entry {
	var all []Entry
	all = append(all, networkEntries()...)
	all = append(all, dnsEntries()...)
	all = append(all, tlsEntries()...)
	all = append(all, httpCheckEntries()...)
	all = append(all, domainEntries()...)
	all = append(all, monitorEntries()...)
	all = append(all, requestEntries()...)
	all = append(all, serviceEntries()...) // services.go
	return all
}

func networkEntries() []Entry {
	return []Entry{
		{
			Class: "timeout", Name: "Timed out", Family: FamilyNetwork,
			Summary: "connected and asked, but no answer came before the timeout",
			Meaning: "The connection opened (and the TLS handshake finished, for https), the request went out, and then nothing came back within the monitor's timeout. " +
				"Something accepts connections but does not answer: a hung or overloaded app, or a proxy waiting on its own upstream. " +
				"Timeouts earlier in the exchange have classes of their own: connect_timeout, tls_timeout, and body_timeout once the answer has begun.",
			Causes: []string{
				"The app is hung, deadlocked or out of workers, while the listener still accepts",
				"A slow query or a lock held by another request",
				"A proxy waiting on an upstream that does not answer",
				"The monitor's timeout is shorter than the endpoint's normal response time",
			},
			FirstStep: "From the monitor host run `curl -sv -o /dev/null -m 30 URL`: if it hangs after the request is sent, look at the app's worker pool, its slow-request log and what its upstreams are doing.",
		},
		{
			Class: "refused", Name: "Connection refused", Family: FamilyNetwork,
			Summary: "the host is up, but nothing accepts connections on that port",
			Meaning: "The host answered the connection attempt with a TCP reset: no process listens on that port, or a firewall rule rejects it. " +
				"The refusal comes back at once, unlike a timeout. " +
				"Most often the service has stopped or is restarting.",
			Causes: []string{
				"The service is stopped, crashed or still starting",
				"The service listens on another port, or only on 127.0.0.1",
				"A firewall rule with REJECT",
				"A deploy or restart in progress",
				"A wrong port in the monitor's url",
			},
			FirstStep: "On the target run `ss -ltnp | grep PORT` to see whether anything listens, then `systemctl status SERVICE` and `journalctl -u SERVICE -n 50` to learn why it stopped.",
		},
		{
			Class: "unreachable", Name: "Host or network unreachable", Family: FamilyNetwork,
			Summary: "there is no network route to the host",
			Meaning: "The operating system or a router reported that the destination cannot be reached: there is no route, or the host does not answer on its own subnet. " +
				"The request never got to the target. " +
				"This is a network problem, not an application one.",
			Causes: []string{
				"The host is powered off or its network interface is down",
				"A missing or wrong route (VPN down, subnet changed)",
				"A router or firewall answering with ICMP unreachable",
				"An IPv6 address chosen on a monitor host without working IPv6",
			},
			FirstStep: "From the monitor host run `ip route get TARGET_IP` and `mtr -rwc 10 TARGET_IP` to see where the path ends.",
		},
		{
			Class: "reset", Name: "Connection reset", Family: FamilyNetwork,
			Summary: "the other side tore the connection down mid-exchange",
			Meaning: "The connection was open, then cut with a TCP reset before the exchange finished. " +
				"The remote process crashed or was killed, or a device in between dropped the session. " +
				"Resets during deploys and under heavy load are common.",
			Causes: []string{
				"The server process crashed or restarted during the request",
				"A load balancer or firewall killed an idle or suspicious connection",
				"The server closed a keep-alive connection as it was being reused",
				"A protocol or TLS mismatch that made the server abort",
				"Connection or open-file limits reached on the server",
			},
			FirstStep: "Look for crashes or restarts at that moment with `journalctl -u SERVICE --since '-15 min'`, and for killed processes with `dmesg -T | grep -i -e oom -e killed`.",
		},
		{
			Class: "eof", Name: "Connection closed early", Family: FamilyNetwork,
			Summary: "the connection closed before a complete response arrived",
			Meaning: "The server closed the connection in an orderly way, but too soon: the response was missing or cut short. " +
				"Often a process exited or was killed while the request was in flight. " +
				"It can also mean the thing on the port does not speak the expected protocol.",
			Causes: []string{
				"The application crashed or was killed during the request",
				"A proxy hit a limit and closed the connection",
				"Plain HTTP sent to a TLS port, or the other way round",
				"A server that closes keep-alive connections without warning",
				"nginx dropping the request with `return 444`",
			},
			FirstStep: "Repeat the request with `curl -sv URL`, note the last thing received before the close, and read the server's error log at that timestamp.",
		},
		{
			Class: "bad_response", Name: "Invalid HTTP response", Family: FamilyNetwork,
			Summary: "something answered, but not with valid HTTP",
			Meaning: "A connection was made and bytes came back, but they could not be parsed as an HTTP response. " +
				"Often the port runs a different protocol, or TLS and plain HTTP are mixed up. " +
				"A crashing server or proxy that writes a half-finished or garbled reply causes it too.",
			Causes: []string{
				"http:// used for a port that speaks TLS, so the reply is a TLS alert",
				"A service on the port that is not HTTP at all (SSH, a database, SMTP)",
				"A server or proxy writing a malformed status line or headers",
				"A device in the path injecting or cutting data",
			},
			FirstStep: "Run `curl -sv URL` to see the raw reply, and if it looks binary, try the same address with the other scheme.",
		},
		{
			Class: "icmp_not_permitted", Name: "Ping not permitted", Family: FamilyNetwork,
			Summary: "this machine does not let upbeat send pings",
			Meaning: "The operating system refused to open an ICMP socket for upbeat, so the target was never pinged and this says nothing about it. " +
				"On Linux an unprivileged ping needs the process's group inside net.ipv4.ping_group_range; a raw socket needs CAP_NET_RAW or root. " +
				"Containers often have neither.",
			Causes: []string{
				"net.ipv4.ping_group_range does not include upbeat's group",
				"A container without CAP_NET_RAW",
				"A security profile (seccomp, SELinux, AppArmor) blocking ICMP sockets",
			},
			FirstStep: "Allow unprivileged ping with `sudo sysctl -w net.ipv4.ping_group_range='0 2147483647'`, or give the binary the capability with `sudo setcap cap_net_raw+ep $(command -v upbeat)`.",
		},
		{
			Class: "packet_loss", Name: "Packet loss", Family: FamilyNetwork,
			Summary: "some or all ping packets got no reply",
			Meaning: "Echo requests went unanswered, partly or entirely. " +
				"Total loss means the host is down, unreachable or filtering ICMP, while partial loss points at a congested or faulty link. " +
				"Many hosts and clouds block ping, so confirm with a TCP or HTTP check before calling it an outage.",
			Causes: []string{
				"The host is down or the path to it is broken",
				"A firewall or cloud security group dropping ICMP",
				"A congested or faulty link (bad Wi-Fi, duplex mismatch, saturated uplink)",
				"ICMP rate limiting on routers along the way",
			},
			FirstStep: "Run `mtr -rwc 50 HOST` from the monitor host to see at which hop the loss begins.",
		},
	}
}

func dnsEntries() []Entry {
	return []Entry{
		{
			Class: "dns_nxdomain", Name: "Domain name not found (NXDOMAIN)", Family: FamilyDNS,
			Summary: "the name does not exist according to DNS",
			Meaning: "A DNS server stated authoritatively that the name does not exist. " +
				"Without an address there was nothing to connect to. " +
				"Typos, deleted records and expired domains are the usual reasons.",
			Causes: []string{
				"The DNS record was deleted or renamed",
				"A typo in the hostname",
				"The domain expired or its delegation was removed",
				"Split-horizon DNS: the name only exists inside another network",
				"A new record hidden by a cached negative answer",
			},
			FirstStep: "Run `dig +short NAME` against the monitor's resolver and `dig +trace NAME` to see which level of the hierarchy denies the name.",
		},
		{
			Class: "dns_servfail", Name: "DNS server failure (SERVFAIL)", Family: FamilyDNS,
			Summary: "the resolver failed to produce an answer",
			Meaning: "The resolver could not answer: it failed to reach the authoritative servers, or the answer failed DNSSEC validation. " +
				"It says nothing about whether the name exists. " +
				"Other resolvers may still succeed, which is a useful clue.",
			Causes: []string{
				"The authoritative name servers are down or unreachable",
				"Broken DNSSEC: expired signatures, or a DS record left over after a provider change",
				"A lame delegation: NS records naming servers that do not serve the zone",
				"An overloaded or misconfigured resolver",
			},
			FirstStep: "Compare `dig NAME @1.1.1.1` with `dig +cd NAME @1.1.1.1`: if only the +cd query works, DNSSEC is broken, otherwise follow `dig +trace NAME`.",
		},
		{
			Class: "dns_rcode", Name: "DNS error response", Family: FamilyDNS,
			Summary: "the DNS server answered with an error code",
			Meaning: "The query got a response whose return code is neither success nor one of the cases upbeat names separately. " +
				"REFUSED and NOTIMP are the common ones: the server will not answer this client, or does not support the query. " +
				"The numeric code is stored with the result.",
			Causes: []string{
				"REFUSED: no recursion allowed for this client, or the server is not authoritative for the zone",
				"An authoritative server asked about a zone it does not host",
				"NOTIMP: a query type the server does not implement",
				"FORMERR: a device in the path mangling EDNS",
			},
			FirstStep: "Repeat the query with `dig @RESOLVER NAME TYPE` and read the status field to see which code came back.",
		},
		{
			Class: "dns_error", Name: "DNS lookup failed", Family: FamilyDNS,
			Summary: "the DNS lookup failed before any answer came back",
			Meaning: "The lookup failed without a usable response: the resolver did not answer, the reply was malformed, or the query could not be sent. " +
				"Nothing after DNS was attempted. " +
				"Resolver trouble on the monitor host itself is a frequent cause.",
			Causes: []string{
				"The resolver is down, or port 53 is blocked",
				"The resolver timing out under load",
				"A broken /etc/resolv.conf on the monitor host",
				"Truncated answers while TCP fallback is blocked",
			},
			FirstStep: "Run `dig NAME` on the monitor host and `resolvectl status` (or read /etc/resolv.conf) to see which resolver is used and whether it answers.",
		},
		{
			Class: "dns_no_answer", Name: "No record of that type (NODATA)", Family: FamilyDNS,
			Summary: "the name exists but has no record of the type asked for",
			Meaning: "The DNS server answered without an error, yet returned no record of the requested type. " +
				"The name exists, but perhaps only with an AAAA record when an A record was asked for, or only with other types. " +
				"A migration that dropped one record type is a common cause.",
			Causes: []string{
				"The record of that type was removed or never created (A versus AAAA)",
				"A CNAME pointing at a name that lacks that type",
				"The monitor asks for the wrong type",
				"Split-horizon DNS hiding the record from this resolver",
			},
			FirstStep: "Run `dig NAME A`, `dig NAME AAAA` and `dig NAME CNAME` against the same resolver to see which records actually exist.",
		},
		{
			Class: "dns_answer_mismatch", Name: "Unexpected DNS answer", Family: FamilyDNS,
			Summary: "the name resolved, but not to the expected value",
			Meaning: "The name resolved, yet none of the answers matched the value this monitor expects. " +
				"Either the record really changed, or this resolver returns something different. " +
				"A change nobody planned can mean a hijacked domain or a stale cache.",
			Causes: []string{
				"A planned change (new server or provider) the monitor was not updated for",
				"Geo or load-balanced DNS returning different answers per location",
				"A stale cache at the resolver after a change",
				"An unauthorised change at the DNS provider or registrar",
			},
			FirstStep: "Compare `dig +short NAME @RESOLVER` with the answer of an authoritative server (`dig +short NS ZONE`, then `dig +short NAME @THAT_SERVER`) to learn whether the record or the cache changed.",
		},
	}
}

func tlsEntries() []Entry {
	return []Entry{
		{
			Class: "tls_expired", Name: "Certificate expired", Family: FamilyTLS,
			Summary: "a certificate in the served chain is past its expiry date",
			Meaning: "A certificate in the chain the server presents has expired, so clients refuse the connection. " +
				"For visitors the site is as good as down. " +
				"Automatic renewal that quietly stopped working is behind most cases.",
			Causes: []string{
				"Automatic renewal (certbot, acme.sh, cert-manager) failing quietly",
				"A renewed certificate on disk that the server never reloaded",
				"An expired intermediate in the served chain",
				"A load balancer or CDN still holding the old certificate",
				"A wrong clock on the monitor host",
			},
			FirstStep: "Check what is really served with `openssl s_client -connect HOST:443 -servername HOST </dev/null | openssl x509 -noout -enddate`, then renew by hand (`certbot renew`) and reload the web server.",
		},
		{
			Class: "tls_not_yet_valid", Name: "Certificate not yet valid", Family: FamilyTLS,
			Summary: "the certificate's start date is still in the future",
			Meaning: "The certificate's notBefore time is later than the monitor's current time. " +
				"Either it was issued with a future start date or one of the clocks is wrong. " +
				"Clients reject it just like an expired one.",
			Causes: []string{
				"The monitor host's clock is behind (time sync not running)",
				"A freshly issued certificate whose start is slightly ahead",
				"A self-signed certificate made on a machine with a skewed clock",
				"A certificate installed before its planned start",
			},
			FirstStep: "Run `timedatectl` on the monitor host to confirm the clock is synchronised, then compare with the certificate's notBefore from `openssl s_client`.",
		},
		{
			Class: "tls_hostname", Name: "Certificate name mismatch", Family: FamilyTLS,
			Summary: "the certificate does not cover the hostname being checked",
			Meaning: "The certificate is otherwise fine, but none of its Subject Alternative Names match the hostname in the url. " +
				"Clients treat that as possible impersonation and refuse. " +
				"Usually the server handed out the wrong certificate for this name.",
			Causes: []string{
				"SNI not configured, so the server sends its default certificate",
				"A new subdomain that was never added to the certificate",
				"The monitor uses an IP address or an alias the certificate lacks",
				"DNS pointing at a different or shared server",
				"A wildcard that does not cover deeper levels (a.b.example.com)",
			},
			FirstStep: "List the names the server presents with `openssl s_client -connect HOST:443 -servername HOST </dev/null | openssl x509 -noout -ext subjectAltName` and compare them with the url's hostname.",
		},
		{
			Class: "tls_unknown_authority", Name: "Unknown certificate authority", Family: FamilyTLS,
			Summary: "the certificate comes from a CA that is not trusted here",
			Meaning: "The chain the server sends ends at a certificate authority that upbeat does not trust: neither the system's bundle nor the monitor's ca_file holds it. " +
				"Most often it is a private or company CA, which is fine once its certificate is given with ca_file. " +
				"A self-signed certificate and a chain missing its intermediate have classes of their own (tls_self_signed, tls_incomplete_chain).",
			Causes: []string{
				"A certificate from an internal or company CA, without ca_file set",
				"ca_file naming another CA than the one that signed the certificate",
				"A TLS-intercepting proxy on the monitor's network",
				"An outdated CA bundle on the monitor host",
			},
			FirstStep: "If the CA is your own, set ca_file to its certificate (PEM) on the monitor; otherwise run `openssl s_client -connect HOST:443 -servername HOST -showcerts </dev/null` and read the issuer lines to see who signed it.",
		},
		{
			Class: "tls_handshake", Name: "TLS handshake failed", Family: FamilyTLS,
			Summary: "client and server could not set up an encrypted session",
			Meaning: "The handshake failed before any certificate could be judged: no shared protocol version or cipher, an alert from the server, or something on the port that does not speak TLS. " +
				"It is a configuration problem on one side. " +
				"The error text names the alert when there is one.",
			Causes: []string{
				"The server only offers old versions (TLS 1.0 or 1.1) that upbeat refuses",
				"No certificate configured for the SNI name",
				"A plain HTTP or other non-TLS service on the port",
				"The server demands a client certificate (mutual TLS)",
				"A device in the path interfering with the handshake",
			},
			FirstStep: "Run `openssl s_client -connect HOST:PORT -servername HOST -tls1_2 </dev/null` (and again with -tls1_3) to see which version works and which alert the server sends.",
		},
		{
			Class: "tls_expiring", Name: "Certificate expiring soon", Family: FamilyTLS,
			Summary: "the certificate expires within cert_warn_days",
			Meaning: "The certificate is still valid but has fewer days left than cert_warn_days, so the monitor is degraded. " +
				"Nothing is broken yet. " +
				"With automated renewal this usually means the renewal job has been failing for a while.",
			Causes: []string{
				"A failing renewal job (certbot timer, cron entry, cert-manager)",
				"An ACME challenge that fails after a DNS or firewall change",
				"A purchased certificate that nobody renewed",
				"A renewed certificate not yet deployed or reloaded",
			},
			FirstStep: "Run `certbot renew --dry-run` (or check your ACME client's log and `systemctl list-timers`) to see why renewal has not happened.",
		},
	}
}

// httpCheckEntries explain what the HTTP checker reports beyond a status
// code: redirects it gave up on and assertions that failed.
func httpCheckEntries() []Entry {
	return []Entry{
		{
			Class: "redirect_loop", Name: "Redirect loop", Family: FamilyRedirect,
			Summary: "the redirects lead back to an address already visited",
			Meaning: "Following redirects brought the monitor back to an address it had already seen, so it stopped. " +
				"The site bounces requests in a circle and never serves a page. " +
				"Browsers report the same problem as too many redirects.",
			Causes: []string{
				"An HTTP to HTTPS rule fighting an HTTPS to HTTP one, common behind a TLS-terminating proxy or Cloudflare's Flexible mode",
				"www and bare-domain rules redirecting to each other",
				"An app that ignores X-Forwarded-Proto and keeps sending visitors to https",
				"A login page that itself requires being logged in",
			},
			FirstStep: "Trace the chain with `curl -sIL --max-redirs 10 URL | grep -i -e '^HTTP' -e '^location'` to see which addresses point at each other.",
		},
		{
			Class: "too_many_redirects", Name: "Too many redirects", Family: FamilyRedirect,
			Summary: "the redirect chain is longer than the limit",
			Meaning: "The monitor followed redirects up to its limit without reaching a final page. " +
				"The chain may be an endless loop whose addresses keep changing, or just needlessly long. " +
				"Every hop costs every visitor a round trip.",
			Causes: []string{
				"A loop whose address changes each time (added parameters or session IDs)",
				"Redirects stacked by the CDN, the proxy and the application",
				"Misconfigured rewrite rules",
				"A limit lower than a legitimate chain needs",
			},
			FirstStep: "List every hop with `curl -sIL --max-redirs 20 URL | grep -i '^location'` and collapse the chain into a single redirect to the final address.",
		},
		{
			Class: "redirect_private", Name: "Redirect into an internal network refused", Family: FamilyRedirect,
			Summary: "a public address redirected to a loopback, link-local or private one",
			Meaning: "The monitor's URL answered from a public address with a redirect whose next hop is internal: this machine (127.0.0.1, ::1), a private network (10/8, 172.16/12, 192.168/16, fc00::/7, 100.64/10) or a link-local address such as 169.254.169.254, where cloud metadata services hand out credentials. " +
				"upbeat does not follow it, so that a site cannot use the checker to read services only the checker can reach and have their answers shown in errors and alerts. " +
				"The address is judged at connection time, so a name that resolves to a public address first and an internal one later is caught too. " +
				"A monitor whose own URL is internal is not affected.",
			Causes: []string{
				"A site behind a proxy that builds its Location header from an internal host name or address",
				"An application that redirects to its own bind address (localhost:8080) because it ignores X-Forwarded-Host",
				"A compromised or hostile site probing what the monitoring host can reach",
				"A split-horizon name that points at a private address from where upbeat runs",
			},
			FirstStep: "Look at the hop in the message with `curl -sI URL | grep -i '^location'`; fix the Location the site sends, or, if the monitor really is meant to end up inside, set `allow_private_redirects = true` on it.",
		},
		{
			Class: "body_mismatch", Name: "Expected text missing", Family: FamilyAssertion,
			Summary: "the page loaded, but the expected text was not in it",
			Meaning: "The server returned an accepted status, but the body did not contain the expect_body text. " +
				"The site answers, yet it may be showing an error page, a maintenance notice or somebody else's content. " +
				"Only the start of a large body is read, so the text has to appear within the read limit.",
			Causes: []string{
				"An error or maintenance page served with status 200",
				"A deploy that changed the page's wording",
				"A CDN serving a stale or wrong cached page",
				"The text sits beyond the body read limit",
				"A login or consent page in front of the content",
			},
			FirstStep: "Fetch the body as the monitor does with `curl -s URL | head -c 2000`, look for the expected text, then fix the page or update expect_body.",
		},
		{
			Class: "json_assertion", Name: "JSON assertion failed", Family: FamilyAssertion,
			Summary: "the JSON body arrived, but an expect_json assertion was false",
			Meaning: "The response was valid JSON, but at least one expect_json expression came out false, such as `.status == \"UP\"` while the service reports DOWN. " +
				"This is the health endpoint that answers 200 while saying it is unwell. " +
				"A dependency check inside the service is usually what failed.",
			Causes: []string{
				"A dependency listed in the health payload is down (database, cache, queue)",
				"A field renamed or moved in a new release",
				"A value whose type changed, such as \"UP\" becoming true",
				"An expression that does not fit the actual payload",
			},
			FirstStep: "Run `curl -s URL | jq .` to read the whole health payload and find the component it reports as down.",
		},
		{
			Class: "json_invalid", Name: "Invalid JSON", Family: FamilyAssertion,
			Summary: "expect_json needs JSON, but the body is not valid JSON",
			Meaning: "The response could not be parsed as JSON, so the expect_json assertions could not run. " +
				"The endpoint may have sent HTML, an error page or a truncated document. " +
				"Often a proxy's error page is answering in place of the API.",
			Causes: []string{
				"An HTML error page from a proxy or CDN",
				"A body cut short by the read limit or a dropped connection",
				"Debug output or a stack trace mixed into the body",
				"A wrong url that serves a different kind of content",
			},
			FirstStep: "Run `curl -si URL | head -30` to see what actually came back and which server sent it.",
		},
		{
			Class: "slow", Name: "Slow response", Family: FamilyAssertion,
			Summary: "the answer came, but slower than max_latency",
			Meaning: "The check succeeded but took longer than the monitor's max_latency, so the monitor is degraded rather than down. " +
				"Latency that keeps creeping up often comes before timeouts and 504s. " +
				"The phase breakdown shows whether DNS, connect, TLS or the server's own work grew.",
			Causes: []string{
				"Slow database queries or lock contention",
				"The server short of CPU, memory or free workers",
				"A slow dependency such as an external API or a cold cache",
				"Network congestion or a distant monitor location",
				"Garbage-collection pauses or cold caches after a deploy",
			},
			FirstStep: "Open the monitor's detail view to see which phase grew, and if it is time to first byte, check the application's slowest requests and the database's slow query log.",
		},
	}
}

func domainEntries() []Entry {
	return []Entry{
		{
			Class: "domain_expiring", Name: "Domain expiring soon", Family: FamilyDomain,
			Summary: "the domain registration runs out within cert_warn_days",
			Meaning: "Registration data from RDAP shows the domain expiring within cert_warn_days. " +
				"If it lapses, DNS stops resolving and websites and email vanish together. " +
				"Auto-renew failing on an old payment card is the usual story.",
			Causes: []string{
				"Auto-renew turned off at the registrar",
				"An expired payment method",
				"A registrar account tied to someone who left",
				"A transfer between registrars still in progress",
			},
			FirstStep: "Sign in at the registrar shown in the monitor's details and renew the domain, or fix the payment method used for auto-renew.",
		},
		{
			Class: "domain_expired", Name: "Domain expired", Family: FamilyDomain,
			Summary: "the domain registration has expired",
			Meaning: "The registration's expiry date has passed. " +
				"Depending on the registry the domain sits in a grace or redemption period, may already show a parking page, and can end up with someone else. " +
				"Renewing quickly is usually still possible and far cheaper than a redemption.",
			Causes: []string{
				"The renewal was not paid",
				"Auto-renew turned off",
				"Registrar reminders going to an abandoned mailbox",
				"A locked registrar account",
			},
			FirstStep: "Contact the registrar right away and renew, asking about the grace or redemption period if the domain has already stopped resolving.",
		},
		{
			Class: "rdap_error", Name: "RDAP lookup failed", Family: FamilyDomain,
			Summary: "the registry's RDAP service could not be queried",
			Meaning: "upbeat could not get registration data: the RDAP server was unreachable, returned an error or sent something unreadable. " +
				"This says nothing about the domain itself. " +
				"Some registries run no RDAP service at all, and some rate-limit hard.",
			Causes: []string{
				"The RDAP server is down or rate-limiting",
				"A top-level domain missing from the RDAP bootstrap registry",
				"A network or proxy blocking the RDAP server",
				"A wrong rdap_server override",
			},
			FirstStep: "Query the server by hand with `curl -s https://rdap.org/domain/NAME | jq .events` (or against your rdap_server) to see whether it answers.",
		},
		{
			Class: "rdap_not_found", Name: "Domain not found in RDAP", Family: FamilyDomain,
			Summary: "the registry has no record of this domain",
			Meaning: "The RDAP server answered that it holds no registration for this name. " +
				"Either the domain is not registered, perhaps deleted after it expired, or the query went to the wrong registry. " +
				"A typo in the monitor is also possible.",
			Causes: []string{
				"The domain was deleted after expiring",
				"A typo in the domain name",
				"A subdomain given instead of the registered domain",
				"rdap_server pointing at the wrong registry",
			},
			FirstStep: "Check the spelling and look the name up with `whois NAME` to confirm whether it is registered and which registry holds it.",
		},
		{
			Class: "rdap_no_expiry", Name: "No expiry date published", Family: FamilyDomain,
			Summary: "the registry does not publish an expiry date for this domain",
			Meaning: "The RDAP record was found, but it carries no expiration event, so upbeat cannot count the days left. " +
				"Several country-code registries leave the date out on purpose. " +
				"The monitor is degraded only to say that this date is not being watched.",
			Causes: []string{
				"A registry that omits expiry dates from RDAP, as some country-code domains do",
				"A registrar's RDAP server returning a reduced record",
				"An rdap_server override that returns partial data",
			},
			FirstStep: "Read the expiry date in the registrar's control panel or with `whois NAME`, and set a reminder if the registry will never publish it.",
		},
	}
}

func monitorEntries() []Entry {
	return []Entry{
		{
			Class: "push_late", Name: "Heartbeat late", Family: FamilyPush,
			Summary: "the expected heartbeat has not arrived yet",
			Meaning: "The push monitor expected a call from its job or service within the interval, and none has come. " +
				"The job may just be running long, or it may have stopped. " +
				"If no heartbeat arrives soon the monitor goes down.",
			Causes: []string{
				"The cron job or timer running longer than usual",
				"The job failing before it reaches the heartbeat call",
				"A wrong push URL or token in the job",
				"The job's host unable to reach the upbeat daemon",
			},
			FirstStep: "On the job's host, check when it last ran (`systemctl list-timers`, `journalctl -u JOB` or the cron log) and whether its final request to the push URL succeeded.",
		},
		{
			Class: "push_failed", Name: "Job reported a failure", Family: FamilyPush,
			Summary: "the job called its push URL to say that it failed",
			Meaning: "The job or service reached upbeat, so it ran and the network is fine, but it called its push URL " +
				"with status=down: by its own account the work did not succeed. " +
				"The message it sent, if any, is shown as the error.",
			Causes: []string{
				"The job's own step failing, such as a backup that could not write or a sync that was refused",
				"A dependency of the job, such as a database or a remote store, being down",
				"A disk full or credentials expired on the job's host",
				"A check inside the job that is stricter than the job itself",
			},
			FirstStep: "Read the job's own output for this run on its host (`journalctl -u JOB` or the log it writes) around the time of the report.",
		},
		{
			Class: "push_down", Name: "Heartbeat missing", Family: FamilyPush,
			Summary: "no heartbeat arrived for longer than allowed",
			Meaning: "The job or service that should call the push URL has been silent past its interval and grace. " +
				"Either it stopped running or it can no longer reach upbeat. " +
				"Backups and cron jobs that fail without a sound are exactly what this catches.",
			Causes: []string{
				"The cron daemon or systemd timer stopped or disabled",
				"The job crashing before it reports",
				"The host that runs the job is down",
				"A network or token change breaking the push request",
				"A new schedule longer than the monitor's interval",
			},
			FirstStep: "Run the job by hand on its host, watch its exit code and final push request, then check its schedule with `crontab -l` or `systemctl list-timers`.",
		},
		{
			Class: "skipped", Name: "Check skipped", Family: FamilyMonitor,
			Summary: "skipped because the previous check was still running",
			Meaning: "The monitor was due, but its previous check had not finished, so upbeat skipped this run instead of queueing it. " +
				"One skip is harmless; a run of them means checks take longer than the interval. " +
				"It concerns the monitor's own timing, not the target.",
			Causes: []string{
				"A timeout as long as, or close to, the interval",
				"Retries that stretch a check past the next due time",
				"The global concurrency limit delaying starts",
				"A very slow or hanging target",
			},
			FirstStep: "Compare the monitor's timeout, retries and retry_interval with its interval in the config, and make one full check fit inside one interval.",
		},
		{
			Class: "maintenance", Name: "Maintenance window", Family: FamilyMonitor,
			Summary: "inside a maintenance window; results do not count or alert",
			Meaning: "The monitor falls inside a configured [[maintenance]] window, so its results show as maintenance and send no alerts. " +
				"Downtime inside the window does not count against uptime. " +
				"A 503 with Retry-After outside any window is unplanned as far as upbeat knows.",
			Causes: []string{
				"A scheduled [[maintenance]] window naming this monitor or one of its tags",
				"A recurring window that covers this time",
				"A window left over from an earlier change",
			},
			FirstStep: "Read the [[maintenance]] entries in the config and confirm the window's start, end and the monitors or tags it covers.",
		},
		{
			Class: "upbeat_stalled", Name: "upbeat itself was stalled", Family: FamilyMonitor,
			Summary: "taken while upbeat was not running on time; not counted",
			Meaning: "upbeat noticed that it had not been running for a while: the process was stopped, the machine slept or froze, or it fell far behind. " +
				"A check that overlapped that stretch may have timed out only because upbeat was not there to read the answer, so it says nothing about the target. " +
				"Such results open no incident and count neither for nor against uptime or an SLO; the dashboard and the log say how long the stall lasted.",
			Causes: []string{
				"The machine was suspended, or its virtual machine paused or migrated",
				"The process was stopped (SIGSTOP, Ctrl-Z, a debugger)",
				"Heavy swapping or CPU starvation froze the process",
				"A container runtime froze the container (docker pause, a cgroup freezer)",
			},
			FirstStep: "Look at the host around the stall with `journalctl --since '-30 min'` for suspend, OOM or hypervisor messages, and at `vmstat 1` for swapping.",
		},
		{
			Class: "internal", Name: "Internal error", Family: FamilyMonitor,
			Summary: "upbeat itself failed to run the check",
			Meaning: "Something went wrong inside upbeat while preparing or running the check, not at the target. " +
				"The error text says what. " +
				"It should be rare, and if it repeats it is a bug worth reporting.",
			Causes: []string{
				"A resource limit on the monitor host (open files, memory)",
				"A monitor setting that validation let through",
				"A bug in upbeat",
			},
			FirstStep: "Run `upbeat check --json`, read this monitor's error field, and check the open-file limit with `ulimit -n`.",
		},
		{
			Class: "config", Name: "Monitor misconfigured", Family: FamilyMonitor,
			Summary: "the monitor's own settings cannot be used",
			Meaning: "The check could not run because something in this monitor's settings is unusable, such as a malformed url or a ca_file that cannot be read. " +
				"The target was never contacted. " +
				"`upbeat validate` reports such mistakes with file, line and key.",
			Causes: []string{
				"A malformed or unsupported url",
				"A ca_file that is missing, unreadable or not PEM",
				"A secret taken from an environment variable that is unset",
				"A value that parses but cannot be used when the check runs",
			},
			FirstStep: "Run `upbeat validate`, fix the key it names for this monitor, and reload the daemon.",
		},
		{
			Class: "canceled", Name: "Check canceled", Family: FamilyMonitor,
			Summary: "the check was stopped before it finished",
			Meaning: "upbeat stopped this check before it completed, usually because the daemon was shutting down or reloading its config. " +
				"It says nothing about the target. " +
				"One such result around a restart is expected.",
			Causes: []string{
				"The daemon shutting down (SIGTERM, systemctl stop)",
				"A config reload that replaced the monitor",
				"A monitor paused or removed while its check was running",
			},
			FirstStep: "See whether upbeat restarted or reloaded at that time with `journalctl -u upbeat --since '-15 min'`, and disregard the result if it did.",
		},
		{
			Class: "error", Name: "Unclassified error", Family: FamilyMonitor,
			Summary: "the check failed with an error no class describes",
			Meaning: "The check failed, but the error did not fit any known class. " +
				"The error text stored with the result holds the detail. " +
				"If the same message keeps coming back, it deserves a class of its own.",
			Causes: []string{
				"An unusual error from the operating system or a library",
				"A proxy or other device in the path failing in an odd way",
				"A failure mode upbeat does not recognise yet",
			},
			FirstStep: "Run `upbeat check --json` and read this monitor's error field, which holds the raw message.",
		},
	}
}
