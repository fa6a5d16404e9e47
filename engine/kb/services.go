package kb

// Entries for the checks of the services behind a site: gRPC, WebSocket,
// PostgreSQL, MySQL/MariaDB, Redis and SMTP, and the phase-named timeouts
// and TLS mismatches they share. SMTP reply codes are explained like HTTP
// status codes, as smtp_NNN classes.

// Families of the services behind a site.
const (
	FamilyGRPC      = "grpc"
	FamilyWebSocket = "websocket"
	FamilyDatabase  = "database"
	FamilySMTP      = "smtp"
)

func serviceEntries() []Entry {
	var all []Entry
	all = append(all, servicePhaseEntries()...)
	all = append(all, grpcEntries()...)
	all = append(all, wsEntries()...)
	all = append(all, postgresEntries()...)
	all = append(all, mysqlEntries()...)
	all = append(all, redisEntries()...)
	all = append(all, smtpEntries()...)
	all = append(all, smtpCodeEntries()...)
	return all
}

func servicePhaseEntries() []Entry {
	return []Entry{
		{
			Class: "tls_required", Name: "TLS required by the server", Family: FamilyTLS,
			Summary: "the server accepts only TLS, and the check spoke plain text",
			Meaning: "The check connected without TLS, and the server answered that it takes only encrypted connections, or answered with TLS itself. " +
				"The service may be perfectly healthy; the monitor and the server disagree about encryption. " +
				"It often follows a server change that made TLS mandatory.",
			Causes: []string{
				"A server configured to require TLS (hostssl in pg_hba.conf, require_secure_transport in MySQL, an SMTP relay requiring STARTTLS)",
				"A TLS-only port checked with a plain scheme: redis:// for rediss://, grpc:// for grpcs://, ws:// for wss://",
				"A postgres url with sslmode=disable",
				"A mysql url with tls=false",
			},
			FirstStep: "Switch the monitor to TLS (rediss://, grpcs://, wss://, smtps:// or starttls = \"mandatory\", sslmode=require, tls=true) and run `upbeat check NAME` again.",
		},
		{
			Class: "tls_unavailable", Name: "TLS not offered", Family: FamilyTLS,
			Summary: "the check asked for TLS, and the server does not offer it",
			Meaning: "The monitor requires an encrypted connection, but the server answered in plain text, refused to start TLS, or did not list STARTTLS. " +
				"Nothing was verified, and the check did not fall back to plain text. " +
				"Either the server lost its TLS setup or the monitor points at a plain port.",
			Causes: []string{
				"A server whose certificate or TLS settings were removed or failed to load at start",
				"The url names the plain port of a service that has a separate TLS port",
				"A mail server that stopped advertising STARTTLS, or a middlebox stripping it from EHLO",
				"A database built or configured without TLS support",
			},
			FirstStep: "Look at the server's startup log for TLS or certificate errors, and check its settings (ssl in postgresql.conf, ssl_cert in MySQL, tls-port in Redis, smtpd_tls_security_level in Postfix).",
		},
	}
}

func grpcEntries() []Entry {
	return []Entry{
		{
			Class: "grpc_not_serving", Name: "gRPC service not serving", Family: FamilyGRPC,
			Summary: "the health service says the service is NOT_SERVING",
			Meaning: "The server answered the standard health check and reported the service as NOT_SERVING (or UNKNOWN, which means it has not decided yet). " +
				"The process is up and reachable; it reports itself unfit for traffic. " +
				"Servers usually do this while starting, draining or when a dependency they rely on is down.",
			Causes: []string{
				"The service is still starting or warming up",
				"The server is draining before a shutdown or deploy",
				"A dependency such as a database is down and the service marked itself unhealthy",
				"The application set the status and never set it back",
			},
			FirstStep: "Read the service's own log around the time it changed, and ask it directly with `grpc_health_probe -addr=HOST:PORT -service=NAME`.",
		},
		{
			Class: "grpc_service_unknown", Name: "gRPC service unknown", Family: FamilyGRPC,
			Summary: "the health service does not know the service named in the url",
			Meaning: "The server has a health service, but it has no status registered under the name the monitor asked about. " +
				"The server itself may be healthy. " +
				"The name in the url's path must match exactly what the application registers, package and all.",
			Causes: []string{
				"A typo or a missing package prefix in the url's path",
				"The service was renamed or moved to another server",
				"The application registers its status only after it has started",
				"The url reaches a different server than intended",
			},
			FirstStep: "List what the server knows with `grpcurl -plaintext HOST:PORT list` (drop -plaintext for grpcs) and put the exact service name in the url's path.",
		},
		{
			Class: "grpc_no_health", Name: "No gRPC health service", Family: FamilyGRPC,
			Summary: "the server does not implement the standard health service",
			Meaning: "The call to grpc.health.v1.Health/Check came back UNIMPLEMENTED: the server speaks gRPC but never registered the health service. " +
				"This is a setup gap, not an outage. " +
				"The check needs the server to expose the standard health protocol.",
			Causes: []string{
				"The application never registers the health server",
				"A gRPC proxy that forwards only some services",
				"The url points at a different gRPC server than intended",
			},
			FirstStep: "Register the standard health service in the application (the grpc health package in most languages) or point the monitor at a server that has it.",
		},
		{
			Class: "grpc_error", Name: "gRPC call failed", Family: FamilyGRPC,
			Summary: "the health call ended with a gRPC error status",
			Meaning: "The health check call failed with a gRPC status other than OK, such as UNAVAILABLE, UNAUTHENTICATED or INTERNAL. " +
				"The status name and the server's message are in the error text. " +
				"UNAVAILABLE usually means the connection or the HTTP/2 session could not be set up.",
			Causes: []string{
				"The server or a proxy in front of it is unavailable or restarting",
				"The server wants credentials or a client certificate the monitor does not send",
				"The port speaks something other than gRPC, or needs TLS (grpcs://)",
				"An internal error in the server's health handler",
			},
			FirstStep: "Run `grpcurl -v HOST:PORT grpc.health.v1.Health/Check` from the monitor host (add -plaintext for grpc://) and read the status and message it prints.",
		},
		{
			Class: "grpc_handshake_timeout", Name: "gRPC handshake timed out", Family: FamilyGRPC,
			Summary: "connected, but no HTTP/2 session before the timeout",
			Meaning: "The TCP connection (and TLS, for grpcs) was set up, but the server never completed the HTTP/2 handshake that every gRPC call needs. " +
				"The process accepts connections and then stays silent. " +
				"It is typical of a hung server, or of a port that speaks another protocol.",
			Causes: []string{
				"The server process is hung or starved of CPU",
				"The port runs something that is not gRPC, waiting for its own protocol",
				"A TLS-only server checked with grpc:// (or the reverse)",
				"A proxy that accepts the connection but cannot reach the backend",
			},
			FirstStep: "Take a stack dump or look at the server's CPU and threads, and confirm what listens with `ss -ltnp | grep PORT` on the target.",
		},
		{
			Class: "grpc_call_timeout", Name: "gRPC health call timed out", Family: FamilyGRPC,
			Summary: "the session was up, but the health call got no answer in time",
			Meaning: "The HTTP/2 session was established, and the health check call was sent, but no reply came before the timeout. " +
				"The server's transport works; its health handler, or the thread pool that runs it, does not. " +
				"Slow health handlers that call dependencies are a common cause.",
			Causes: []string{
				"A health handler that waits on a slow or hung dependency",
				"All of the server's workers are busy",
				"Lock contention or a deadlock in the application",
				"A monitor timeout shorter than the service's normal answer time",
			},
			FirstStep: "Time the call by hand with `grpcurl -max-time 30 HOST:PORT grpc.health.v1.Health/Check`, then look at what the health handler waits on.",
		},
	}
}

