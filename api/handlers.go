package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/upbeat-monitor/upbeat/api/wire"
	"github.com/upbeat-monitor/upbeat/engine"
	"github.com/upbeat-monitor/upbeat/monitor"
	"github.com/upbeat-monitor/upbeat/source"
)

// MaxHistory bounds the results one history request returns.
const MaxHistory = 100_000

func (s *Server) routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /api/v1/monitors", s.listMonitors)
	mux.HandleFunc("GET /api/v1/monitors/{name}", s.getMonitor)
	mux.HandleFunc("GET /api/v1/monitors/{name}/history", s.history)
	mux.HandleFunc("GET /api/v1/monitors/{name}/incidents", s.incidents)
	mux.HandleFunc("GET /api/v1/monitors/{name}/errors_by_hour", s.errorsByHour)
	mux.HandleFunc("POST /api/v1/monitors/{name}/check", s.action(func(n string, r *http.Request) error { return s.b.CheckNow(r.Context(), n) }))
	mux.HandleFunc("POST /api/v1/monitors/{name}/pause", s.action(func(n string, r *http.Request) error { return s.b.SetPaused(r.Context(), n, true) }))
	mux.HandleFunc("POST /api/v1/monitors/{name}/resume", s.action(func(n string, r *http.Request) error { return s.b.SetPaused(r.Context(), n, false) }))
	mux.HandleFunc("POST /api/v1/monitors/{name}/ack", s.action(s.ack))
	mux.HandleFunc("POST /api/v1/monitors/{name}/notes", s.action(s.addNote))
	mux.HandleFunc("POST /api/v1/monitors/{name}/maintenance", s.action(s.maintain))
	mux.HandleFunc("GET /api/v1/events", s.events)
	mux.HandleFunc("GET /push/{token}", s.push)
	mux.HandleFunc("POST /push/{token}", s.push)
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.met.reg, promhttp.HandlerOpts{
		ErrorLog:      slogPrinter{s.log},
		ErrorHandling: promhttp.ContinueOnError,
	}))
	return mux
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.Encode(v)
}

// writeError answers status with {"error": msg, "code": code}.
func writeError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, wire.Error{Error: msg, Code: code})
}

// writeSourceError answers with the status and code of the source's
// named error in err (see wire.CodeOf), else 500.
func writeSourceError(w http.ResponseWriter, err error) {
	code := wire.CodeOf(err)
	msg := engine.Sanitize(err.Error(), 300)
	status := http.StatusInternalServerError
	switch code {
	case wire.CodeNoMonitor:
		status, msg = http.StatusNotFound, "no such monitor"
	case wire.CodeNoIncident:
		status = http.StatusConflict
	case wire.CodeForbidden:
		status = http.StatusForbidden
	case wire.CodeUnauthorized:
		status = http.StatusUnauthorized
	case wire.CodeNoHistory:
		status = http.StatusNotImplemented
	case wire.CodeBadNote:
		status = http.StatusBadRequest
	default:
		code = wire.CodeInternal
	}
	writeError(w, status, code, msg)
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	info := s.b.Info()
	writeJSON(w, http.StatusOK, wire.Health{Status: "ok", Service: wire.ServiceName, Version: s.opts.Version,
		Monitors: s.b.Stats().Monitors, Shard: info.Shard, Warnings: info.Warnings})
}

// recentParam reads ?recent=N (0 or absent: no samples).
func recentParam(r *http.Request) (with, n int, err error) {
	v := r.URL.Query().Get("recent")
	if v == "" {
		return 0, 0, nil
	}
	n, err = strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, 0, fmt.Errorf("recent: want a number of samples, got %q", v)
	}
	if n == 0 {
		return 0, 0, nil
	}
	return wire.WithRecent, n, nil
}

