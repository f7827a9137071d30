package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/recoup/recoup/calendar"
	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/store/storetest"
)

// TestCustomerStatsGrouped checks the payment aggregates the tick has the
// database group per customer against the same sums taken invoice by
// invoice in Go, in zones with daylight saving, half-hour and 45-minute
// offsets, for payments just around midnight and around the zones'
// transitions, and for values the grouped query must leave to Go (a
// payment instant stored with another offset, one older than its offset
// table). On SQLite the tick sums only the unpaid invoices in the
// database and reads the paid ones.
func TestCustomerStatsGrouped(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		const customers = 40
		ids, invoices := seedStats(t, s, customers)
		// Settled without a payment date (written off, credited): summed
		// with the open ones, by their due date alone.
		for _, i := range []int{7, 8, 47, 90} {
			if _, err := storetest.SQL(s).Exec(storetest.Rebind(s, `UPDATE invoices SET balance_minor = 0, last_paid_at = NULL WHERE id = ?`), invoices[i]); err != nil {
				t.Fatal(err)
			}
		}
		if storetest.Dialect(s) == store.SQLite {
			// Same instant, another text form: only Go reads it right.
			if _, err := storetest.SQL(s).Exec(`UPDATE invoices SET last_paid_at = '2026-03-29 03:30:00+02:00' WHERE id = ?`, invoices[3]); err != nil {
				t.Fatal(err)
			}
		}
		for _, zone := range []string{"America/New_York", "Europe/Berlin", "Asia/Shanghai", "Australia/Lord_Howe", "Asia/Kathmandu", "UTC"} {
			loc, err := time.LoadLocation(zone)
			if err != nil {
				t.Fatal(err)
			}
			for _, day := range []string{"2026-03-29", "2026-11-01", "2026-11-29"} {
				at := calendar.MustParse(day).Time(loc).Add(9 * time.Hour)
				grouped, byRow, err := s.CustomerStatsTwoWays(ctx, engine.Clock{Now: at, Location: loc})
				if err != nil {
					t.Fatalf("%s %s: %v", zone, day, err)
				}
				for _, id := range ids {
					for _, cur := range []string{"CNY", "USD"} {
						g, r := grouped.Stats(id, cur, engine.InvoicePayments{}), byRow.Stats(id, cur, engine.InvoicePayments{})
						if g != r {
							t.Errorf("%s %s: customer %d %s: grouped %+v, by row %+v", zone, day, id, cur, g, r)
						}
					}
				}
			}
		}
	})
}

