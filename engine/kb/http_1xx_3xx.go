package kb

// informationalEntries explain the 1xx codes. A check sees one as its
// outcome only when the final response never arrived.
func informationalEntries() []Entry {
	return []Entry{
		{
			Code: 100, Name: "Continue", Family: FamilyInformational,
			Summary: "the server agreed to take the request body; a final reply follows",
			Meaning: "This interim reply tells a client that sent `Expect: 100-continue` to go ahead and upload its body. " +
				"It never ends an exchange: a real status has to come after it. " +
				"A check that reports 100 saw a server or proxy stop after the interim reply.",
			Causes: []string{
				"A proxy or app that sends the interim reply and then stalls",
				"A connection dropped between the interim and the final response",
				"A small embedded HTTP server with a broken implementation",
			},
			FirstStep: "Run `curl -v` against the URL and see whether a final status line arrives after the `100 Continue` line.",
		},
		{
			Code: 101, Name: "Switching Protocols", Family: FamilyInformational,
			Summary: "the server switched the connection to another protocol",
			Meaning: "The server accepted an Upgrade request and the connection now speaks something else, most often WebSocket. " +
				"From that point on the connection no longer carries HTTP. " +
				"A health check that gets this is probably aimed at a WebSocket endpoint instead of a health page.",
			Causes: []string{
				"The monitor url points at a WebSocket endpoint",
				"A framework upgrades every request on that path",
				"The health route moved and the old path now serves WebSocket",
			},
			FirstStep: "Point the monitor at a plain HTTP health path, or add 101 to expect_status if the upgrade is what you want checked.",
		},
		{
			Code: 102, Name: "Processing (WebDAV)", Family: FamilyInformational,
			Summary: "the server is still busy with a long WebDAV request",
			Meaning: "WebDAV servers send this interim reply so a client does not give up on a slow operation. " +
				"Later WebDAV revisions deprecated it, and a final status must still follow. " +
				"As an outcome it means the real answer never came.",
			Causes: []string{
				"A long copy, move or lock operation that outlived the check timeout",
				"A server that sends keep-alive interim replies and then hangs",
				"A proxy that forwarded the interim reply and lost the final one",
			},
			FirstStep: "Time the request with `curl -v --max-time 120 URL` to see when the final status arrives, then raise the timeout or monitor a lighter URL.",
		},
		{
			Code: 103, Name: "Early Hints", Family: FamilyInformational,
			Summary: "the server sent preload hints ahead of the real response",
			Meaning: "This interim reply carries Link headers so a browser can fetch stylesheets and scripts while the page is still being built. " +
				"A final status always comes after it. " +
				"It only ends a check when something cut the response off after the hints.",
			Causes: []string{
				"The backend stalled or crashed after the hints went out",
				"A CDN emitting cached hints while the origin is slow",
				"A client or proxy that mishandles interim replies",
			},
			FirstStep: "Check with `curl -v URL` whether the final response follows the hints, and look in the origin's log for a request that never completed.",
		},
	}
}