func (s *Server) listMonitors(w http.ResponseWriter, r *http.Request) {
	with, n, err := recentParam(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, wire.CodeBadRequest, err.Error())
		return
	}
	snap := s.b.Snapshot()
	out := make([]wire.Monitor, len(snap))
	for i := range snap {
		out[i] = wire.FromState(&snap[i], wire.WithConfig|wire.WithLast|with, n)
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) getMonitor(w http.ResponseWriter, r *http.Request) {
	with, n, err := recentParam(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, wire.CodeBadRequest, err.Error())
		return
	}
	st, err := s.b.State(r.PathValue("name"))
	if err != nil {
		writeSourceError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, wire.FromState(&st, wire.WithConfig|wire.WithLast|with, n))
}

// ParseSince parses a look-back period: a Go duration ("90m", "24h") or
// a number of days ("7d", "30d").
func ParseSince(v string) (time.Duration, error) {
	if d, ok := strings.CutSuffix(v, "d"); ok {
		n, err := strconv.ParseFloat(d, 64)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("since: want 24h, 7d or similar, got %q", v)
		}
		return time.Duration(n * float64(24*time.Hour)), nil
	}
	dur, err := time.ParseDuration(v)
	if err != nil || dur < 0 {
		return 0, fmt.Errorf("since: want 24h, 7d or similar, got %q", v)
	}
	return dur, nil
}

// period reads ?since= (default 24h) or ?from=&to= (RFC 3339).
func period(r *http.Request, now time.Time) (from, to time.Time, err error) {
	q := r.URL.Query()
	to = now
	if v := q.Get("to"); v != "" {
		if to, err = time.Parse(time.RFC3339, v); err != nil {
			return from, to, fmt.Errorf("to: want an RFC 3339 time, got %q", v)
		}
	}
	if v := q.Get("from"); v != "" {
		if from, err = time.Parse(time.RFC3339, v); err != nil {
			return from, to, fmt.Errorf("from: want an RFC 3339 time, got %q", v)
		}
		return from, to, nil
	}
	since := 24 * time.Hour
	if v := q.Get("since"); v != "" {
		if since, err = ParseSince(v); err != nil {
			return from, to, err
		}
	}
	return to.Add(-since), to, nil
}

// querier resolves the monitor and the history for the history routes,
// writing the error response itself when there is none.
func (s *Server) querier(w http.ResponseWriter, r *http.Request) (source.Querier, string, time.Time, time.Time, bool) {
	name := r.PathValue("name")
	if _, err := s.b.State(name); err != nil {
		writeSourceError(w, err)
		return nil, "", time.Time{}, time.Time{}, false
	}
	q := s.b.Query()
	if q == nil {
		writeError(w, http.StatusNotImplemented, wire.CodeNoHistory, "this daemon keeps no history")
		return nil, "", time.Time{}, time.Time{}, false
	}
	from, to, err := period(r, time.Now())
	if err != nil {
		writeError(w, http.StatusBadRequest, wire.CodeBadRequest, err.Error())
		return nil, "", time.Time{}, time.Time{}, false
	}
	return q, name, from, to, true
}

func (s *Server) history(w http.ResponseWriter, r *http.Request) {
	q, name, from, to, ok := s.querier(w, r)
	if !ok {
		return
	}
	limit := MaxHistory
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			writeError(w, http.StatusBadRequest, wire.CodeBadRequest, fmt.Sprintf("limit: want a positive number, got %q", v))
			return
		}
		limit = min(n, MaxHistory)
	}
	if sc, ok := q.(source.ResultScanner); ok {
		streamHistory(w, r, sc, name, from, to, limit)
		return
	}
	rs, err := q.Results(r.Context(), name, from, to)
	if err != nil {
		writeError(w, http.StatusInternalServerError, wire.CodeInternal, "history: "+engine.Sanitize(err.Error(), 300))
		return
	}
	if len(rs) > limit { // the newest ones
		rs = rs[len(rs)-limit:]
	}
	out := make([]*wire.Result, len(rs))
	for i := range rs {
		out[i] = wire.FromResult(&rs[i])
	}
	writeJSON(w, http.StatusOK, out)
}

