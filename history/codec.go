package history

import (
	"encoding/binary"
	"fmt"
	"math"
	"time"
	"unicode/utf8"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// segMagic starts every segment file.
const segMagic = "UPBHSEG1"

// Record types inside a segment frame. A frame holds zero or more string and
// monitor definitions followed by at most one result; the first frame of a
// segment holds the header.
const (
	recHeader  = 0x01
	recString  = 0x02
	recMonitor = 0x03
	recResult  = 0x80 // high bit: a result; bits 0-2 status, 3-6 flags
)

// Flags in a result's first byte.
const (
	resStatusMask = 0x07
	resPhases     = 1 << 3
	resClass      = 1 << 4
	resError      = 1 << 5
	resMore       = 1 << 6
)

// Flags in a result's "more" uvarint, present when resMore is set.
const (
	moreAttempts = 1 << iota
	moreRetryAfter
	moreFinalURL
	moreBodySize
	moreCertExpiry
	moreCertIssuer
	moreCertDays
	moreRegistrar
	moreAnswers
	moreLoss
	moreHTTPVersion
	moreRedirects
	moreCertUnverified // no payload
	moreDetail
)

// Limits that keep a hostile or buggy caller from writing huge records.
// A result's frame stays far below maxFrame: eight strings of maxString
// and maxAnswers answers of maxAnswer bytes.
const (
	maxString  = 16 << 10 // bytes of one string; longer ones are cut
	maxAnswers = 64       // answers kept per result
	maxAnswer  = 512      // bytes of one answer
	maxClass   = 64       // bytes of a class in rollups and incidents
)

// clipString cuts s to at most maxString bytes on a rune boundary.
func clipString(s string) string { return clipTo(s, maxString) }

func clipTo(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := n
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i]
}

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

func usec(d time.Duration) int64 { return int64(d / time.Microsecond) }

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

type monDef struct {
	name, kind, url string
	want            bool
}

// decoder reads the frames of one segment in order.
type decoder struct {
	seg  int
	hdr  bool
	base int64
	last int64
	strs []string
	mons []monDef
	want func(name string) bool // nil: every monitor
}

func (d *decoder) str(b *buf, what string) string {
	id := b.uvarint(what)
	if b.err != nil {
		return ""
	}
	if id >= uint64(len(d.strs)) {
		b.fail(what + " id")
		return ""
	}
	return d.strs[id]
}

// frame decodes one frame's payload. When it holds a result of a wanted
// monitor, the result is stored in r and got is true.
func (d *decoder) frame(p []byte, r *monitor.Result) (got bool, err error) {
	b := &buf{b: p}
	for len(b.b) > 0 && b.err == nil {
		typ := b.b[0]
		b.b = b.b[1:]
		if !d.hdr && typ != recHeader {
			return false, fmt.Errorf("%w: segment does not start with a header", ErrCorrupt)
		}
		switch {
		case typ == recHeader:
			if d.hdr {
				return false, fmt.Errorf("%w: second header", ErrCorrupt)
			}
			if v := b.uvarint("version"); v != 1 && b.err == nil {
				return false, fmt.Errorf("%w: unknown version %d", ErrCorrupt, v)
			}
			seg := b.uvarint("segment number")
			d.base = b.varint("base time")
			d.last = d.base
			if b.err == nil && d.seg >= 0 && seg != uint64(d.seg) {
				return false, fmt.Errorf("%w: header names segment %d", ErrCorrupt, seg)
			}
			d.hdr = true
		case typ == recString:
			id := b.uvarint("string id")
			s := b.str("string")
			if b.err == nil && id != uint64(len(d.strs)) {
				return false, fmt.Errorf("%w: string id %d out of order", ErrCorrupt, id)
			}
			d.strs = append(d.strs, s)
		case typ == recMonitor:
			id := b.uvarint("monitor id")
			m := monDef{name: d.str(b, "monitor name"), kind: d.str(b, "kind"), url: d.str(b, "url")}
			if b.err != nil {
				break
			}
			if id != uint64(len(d.mons)) {
				return false, fmt.Errorf("%w: monitor id %d out of order", ErrCorrupt, id)
			}
			m.want = d.want == nil || d.want(m.name)
			d.mons = append(d.mons, m)
		case typ&recResult != 0:
			got, err = d.result(b, typ, r)
			if err != nil || len(b.b) > 0 && b.err == nil {
				if err == nil {
					err = fmt.Errorf("%w: bytes after a result", ErrCorrupt)
				}
				return false, err
			}
			return got, nil
		default:
			return false, fmt.Errorf("%w: unknown record type %#x", ErrCorrupt, typ)
		}
	}
	return false, b.err
}