// successEntries explain the 2xx codes. upbeat reports one only when
// expect_status asks for something else, so each entry says why that
// might be.
func successEntries() []Entry {
	return []Entry{
		{
			Code: 200, Name: "OK", Family: FamilySuccess,
			Summary: "success; flagged only when another status was expected",
			Meaning: "The ordinary success reply: the server handled the request and sent the result. " +
				"upbeat treats it as a problem only when expect_status asks for another code, or when a body or JSON check fails on a page that answered 200. " +
				"A 200 shows the web server answered, not that the application behind it is healthy.",
			Causes: []string{
				"expect_status asks for a redirect or error code the site no longer sends",
				"A catch-all route or custom error page answers every path with 200",
				"A CDN serving a cached copy while the origin is broken",
				"A login, parking or placeholder page replaced the real content",
			},
			FirstStep: "Run `curl -si URL | head -40` and compare what comes back with what expect_status, expect_body and expect_json ask for.",
		},
		{
			Code: 201, Name: "Created", Family: FamilySuccess,
			Summary: "the request created a new resource",
			Meaning: "The server accepted the request and made something new, typically in answer to a POST. " +
				"A read-only health check should rarely get it. " +
				"If it does, the endpoint may be creating a record on every check.",
			Causes: []string{
				"The monitor targets an endpoint that writes on each request",
				"An API now answers 201 where it used to answer 200",
				"expect_status was copied from another endpoint",
			},
			FirstStep: "Make sure the url is a read-only health endpoint, then set expect_status to the code it really returns.",
		},
		{
			Code: 202, Name: "Accepted", Family: FamilySuccess,
			Summary: "the request was queued; the work happens later",
			Meaning: "The server took the request but has not done the work yet; it will run asynchronously. " +
				"Nothing in the reply says whether that work will succeed. " +
				"As a health signal it only proves the front door is open.",
			Causes: []string{
				"The endpoint hands work to a queue and answers immediately",
				"A backend under load switched to deferred processing",
				"expect_status was written for a synchronous version of the API",
			},
			FirstStep: "Check the queue behind the endpoint (its length and whether consumers are running) and add 202 to expect_status if this reply is normal.",
		},
		{
			Code: 203, Name: "Non-Authoritative Information", Family: FamilySuccess,
			Summary: "a proxy altered the response it got from the origin",
			Meaning: "The request worked, but an intermediary changed the payload it received from the origin before passing it on. " +
				"Few servers send it. " +
				"It hints that something between the monitor and the site rewrites content.",
			Causes: []string{
				"A transforming proxy or content filter in the path",
				"A corporate gateway that rewrites pages",
				"A mirror or cache answering instead of the origin",
			},
			FirstStep: "Compare `curl -si URL` from the monitor host with a request sent straight to the origin to find the hop that rewrote the reply.",
		},
		{
			Code: 204, Name: "No Content", Family: FamilySuccess,
			Summary: "success with an intentionally empty body",
			Meaning: "The server handled the request and deliberately returned no body. " +
				"API writes and some health endpoints answer this way. " +
				"Body and JSON checks always fail against it, since there is nothing to match.",
			Causes: []string{
				"A health endpoint that signals health with an empty reply",
				"An API that now answers 204 where it used to send data",
				"expect_body or expect_json set on an endpoint without a body",
			},
			FirstStep: "Remove expect_body and expect_json from this monitor or move it to an endpoint that returns a payload, and add 204 to expect_status.",
		},
		{
			Code: 205, Name: "Reset Content", Family: FamilySuccess,
			Summary: "success; the client should clear the form it submitted",
			Meaning: "A success reply asking the client to reset its view, usually a form, after a submission. " +
				"It carries no body. " +
				"Health checks almost never see it.",
			Causes: []string{
				"The monitor targets a form-handling endpoint",
				"An unusual framework default",
				"expect_status was set for a different route",
			},
			FirstStep: "Point the monitor at a read-only health URL that answers 200, or add 205 to expect_status if this reply is intended.",
		},
		{
			Code: 206, Name: "Partial Content", Family: FamilySuccess,
			Summary: "the server sent only part of the resource",
			Meaning: "This is the answer to a Range request: the body holds only the requested bytes. " +
				"upbeat asks for no ranges, so a cache or server is handing out partial answers on its own. " +
				"Body checks can fail because the text they look for lies outside the part sent.",
			Causes: []string{
				"A cache or CDN replaying a stored partial object",
				"A proxy or a custom header adding a Range request",
				"A server misconfigured for download or media paths",
			},
			FirstStep: "Run `curl -si URL` from the monitor host and check the Content-Range header, then purge the object from the cache that served it.",
		},
		{
			Code: 207, Name: "Multi-Status (WebDAV)", Family: FamilySuccess,
			Summary: "the reply holds a separate status for each of several resources",
			Meaning: "A WebDAV reply whose XML body lists one status per resource. " +
				"The overall code says little: individual items inside can still have failed. " +
				"Batch APIs use it too.",
			Causes: []string{
				"The monitor hits a WebDAV or batch endpoint",
				"A batch API reporting per-item results",
				"expect_status copied from a plain endpoint",
			},
			FirstStep: "Read the body with `curl -s URL` for failed item statuses, then use expect_body to assert the item you care about.",
		},
		{
			Code: 208, Name: "Already Reported (WebDAV)", Family: FamilySuccess,
			Summary: "members already listed earlier in this multi-status reply",
			Meaning: "Used inside a WebDAV multi-status body so that collection members reachable through several bindings are listed once. " +
				"It is almost never a top-level reply. " +
				"Seeing it as the outcome points at an unusual WebDAV server.",
			Causes: []string{
				"A WebDAV server with bindings enabled",
				"A server returning an inner status as the outer one",
				"expect_status written for another endpoint",
			},
			FirstStep: "Check the WebDAV server's version and binding settings, and add 208 to expect_status if the reply is expected.",
		},
		{
			Code: 226, Name: "IM Used", Family: FamilySuccess,
			Summary: "the server sent a delta instead of the full resource",
			Meaning: "The reply applies instance manipulations such as delta encoding, so only the changes since the client's version are sent. " +
				"Very few servers implement it. " +
				"A monitor that sees it is talking to a specialised server or a confused cache.",
			Causes: []string{
				"Delta encoding enabled on the server",
				"A cache replaying a delta reply to every client",
				"expect_status written for another endpoint",
			},
			FirstStep: "Fetch the URL with `curl -si URL` (it sends no A-IM header) to see whether deltas still come back, then adjust expect_status.",
		},
	}
}