func wsEntries() []Entry {
	return []Entry{
		{
			Class: "ws_handshake", Name: "WebSocket upgrade refused", Family: FamilyWebSocket,
			Summary: "the server answered the upgrade request without switching to WebSocket",
			Meaning: "A WebSocket session starts as an HTTP request asking to upgrade; the server answered with an ordinary HTTP status instead of 101. " +
				"The status code is recorded with the result and says why. " +
				"A proxy in front that does not pass the upgrade headers is the classic cause.",
			Causes: []string{
				"A reverse proxy without the Upgrade and Connection headers configured for this path",
				"Authentication required: a missing token or cookie (401, 403)",
				"A wrong path (404) or an origin check that rejects the request",
				"The backend behind the proxy is down (502, 503)",
			},
			FirstStep: "Repeat the handshake with `curl -si -H 'Connection: Upgrade' -H 'Upgrade: websocket' -H 'Sec-WebSocket-Version: 13' -H 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==' URL` and read the status line and headers.",
		},
		{
			Class: "ws_closed", Name: "WebSocket closed by the server", Family: FamilyWebSocket,
			Summary: "the server closed the WebSocket instead of answering",
			Meaning: "After the handshake, the server ended the session before sending the reply the monitor waited for. " +
				"The close code is recorded as the result's code, and its meaning is in the error: 1001 going away, 1008 policy violation, 1011 internal error, 1013 try again later. " +
				"1006 means the connection dropped without any close frame at all.",
			Causes: []string{
				"The application rejected the message or the client and closed with a code",
				"The server or a proxy is restarting (1001, 1012)",
				"An internal error in the message handler (1011)",
				"An idle or frame-size limit on a proxy in between",
			},
			FirstStep: "Look up the close code in the error, then read the server's log at that time for the handler that closed the session.",
		},
		{
			Class: "ws_reply_mismatch", Name: "Unexpected WebSocket reply", Family: FamilyWebSocket,
			Summary: "the reply lacks the expected text or fails the JSON checks",
			Meaning: "The session worked and a message came back, but it did not contain expect_body or did not satisfy every expect_json expression. " +
				"The start of the reply is in the error and in the result's answers. " +
				"The server is reachable; what it says is not what the monitor expects.",
			Causes: []string{
				"The application answered with an error message instead of the normal reply",
				"The protocol or message format changed in a new release",
				"The server pushes another message first, before the reply",
				"An expectation in the monitor that no longer matches",
			},
			FirstStep: "Open the session by hand with `websocat URL`, send the same message and compare what comes back with expect_body and expect_json.",
		},
		{
			Class: "ws_handshake_timeout", Name: "WebSocket handshake timed out", Family: FamilyWebSocket,
			Summary: "connected, but the upgrade request got no answer in time",
			Meaning: "The TCP connection (and TLS, for wss) opened and the upgrade request was sent, but no HTTP answer came back before the timeout. " +
				"Nothing answered at the HTTP level. " +
				"A hung application server or a proxy waiting on a dead backend behaves like this.",
			Causes: []string{
				"The application server is hung or out of workers",
				"A proxy waiting on a backend that never answers",
				"The port speaks something other than HTTP",
				"A monitor timeout shorter than the server's answer time under load",
			},
			FirstStep: "Run `curl -sv -m 30 URL` with http or https in place of ws or wss and see whether any HTTP answer comes at all.",
		},
		{
			Class: "ws_reply_timeout", Name: "WebSocket reply timed out", Family: FamilyWebSocket,
			Summary: "the message was sent, but no reply came in time",
			Meaning: "The handshake succeeded and the monitor's message went out, but the server sent nothing back before the timeout. " +
				"The connection itself works. " +
				"Either the application did not handle the message, or it is too slow to answer.",
			Causes: []string{
				"The message format is not what the server expects, so it ignores it",
				"The message handler is slow, blocked or crashed",
				"A backend the handler depends on is down",
				"The server only answers after a subscription step the monitor does not perform",
			},
			FirstStep: "Send the same message with `websocat URL` and watch whether and when an answer arrives.",
		},
	}
}

