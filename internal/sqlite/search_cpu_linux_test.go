package sqlite

import (
	"syscall"
	"time"
)

// threadCPU is the CPU time of the calling OS thread (lock it first). The
// benchmark reports it beside wall time because the machine may be shared:
// wall time then counts waiting for a core, CPU time does not.
func threadCPU() time.Duration {
	var ru syscall.Rusage
	const rusageThread = 1 // RUSAGE_THREAD
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
