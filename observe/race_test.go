//go:build race

package observe_test

// raceEnabled reports whether the race detector is on; it changes
// allocation counts, so allocation guards skip under it.
const raceEnabled = true