func postgresEntries() []Entry {
	return []Entry{
		{
			Class: "postgres_auth_failed", Name: "PostgreSQL login refused", Family: FamilyDatabase,
			Summary: "the server rejected the user name or password",
			Meaning: "PostgreSQL refused the login (SQLSTATE 28P01 or 28000): the password does not match, or the user does not exist. " +
				"The server is up and reachable. " +
				"The server's log says which it was; clients are only told that authentication failed.",
			Causes: []string{
				"The password was rotated and the monitor still has the old one",
				"A wrong user name in the url",
				"The password file or environment variable holds a stray newline or the wrong value",
				"The role lost its LOGIN attribute or expired (VALID UNTIL)",
			},
			FirstStep: "Try the same login with `psql 'postgres://USER@HOST:PORT/DB' -c 'select 1'`, then read the server log, which states the exact reason.",
		},
		{
			Class: "postgres_not_allowed", Name: "PostgreSQL host not allowed", Family: FamilyDatabase,
			Summary: "pg_hba.conf has no line that lets this client in",
			Meaning: "The server refused the connection before checking any password, because no line in pg_hba.conf matches this client's address, user, database and encryption (or it lacks the CONNECT privilege). " +
				"The database is running; access rules keep the monitor out. " +
				"It often appears after the monitor moved to a new host or address.",
			Causes: []string{
				"The monitor's address is not covered by any pg_hba.conf line",
				"pg_hba.conf lines that cover only other users or databases",
				"A reject line matching this client",
				"The role lacks CONNECT on the database",
			},
			FirstStep: "On the server run `psql -c 'table pg_hba_file_rules'` as a superuser and add a line for the monitor's address, user and database, then `SELECT pg_reload_conf()`.",
		},
		{
			Class: "postgres_no_database", Name: "PostgreSQL database missing", Family: FamilyDatabase,
			Summary: "the database named in the url does not exist",
			Meaning: "The login reached the server, which answered that the database does not exist (SQLSTATE 3D000). " +
				"The server itself is fine. " +
				"Either the url names the wrong database or the database was dropped or renamed.",
			Causes: []string{
				"A typo in the database name in the url",
				"The database was renamed, dropped or not yet restored",
				"The url reaches another server or cluster than intended",
			},
			FirstStep: "List the databases with `psql -h HOST -U USER -l` and correct the path of the url.",
		},
		{
			Class: "postgres_unavailable", Name: "PostgreSQL not accepting connections", Family: FamilyDatabase,
			Summary: "the server is starting, stopping, recovering or out of connections",
			Meaning: "PostgreSQL answered but refused to start a session: it is starting up, shutting down, in crash recovery (57P03, 57P01) or has no connection slots left (53300). " +
				"The error text says which. " +
				"Running out of connections usually means a client is leaking them or a pooler is misconfigured.",
			Causes: []string{
				"max_connections reached: a client or pool leaking connections",
				"The server is restarting, or replaying its log after a crash",
				"A standby that does not allow read-only connections (hot_standby off)",
				"An administrator stopping or terminating sessions",
			},
			FirstStep: "As a superuser run `select state, count(*) from pg_stat_activity group by 1` to see who holds the connections, and check the server log for a restart or recovery.",
		},
		{
			Class: "postgres_query_failed", Name: "PostgreSQL query failed", Family: FamilyDatabase,
			Summary: "logged in, but the monitor's query returned an error",
			Meaning: "The session was established, but the query failed on the server. " +
				"The SQLSTATE and message are in the error text. " +
				"A failing health query may be a real problem (a read-only standby, a missing table) or a monitor query that no longer fits the schema.",
			Causes: []string{
				"The monitor's user lacks a privilege the query needs",
				"A table or function the query uses was renamed or dropped",
				"The server is a read-only standby and the query writes",
				"A statement_timeout or lock timeout cutting the query short",
			},
			FirstStep: "Run the same query as the same user with `psql 'postgres://USER@HOST/DB' -c 'QUERY'` and read the error.",
		},
		{
			Class: "postgres_value_mismatch", Name: "Unexpected PostgreSQL value", Family: FamilyDatabase,
			Summary: "the query answered, but not with the expected value",
			Meaning: "The query ran, and its first value differs from expect_value or is above max_value. " +
				"The value seen is in the error and in the result's answers. " +
				"Used as a replication lag bound, this means a standby has fallen behind.",
			Causes: []string{
				"A replica lagging behind its primary",
				"Data the check counts on is missing or changed",
				"A failover that made another server the one the url reaches",
				"An expected value in the monitor that is out of date",
			},
			FirstStep: "Run the query by hand with `psql` and, for a lag check, compare `pg_stat_replication` on the primary with `pg_last_xact_replay_timestamp()` on the standby.",
		},
		{
			Class: "postgres_login_timeout", Name: "PostgreSQL login timed out", Family: FamilyDatabase,
			Summary: "connected, but the startup and login did not finish in time",
			Meaning: "The TCP connection opened, but the PostgreSQL startup exchange (TLS negotiation, authentication, session start) did not complete before the timeout. " +
				"A server that sent nothing at all is probably not PostgreSQL or is hung. " +
				"A connection pooler waiting for a free server connection also looks like this.",
			Causes: []string{
				"The server is overloaded and cannot fork new backends fast enough",
				"A pooler (PgBouncer) queueing the client because its pool is exhausted",
				"Slow authentication, such as LDAP or a reverse DNS lookup in pg_hba.conf",
				"The port runs something that is not PostgreSQL",
			},
			FirstStep: "Time a login by hand with `time psql 'postgres://USER@HOST/DB' -c 'select 1'` and look at the server's load and at `show pools` on a PgBouncer if there is one.",
		},
		{
			Class: "postgres_query_timeout", Name: "PostgreSQL query timed out", Family: FamilyDatabase,
			Summary: "logged in, but the query did not answer in time",
			Meaning: "The login succeeded, then the monitor's query ran longer than the time left before the timeout. " +
				"For a trivial query this means the server is badly overloaded or the query waits on a lock. " +
				"For a heavier health query, the query itself may have become slow.",
			Causes: []string{
				"A lock held by a long transaction or migration",
				"CPU or I/O saturation on the server",
				"A health query that scans a table which has grown",
				"A standby pausing replay or a checkpoint stalling writes",
			},
			FirstStep: "As a superuser run `select pid, wait_event_type, wait_event, state, query from pg_stat_activity where state <> 'idle'` to see what the query waits on.",
		},
	}
}

