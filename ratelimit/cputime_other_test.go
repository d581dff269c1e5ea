//go:build !unix

package ratelimit

import "time"

// cpuTime returns the CPU time the process has used, or 0 when unknown.
func cpuTime() time.Duration { return 0 }
