//go:build race

package history

// raceEnabled is true when the tests run under the race detector.
const raceEnabled = true
