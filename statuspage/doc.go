// Package statuspage renders status pages for the people who are not at
// a terminal: a page per [[status_page]] of the config, served by the
// daemon at its path and written to files by `upbeat status-page build`.
//
// One model (Page, built by Build from the monitors' states, their daily
// counts and incidents from the history, and the maintenance windows) is
// rendered four ways: HTML (html/template, inline CSS, no external
// asset, readable without JavaScript; a small inline script takes live
// updates from the page's own event stream), JSON, plain text for a
// terminal (ANSI colours only when asked) and SVG badges.
//
// A public page shows monitor names and their figures only. Everything
// that could tell an outsider where or what a monitor checks (its URL, an
// address, an error text, a status code's own words) is left out of the
// model itself when the page is public, so no rendering and no request
// can show it.
package statuspage
