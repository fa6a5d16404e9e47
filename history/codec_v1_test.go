package history

// The writer of format 1, kept for the tests: they make segments of
// format 1 with it, as older versions wrote them, to check that they
// still read.

import (
	"encoding/binary"
	"math"

	"github.com/upbeat-monitor/upbeat/monitor"
)

type monKey struct{ name, kind, url string }

// encoder turns results into segment frames. Its dictionary and time base
// are per segment, so every segment decodes on its own.
type encoder struct {
	last    int64 // ms of the previous result (or the segment base)
	strs    map[string]uint64
	mons    map[monKey]uint64
	payload []byte
}

func newEncoder(base int64) *encoder {
	return &encoder{last: base, strs: map[string]uint64{}, mons: map[monKey]uint64{}}
}

// headerFrame returns the magic and the header frame that begin a segment.
func headerFrame(seg int, base int64) []byte {
	p := []byte{recHeader}
	p = binary.AppendUvarint(p, 1) // format version
	p = binary.AppendUvarint(p, uint64(seg))
	p = binary.AppendVarint(p, base)
	return appendFrame([]byte(segMagic), p)
}

// sid returns the dictionary id of s, appending its definition to the
// payload when it is new in this segment.
func (e *encoder) sid(s string) uint64 {
	if id, ok := e.strs[s]; ok {
		return id
	}
	id := uint64(len(e.strs))
	e.strs[s] = id
	e.payload = append(e.payload, recString)
	e.payload = binary.AppendUvarint(e.payload, id)
	e.payload = appendStr(e.payload, s)
	return id
}

// encode appends one frame holding r (and any new definitions) to dst.
func (e *encoder) encode(dst []byte, r *monitor.Result) []byte {
	e.payload = e.payload[:0]
	mid := e.monitorID(r)
	flags, more := resultFlags(r)
	var ids strIDs
	e.stringIDs(&ids, r, flags, more)
	e.payload = e.appendResult(e.payload, r, flags, more, mid, &ids)
	return appendFrame(dst, e.payload)
}

// monitorID returns the dictionary id of r's monitor, appending its
// definition (and its strings') to the payload when it is new.
func (e *encoder) monitorID(r *monitor.Result) uint64 {
	k := monKey{clipString(r.Monitor), clipString(string(r.Kind)), clipString(r.URL)}
	if mid, ok := e.mons[k]; ok {
		return mid
	}
	n, kd, u := e.sid(k.name), e.sid(k.kind), e.sid(k.url)
	mid := uint64(len(e.mons))
	e.mons[k] = mid
	e.payload = append(e.payload, recMonitor)
	e.payload = binary.AppendUvarint(e.payload, mid)
	e.payload = binary.AppendUvarint(e.payload, n)
	e.payload = binary.AppendUvarint(e.payload, kd)
	e.payload = binary.AppendUvarint(e.payload, u)
	return mid
}

// resultFlags returns a result's first byte and its "more" flags: which
// of the optional fields it holds.
func resultFlags(r *monitor.Result) (flags byte, more uint64) {
	flags = byte(recResult) | byte(r.Status)&resStatusMask
	if r.Class != "" {
		flags |= resClass
	}
	if r.Error != "" {
		flags |= resError
	}
	if r.Phases != (monitor.Phases{}) {
		flags |= resPhases
	}
	for _, f := range [...]struct {
		set  bool
		flag uint64
	}{
		{r.Attempts != 1, moreAttempts},
		{r.RetryAfter != 0, moreRetryAfter},
		{r.FinalURL != "", moreFinalURL},
		{r.BodySize != 0, moreBodySize},
		{!r.CertExpiry.IsZero(), moreCertExpiry},
		{r.CertIssuer != "", moreCertIssuer},
		{r.CertDays != 0, moreCertDays},
		{r.Registrar != "", moreRegistrar},
		{len(r.Answers) > 0, moreAnswers},
		{r.Loss != 0, moreLoss},
		{r.HTTPVersion != "", moreHTTPVersion},
		{r.Redirects != 0, moreRedirects},
		{r.CertUnverified, moreCertUnverified},
		{r.Detail != "", moreDetail},
	} {
		if f.set {
			more |= f.flag
		}
	}
	if more != 0 {
		flags |= resMore
	}
	return flags, more
}

// strIDs are the dictionary ids of a result's strings.
type strIDs struct {
	class, err, final, issuer, registrar uint64
	version, detail                      uint64
	nAnswers                             int
	answers                              [maxAnswers]uint64
}

