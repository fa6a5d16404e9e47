// Package monitor holds the domain types every part of upbeat shares: what
// a monitor is (Monitor, Kind), what a check finds (Result, Phases, Status),
// what is known about a monitor now (State, Sample, Uptime), the stretches
// of time it was down (Incident) and what happened (Event).
//
// It imports nothing of upbeat's: the engine produces these values, history
// stores them, and the dashboard, the API and alerts read them. Their JSON
// shapes belong to package api/wire, not here.
package monitor
