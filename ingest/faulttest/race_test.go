//go:build race

package faulttest

// raceEnabled builds the daemon with -race when the tests run with it, so
// the fault test also hunts data races under real load.
const raceEnabled = true
