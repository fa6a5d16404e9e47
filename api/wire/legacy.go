package wire

import "encoding/json"

// Daemons built before every duration was in milliseconds sent these
// fields in seconds: interval_s, timeout_s, retry_interval_s and grace_s
// (MonitorConfig), retry_after_s (Result) and heartbeat_s (Hello). A new
// viewer still attaches to such a daemon: decoding takes either spelling,
// the _ms one when both are present. Nothing writes the old ones.

func legacyMS(ms *float64, s *float64) {
	if s != nil && *ms == 0 {
		*ms = *s * 1000
	}
}

// UnmarshalJSON decodes a Result, with retry_after_s.
func (r *Result) UnmarshalJSON(b []byte) error {
	type plain Result
	v := struct {
		*plain
		RetryAfterS *float64 `json:"retry_after_s"`
	}{plain: (*plain)(r)}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	legacyMS(&r.RetryAfterMS, v.RetryAfterS)
	return nil
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
