package demo

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/recoup/recoup/calendar"
	"github.com/recoup/recoup/money"
)

// Book is what the demo's staff know of the generated data that the
// database does not hold yet: each invoice's owner and amount, and the
// payments still to come (the customer who will pay on the 14th promises
// the 14th). It is read back from the files Generate wrote.
type Book struct {
	invoices map[string]*bookInvoice
	teams    map[string]string // user email → team
	// Payments are the rows of payments.csv in paid_at order; the history
	// imports each day's as they arrive.
	Payments []BookPayment
}

type bookInvoice struct {
	currency string
	owner    string
	amount   int64
	pays     []BookPayment // in paid_at order
}

// BookPayment is one row of payments.csv, as written and as read.
type BookPayment struct {
	Invoice, Amount, PaidAt, Reference string
	At                                 time.Time
	Minor                              int64
}

// ReadBook reads the files Generate wrote into dir.
func ReadBook(dir string) (*Book, error) {
	b := &Book{invoices: map[string]*bookInvoice{}, teams: map[string]string{}}
	owners := map[string]string{} // customer id → owner
	err := errors.Join(
		readRows(filepath.Join(dir, "users.csv"), func(r map[string]string) error {
			b.teams[r["email"]] = r["team"]
			return nil
		}),
		readRows(filepath.Join(dir, "customers.csv"), func(r map[string]string) error {
			owners[r["id"]] = r["owner"]
			return nil
		}),
	)
	if err != nil {
		return nil, err
	}
	err = readRows(filepath.Join(dir, "invoices.csv"), func(r map[string]string) error {
		amount, err := money.ParseMinor(r["amount"], r["currency"])
		if err != nil {
			return err
		}
		owner := r["owner"]
		if owner == "" {
			owner = owners[r["customer_id"]]
		}
		b.invoices[r["number"]] = &bookInvoice{currency: r["currency"], owner: owner, amount: amount}
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = readRows(filepath.Join(dir, "payments.csv"), func(r map[string]string) error {
		inv := b.invoices[r["invoice_number"]]
		if inv == nil {
			return fmt.Errorf("payment %s: unknown invoice %q", r["reference"], r["invoice_number"])
		}
		at, err := time.Parse(time.RFC3339, r["paid_at"])
		if err != nil {
			return err
		}
		minor, err := money.ParseMinor(r["amount"], inv.currency)
		if err != nil {
			return err
		}
		b.Payments = append(b.Payments, BookPayment{Invoice: r["invoice_number"], Amount: r["amount"], PaidAt: r["paid_at"],
			Reference: r["reference"], At: at, Minor: minor})
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(b.Payments, func(x, y BookPayment) int { return x.At.Compare(y.At) })
	for _, p := range b.Payments {
		inv := b.invoices[p.Invoice]
		inv.pays = append(inv.pays, p)
	}
	return b, nil
}

// WritePayments writes the book's payments, in paid_at order, as
// payments.csv into dir: those Generate wrote, but for the invoices of
// payment plans, whose customers paid by their installments (History).
func (b *Book) WritePayments(dir string) error {
	return writeCSV(filepath.Join(dir, "payments.csv"), func(w *csv.Writer) error {
		w.Write([]string{"invoice_number", "amount", "paid_at", "reference"})
		for _, p := range b.Payments {
			w.Write([]string{p.Invoice, p.Amount, p.PaidAt, p.Reference})
		}
		return nil
	})
}

// readRows calls fn with each row of a CSV file, keyed by its header.
func readRows(path string, fn func(map[string]string) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	r := csv.NewReader(f)
	header, err := r.Read()
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	for line := 2; ; line++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		row := make(map[string]string, len(header))
		for i, h := range header {
			if i < len(rec) {
				row[h] = rec[i]
			}
		}
		if err := fn(row); err != nil {
			return fmt.Errorf("%s:row %d: %w", path, line, err)
		}
	}
}

// balanceAt is what the invoice still owes at t by the book (the demo
// charges no fees).
func (inv *bookInvoice) balanceAt(t time.Time) int64 {
	bal := inv.amount
	for _, p := range inv.pays {
		if p.At.After(t) {
			break
		}
		bal -= p.Minor
	}
	return bal
}

// nextPayment is the invoice's first payment after t and no later than
// the end of day last, if any.
func (inv *bookInvoice) nextPayment(t time.Time, last calendar.Date, loc *time.Location) (BookPayment, bool) {
	for _, p := range inv.pays {
		if p.At.After(t) {
			return p, !calendar.In(p.At, loc).After(last)
		}
	}
	return BookPayment{}, false
}
