package api

import (
	"net/http"

	"github.com/upbeat-monitor/upbeat/api/wire"
)

// summary answers GET /api/v1/summary: counts by status and the names of
// the monitors down, for `upbeat status` (a tmux status bar asks every few
// seconds, so it costs one snapshot and no per-monitor JSON).
func (s *Server) summary(w http.ResponseWriter, r *http.Request) {
	info := s.b.Info()
	writeJSON(w, http.StatusOK, wire.SummaryOf(s.b.Snapshot(), info.Location, len(info.Warnings)))
}