func mysqlEntries() []Entry {
	return []Entry{
		{
			Class: "mysql_auth_failed", Name: "MySQL login refused", Family: FamilyDatabase,
			Summary: "the server rejected the user name or password",
			Meaning: "The server answered the login with access denied (error 1045 or a related one). " +
				"In MySQL and MariaDB an account is a user and a host together, so the same name may be allowed from one address and not another. " +
				"The server is up; the credentials or the account do not match.",
			Causes: []string{
				"The password was rotated and the monitor still has the old one",
				"No account for this user from the monitor's address (user@host)",
				"An authentication plugin the client cannot use",
				"The password file or variable holds a stray newline or the wrong value",
			},
			FirstStep: "Try the login with `mysql -h HOST -P PORT -u USER -p -e 'select 1'` from the monitor host, and list the accounts with `select user, host, plugin from mysql.user`.",
		},
		{
			Class: "mysql_not_allowed", Name: "MySQL host not allowed", Family: FamilyDatabase,
			Summary: "the server does not let this host or user in",
			Meaning: "The server refused the connection for this host (1130) or has blocked it after too many failed attempts (1129), or the account may not use the database (1044). " +
				"The password was not the problem. " +
				"A blocked host stays blocked until an administrator flushes the host cache.",
			Causes: []string{
				"No account matching the monitor's address",
				"The host was blocked after repeated connection errors (max_connect_errors)",
				"The account has no privileges on the database in the url",
			},
			FirstStep: "For a blocked host run `FLUSH HOSTS` (or `mysqladmin flush-hosts`) on the server; otherwise create or grant the account for the monitor's address.",
		},
		{
			Class: "mysql_no_database", Name: "MySQL database missing", Family: FamilyDatabase,
			Summary: "the database named in the url does not exist",
			Meaning: "The login succeeded, but the server has no database by the name in the url (error 1049). " +
				"The server is fine. " +
				"Either the url is wrong or the database was dropped or renamed.",
			Causes: []string{
				"A typo in the database name in the url",
				"The database was dropped or not yet restored",
				"The url reaches another server than intended",
			},
			FirstStep: "List the databases with `mysql -h HOST -u USER -p -e 'show databases'` and correct the url's path.",
		},
		{
			Class: "mysql_unavailable", Name: "MySQL not accepting connections", Family: FamilyDatabase,
			Summary: "the server has no connections left, or is shutting down",
			Meaning: "The server answered but would not start a session: too many connections (1040), the user's own limit (1203), or a shutdown in progress. " +
				"The error number and message say which. " +
				"Connection exhaustion usually comes from a client or pool that does not give connections back.",
			Causes: []string{
				"max_connections reached by leaking clients or an oversized pool",
				"max_user_connections reached for the monitor's user",
				"The server is shutting down or restarting",
			},
			FirstStep: "Run `mysqladmin -h HOST -u ADMIN -p processlist` to see who holds the connections and compare their count with `show variables like 'max_connections'`.",
		},
		{
			Class: "mysql_query_failed", Name: "MySQL query failed", Family: FamilyDatabase,
			Summary: "logged in, but the monitor's query returned an error",
			Meaning: "The session was established, but the server returned an error for the query. " +
				"The error number and message are in the error text, and the number is the result's code. " +
				"Either the server has a real problem or the query no longer fits the schema or privileges.",
			Causes: []string{
				"The user lacks a privilege the query needs",
				"A table the query uses was renamed or dropped",
				"The server is read-only (a replica) and the query writes",
				"A lock wait timeout cutting the query short",
			},
			FirstStep: "Run the same query as the same user with `mysql -h HOST -u USER -p DB -e 'QUERY'` and read the error.",
		},
		{
			Class: "mysql_value_mismatch", Name: "Unexpected MySQL value", Family: FamilyDatabase,
			Summary: "the query answered, but not with the expected value",
			Meaning: "The query ran, and its first value differs from expect_value or is above max_value. " +
				"The value seen is in the error and in the result's answers. " +
				"As a replication lag bound, this means a replica has fallen behind its source.",
			Causes: []string{
				"A replica lagging behind, or its replication stopped",
				"Data the check counts on is missing or changed",
				"A failover that moved the url to another server",
				"An expected value in the monitor that is out of date",
			},
			FirstStep: "Run the query by hand, and for a lag check read Seconds_Behind_Master and the last error in `show replica status` (`show slave status` on older servers).",
		},
		{
			Class: "mysql_login_timeout", Name: "MySQL login timed out", Family: FamilyDatabase,
			Summary: "connected, but no greeting or login before the timeout",
			Meaning: "The TCP connection opened, but the server's greeting, the TLS upgrade or the authentication did not finish before the timeout. " +
				"MySQL speaks first, so a server that sent nothing is hung, overloaded or not MySQL at all. " +
				"Slow reverse DNS lookups of the client are a classic cause of slow logins.",
			Causes: []string{
				"The server is overloaded and its connection threads are stuck",
				"Reverse DNS lookups of the client (skip_name_resolve off) with a slow resolver",
				"A proxy such as ProxySQL or a load balancer with no healthy backend",
				"The port runs something that is not MySQL",
			},
			FirstStep: "Time a login by hand with `time mysql -h HOST -u USER -p -e 'select 1'` and check whether skip_name_resolve is on with `show variables like 'skip_name_resolve'`.",
		},
		{
			Class: "mysql_query_timeout", Name: "MySQL query timed out", Family: FamilyDatabase,
			Summary: "logged in, but the query did not answer in time",
			Meaning: "The login succeeded, then the monitor's query ran past the timeout. " +
				"For a trivial query this points at a saturated or locked server. " +
				"A heavier health query may simply have grown slow.",
			Causes: []string{
				"Locks held by a long transaction, backup or schema change",
				"CPU or I/O saturation on the server",
				"A health query scanning a table that has grown",
				"Metadata locks from DDL waiting behind open transactions",
			},
			FirstStep: "Run `show full processlist` on the server to see what runs and what waits, and how long each has been at it.",
		},
	}
}

