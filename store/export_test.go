package store

import "time"

// SetBatchLease changes the batch lease for a test and returns a restore.
func SetBatchLease(d time.Duration) func() {
	old := batchLease
	batchLease = d
	return func() { batchLease = old }
}
