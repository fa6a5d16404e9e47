package monitor

import (
	"slices"
	"strings"
)

// TagsLabel writes a monitor's tags as one label value, for Prometheus
// and Alertmanager: sorted, each once, between commas (",db,prod,"), so
// that a matcher such as tags=~".*,prod,.*" picks one tag exactly (the
// convention of Prometheus's service discovery labels). It is "" without
// tags.
func TagsLabel(tags []string) string {
	if len(tags) == 0 {
		return ""
	}
	s := slices.Clone(tags)
	slices.Sort(s)
	s = slices.Compact(s)
	return "," + strings.Join(s, ",") + ","
}