func redisEntries() []Entry {
	return []Entry{
		{
			Class: "redis_auth_failed", Name: "Redis login refused", Family: FamilyDatabase,
			Summary: "the server rejected the password or user, or wants one",
			Meaning: "Redis answered the login with WRONGPASS (wrong user or password) or NOAUTH (a password is needed and none was given), or an ACL refused a command. " +
				"The server is up and reachable. " +
				"With ACLs, the user name in the url must match an enabled user whose rules allow the check's command.",
			Causes: []string{
				"The password (requirepass or the ACL user's) was rotated",
				"No password configured in the monitor for a server that requires one",
				"A wrong or disabled ACL user in the url",
				"An ACL that does not allow HELLO, PING or the monitor's command",
			},
			FirstStep: "Try the same login with `redis-cli -h HOST -p PORT --user USER --askpass ping` and look at the user with `ACL GETUSER USER`.",
		},
		{
			Class: "redis_unavailable", Name: "Redis not ready", Family: FamilyDatabase,
			Summary: "the server is loading its data, busy, or its master is down",
			Meaning: "Redis answered, but with an error that says it cannot serve now: LOADING (reading its data set from disk after a start), BUSY (a script is running too long) or MASTERDOWN (a replica lost its master). " +
				"It usually passes on its own; how long depends on the data size or the script. " +
				"A replica that stays MASTERDOWN needs its master back.",
			Causes: []string{
				"A restart with a large data set still loading",
				"A long-running Lua script or function blocking the server",
				"A replica whose master is unreachable (replica-serve-stale-data no)",
				"A cluster with a failed slot range",
			},
			FirstStep: "Run `redis-cli -h HOST info persistence` for loading progress and `redis-cli -h HOST info replication` for the master link.",
		},
		{
			Class: "redis_command_failed", Name: "Redis command failed", Family: FamilyDatabase,
			Summary: "logged in, but the monitor's command returned an error",
			Meaning: "The login worked, but the command in query returned an error. " +
				"The server's message is in the error text. " +
				"A command renamed or disabled on the server, or the wrong type of key, is common.",
			Causes: []string{
				"A command renamed or disabled with rename-command",
				"WRONGTYPE: the key holds another type than the command expects",
				"A replica refusing a write (READONLY)",
				"Out of memory with a noeviction policy (OOM) for a write",
			},
			FirstStep: "Run the same command with `redis-cli -h HOST -p PORT` as the same user and read the reply.",
		},
		{
			Class: "redis_value_mismatch", Name: "Unexpected Redis value", Family: FamilyDatabase,
			Summary: "the command answered, but not with the expected value",
			Meaning: "The command ran, and the reply (its first element for a list) differs from expect_value or is above max_value. " +
				"A missing key gives no value at all. " +
				"The value seen is in the error and the result's answers.",
			Causes: []string{
				"The key was changed, expired or evicted",
				"A feature flag or counter that the application changed",
				"A failover to a replica that had not caught up",
				"An expected value in the monitor that is out of date",
			},
			FirstStep: "Read the value with `redis-cli -h HOST get KEY` (or the monitor's command) and its time to live with `redis-cli -h HOST ttl KEY`.",
		},
		{
			Class: "redis_login_timeout", Name: "Redis login timed out", Family: FamilyDatabase,
			Summary: "connected, but no answer to HELLO before the timeout",
			Meaning: "The TCP connection (and TLS, for rediss) opened, but the first command, HELLO with the login, got no answer in time. " +
				"Redis answers that instantly when it is healthy. " +
				"A blocked single-threaded server, or a port that does not speak Redis, is the likely reason.",
			Causes: []string{
				"A long-running command or script blocking the server",
				"The server swapping or stalled by a fork for a snapshot",
				"A TLS-only port checked with redis:// (the server waits for a handshake)",
				"The port runs something that is not Redis",
			},
			FirstStep: "Run `redis-cli -h HOST -p PORT --latency` to see whether the server answers at all, and `redis-cli slowlog get 10` once it does.",
		},
		{
			Class: "redis_command_timeout", Name: "Redis command timed out", Family: FamilyDatabase,
			Summary: "logged in, but the command did not answer in time",
			Meaning: "The login succeeded, then the monitor's command got no reply before the timeout. " +
				"Redis runs commands one at a time, so a slow command from any client delays everyone. " +
				"The slow log usually names the culprit.",
			Causes: []string{
				"A slow command from another client (KEYS, a large SORT or DEL) blocking the server",
				"A snapshot fork or AOF rewrite stalling a large instance",
				"The server swapping to disk",
				"A heavy monitor command on a large key",
			},
			FirstStep: "Run `redis-cli -h HOST slowlog get 10` and `redis-cli -h HOST info stats` to find what kept the server busy.",
		},
		{
			Class: "redis_bad_reply", Name: "Not a Redis reply", Family: FamilyDatabase,
			Summary: "the answer is not Redis's protocol, or larger than max_body",
			Meaning: "Bytes came back, but they are not a Redis reply (RESP), or the reply announced more than upbeat reads: a value larger than max_body, or an array of more elements or deeper nesting than a health check needs. " +
				"upbeat stops reading there rather than take the server's word for the size. " +
				"The error quotes the start of an answer that is not Redis's.",
			Causes: []string{
				"Another service on the port: an HTTP server, a proxy's page, SSH",
				"The monitor's command reads a value larger than max_body",
				"A proxy or middlebox answering in Redis's place",
				"A broken or hostile server writing a corrupt reply",
			},
			FirstStep: "Run `redis-cli -h HOST -p PORT ping` (or the monitor's command) to see what answers; for a large value, raise max_body or check a smaller key.",
		},
	}
}

