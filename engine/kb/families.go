package kb

// familyEntries explain a whole status family. ForResult hands them out,
// with the real code filled in, for a code the table has no entry for.
func familyEntries() []Entry {
	return []Entry{
		{
			Class:   "1xx",
			Name:    "Unlisted informational status",
			Family:  FamilyInformational,
			Summary: "an interim reply; a final status should have come after it",
			Meaning: "Codes from 100 to 199 are provisional: the server says something about the exchange " +
				"before its real answer. They never end a request on their own. " +
				"A check that ends on one saw the conversation stop halfway.",
			Causes: []string{
				"The server or a proxy stopped after sending the interim reply",
				"The connection dropped before the final response",
				"Experimental or vendor-specific software using an unregistered 1xx code",
			},
			FirstStep: "Run `curl -sv URL` from the monitor host and see whether a final status line ever follows the interim one.",
		},
		{
			Class:   "2xx",
			Name:    "Unlisted success status",
			Family:  FamilySuccess,
			Summary: "a success code upbeat has no specific entry for",
			Meaning: "Codes from 200 to 299 mean the server handled the request. " +
				"upbeat flags one only when expect_status asks for something else. " +
				"An unregistered 2xx code usually comes from a custom application.",
			Causes: []string{
				"An application that invents its own success codes",
				"expect_status lists a different code than the endpoint returns",
				"A new API version that changed its replies",
			},
			FirstStep: "Run `curl -si URL | head -20` to see the reply, then add its code to expect_status if it is correct.",
		},
		{
			Class:   "3xx",
			Name:    "Unlisted redirect status",
			Family:  FamilyRedirect,
			Summary: "a redirect-type reply upbeat has no specific entry for",
			Meaning: "Codes from 300 to 399 tell the client to look elsewhere or reuse a cached copy. " +
				"An unregistered one is not something a client knows how to follow. " +
				"The Location header, if any, says where the server wanted to send you.",
			Causes: []string{
				"A custom or misconfigured server returning an unregistered 3xx",
				"A redirect without a Location header",
				"A monitor url that should point at the final address",
			},
			FirstStep: "Run `curl -sI URL` and read the status line and the Location header.",
		},
		{
			Class:   "4xx",
			Name:    "Unlisted client error",
			Family:  FamilyClient,
			Summary: "the server rejected the request and blames the client side",
			Meaning: "Codes from 400 to 499 say the server considers the request itself wrong: bad form, " +
				"missing rights, wrong address or too many of them. " +
				"For a monitor that sends the same request each time, a new 4xx usually means the server's rules changed. " +
				"Unregistered codes in this range come from particular servers or frameworks.",
			Causes: []string{
				"A WAF, bot filter or rate limiter rejecting the monitor",
				"Credentials or tokens that expired or were rotated",
				"A route or API change on the server",
				"A framework-specific code for a validation or session problem",
			},
			FirstStep: "Replay the request with `curl -si URL` and read the response body, which usually names the reason.",
		},
		{
			Class:   "5xx",
			Name:    "Unlisted server error",
			Family:  FamilyServer,
			Summary: "the server or something behind it failed to answer properly",
			Meaning: "Codes from 500 to 599 say the request was acceptable but the server side failed to serve it. " +
				"An unregistered one comes from a specific proxy, platform or application. " +
				"Treat it like a 500 or 502 until the product that sent it says otherwise.",
			Causes: []string{
				"An application or proxy error reported with a vendor-specific code",
				"A backend behind a proxy that is down, slow or crashing",
				"Resource exhaustion on the server (memory, disk, workers)",
				"A recent deploy or configuration change",
			},
			FirstStep: "Check the Server and Via headers with `curl -sI URL` to learn which component sent the code, then read that component's error log.",
		},
	}
}

// unknownEntry explains a failure nothing else in the table matches.
func unknownEntry() Entry {
	return Entry{
		Class:   "unknown",
		Name:    "Unrecognised failure",
		Family:  FamilyUnknown,
		Summary: "a failure upbeat has no explanation for yet",
		Meaning: "The check failed in a way the knowledge base has no entry for. " +
			"The error text recorded with the result is the best lead.",
		Causes: []string{
			"A failure class added after this knowledge base was written",
			"An unusual error from the operating system or a library",
			"A target that answers in a way no checker expects",
		},
		FirstStep: "Run `upbeat check --json` and read the error field of this monitor, which holds the raw message.",
	}
}
