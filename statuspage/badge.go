package statuspage

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// BadgeKinds are the badges of each monitor of a page: its status, its
// uptime over each of Periods, and its response time.
func BadgeKinds() []string {
	out := []string{"status", "response"}
	for _, w := range Periods {
		out = append(out, "uptime-"+w.Name)
	}
	return out
}

// Badge is an SVG badge in the flat style READMEs use: a grey label on
// the left, a coloured value on the right.
type Badge struct {
	Label, Value, Color string
}

// The colours of badges, as the usual badge services name them.
const (
	colorBrightGreen = "#4c1"
	colorGreen       = "#97ca00"
	colorYellowGreen = "#a4a61d"
	colorYellow      = "#dfb317"
	colorOrange      = "#fe7d37"
	colorRed         = "#e05d44"
	colorBlue        = "#007ec6"
	colorGrey        = "#9f9f9f"
)

var statusColors = [...]string{colorGrey, colorBrightGreen, colorYellow, colorRed, colorBlue, colorGrey}

// RowBadge makes the badge of kind (see BadgeKinds) for a row; ok is false
// for an unknown kind.
func RowBadge(r *Row, kind string) (b Badge, ok bool) {
	switch kind {
	case "status":
		c := colorGrey
		if int(r.Status) < len(statusColors) {
			c = statusColors[r.Status]
		}
		return Badge{r.Name, r.Status.String(), c}, true
	case "response":
		c := colorGrey
		switch d := r.Latency; {
		case d <= 0:
		case d < 200*time.Millisecond:
			c = colorBrightGreen
		case d < 500*time.Millisecond:
			c = colorGreen
		case d < time.Second:
			c = colorYellow
		case d < 2*time.Second:
			c = colorOrange
		default:
			c = colorRed
		}
		return Badge{"response time", Latency(r.Latency), c}, true
	}
	for i, w := range Periods {
		if kind == "uptime-"+w.Name {
			u := r.Uptime[i]
			return Badge{"uptime " + w.Name, pctText(u), uptimeColor(u)}, true
		}
	}
	return Badge{}, false
}

func uptimeColor(u monitor.Uptime) string {
	switch r := u.Ratio; {
	case !u.Valid:
		return colorGrey
	case r >= 0.999:
		return colorBrightGreen
	case r >= 0.99:
		return colorGreen
	case r >= 0.97:
		return colorYellowGreen
	case r >= 0.95:
		return colorYellow
	case r >= 0.90:
		return colorOrange
	}
	return colorRed
}

// maxBadgeLabel bounds a label given in a request (?label=).
const maxBadgeLabel = 40

// WithLabel returns the badge with another label, cut to a sensible
// length and stripped of control characters.
func (b Badge) WithLabel(label string) Badge {
	label = strings.TrimSpace(plain(label))
	if r := []rune(label); len(r) > maxBadgeLabel {
		label = string(r[:maxBadgeLabel])
	}
	if label != "" {
		b.Label = label
	}
	return b
}

// SVG renders the badge.
func (b Badge) SVG() []byte {
	lw, vw := textWidth(b.Label)+10, textWidth(b.Value)+10
	w := lw + vw
	label, value := html.EscapeString(b.Label), html.EscapeString(b.Value)
	var s strings.Builder
	fmt.Fprintf(&s, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="20" role="img" aria-label="%s: %s">`, w, label, value)
	fmt.Fprintf(&s, `<title>%s: %s</title>`, label, value)
	s.WriteString(`<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>`)
	fmt.Fprintf(&s, `<clipPath id="r"><rect width="%d" height="20" rx="3" fill="#fff"/></clipPath>`, w)
	fmt.Fprintf(&s, `<g clip-path="url(#r)"><rect width="%d" height="20" fill="#555"/><rect x="%d" width="%d" height="20" fill="%s"/><rect width="%d" height="20" fill="url(#s)"/></g>`,
		lw, lw, vw, b.Color, w)
	s.WriteString(`<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" text-rendering="geometricPrecision" font-size="110">`)
	for _, t := range []struct {
		x, n int
		s    string
	}{{lw * 5, (lw - 10) * 10, label}, {lw*10 + vw*5, (vw - 10) * 10, value}} {
		fmt.Fprintf(&s, `<text aria-hidden="true" x="%d" y="150" fill="#010101" fill-opacity=".3" transform="scale(.1)" textLength="%d">%s</text>`, t.x, t.n, t.s)
		fmt.Fprintf(&s, `<text x="%d" y="140" transform="scale(.1)" fill="#fff" textLength="%d">%s</text>`, t.x, t.n, t.s)
	}
	s.WriteString(`</g></svg>`)
	return []byte(s.String())
}

// ETag is a strong validator of the badge's SVG.
func ETag(body []byte) string {
	h := sha256.Sum256(body)
	return `"` + hex.EncodeToString(h[:12]) + `"`
}

// verdana holds the advance widths of Verdana at 11px, in tenths of a
// pixel, for the printable ASCII characters (from space on), which badges
// are measured in.
var verdana = [95]int{
	39, 45, 51, 94, 70, 118, 81, 29, 55, 55, 70, 94, 40, 48, 40, 55, // space to /
	70, 70, 70, 70, 70, 70, 70, 70, 70, 70, 48, 48, 94, 94, 94, 60, // 0 to ?
	110, 75, 75, 77, 85, 69, 63, 85, 83, 46, 51, 77, 61, 93, 83, 87, // @ to O
	66, 87, 77, 75, 68, 81, 75, 109, 75, 68, 75, 55, 55, 55, 94, 70, // P to _
	70, 66, 68, 59, 68, 66, 39, 68, 69, 30, 38, 64, 30, 106, 69, 66, // ` to o
	68, 68, 47, 57, 43, 69, 64, 90, 64, 64, 57, 70, 55, 70, 94, // p to ~
}

// textWidth is the width of s in whole pixels at the badge's font size.
func textWidth(s string) int {
	w := 0
	for _, r := range s {
		switch {
		case r >= ' ' && r <= '~':
			w += verdana[r-' ']
		case ansi.StringWidth(string(r)) == 2:
			w += 110
		default:
			w += 70
		}
	}
	return (w + 9) / 10
}
