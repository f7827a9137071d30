package money

// MaxMinor is the largest amount recoup accepts for one payment or one money
// field of a form: 10^15 minor units, i.e. 10 trillion in a currency with
// two decimals (CNY, USD) and a quadrillion in one with none (JPY). It is far
// above any real invoice and far below int64's 9.2×10^18, so the sum of a
// thousand such amounts on one invoice still cannot overflow.
const MaxMinor int64 = 1_000_000_000_000_000

// Allocate applies amounts, in order, to what an invoice owes: each takes
// what is still due, the rest of it is unapplied credit. It returns the
// applied part of each amount; amount − applied is the credit. A due of
// zero or less (an invoice already settled) makes every amount all credit,
// so a balance never goes below zero.
func Allocate(due int64, amounts []int64) []int64 {
	applied := make([]int64, len(amounts))
	left := max(due, 0)
	for i, a := range amounts {
		take := min(max(a, 0), left)
		applied[i] = take
		left -= take
	}
	return applied
}
