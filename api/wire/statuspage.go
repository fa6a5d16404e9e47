package wire

import (
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// The JSON of a status page (PATH.json, and the files of `upbeat
// status-page build`). It follows the conventions above; an uptime is a
// ratio from 0 to 1, null when no result counts. A public page's JSON
// never holds a URL, an address or an error text: url and detail are
// only on pages that are not public.

// StatusPage is a whole status page.
type StatusPage struct {
	Path        string            `json:"path"`
	Title       string            `json:"title"`
	Description string            `json:"description,omitempty"`
	Public      bool              `json:"public"`
	Generated   time.Time         `json:"generated"`
	Status      monitor.Status    `json:"status"`  // the worst status on the page, as the banner shows it
	Summary     string            `json:"summary"` // the banner's words: "All systems operational", …
	Groups      []PageGroup       `json:"groups"`
	Incidents   []PageIncident    `json:"incidents"`
	Maintenance []PageMaintenance `json:"maintenance"`
}

// PageGroup is a section of a page; name is empty for one without a heading.
type PageGroup struct {
	Name     string        `json:"name"`
	Monitors []PageMonitor `json:"monitors"`
}

// PageMonitor is one monitor on a page.
type PageMonitor struct {
	Name      string         `json:"name"`
	Key       string         `json:"key"` // the monitor's name as it appears in badge paths
	Status    monitor.Status `json:"status"`
	Since     time.Time      `json:"since,omitzero"`
	LatencyMS *float64       `json:"latency_ms"` // of the last result; null when there is none
	Uptime    PageUptime     `json:"uptime"`
	Days      []PageDay      `json:"days"` // the last 90 UTC days, oldest first
	Badges    PageBadges     `json:"badges"`
	URL       string         `json:"url,omitempty"`    // pages that are not public: redacted
	Detail    string         `json:"detail,omitempty"` // pages that are not public: what the last failure means
}

// PageUptime is a monitor's uptime over the periods a page and its badges show.
type PageUptime struct {
	H24 *float64 `json:"24h"`
	D7  *float64 `json:"7d"`
	D30 *float64 `json:"30d"`
	D90 *float64 `json:"90d"`
}

// PageDay is one UTC day of a monitor's bar. Counts that are zero are
// left out: a page of many monitors has many quiet days.
type PageDay struct {
	Date      string   `json:"date"`   // 2026-03-12
	Uptime    *float64 `json:"uptime"` // null: no result counted that day
	Checks    uint64   `json:"checks"` // results counted toward uptime
	Down      uint64   `json:"down,omitempty"`
	Incidents int      `json:"incidents,omitempty"`
	DownMS    float64  `json:"down_ms,omitempty"` // time down in incidents that day
}

// PageBadges are the paths of a monitor's badges.
type PageBadges struct {
	Status   string            `json:"status"`
	Uptime   map[string]string `json:"uptime"` // by period: 24h, 7d, 30d, 90d
	Response string            `json:"response"`
}

// PageIncident is an incident open now.
type PageIncident struct {
	Monitor string         `json:"monitor"`
	Status  monitor.Status `json:"status"`
	Start   time.Time      `json:"start,omitzero"`
	Notes   []PageNote     `json:"notes,omitempty"`
}

// PageNote is a word from the people handling an incident.
type PageNote struct {
	Time   time.Time `json:"time"`
	Author string    `json:"author,omitempty"`
	Text   string    `json:"text"`
}

// PageMaintenance is a maintenance window open now or to come.
type PageMaintenance struct {
	Name     string    `json:"name"`
	Active   bool      `json:"active"`
	Start    time.Time `json:"start,omitzero"` // left out for one started by hand
	End      time.Time `json:"end"`
	Monitors []string  `json:"monitors"`
}

// PageUpdate is one event of a page's live stream (PATH/events, event
// "state"): the monitors whose status or response time changed, and the
// banner and the notices (incidents and maintenance, as HTML) when they did.
type PageUpdate struct {
	Monitors []PageLive  `json:"monitors,omitempty"`
	Overall  *PageStatus `json:"overall,omitempty"`
	Notices  *string     `json:"notices,omitempty"`
}

// PageLive is what a live update says of one monitor.
type PageLive struct {
	Key     string         `json:"key"`
	Status  monitor.Status `json:"status"`
	Latency string         `json:"latency"` // as the page shows it: "120ms", "–"
}

// PageStatus is a page's banner.
type PageStatus struct {
	Status monitor.Status `json:"status"`
	Text   string         `json:"text"`
}
