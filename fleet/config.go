package fleet

import "time"

// DefaultPeerTimeout is how long a peer has to answer before it counts
// as unknown.
const DefaultPeerTimeout = 2 * time.Second

// Peers are the other locations a daemon asks before it opens an
// incident ([settings] peers, peer_token, peer_timeout, quorum).
type Peers struct {
	// URLs are the base URLs of the other daemons' APIs.
	URLs []string
	// Token is the bearer token their APIs take (a read_only_token will
	// do); "" sends none.
	Token string
	// Timeout is how long each has to answer (default DefaultPeerTimeout).
	Timeout time.Duration
	// Quorum is how many locations must see a monitor down; 0: a majority
	// of those that answer.
	Quorum int
}

// List is the [fleet] table: every daemon of a fleet (each shard,
// location and replica), for one dashboard over all of them.
type List struct {
	Daemons []string // their API addresses: URLs or unix sockets
	Token   string   // bearer token for every one of them
}