// redirectEntries explain the 3xx codes. upbeat follows redirects, so one
// ends a check only when following was not possible or not allowed.
func redirectEntries() []Entry {
	return []Entry{
		{
			Code: 300, Name: "Multiple Choices", Family: FamilyRedirect,
			Summary: "several versions exist and the client has to pick one",
			Meaning: "The server offers more than one representation of the resource, such as languages or formats, and leaves the choice to the client. " +
				"Clients rarely choose automatically. " +
				"A monitor sees it when content negotiation could not settle on a default.",
			Causes: []string{
				"Content negotiation without a default variant",
				"Apache MultiViews enabled on the path",
				"The url lacks the extension or Accept header the server expects",
			},
			FirstStep: "Request the URL with `curl -si URL`, read the list of choices, and point the monitor at the variant you mean.",
		},
		{
			Code: 301, Name: "Moved Permanently", Family: FamilyRedirect,
			Summary: "the resource has a new address for good",
			Meaning: "The resource moved and the server says the move is permanent, so clients and search engines should switch to the new address. " +
				"upbeat follows redirects and reports the final page, so a 301 as the outcome means following was off or the Location header was unusable. " +
				"The fix is almost always to monitor the new address directly.",
			Causes: []string{
				"The site moved to HTTPS or a new domain and the monitor kept the old url",
				"A trailing-slash or www redirect",
				"Redirect following is turned off for this monitor",
				"A missing or malformed Location header",
			},
			FirstStep: "Run `curl -sI URL` to read the Location header and put that address in the monitor's url.",
		},
		{
			Code: 302, Name: "Found", Family: FamilyRedirect,
			Summary: "a temporary redirect to another address",
			Meaning: "The resource sits at another address for now, and clients should keep using the original one later. " +
				"Login walls, maintenance pages and geo routing often use it. " +
				"When the check expected content and got a 302, visitors may be getting sent somewhere else too.",
			Causes: []string{
				"An unauthenticated request sent to a sign-in page",
				"A maintenance or regional redirect",
				"A load balancer rule diverting traffic to a fallback site",
				"Redirect following is turned off for this monitor",
			},
			FirstStep: "Run `curl -sI URL` and read the Location header: if it names a login or maintenance page, that is the real problem.",
		},
		{
			Code: 303, Name: "See Other", Family: FamilyRedirect,
			Summary: "the answer is at another address, to be fetched with GET",
			Meaning: "The server tells the client to fetch a different address with GET, usually after a form POST. " +
				"It keeps an action apart from the page showing its result. " +
				"For a health check it usually means the monitored url is an action endpoint.",
			Causes: []string{
				"The monitor targets a form submission endpoint",
				"A post/redirect/get flow in the application",
				"An app sending unauthenticated requests elsewhere",
			},
			FirstStep: "Read the Location header with `curl -sI URL` and monitor the target page directly.",
		},
		{
			Code: 304, Name: "Not Modified", Family: FamilyRedirect,
			Summary: "the cached copy is still current, so no body was sent",
			Meaning: "This answers a conditional request (If-None-Match or If-Modified-Since) by saying the client's cached copy is still good. " +
				"No body comes with it. " +
				"upbeat sends no conditional headers, so either a proxy added them or the server misread the request.",
			Causes: []string{
				"A proxy or cache in front adding conditional headers",
				"A server bug returning 304 without any condition",
				"Custom headers on the monitor that include If-None-Match",
			},
			FirstStep: "Compare `curl -si URL` with and without the monitor's custom headers to see which one brings the 304.",
		},
		{
			Code: 305, Name: "Use Proxy (deprecated)", Family: FamilyRedirect,
			Summary: "an obsolete reply telling the client to go through a proxy",
			Meaning: "An old code that asked the client to repeat the request through the proxy named in Location. " +
				"It was deprecated for security reasons and clients ignore it. " +
				"Seeing it means a very old or unusual server.",
			Causes: []string{
				"A legacy server or appliance",
				"A misconfigured proxy",
				"A test endpoint returning arbitrary codes",
			},
			FirstStep: "Find which software sent it from the Server and Via headers of `curl -sI URL` and update or reconfigure it.",
		},
		{
			Code: 306, Name: "(Unused)", Family: FamilyRedirect,
			Summary: "a reserved code from an old draft that nothing should send",
			Meaning: "The number once meant Switch Proxy in a draft of HTTP/1.1 and is now only reserved. " +
				"No conforming server sends it. " +
				"A monitor that sees it is talking to broken or test software.",
			Causes: []string{
				"A test server returning arbitrary codes",
				"Buggy server software",
				"A fault-injection tool in the path",
			},
			FirstStep: "Identify the software answering from the headers of `curl -sI URL` and look in its configuration for a hard-coded status.",
		},
		{
			Code: 307, Name: "Temporary Redirect", Family: FamilyRedirect,
			Summary: "a temporary redirect that keeps the method and body",
			Meaning: "Like 302, except the client must repeat the same method and body at the new address. " +
				"It often marks an HTTPS upgrade or a failover to another site. " +
				"As the outcome of a check it means the redirect was not followed.",
			Causes: []string{
				"An HTTP to HTTPS upgrade",
				"A temporary move during maintenance or failover",
				"Redirect following is turned off for this monitor",
				"A load balancer steering traffic to another region",
			},
			FirstStep: "Read the Location header with `curl -sI URL` and decide whether the monitor should use that address directly.",
		},
		{
			Code: 308, Name: "Permanent Redirect", Family: FamilyRedirect,
			Summary: "a permanent redirect that keeps the method and body",
			Meaning: "Like 301, except the method and body must be kept at the new address. " +
				"APIs use it when they move, and servers use it to force HTTPS. " +
				"Monitor the new address rather than paying for the redirect on every check.",
			Causes: []string{
				"An API path or domain moved",
				"HTTPS enforcement",
				"Trailing-slash normalisation",
				"Redirect following is turned off for this monitor",
			},
			FirstStep: "Run `curl -sI URL`, copy the Location value into the monitor's url, and run `upbeat check` again.",
		},
	}
}
