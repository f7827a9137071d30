package store

// SetSearchCustomersMax makes an invoice search name at most n matching
// customers by id (more are matched by a subquery) and returns a restore.
func SetSearchCustomersMax(n int) func() {
	old := searchCustomersMax
	searchCustomersMax = n
	return func() { searchCustomersMax = old }
}