// streamHistory writes the history route's JSON array one result at a
// time, as the results are read. An error before the first result is a
// 500 as usual; after it, the response is cut off so that the client
// cannot take what it got for the whole answer.
func streamHistory(w http.ResponseWriter, r *http.Request, sc source.ResultScanner, name string, from, to time.Time, limit int) {
	started := false
	err := sc.ScanResults(r.Context(), name, from, to, limit, func(res *monitor.Result) error {
		b, err := json.Marshal(wire.FromResult(res))
		if err != nil {
			return err
		}
		sep := []byte{','}
		if !started {
			started = true
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusOK)
			sep[0] = '['
		}
		if _, err := w.Write(sep); err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	})
	switch {
	case err == nil && !started:
		writeJSON(w, http.StatusOK, []*wire.Result{})
	case err == nil:
		w.Write([]byte("]\n"))
	case r.Context().Err() != nil:
		// The client went away: nobody reads what is left.
	case !started:
		writeError(w, http.StatusInternalServerError, wire.CodeInternal, "history: "+engine.Sanitize(err.Error(), 300))
	default:
		panic(http.ErrAbortHandler)
	}
}

func (s *Server) incidents(w http.ResponseWriter, r *http.Request) {
	q, name, from, to, ok := s.querier(w, r)
	if !ok {
		return
	}
	ins, err := q.Incidents(r.Context(), name, from, to)
	if err != nil {
		writeError(w, http.StatusInternalServerError, wire.CodeInternal, "history: "+engine.Sanitize(err.Error(), 300))
		return
	}
	writeJSON(w, http.StatusOK, wire.FromIncidents(ins))
}

func (s *Server) errorsByHour(w http.ResponseWriter, r *http.Request) {
	q, name, from, to, ok := s.querier(w, r)
	if !ok {
		return
	}
	out, err := q.ErrorsByHour(r.Context(), name, from, to)
	if err != nil {
		writeError(w, http.StatusInternalServerError, wire.CodeInternal, "history: "+engine.Sanitize(err.Error(), 300))
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// action wraps a monitor action: 200 with {"monitor": name, "ok": true},
// else the status and code of the error (404 for an unknown monitor, 409
// for an acknowledgement with no open incident).
func (s *Server) action(do func(name string, r *http.Request) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		name := r.PathValue("name")
		if !parseForm(w, r) {
			return
		}
		if err := do(name, r); err != nil {
			var bad badRequest
			if errors.As(err, &bad) {
				writeError(w, http.StatusBadRequest, wire.CodeBadRequest, bad.Error())
				return
			}
			writeSourceError(w, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"monitor": name, "ok": true})
	}
}

type badRequest struct{ error }

func (s *Server) maintain(name string, r *http.Request) error {
	v := r.FormValue("for")
	if v == "" {
		return badRequest{errors.New("for: want a duration, e.g. ?for=30m (0 ends the window)")}
	}
	d, err := ParseSince(v)
	if err != nil {
		return badRequest{fmt.Errorf("for: want a duration such as 30m, got %q", v)}
	}
	return s.b.Maintain(r.Context(), name, d)
}

// parseForm reads the query and a form body, answering 413 for a body
// over the limit and 400 for a malformed one.
func parseForm(w http.ResponseWriter, r *http.Request) bool {
	if err := r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeError(w, http.StatusRequestEntityTooLarge, wire.CodeTooLarge, "request body too large")
			return false
		}
		writeError(w, http.StatusBadRequest, wire.CodeBadRequest, "malformed form")
		return false
	}
	return true
}

func (s *Server) push(w http.ResponseWriter, r *http.Request) {
	if !parseForm(w, r) {
		return
	}
	status := monitor.StatusUp
	switch v := r.FormValue("status"); v {
	case "", "up", "ok":
	case "down", "fail", "error":
		status = monitor.StatusDown
	default:
		writeError(w, http.StatusBadRequest, wire.CodeBadRequest, "status: want up or down")
		return
	}
	if _, err := s.b.Push(r.PathValue("token"), status, r.FormValue("msg")); err != nil {
		if errors.Is(err, source.ErrNoMonitor) {
			writeError(w, http.StatusNotFound, wire.CodeNotFound, "not found")
			return
		}
		writeError(w, http.StatusInternalServerError, wire.CodeInternal, "push not recorded")
		return
	}
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
}
