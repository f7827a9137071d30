package store

import "time"

// SetRareMatches makes invoice lists on SQLite count a condition as rare
// below n matches (0: always walk in id order) and returns a restore.
func SetRareMatches(n int) func() {
	old := rareMatches
	rareMatches = func(int64) int { return n }
	return func() { rareMatches = old }
}

// ScanDBTime scans src as the inbox scans a timestamp.
func ScanDBTime(src any) (time.Time, bool, error) {
	var t dbTime
	err := t.Scan(src)
	return t.Time, t.Valid, err
}