// seedStats writes customers with invoices in two currencies: open, part
// paid, paid early, on the day, late, and overpaid, with payment instants
// spread around midnight UTC and the DST transitions of 2025 and 2026.
func seedStats(t *testing.T, s *store.Store, customers int) (ids, invoices []int64) {
	t.Helper()
	ctx := context.Background()
	now := time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)
	b, err := s.BeginBulk(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Rollback()
	var crows []store.CustomerRow
	for i := range customers {
		crows = append(crows, store.CustomerRow{ExternalID: fmt.Sprintf("C%02d", i), Name: "c", Email: "c@example.com",
			CreditCurrency: "CNY", Risk: "low", Locale: "en", TimeZone: "UTC"})
	}
	if err := b.UpsertCustomers(ctx, crows); err != nil {
		t.Fatal(err)
	}
	keys := make([]string, customers)
	for i := range keys {
		keys[i] = fmt.Sprintf("C%02d", i)
	}
	got, err := b.Customers(ctx, keys)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		ids = append(ids, got[k].ID)
	}
	r := rand.New(rand.NewPCG(1, 2))
	transitions := []time.Time{
		time.Date(2025, 3, 9, 7, 0, 0, 0, time.UTC), time.Date(2025, 3, 30, 1, 0, 0, 0, time.UTC),
		time.Date(2025, 10, 26, 1, 0, 0, 0, time.UTC), time.Date(2025, 11, 2, 6, 0, 0, 0, time.UTC),
		time.Date(2026, 3, 8, 7, 0, 0, 0, time.UTC), time.Date(2026, 3, 29, 1, 0, 0, 0, time.UTC),
		time.Date(2026, 4, 4, 15, 0, 0, 0, time.UTC), time.Date(2026, 10, 3, 15, 30, 0, 0, time.UTC),
		time.Date(2026, 10, 25, 1, 0, 0, 0, time.UTC), time.Date(2026, 11, 1, 6, 0, 0, 0, time.UTC),
	}
	var irows []store.InvoiceRow
	var numbers []string
	for i := range customers * 12 {
		due := calendar.Of(now).AddDays(-r.IntN(500) + 30)
		if i == 5 {
			due = calendar.MustParse("1990-05-01") // paid 31 days late, before the offset table
		}
		cur := []string{"CNY", "USD"}[r.IntN(2)]
		num := fmt.Sprintf("I%04d", i)
		numbers = append(numbers, num)
		irows = append(irows, store.InvoiceRow{Number: num, CustomerID: ids[i%customers], Currency: cur,
			AmountMinor: 10000, IssueDate: due.AddDays(-30), DueDate: due, CustomJSON: "{}"})
	}
	if err := b.UpsertInvoices(ctx, irows); err != nil {
		t.Fatal(err)
	}
	inv, err := b.Invoices(ctx, numbers)
	if err != nil {
		t.Fatal(err)
	}
	var prows []store.PaymentRow
	for i, row := range irows {
		id := inv[row.Number].ID
		invoices = append(invoices, id)
		var at time.Time
		switch r.IntN(3) {
		case 0: // around a transition
			at = transitions[r.IntN(len(transitions))].Add(time.Duration(r.IntN(7200)-3600) * time.Second)
		case 1: // around midnight UTC, near the due date
			due := row.DueDate.(calendar.Date).Time(time.UTC)
			at = due.AddDate(0, 0, r.IntN(20)-10).Add(time.Duration(r.IntN(36000)-18000) * time.Second)
		default:
			at = now.Add(-time.Duration(r.IntN(400*24)) * time.Hour).Add(time.Duration(r.IntN(3600)) * time.Second)
		}
		switch i {
		case 5:
			at = time.Date(1990, 6, 1, 12, 0, 0, 0, time.UTC) // older than the offset table
		case 6:
			at = time.Date(2030, 7, 1, 22, 30, 0, 0, time.UTC) // past its end: summer time in Berlin, a day later than in winter
		}
		amount := []int64{0, 4000, 10000, 12000}[r.IntN(4)]
		if i < 10 {
			amount = 10000
		}
		if amount == 0 {
			continue
		}
		prows = append(prows, store.PaymentRow{Reference: fmt.Sprintf("P%04d", i), InvoiceID: id, AmountMinor: amount, Currency: row.Currency, PaidAt: at})
	}
	if err := b.UpsertPayments(ctx, prows, nil); err != nil {
		t.Fatal(err)
	}
	if err := b.Commit(); err != nil {
		t.Fatal(err)
	}
	return ids, invoices
}

