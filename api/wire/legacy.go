package wire

import "encoding/json"

// Daemons built before every duration was in milliseconds sent these
// fields in seconds: interval_s, timeout_s, retry_interval_s and grace_s
// (MonitorConfig), retry_after_s (Result) and heartbeat_s (Hello). A new
// viewer still attaches to such a daemon: decoding takes either spelling,
// the _ms one when both are present. Nothing writes the old ones.
//
// A Result takes retry_after_s in a field of its own (RetryAfterS) rather
// than through an UnmarshalJSON method: types that embed a Result (the
// webhook's monitors) would take the method as theirs and decode nothing
// else.

func legacyMS(ms *float64, s *float64) {
	if s != nil && *ms == 0 {
		*ms = *s * 1000
	}
}

// UnmarshalJSON decodes a MonitorConfig, with the _s durations.
func (c *MonitorConfig) UnmarshalJSON(b []byte) error {
	type plain MonitorConfig
	v := struct {
		*plain
		IntervalS      *float64 `json:"interval_s"`
		TimeoutS       *float64 `json:"timeout_s"`
		RetryIntervalS *float64 `json:"retry_interval_s"`
		GraceS         *float64 `json:"grace_s"`
	}{plain: (*plain)(c)}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	legacyMS(&c.IntervalMS, v.IntervalS)
	legacyMS(&c.TimeoutMS, v.TimeoutS)
	legacyMS(&c.RetryIntervalMS, v.RetryIntervalS)
	legacyMS(&c.GraceMS, v.GraceS)
	return nil
}

// UnmarshalJSON decodes a Hello, with heartbeat_s.
func (h *Hello) UnmarshalJSON(b []byte) error {
	type plain Hello
	v := struct {
		*plain
		HeartbeatS *float64 `json:"heartbeat_s"`
	}{plain: (*plain)(h)}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	legacyMS(&h.HeartbeatMS, v.HeartbeatS)
	return nil
}

// retryAfterMS is the Retry-After in milliseconds, from either spelling.
func (r *Result) retryAfterMS() float64 {
	ms := r.RetryAfterMS
	legacyMS(&ms, &r.RetryAfterS)
	return ms
}
