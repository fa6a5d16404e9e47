// Package store turns the history files into what the `history` and
// `report` commands print: a monitor's results as a table, CSV or JSON
// lines, and reports of uptime, incidents and the cost of downtime. The
// files themselves, and the engine's recorder and querier, are package
// history's.
package store
