//go:build !(linux && (amd64 || arm64))

// Package atonce answers nothing here: it speaks to the kernel directly,
// and does so only on Linux for amd64 and arm64. quickversion and
// quickstatus answer after it, a few milliseconds later.
package atonce
