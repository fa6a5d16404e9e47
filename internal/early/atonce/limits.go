package atonce

// Timeout is how long `upbeat status` waits for daemons before it
// prints nothing, in nanoseconds: statusline.Timeout, which a test holds
// equal.
const Timeout = 500e6

// MaxReply bounds what is read of a daemon's reply: twice statusline's
// MaxSummary, which bounds the body, so that the head fits too.
const MaxReply = 2 << 20
