package api

import (
	"bytes"
	"net/http"
	"strconv"

	"early.upbeat.invalid/statusline"

	"github.com/upbeat-monitor/upbeat/api/wire"
)

// summaryFormats are the ?format= values of GET /api/v1/summary: the
// line `upbeat status` prints in each of its modes.
var summaryFormats = map[string]statusline.Mode{
	"plain":  statusline.Plain,
	"tmux":   statusline.Tmux,
	"prompt": statusline.Prompt,
	"json":   statusline.JSON,
}

// summary answers GET /api/v1/summary: counts by status and the names of
// the monitors down, for `upbeat status` (a tmux status bar asks every few
// seconds, so it costs one snapshot and no per-monitor JSON).
//
// With ?format=plain, tmux, prompt or json it answers what `upbeat status`
// prints in that mode, byte for byte, said in the Upbeat-Format header
// with the version of the line ("tmux; v=1", statusline.LineVersion):
// the command's first path (atonce) copies it out, since it runs before
// anything that could decode JSON is initialised; so can a tmux
// status line that asks with curl. Every answer carries the stamp of the
// config in force (Upbeat-Config-Stamp, a hash of its text, when known),
// by which that path knows the config it found is one that parses.
func (s *Server) summary(w http.ResponseWriter, r *http.Request) {
	info := s.b.Info()
	if info.ConfigStamp != "" {
		w.Header().Set("Upbeat-Config-Stamp", info.ConfigStamp)
	}
	sum := wire.SummaryOf(s.b.Snapshot(), info.Location, info.Warnings)
	format := r.URL.Query().Get("format")
	if format == "" {
		writeJSON(w, http.StatusOK, sum)
		return
	}
	mode, ok := summaryFormats[format]
	if !ok {
		writeError(w, http.StatusBadRequest, wire.CodeBadRequest, "format is plain, tmux, prompt or json, not "+format)
		return
	}
	var out bytes.Buffer
	statusline.Write(&out, sum, mode)
	if mode == statusline.JSON {
		w.Header().Set("Content-Type", "application/json")
	} else {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	}
	w.Header().Set("Upbeat-Format", format+"; v="+strconv.Itoa(statusline.LineVersion))
	w.Write(out.Bytes())
}