func smtpEntries() []Entry {
	return []Entry{
		{
			Class: "smtp_bad_greeting", Name: "Not an SMTP greeting", Family: FamilySMTP,
			Summary: "the server's first words are not an SMTP greeting",
			Meaning: "A mail server must open the session with a 220 line; this one sent something else, or something that is not an SMTP reply at all. " +
				"The port may run another service, or a TLS-only port (465) was checked with smtp://. " +
				"The text the server sent is in the error.",
			Causes: []string{
				"Port 465 (TLS from the start) checked with smtp:// instead of smtps://",
				"Another service listening on the mail port",
				"A proxy or firewall answering in place of the mail server",
			},
			FirstStep: "Connect by hand with `openssl s_client -connect HOST:465 -quiet` for a TLS port, or `nc HOST 25` for a plain one, and read the first line.",
		},
		{
			Class: "smtp_banner_timeout", Name: "SMTP greeting timed out", Family: FamilySMTP,
			Summary: "connected, but the server sent no greeting in time",
			Meaning: "The TCP connection opened, but the mail server did not send its 220 greeting before the timeout. " +
				"SMTP servers speak first, so silence means the server is stuck or deliberately slow. " +
				"Some servers delay the greeting on purpose to catch spam software that talks too early.",
			Causes: []string{
				"The mail server is overloaded, out of processes or hung",
				"A greeting delay (postscreen_greet_wait, greet_pause) longer than the timeout",
				"Slow reverse DNS or blocklist lookups of the connecting address",
				"A TLS-only port checked with smtp://, waiting for a handshake",
			},
			FirstStep: "Connect with `nc -v HOST PORT` and time how long the 220 line takes, then look at the mail server's log for that connection.",
		},
		{
			Class: "smtp_reply_timeout", Name: "SMTP reply timed out", Family: FamilySMTP,
			Summary: "the server greeted, then stopped answering",
			Meaning: "The mail server sent its greeting, but a later command (EHLO, STARTTLS or QUIT) got no reply before the timeout. " +
				"The session started normally and then stalled. " +
				"A hung content filter or policy service the server consults is a frequent reason.",
			Causes: []string{
				"A policy service, milter or lookup the server waits on is hung",
				"The server process is stuck or out of resources mid-session",
				"Tarpitting of the monitor's address after earlier errors",
			},
			FirstStep: "Run the session by hand with `nc HOST PORT`, type `EHLO test`, and see which reply never comes; then check the mail log for timeouts.",
		},
	}
}

// smtpCode builds the entry for one SMTP reply code.
func smtpCode(code, name, summary, meaning string, causes []string, first string) Entry {
	return Entry{Class: "smtp_" + code, Name: "SMTP " + code + " " + name, Family: FamilySMTP,
		Summary: summary, Meaning: meaning, Causes: causes, FirstStep: first}
}

