// Package money holds exact monetary amounts: integer minor units plus an
// ISO 4217 currency code. Nothing in recoup stores or adds money as float64.
package money

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ErrUnknownCurrency is returned for a currency code recoup has no exponent for.
var ErrUnknownCurrency = errors.New("unknown currency")

// exponents gives the number of minor-unit digits per ISO 4217 code. Codes
// absent here are rejected rather than guessed.
var exponents = map[string]int{
	"AED": 2, "AUD": 2, "BHD": 3, "BRL": 2, "CAD": 2, "CHF": 2, "CLP": 0,
	"CNY": 2, "CZK": 2, "DKK": 2, "EUR": 2, "GBP": 2, "HKD": 2, "HUF": 2,
	"IDR": 2, "ILS": 2, "INR": 2, "ISK": 0, "JOD": 3, "JPY": 0, "KRW": 0,
	"KWD": 3, "MXN": 2, "MYR": 2, "NOK": 2, "NZD": 2, "OMR": 3, "PHP": 2,
	"PLN": 2, "RUB": 2, "SAR": 2, "SEK": 2, "SGD": 2, "THB": 2, "TND": 3,
	"TRY": 2, "TWD": 2, "USD": 2, "VND": 0, "ZAR": 2,
}

// Exponent returns the number of minor-unit digits of currency.
func Exponent(currency string) (int, error) {
	e, ok := exponents[currency]
	if !ok {
		return 0, fmt.Errorf("%w %q", ErrUnknownCurrency, currency)
	}
	return e, nil
}

// ValidCurrency reports whether recoup knows currency.
func ValidCurrency(currency string) bool {
	_, ok := exponents[currency]
	return ok
}

// Money is an exact amount in the minor units of Currency (cents, fen).
type Money struct {
	Minor    int64  `json:"minor"`
	Currency string `json:"currency"`
}

// New returns minor units of currency.
func New(minor int64, currency string) Money { return Money{Minor: minor, Currency: currency} }

// ParseMinor converts a decimal string such as "12345.67" or "-0.5" into minor
// units of currency, exactly. It rejects more fraction digits than the
// currency has ("12.345" for CNY), exponents, thousands separators and
// values that overflow int64.
func ParseMinor(s, currency string) (int64, error) {
	exp, err := Exponent(currency)
	if err != nil {
		return 0, err
	}
	orig := s
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, errors.New("empty amount")
	}
	neg := false
	switch s[0] {
	case '-':
		neg, s = true, s[1:]
	case '+':
		s = s[1:]
	}
	intPart, frac, hasDot := strings.Cut(s, ".")
	if intPart == "" || (hasDot && frac == "") {
		return 0, fmt.Errorf("invalid amount %q", orig)
	}
	for _, part := range []string{intPart, frac} {
		for i := 0; i < len(part); i++ {
			if part[i] < '0' || part[i] > '9' {
				return 0, fmt.Errorf("invalid amount %q", orig)
			}
		}
	}
	if len(frac) > exp {
		if exp == 0 {
			return 0, fmt.Errorf("amount %q has decimals but %s has no minor unit", orig, currency)
		}
		return 0, fmt.Errorf("amount %q has %d decimals but %s allows at most %d", orig, len(frac), currency, exp)
	}
	frac += strings.Repeat("0", exp-len(frac))
	digits := strings.TrimLeft(intPart+frac, "0")
	if digits == "" {
		return 0, nil
	}
	v, err := strconv.ParseInt(digits, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("amount %q is out of range", orig)
	}
	if neg {
		v = -v
	}
	return v, nil
}

// Parse parses either "12.34 CNY" or, when currency is given, "12.34".
func Parse(s string) (Money, error) {
	amount, cur, ok := strings.Cut(strings.TrimSpace(s), " ")
	if !ok {
		return Money{}, fmt.Errorf("money %q: want \"AMOUNT CURRENCY\", e.g. \"100.00 CNY\"", s)
	}
	cur = strings.ToUpper(strings.TrimSpace(cur))
	minor, err := ParseMinor(amount, cur)
	if err != nil {
		return Money{}, err
	}
	return Money{Minor: minor, Currency: cur}, nil
}

// FormatMinor renders minor units of currency as a plain decimal ("1234.50").
func FormatMinor(minor int64, currency string) string {
	exp, ok := exponents[currency]
	if !ok {
		exp = 2
	}
	sign := ""
	u := uint64(minor)
	if minor < 0 {
		sign = "-"
		u = uint64(-minor)
	}
	s := strconv.FormatUint(u, 10)
	if exp == 0 {
		return sign + s
	}
	if len(s) <= exp {
		s = strings.Repeat("0", exp-len(s)+1) + s
	}
	return sign + s[:len(s)-exp] + "." + s[len(s)-exp:]
}

// String renders m as "1234.50 CNY".
func (m Money) String() string { return FormatMinor(m.Minor, m.Currency) + " " + m.Currency }

// ErrCurrencyMismatch is returned when adding or comparing different currencies.
var ErrCurrencyMismatch = errors.New("currency mismatch")

// Add returns m+o; both must share a currency.
func (m Money) Add(o Money) (Money, error) {
	if m.Currency != o.Currency {
		return Money{}, fmt.Errorf("%w: %s + %s", ErrCurrencyMismatch, m.Currency, o.Currency)
	}
	s := m.Minor + o.Minor
	if (s > m.Minor) != (o.Minor > 0) {
		return Money{}, errors.New("money overflow")
	}
	return Money{Minor: s, Currency: m.Currency}, nil
}

// Percent returns basisPoints/10000 of m, rounded half away from zero to the
// minor unit (so 1.5% is 150 basis points).
func (m Money) Percent(basisPoints int64) Money {
	p := m.Minor * basisPoints
	q := p / 10000
	r := p % 10000
	if r >= 5000 {
		q++
	} else if r <= -5000 {
		q--
	}
	return Money{Minor: q, Currency: m.Currency}
}
