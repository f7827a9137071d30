package delivery

// CrashAfterSend makes d's passes stop after sending, before recording
// the outcome, as if the process died there.
func CrashAfterSend(d *Dispatcher, crash bool) { d.crashAfterSend = crash }

// ErrCrashed is what a pass stopped by CrashAfterSend returns.
var ErrCrashed = errCrashed

// CapFreeAt exposes the frequency cap computation.
var CapFreeAt = (*Policy).capFreeAt