func smtpCodeEntries() []Entry {
	return []Entry{
		smtpCode("4xx", "temporary failure", "the mail server refused for now and expects a retry later",
			"A reply code from 400 to 499 says the server cannot do this now but may later: the condition is temporary. "+
				"Senders retry such replies on their own. "+
				"A monitor that keeps seeing one, though, is looking at a server that stays unhealthy.",
			[]string{"A resource shortage on the server (disk, memory, processes)", "A dependency such as a lookup service or queue being unavailable", "Rate limiting of the connecting address"},
			"Read the full reply in the error, then the mail server's log at the same moment for the reason it gives."),
		smtpCode("5xx", "permanent failure", "the mail server refused, and retrying will not help",
			"A reply code from 500 to 599 says the server rejects the request for good. "+
				"Sending the same thing again gives the same answer. "+
				"For a monitor, which sends only EHLO, STARTTLS and QUIT, it usually means a policy rejects the monitor itself.",
			[]string{"An access policy rejecting the monitor's address", "A protocol step the server does not accept", "A server that is configured to refuse all sessions"},
			"Read the full reply in the error and the matching line in the mail log, which names the rule that rejected the session."),
		smtpCode("421", "service not available", "the mail server is closing the session: not available now",
			"The server is shutting the connection down, usually before or right after the greeting, because it cannot serve. "+
				"It is temporary by definition. "+
				"Servers send it when overloaded, when shutting down, or when a connection limit for the client is hit.",
			[]string{"The server is overloaded or reached its process limit", "The server is shutting down or restarting", "Too many connections from the monitor's address (anvil or a rate limit)", "A blocklist or reputation check deferring the connection"},
			"Check the mail server's load and process limits and grep its log for the monitor's address to see which limit was hit."),
		smtpCode("450", "mailbox unavailable (temporary)", "an action was refused for now: mailbox or policy unavailable",
			"The requested action was not taken, but only for the moment: the mailbox is busy or a policy check could not finish. "+
				"Greylisting answers this way on purpose. "+
				"In a session that never names a mailbox, a policy service is the likely source.",
			[]string{"Greylisting of the monitor's address", "A policy or recipient check that timed out", "A mailbox locked by another process"},
			"Find the reply in the mail log with the monitor's address and read which restriction or service produced it."),
		smtpCode("451", "local error", "the server hit a local error and gave up for now",
			"The server failed while processing the command because of a problem on its side, and said so temporarily. "+
				"It is the mail server's own error, not the client's. "+
				"Lookup tables that cannot be read and lost connections to helper services cause it often.",
			[]string{"A lookup table or database the server needs is unreadable or down", "A milter, content filter or policy service failing", "A configuration error found at run time"},
			"Read the mail server's log at that moment: a 451 almost always has a warning or fatal line right before it."),
		smtpCode("452", "insufficient storage", "the server lacks room to accept mail right now",
			"The server is low on a resource it needs to take mail, most often disk space for the queue. "+
				"It refuses for now and expects the sender to retry. "+
				"Left alone, the queue stops accepting mail altogether.",
			[]string{"The queue filesystem is full or near its reserve", "Too many recipients for one message", "A quota on the queue or the mailbox"},
			"Check the free space of the queue's filesystem with `df -h /var/spool/postfix` (or your MTA's queue) and the queue size with `mailq | tail -1`."),
		smtpCode("454", "TLS not available", "the server cannot start TLS right now",
			"The server answered STARTTLS with a temporary refusal: it advertised TLS but cannot set it up. "+
				"Usually its certificate or key cannot be read, or its TLS library failed to start. "+
				"Mail still flows in plain text to senders that do not insist on TLS.",
			[]string{"The certificate or key file is missing, unreadable or mismatched", "The TLS session cache or entropy source failing", "A temporary resource shortage in the server"},
			"Look for TLS warnings in the mail log (`grep -i tls /var/log/mail.log | tail`) and check that the certificate and key files exist and are readable by the server."),
		smtpCode("455", "parameters not accommodated", "the server cannot handle the parameters right now",
			"The server understood the command but cannot accept its parameters at the moment. "+
				"It is rare and temporary. "+
				"Most often a size or resource limit is involved.",
			[]string{"A temporary resource limit", "An extension parameter the server cannot serve now", "A misconfigured policy"},
			"Read the full reply text and the mail log for the limit the server names."),
		smtpCode("500", "syntax error", "the server did not recognise the command",
			"The server could not parse a command, or the line was too long. "+
				"The monitor sends only standard commands, so a proxy or firewall rewriting the session is suspect. "+
				"It can also come from a service that is not an SMTP server.",
			[]string{"A firewall or SMTP inspection feature mangling commands", "A service on the port that speaks another protocol", "A server that does not support EHLO"},
			"Run the session by hand with `nc HOST PORT` and type `EHLO test` to see whether the same reply comes back."),
		smtpCode("501", "syntax error in parameters", "the server rejected a command's arguments",
			"The command was known but its parameters were not accepted. "+
				"For EHLO, that means the server rejects the name the monitor introduced itself with. "+
				"Strict servers want a fully qualified domain name there.",
			[]string{"A strict check on the EHLO name (smtpd_helo_restrictions)", "An invalid host name on the monitor's machine", "A proxy altering the command"},
			"Check the host name of the monitor's machine with `hostname -f` and the server's HELO restrictions."),
		smtpCode("502", "command not implemented", "the server does not implement a command the check used",
			"The server knows the command exists but does not support it. "+
				"For EHLO, a very old or stripped-down server may only know HELO. "+
				"The check falls back where SMTP allows it; this reply means it could not.",
			[]string{"A minimal or legacy SMTP service", "A proxy that filters extensions", "A command disabled in the server's configuration"},
			"Run the session by hand with `nc HOST PORT` and see which command the server refuses."),
		smtpCode("503", "bad sequence of commands", "the commands came in an order the server rejects",
			"The server expected a different step first, for example STARTTLS or authentication before anything else. "+
				"The monitor follows the standard order, so the server's rules or a middlebox are the cause. "+
				"It often comes together with a policy that requires TLS.",
			[]string{"A server requiring STARTTLS or AUTH before the command", "A session state lost by a proxy", "Pipelining confusion in a middlebox"},
			"Run the session by hand with `openssl s_client -starttls smtp -connect HOST:PORT` and repeat the steps to see which one the server wants first."),
		smtpCode("504", "parameter not implemented", "the server does not support a parameter of the command",
			"The command was accepted but one of its parameters is not implemented. "+
				"For an authentication step it means the mechanism is unknown. "+
				"The check itself sends no such parameters, so a proxy may be involved.",
			[]string{"An unsupported authentication mechanism", "A proxy altering commands", "A minimal SMTP implementation"},
			"Compare the EHLO answer of the server (`nc HOST PORT`, then `EHLO test`) with what the session sends."),
		smtpCode("521", "does not accept mail", "this host does not accept mail at all",
			"The server says it never accepts mail: it is a null MX or a host set up to refuse every session. "+
				"It is permanent. "+
				"Monitoring it is only useful if the host is meant to take mail.",
			[]string{"A host that is deliberately not a mail server", "A wrong host in the monitor's url", "A mail service disabled on purpose"},
			"Check the domain's MX records with `dig +short MX DOMAIN` and point the monitor at a host that is meant to receive mail."),
		smtpCode("530", "authentication or TLS required", "the server requires TLS or login before going on",
			"The server refuses to continue until the client starts TLS or authenticates. "+
				"Submission ports (587) commonly require both. "+
				"For a monitor, it usually means STARTTLS should be used.",
			[]string{"A server requiring STARTTLS (smtpd_tls_security_level = encrypt)", "A submission port requiring authentication", "The monitor's starttls set to none"},
			"Set starttls = \"mandatory\" on the monitor, or check the port's TLS and authentication requirements in the server's configuration."),
		smtpCode("534", "authentication mechanism too weak", "the server wants a stronger login method",
			"The server refuses the authentication mechanism offered as too weak, or requires TLS for it. "+
				"It is permanent until the client changes method. "+
				"Some providers answer this way when app passwords are required.",
			[]string{"A plain-text login attempted without TLS", "A provider requiring app passwords or OAuth", "A mechanism disabled by policy"},
			"Use TLS (starttls = \"mandatory\" or smtps://) and a mechanism the server lists in its EHLO answer."),
		smtpCode("535", "authentication failed", "the server rejected the user name or password",
			"The credentials were refused: the user name or password is wrong, or the account may not log in. "+
				"The server is healthy. "+
				"Repeated failures can get the address blocked.",
			[]string{"A rotated or wrong password", "A wrong user name or domain part", "An account locked or disabled", "An app password required by the provider"},
			"Test the credentials with `swaks --server HOST:PORT --tls --auth-user USER --auth-password PASS --quit-after AUTH` and read the server's log for the reason."),
		smtpCode("538", "encryption required for authentication", "the server allows login only over TLS",
			"The server will not authenticate on a plain connection. "+
				"It is a policy that protects passwords. "+
				"Starting TLS first solves it.",
			[]string{"Login attempted before STARTTLS", "starttls set to none for a server that requires it", "A TLS failure that left the session in plain text"},
			"Set starttls = \"mandatory\" on the monitor, or use smtps:// on port 465."),
		smtpCode("550", "mailbox unavailable or rejected", "the server permanently refused: policy or mailbox",
			"The action was refused for good: a mailbox does not exist, or a policy rejects the sender or the connecting address. "+
				"In a session without mail, a policy against the monitor's address is the likely cause. "+
				"Blocklists answer with 550 or 554.",
			[]string{"The monitor's address is on a blocklist the server uses", "An access rule rejecting the client", "A relay attempt refused"},
			"Find the monitor's address in the mail log to see which rule rejected it, and check the address against the blocklists the server uses."),
		smtpCode("551", "user not local", "the server will not handle this recipient",
			"The server says the recipient is not local and it will not forward. "+
				"It is permanent. "+
				"A monitor that sends no mail should not see it unless a proxy rewrites the session.",
			[]string{"A relay attempt to a domain the server does not serve", "A changed mail routing setup", "A proxy altering the session"},
			"Check which domains the server accepts mail for in its configuration and the MX records of the domain."),
		smtpCode("552", "storage exceeded", "the server refused: a size or storage limit was exceeded",
			"A size limit was exceeded: the message, the mailbox quota or the server's storage. "+
				"It is permanent for this attempt. "+
				"For a monitor, a full disk or a misconfigured limit on the server is the usual reason.",
			[]string{"The server's disk or queue is full", "A message size limit set too low", "A mailbox over its quota"},
			"Check the server's free disk space and its message_size_limit (or your MTA's equivalent)."),
		smtpCode("553", "mailbox name not allowed", "the server rejected an address as not allowed",
			"The server refused an address because of its form or because the sender may not use it. "+
				"It is permanent. "+
				"In a check that sends no mail, a rewriting proxy is the suspect.",
			[]string{"An address the server considers invalid", "A sender not allowed to use that address", "A proxy altering the session"},
			"Read the rejected address in the full reply and the mail log's matching line."),
		smtpCode("554", "transaction failed", "the server refused the session or transaction outright",
			"A catch-all permanent refusal. "+
				"As the greeting, 554 means the server will not talk to this client at all, often because of a blocklist or an access rule. "+
				"Later in the session it means the transaction was rejected.",
			[]string{"The monitor's address is blocklisted or denied by an access rule", "The server is configured to refuse all sessions (no service here)", "A reputation or spam filter rejecting the client"},
			"Grep the mail log for the monitor's address to find the rule behind the 554, and look the address up on the blocklists the server uses."),
		smtpCode("556", "domain does not accept mail", "the domain of an address does not accept mail",
			"A domain involved publishes that it accepts no mail (a null MX). "+
				"It is permanent. "+
				"It only makes sense for a check if the url points at the wrong host.",
			[]string{"A domain with a null MX record", "A wrong host in the monitor's url", "A domain that was retired"},
			"Check the MX records with `dig +short MX DOMAIN`."),
	}
}