// TestTickStatsMemo: on SQLite a tick reuses the customer aggregates of
// the one before while nothing they read changed — the same data version,
// day and zone — and computes them again after any change: a payment, a
// due date moved, an invoice moved to another customer or currency, the
// next day, another zone (not the same zone loaded again). Each time they
// equal the aggregates computed afresh.
func TestTickStatsMemo(t *testing.T) {
	s := storetest.SQLite(t)
	ctx := context.Background()
	ids, invoices := seedStats(t, s, 40)
	shanghai, _ := time.LoadLocation("Asia/Shanghai")
	berlin, _ := time.LoadLocation("Europe/Berlin")
	at := time.Date(2026, 11, 29, 9, 0, 0, 0, shanghai)
	const (
		afresh  = "computed afresh"
		reused  = "reused"
		patched = "reused with the changed customers summed again"
	)
	step := func(what string, c engine.Clock, want string) {
		t.Helper()
		hits, patches := s.StatsMemoHits(), s.StatsMemoPatches()
		used, fresh, err := s.TickStats(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		got := afresh
		switch {
		case s.StatsMemoHits() > hits:
			got = reused
		case s.StatsMemoPatches() > patches:
			got = patched
		}
		if got != want {
			t.Fatalf("%s: aggregates %s, want %s", what, got, want)
		}
		for _, id := range append(ids, ids[len(ids)-1]+1) {
			for _, cur := range []string{"CNY", "USD"} {
				if u, f := used.Stats(id, cur, engine.InvoicePayments{}), fresh.Stats(id, cur, engine.InvoicePayments{}); u != f {
					t.Fatalf("%s: customer %d %s: the tick used %+v, afresh %+v", what, id, cur, u, f)
				}
			}
		}
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := storetest.SQL(s).Exec(q, args...); err != nil {
			t.Fatal(err)
		}
	}
	clock := engine.Clock{Now: at, Location: shanghai}
	step("first tick", clock, afresh)
	step("next tick, nothing changed", engine.Clock{Now: at.Add(time.Hour), Location: shanghai}, reused)
	again, _ := time.LoadLocation("Asia/Shanghai") // as an API preview loads it
	step("the same zone loaded again", engine.Clock{Now: at.Add(2 * time.Hour), Location: again}, reused)
	// 17:00 in Shanghai and 04:00 at UTC−5: the same day, 29 November.
	step("a fixed zone of the same name", engine.Clock{Now: at.Add(8 * time.Hour), Location: time.FixedZone("Asia/Shanghai", -5*3600)}, afresh)
	step("the zone again", engine.Clock{Now: at.Add(9 * time.Hour), Location: shanghai}, afresh)
	exec(`UPDATE invoices SET balance_minor = 0, paid_minor = amount_minor, last_paid_at = '2026-11-28 02:00:00+00:00' WHERE id = ?`, invoices[0])
	step("after a payment in full", clock, patched)
	step("again", clock, reused)
	// Writes the aggregates do not read move the data version, not them.
	exec(`UPDATE customers SET region = 'north' WHERE id = ?`, ids[0])
	exec(`UPDATE invoices SET amount_minor = amount_minor + 1, issue_date = '2026-01-01' WHERE id = ?`, invoices[4])
	exec(`UPDATE invoices SET balance_minor = balance_minor WHERE id = ?`, invoices[4])
	step("after writes the aggregates do not read", clock, reused)
	exec(`UPDATE invoices SET due_date = '2026-01-05' WHERE id = ?`, invoices[1])
	step("after a due date moved", clock, patched)
	exec(`UPDATE invoices SET customer_id = ? WHERE id = ?`, ids[len(ids)-1], invoices[2])
	step("after an invoice moved to another customer", clock, patched)
	exec(`UPDATE invoices SET currency = 'USD' WHERE id = ?`, invoices[3])
	step("after an invoice changed currency", clock, patched)
	exec(`UPDATE invoices SET last_paid_at = '2026-10-01 02:00:00+00:00' WHERE id = ?`, invoices[0])
	step("after a payment instant changed", clock, patched)
	exec(`DELETE FROM payments WHERE invoice_id = ?`, invoices[5])
	exec(`DELETE FROM invoices WHERE id = ?`, invoices[5])
	step("after an invoice was deleted", clock, patched)
	exec(`INSERT INTO customers (id, external_id, name, created_at, updated_at) VALUES (?, ?, 'New', '2026-11-01', '2026-11-01')`, ids[len(ids)-1]+1, fmt.Sprint("C", ids[len(ids)-1]+1))
	exec(`INSERT INTO invoices (number, customer_id, currency, amount_minor, balance_minor, issue_date, due_date, created_at, updated_at)
		VALUES ('NEW-1', ?, 'CNY', 500, 500, '2026-10-01', '2026-10-31', '2026-11-01', '2026-11-01')`, ids[len(ids)-1]+1)
	step("after an invoice of a new customer", clock, patched)
	patchMax := s.SetStatsPatchMax(2)
	exec(`UPDATE invoices SET balance_minor = balance_minor + 1 WHERE customer_id IN (?, ?, ?)`, ids[0], ids[1], ids[2])
	step("after more customers changed than are summed again", clock, afresh)
	step("again", clock, reused)
	step("the next day", engine.Clock{Now: at.Add(24 * time.Hour), Location: shanghai}, afresh)
	step("another zone", engine.Clock{Now: at.Add(24 * time.Hour), Location: berlin}, afresh)
	step("again", engine.Clock{Now: at.Add(25 * time.Hour), Location: berlin}, reused)
	// Last: the numbers recorded before stay above the version after this.
	clock = engine.Clock{Now: at.Add(26 * time.Hour), Location: berlin}
	s.SetStatsPatchMax(patchMax)
	exec(`UPDATE dashboard_version SET n = 0`) // as when an older copy is put back
	exec(`UPDATE invoices SET balance_minor = balance_minor + 7 WHERE id = ?`, invoices[6])
	step("after the data version went back", clock, afresh)
	exec(`ALTER TABLE stats_changes RENAME TO stats_changes_away`)
	exec(`UPDATE invoices SET balance_minor = balance_minor + 7 WHERE id = ?`, invoices[6])
	step("without the change log", clock, afresh)
}

// TestTickStatsMemoUnderWrites: ticks taking the aggregates while
// transactions change, move, pay and roll back invoices under them keep
// no customer stale: once the writes stop, the aggregates the next tick
// uses equal those computed afresh.
func TestTickStatsMemoUnderWrites(t *testing.T) {
	s := storetest.SQLite(t)
	ctx := context.Background()
	ids, invoices := seedStats(t, s, 300)
	shanghai, _ := time.LoadLocation("Asia/Shanghai")
	clock := engine.Clock{Now: time.Date(2026, 11, 29, 9, 0, 0, 0, shanghai), Location: shanghai}
	stop := make(chan struct{})
	var writers, ticks sync.WaitGroup
	errs := make(chan error, 4)
	for w := range 2 {
		writers.Add(1)
		go func() {
			defer writers.Done()
			r := rand.New(rand.NewPCG(uint64(w), 9))
			for {
				select {
				case <-stop:
					return
				default:
				}
				tx, err := storetest.SQL(s).BeginTx(ctx, nil)
				if err != nil {
					errs <- err
					return
				}
				for range 1 + r.IntN(3) {
					inv := invoices[r.IntN(len(invoices))]
					var err error
					switch r.IntN(4) {
					case 0:
						_, err = tx.Exec(`UPDATE invoices SET balance_minor = ? WHERE id = ?`, r.IntN(3)*1000, inv)
					case 1:
						_, err = tx.Exec(`UPDATE invoices SET due_date = ? WHERE id = ?`, fmt.Sprintf("2026-%02d-%02d", 1+r.IntN(11), 1+r.IntN(28)), inv)
					case 2:
						_, err = tx.Exec(`UPDATE invoices SET customer_id = ? WHERE id = ?`, ids[r.IntN(len(ids))], inv)
					case 3:
						_, err = tx.Exec(`UPDATE invoices SET balance_minor = 0, last_paid_at = ? WHERE id = ?`,
							fmt.Sprintf("2026-%02d-%02d 1%d:00:00+00:00", 1+r.IntN(11), 1+r.IntN(28), r.IntN(10)), inv)
					}
					if err != nil {
						tx.Rollback()
						errs <- err
						return
					}
				}
				if r.IntN(4) == 0 {
					err = tx.Rollback()
				} else {
					err = tx.Commit()
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	for range 2 {
		ticks.Add(1)
		go func() {
			defer ticks.Done()
			for range 25 {
				if _, _, err := s.TickStats(ctx, clock); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	ticks.Wait()
	close(stop)
	writers.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if s.StatsMemoPatches() == 0 {
		t.Fatal("no tick summed again only the changed customers")
	}
	used, fresh, err := s.TickStats(ctx, clock)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		for _, cur := range []string{"CNY", "USD"} {
			if u, f := used.Stats(id, cur, engine.InvoicePayments{}), fresh.Stats(id, cur, engine.InvoicePayments{}); u != f {
				t.Fatalf("customer %d %s: the tick used %+v, afresh %+v", id, cur, u, f)
			}
		}
	}
}