func (d *decoder) result(b *buf, flags byte, r *monitor.Result) (bool, error) {
	var more uint64
	if flags&resMore != 0 {
		more = b.uvarint("flags")
	}
	mid := b.uvarint("monitor")
	dt := b.varint("time")
	if b.err != nil {
		return false, b.err
	}
	if mid >= uint64(len(d.mons)) {
		return false, fmt.Errorf("%w: undefined monitor %d", ErrCorrupt, mid)
	}
	t := d.last + dt
	d.last = t
	m := &d.mons[mid]
	if !m.want {
		b.b = nil // the result is last in its frame: skip the rest
		return false, nil
	}
	*r = monitor.Result{
		Monitor:  m.name,
		Kind:     monitor.Kind(m.kind),
		URL:      m.url,
		Time:     time.UnixMilli(t).UTC(),
		Status:   monitor.Status(flags & resStatusMask),
		Attempts: 1,
	}
	r.Code = int(b.varint("code"))
	lat := b.varint("latency")
	r.Latency = time.Duration(lat) * time.Microsecond
	if flags&resClass != 0 {
		r.Class = d.str(b, "class")
	}
	if flags&resError != 0 {
		r.Error = d.str(b, "error")
	}
	if flags&resPhases != 0 {
		dns, conn, tls, fb := b.varint("dns"), b.varint("connect"), b.varint("tls"), b.varint("first byte")
		tr := b.varint("transfer") + (lat - dns - conn - tls - fb)
		us := time.Microsecond
		r.Phases = monitor.Phases{DNS: time.Duration(dns) * us, Connect: time.Duration(conn) * us,
			TLS: time.Duration(tls) * us, FirstByte: time.Duration(fb) * us, Transfer: time.Duration(tr) * us}
	}
	if more&moreAttempts != 0 {
		r.Attempts = int(b.varint("attempts"))
	}
	if more&moreRetryAfter != 0 {
		r.RetryAfter = time.Duration(b.varint("retry after")) * time.Microsecond
	}
	if more&moreFinalURL != 0 {
		r.FinalURL = d.str(b, "final url")
	}
	if more&moreBodySize != 0 {
		r.BodySize = b.varint("body size")
	}
	if more&moreCertExpiry != 0 {
		r.CertExpiry = time.UnixMilli(t + b.varint("cert expiry")).UTC()
	}
	if more&moreCertIssuer != 0 {
		r.CertIssuer = d.str(b, "cert issuer")
	}
	if more&moreCertDays != 0 {
		r.CertDays = int(b.varint("cert days"))
	}
	if more&moreRegistrar != 0 {
		r.Registrar = d.str(b, "registrar")
	}
	if more&moreAnswers != 0 {
		n := b.uvarint("answers")
		if n > maxAnswers {
			b.fail("answer count")
		} else {
			r.Answers = make([]string, 0, n)
			for i := uint64(0); i < n && b.err == nil; i++ {
				r.Answers = append(r.Answers, d.str(b, "answer"))
			}
		}
	}
	if more&moreLoss != 0 {
		r.Loss = math.Float64frombits(b.fixed64("loss"))
	}
	if more&moreHTTPVersion != 0 {
		r.HTTPVersion = d.str(b, "http version")
	}
	if more&moreRedirects != 0 {
		r.Redirects = int(b.varint("redirects"))
	}
	r.CertUnverified = more&moreCertUnverified != 0
	if more&moreDetail != 0 {
		r.Detail = d.str(b, "detail")
	}
	if b.err != nil {
		return false, b.err
	}
	return true, nil
}