// stringIDs looks up (or defines, in this order) the strings a result
// holds.
func (e *encoder) stringIDs(ids *strIDs, r *monitor.Result, flags byte, more uint64) {
	if flags&resClass != 0 {
		ids.class = e.sid(clipString(r.Class))
	}
	if flags&resError != 0 {
		ids.err = e.sid(clipString(r.Error))
	}
	if more&moreFinalURL != 0 {
		ids.final = e.sid(clipString(r.FinalURL))
	}
	if more&moreCertIssuer != 0 {
		ids.issuer = e.sid(clipString(r.CertIssuer))
	}
	if more&moreRegistrar != 0 {
		ids.registrar = e.sid(clipString(r.Registrar))
	}
	answers := r.Answers
	if len(answers) > maxAnswers {
		answers = answers[:maxAnswers]
	}
	ids.nAnswers = len(answers)
	for i, a := range answers {
		ids.answers[i] = e.sid(clipTo(a, maxAnswer))
	}
	if more&moreHTTPVersion != 0 {
		ids.version = e.sid(clipString(r.HTTPVersion))
	}
	if more&moreDetail != 0 {
		ids.detail = e.sid(clipString(r.Detail))
	}
}

// appendResult appends the result record itself.
func (e *encoder) appendResult(p []byte, r *monitor.Result, flags byte, more, mid uint64, ids *strIDs) []byte {
	p = append(p, flags)
	if more != 0 {
		p = binary.AppendUvarint(p, more)
	}
	p = binary.AppendUvarint(p, mid)
	t := r.Time.UnixMilli()
	p = binary.AppendVarint(p, t-e.last)
	e.last = t
	p = binary.AppendVarint(p, int64(r.Code))
	lat := usec(r.Latency)
	p = binary.AppendVarint(p, lat)
	if flags&resClass != 0 {
		p = binary.AppendUvarint(p, ids.class)
	}
	if flags&resError != 0 {
		p = binary.AppendUvarint(p, ids.err)
	}
	if flags&resPhases != 0 {
		dns, conn, tls, fb := usec(r.Phases.DNS), usec(r.Phases.Connect), usec(r.Phases.TLS), usec(r.Phases.FirstByte)
		p = binary.AppendVarint(p, dns)
		p = binary.AppendVarint(p, conn)
		p = binary.AppendVarint(p, tls)
		p = binary.AppendVarint(p, fb)
		// Transfer is usually what is left of the latency: store the difference.
		p = binary.AppendVarint(p, usec(r.Phases.Transfer)-(lat-dns-conn-tls-fb))
	}
	return appendMore(p, r, more, ids, t)
}

// appendMore appends the optional fields the more-flags announce.
func appendMore(p []byte, r *monitor.Result, more uint64, ids *strIDs, t int64) []byte {
	if more&moreAttempts != 0 {
		p = binary.AppendVarint(p, int64(r.Attempts))
	}
	if more&moreRetryAfter != 0 {
		p = binary.AppendVarint(p, usec(r.RetryAfter))
	}
	if more&moreFinalURL != 0 {
		p = binary.AppendUvarint(p, ids.final)
	}
	if more&moreBodySize != 0 {
		p = binary.AppendVarint(p, r.BodySize)
	}
	if more&moreCertExpiry != 0 {
		p = binary.AppendVarint(p, r.CertExpiry.UnixMilli()-t)
	}
	if more&moreCertIssuer != 0 {
		p = binary.AppendUvarint(p, ids.issuer)
	}
	if more&moreCertDays != 0 {
		p = binary.AppendVarint(p, int64(r.CertDays))
	}
	if more&moreRegistrar != 0 {
		p = binary.AppendUvarint(p, ids.registrar)
	}
	if more&moreAnswers != 0 {
		p = binary.AppendUvarint(p, uint64(ids.nAnswers))
		for _, id := range ids.answers[:ids.nAnswers] {
			p = binary.AppendUvarint(p, id)
		}
	}
	if more&moreLoss != 0 {
		p = binary.LittleEndian.AppendUint64(p, math.Float64bits(r.Loss))
	}
	if more&moreHTTPVersion != 0 {
		p = binary.AppendUvarint(p, ids.version)
	}
	if more&moreRedirects != 0 {
		p = binary.AppendVarint(p, int64(r.Redirects))
	}
	if more&moreDetail != 0 {
		p = binary.AppendUvarint(p, ids.detail)
	}
	return p
}
