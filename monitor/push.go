package monitor

// BeatAnswer is the one answer of a push monitor's result that records a
// beat (the job called upbeat), as opposed to the checks between beats,
// which only judge how late the last one is.
const BeatAnswer = "beat received"

// IsBeat reports whether r records a beat of a push monitor.
func (r *Result) IsBeat() bool {
	for _, a := range r.Answers {
		if a == BeatAnswer {
			return true
		}
	}
	return false
}
