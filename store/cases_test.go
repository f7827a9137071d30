package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/recoup/recoup/calendar"
	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/store/storetest"
)

// casesBundle is what the dispute, promise and legal case tests need: a
// seeded store, the clock, and an open invoice with its balance.
type casesBundle struct {
	ctx      context.Context
	s        *store.Store
	clock    engine.Clock
	number   string
	currency string
	balance  int64
	ownerID  int64
}

var casesAdmin = store.Viewer{Role: store.RoleAdmin}

func casesSetup(t *testing.T, s *store.Store) *casesBundle {
	t.Helper()
	seedDemo(t, s, 10, 60, "2026-11-01")
	b := &casesBundle{ctx: context.Background(), s: s, clock: engine.Clock{Now: time.Date(2026, 11, 2, 10, 0, 0, 0, shanghai), Location: shanghai}}
	if err := storetest.SQL(s).QueryRow(`SELECT number, currency, balance_minor, owner_id FROM invoices
		WHERE balance_minor > 10000 AND owner_id IS NOT NULL ORDER BY id LIMIT 1`).Scan(&b.number, &b.currency, &b.balance, &b.ownerID); err != nil {
		t.Fatal(err)
	}
	return b
}

// invoice reads the invoice's disputed flag, hold, balance and status.
func (b *casesBundle) invoice(t *testing.T) (disputed bool, hold string, balance int64, status string) {
	t.Helper()
	if err := storetest.SQL(b.s).QueryRow(storetest.Rebind(b.s, "SELECT disputed, hold, balance_minor, status FROM invoices WHERE number = ?"), b.number).
		Scan(&disputed, &hold, &balance, &status); err != nil {
		t.Fatal(err)
	}
	return
}

func (b *casesBundle) count(t *testing.T, q string, args ...any) int {
	t.Helper()
	var n int
	if err := storetest.SQL(b.s).QueryRow(storetest.Rebind(b.s, q), args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// wantFields checks that err is an engine.FormErrors naming exactly fields.
func wantFields(t *testing.T, err error, fields ...string) {
	t.Helper()
	var fe engine.FormErrors
	if !errors.As(err, &fe) {
		t.Fatalf("error %v, want field errors on %v", err, fields)
	}
	var got []string
	for _, f := range fe {
		got = append(got, f.Field)
	}
	if len(got) != len(fields) {
		t.Fatalf("field errors %v, want %v", fe, fields)
	}
	for i := range got {
		if got[i] != fields[i] {
			t.Fatalf("field errors %v, want %v", fe, fields)
		}
	}
}

// TestDisputeLifecycle: a refused dispute writes nothing; an open one marks
// the invoice disputed and is the only open one; rejected clears the flag
// with the balance untouched, upheld also takes the disputed part off the
// balance, recorded on the dispute.
func TestDisputeLifecycle(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		b := casesSetup(t, s)
		refusals := []struct {
			name   string
			in     store.DisputeIn
			fields []string
		}{
			{"amount over the balance", store.DisputeIn{Reason: "pricing", DisputedMinor: b.balance + 1}, []string{"/disputed_minor"}},
			{"zero amount", store.DisputeIn{Reason: "pricing"}, []string{"/disputed_minor"}},
			{"unknown reason and currency", store.DisputeIn{Reason: "bored", DisputedMinor: 100, Currency: "XYZ"}, []string{"/reason", "/currency"}},
			{"SLA in the past", store.DisputeIn{Reason: "quality", DisputedMinor: 100, SLADue: calendar.MustParse("2026-11-01")}, []string{"/sla_due"}},
			{"unknown owner", store.DisputeIn{Reason: "quality", DisputedMinor: 100, Owner: "nobody@example.com"}, []string{"/owner"}},
		}
		for _, r := range refusals {
			r.in.Invoice, r.in.Actor = b.number, "test"
			_, err := s.OpenDispute(b.ctx, casesAdmin, r.in, b.clock)
			wantFields(t, err, r.fields...)
		}
		if n := b.count(t, "SELECT COUNT(*) FROM disputes"); n != 0 {
			t.Fatalf("%d disputes written by refusals", n)
		}
		if _, err := s.OpenDispute(b.ctx, store.Viewer{Role: store.RoleSalesRep, UserID: b.ownerID + 1000}, store.DisputeIn{Invoice: b.number,
			Reason: "pricing", DisputedMinor: 100, Actor: "rep"}, b.clock); !errors.Is(err, store.ErrHidden) {
			t.Fatalf("another rep's invoice: %v, want ErrHidden", err)
		}

		for _, tc := range []struct {
			status      string
			wantBalance int64
		}{
			{engine.DisputeRejected, b.balance},
			{engine.DisputeUpheld, b.balance - 2500},
		} {
			_, _, before, _ := b.invoice(t)
			d, err := s.OpenDispute(b.ctx, store.Viewer{Role: store.RoleSalesRep, UserID: b.ownerID}, store.DisputeIn{Invoice: b.number,
				Reason: "pricing", Description: "unit price", DisputedMinor: 2500, Actor: "rep"}, b.clock)
			if err != nil {
				t.Fatal(err)
			}
			if d.Status != engine.DisputeOpen || d.SLADue != calendar.MustParse("2026-11-16") || d.Currency != b.currency {
				t.Fatalf("opened %+v", d)
			}
			if disputed, _, _, _ := b.invoice(t); !disputed {
				t.Fatal("invoice not disputed after opening")
			}
			if _, err := s.OpenDispute(b.ctx, casesAdmin, store.DisputeIn{Invoice: b.number, Reason: "other", DisputedMinor: 1, Actor: "x"}, b.clock); !errors.Is(err, store.ErrConflict) {
				t.Fatalf("second open dispute: %v, want ErrConflict", err)
			}
			_, err = s.ResolveDispute(b.ctx, casesAdmin, store.DisputeResolution{ID: d.ID, Status: tc.status, Actor: "fin"}, b.clock.Now)
			wantFields(t, err, "/note")
			d, err = s.ResolveDispute(b.ctx, casesAdmin, store.DisputeResolution{ID: d.ID, Status: tc.status, Note: "checked", Actor: "fin"}, b.clock.Now)
			if err != nil {
				t.Fatal(err)
			}
			disputed, _, balance, _ := b.invoice(t)
			if disputed || balance != before-(b.balance-tc.wantBalance) || d.Status != tc.status || d.ResolvedMinor != before-balance || d.ResolvedAt == nil {
				t.Fatalf("%s: disputed %v, balance %d (before %d), dispute %+v", tc.status, disputed, balance, before, d)
			}
			if _, err := s.ResolveDispute(b.ctx, casesAdmin, store.DisputeResolution{ID: d.ID, Status: tc.status, Note: "again", Actor: "fin"}, b.clock.Now); !errors.Is(err, store.ErrConflict) {
				t.Fatalf("resolving twice: %v", err)
			}
		}
		if n := b.count(t, "SELECT COUNT(*) FROM audit_log WHERE action IN (?, ?)", store.ActionDisputeOpened, store.ActionDisputeResolved); n != 4 {
			t.Fatalf("%d dispute audit rows, want 4", n)
		}
	})
}

// TestPromiseSettledOnce: a promise must be for a later day and at most
// the balance; the tick after its date settles it kept when the payments
// since cover it, else broken with one task for the invoice's owner, which
// a replayed tick, a later tick and even a promise set back to pending
// never open twice (the effects ledger).
func TestPromiseSettledOnce(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		paid  int64 // paid before the promised date's end
		late  int64 // paid the day after
		want  string
		tasks int
	}{
		{"kept", 3000, 0, engine.PromiseKept, 0},
		{"partly paid is broken", 2999, 0, engine.PromiseBroken, 1},
		{"paid late is broken", 0, 3000, engine.PromiseBroken, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			storetest.Each(t, func(t *testing.T, s *store.Store) {
				b := casesSetup(t, s)
				for _, r := range []struct {
					in     store.PromiseIn
					fields []string
				}{
					{store.PromiseIn{PromisedDate: calendar.MustParse("2026-11-01"), PromisedMinor: 100}, []string{"/promised_date"}},
					{store.PromiseIn{PromisedDate: calendar.MustParse("2026-11-02"), PromisedMinor: 100}, []string{"/promised_date"}},
					{store.PromiseIn{PromisedDate: calendar.MustParse("2026-11-05"), PromisedMinor: b.balance + 1}, []string{"/promised_minor"}},
					{store.PromiseIn{PromisedMinor: 100, Currency: "USD"}, []string{"/promised_date", "/currency"}},
				} {
					r.in.Invoice, r.in.Actor = b.number, "rep"
					_, err := s.RecordPromise(b.ctx, casesAdmin, r.in, b.clock)
					wantFields(t, err, r.fields...)
				}
				if n := b.count(t, "SELECT COUNT(*) FROM promises"); n != 0 {
					t.Fatalf("%d promises written by refusals", n)
				}
				p, err := s.RecordPromise(b.ctx, casesAdmin, store.PromiseIn{Invoice: b.number, PromisedDate: calendar.MustParse("2026-11-05"),
					PromisedMinor: 3000, Actor: "rep"}, b.clock)
				if err != nil || p.Status != engine.PromisePending || p.Source != "direct" {
					t.Fatalf("%+v, %v", p, err)
				}
				pay := func(minor int64, at time.Time, ref string) {
					if minor > 0 {
						if _, err := s.RecordPayment(b.ctx, store.PaymentIn{Reference: ref, Invoice: b.number, AmountMinor: minor, Currency: b.currency, PaidAt: at}, at); err != nil {
							t.Fatal(err)
						}
					}
				}
				pay(tc.paid, time.Date(2026, 11, 5, 23, 0, 0, 0, shanghai), "P-1")
				pay(tc.late, time.Date(2026, 11, 6, 0, 30, 0, 0, shanghai), "P-2")
				bundle := examples(t)
				tick := func(at time.Time, slot string) {
					t.Helper()
					if _, err := engine.RunTick(b.ctx, bundle, s, engine.TickOptions{At: at, Location: shanghai, Slot: slot}); err != nil {
						t.Fatal(err)
					}
				}
				// On the promised date it is still pending.
				tick(time.Date(2026, 11, 5, 9, 0, 0, 0, shanghai), "cron/2026-11-05")
				if st := b.count(t, "SELECT COUNT(*) FROM promises WHERE status = 'pending'"); st != 1 {
					t.Fatal("settled on its date")
				}
				tick(time.Date(2026, 11, 6, 9, 0, 0, 0, shanghai), "cron/2026-11-06")
				tick(time.Date(2026, 11, 6, 9, 0, 0, 0, shanghai), "cron/2026-11-06") // replayed
				tick(time.Date(2026, 11, 7, 9, 0, 0, 0, shanghai), "cron/2026-11-07")
				// A promise set back to pending (a restore, a hand edit) is
				// settled again, but its task is in the ledger already.
				storetest.SQL(s).Exec("UPDATE promises SET status = 'pending'")
				tick(time.Date(2026, 11, 8, 9, 0, 0, 0, shanghai), "cron/2026-11-08")
				var status string
				var paid int64
				storetest.SQL(s).QueryRow("SELECT status, paid_minor FROM promises").Scan(&status, &paid)
				if status != tc.want || paid != tc.paid {
					t.Fatalf("promise %s with %d paid, want %s with %d", status, paid, tc.want, tc.paid)
				}
				key := store.PromiseBrokenKey(p.ID)
				if n := b.count(t, "SELECT COUNT(*) FROM tasks WHERE key = ? AND assignee_id = ?", key, b.ownerID); n != tc.tasks {
					t.Fatalf("%d broken-promise tasks for the owner, want %d", n, tc.tasks)
				}
				if n := b.count(t, "SELECT COUNT(*) FROM effects WHERE key = ?", key); n != tc.tasks {
					t.Fatalf("%d ledger rows, want %d", n, tc.tasks)
				}
			})
		})
	}
}

// TestCancelPromise: a pending promise can be cancelled once.
func TestCancelPromise(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		b := casesSetup(t, s)
		p, err := s.RecordPromise(b.ctx, casesAdmin, store.PromiseIn{Invoice: b.number, PromisedDate: calendar.MustParse("2026-11-09"),
			PromisedMinor: 100, Actor: "rep"}, b.clock)
		if err != nil {
			t.Fatal(err)
		}
		if p, err = s.CancelPromise(b.ctx, casesAdmin, p.ID, "customer withdrew", "rep", "", b.clock.Now); err != nil || p.Status != engine.PromiseCancelled {
			t.Fatalf("%+v %v", p, err)
		}
		if _, err = s.CancelPromise(b.ctx, casesAdmin, p.ID, "", "rep", "", b.clock.Now); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("cancelling twice: %v", err)
		}
	})
}

// TestLegalCaseHolds: a legal case places the legal hold (the engine sees
// invoice.on_hold), which only closing the case releases; each way of
// closing it does to the balance and status what it says. A manual hold is
// placed and released by itself.
func TestLegalCaseHolds(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		status     string
		settlement int64
		wantStatus string
		wantCut    int64 // taken off the balance
		all        bool  // the whole balance written off
	}{
		{engine.CaseRecovered, 0, "", 0, false},
		{engine.CaseSettled, 4000, "", -4000, false}, // the balance becomes the settlement
		{engine.CaseLost, 0, engine.StatusWrittenOff, 0, true},
	} {
		t.Run(tc.status, func(t *testing.T) {
			t.Parallel()
			storetest.Each(t, func(t *testing.T, s *store.Store) {
				b := casesSetup(t, s)
				_, _, _, statusBefore := b.invoice(t)
				_, err := s.OpenLegalCase(b.ctx, casesAdmin, store.LegalCaseIn{Invoice: b.number, Documents: []string{""}, Owner: "x@y", Actor: "dir"}, b.clock)
				wantFields(t, err, "/documents/0", "/owner")
				lc, err := s.OpenLegalCase(b.ctx, casesAdmin, store.LegalCaseIn{Invoice: b.number, Notes: "filed",
					Documents: []string{"complaint.pdf", "https://court.example/123"}, Actor: "dir"}, b.clock)
				if err != nil {
					t.Fatal(err)
				}
				if lc.OpenedOn != calendar.MustParse("2026-11-02") || len(lc.Documents) != 2 || lc.Status != engine.CaseOpen {
					t.Fatalf("%+v", lc)
				}
				if _, hold, _, _ := b.invoice(t); hold != engine.HoldLegal {
					t.Fatalf("hold %q", hold)
				}
				subj, err := s.InvoiceSubject(b.ctx, b.number, b.clock)
				if err != nil {
					t.Fatal(err)
				}
				if env := engine.NewEnv(subj, b.clock); !env.Invoice.OnHold || env.Invoice.HoldReason != engine.HoldLegal {
					t.Fatalf("engine sees %+v", env.Invoice)
				}
				if _, err := s.ReleaseHold(b.ctx, casesAdmin, b.number, "fin", "", b.clock.Now); !errors.Is(err, store.ErrConflict) {
					t.Fatalf("releasing the legal hold by hand: %v", err)
				}
				_, err = s.CloseLegalCase(b.ctx, casesAdmin, store.LegalCaseClosing{ID: lc.ID, Status: engine.CaseSettled, SettlementMinor: b.balance + 1, Actor: "dir"}, b.clock.Now)
				wantFields(t, err, "/settlement_minor")
				lc, err = s.CloseLegalCase(b.ctx, casesAdmin, store.LegalCaseClosing{ID: lc.ID, Status: tc.status, SettlementMinor: tc.settlement, Actor: "dir"}, b.clock.Now)
				if err != nil {
					t.Fatal(err)
				}
				_, hold, balance, status := b.invoice(t)
				wantBalance := b.balance - tc.wantCut
				if tc.wantCut < 0 {
					wantBalance = -tc.wantCut
				}
				if tc.all {
					wantBalance = 0
				}
				wantStatus := tc.wantStatus
				if wantStatus == "" {
					wantStatus = statusBefore
				}
				if hold != "" || balance != wantBalance || status != wantStatus || lc.ClosedAt == nil || lc.ResolvedMinor != b.balance-balance {
					t.Fatalf("after %s: hold %q, balance %d (want %d), status %s (want %s), case %+v", tc.status, hold, balance, wantBalance, status, wantStatus, lc)
				}
				// A manual hold.
				_, err = s.PlaceHold(b.ctx, casesAdmin, b.number, " ", "fin", "", b.clock.Now)
				wantFields(t, err, "/reason")
				if h, err := s.PlaceHold(b.ctx, casesAdmin, b.number, "customer in administration", "fin", "", b.clock.Now); err != nil || !h.OnHold {
					t.Fatalf("%+v %v", h, err)
				}
				if _, err := s.PlaceHold(b.ctx, casesAdmin, b.number, "again", "fin", "", b.clock.Now); !errors.Is(err, store.ErrConflict) {
					t.Fatalf("holding twice: %v", err)
				}
				if h, err := s.ReleaseHold(b.ctx, casesAdmin, b.number, "fin", "", b.clock.Now); err != nil || h.OnHold {
					t.Fatalf("%+v %v", h, err)
				}
				if n := b.count(t, "SELECT COUNT(*) FROM audit_log WHERE action IN (?, ?)", store.ActionInvoiceHoldPlaced, store.ActionInvoiceHoldLifted); n != 4 {
					t.Fatalf("%d hold audit rows, want 4", n)
				}
			})
		})
	}
}

// TestDashboardCases: the dashboard counts open disputes by age and SLA,
// resolved ones and promise records by status, over the invoices the
// viewer sees, and reads them anew after each change (not cached).
func TestDashboardCases(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		b := casesSetup(t, s)
		var other string
		var otherBalance int64
		storetest.SQL(s).QueryRow(storetest.Rebind(s, `SELECT number, balance_minor FROM invoices WHERE currency = ? AND balance_minor > 10000
			AND number <> ? ORDER BY id LIMIT 1`), b.currency, b.number).Scan(&other, &otherBalance)
		today := b.clock.Today()
		dash := func(v store.Viewer) store.Dashboard {
			t.Helper()
			d, err := s.Dashboard(b.ctx, v, store.DashboardFilter{}, today, b.clock.Now)
			if err != nil {
				t.Fatal(err)
			}
			return d
		}
		if d := dash(casesAdmin); len(d.Disputes) != 0 || len(d.PromiseRecords) != 0 {
			t.Fatalf("before any: %+v %+v", d.Disputes, d.PromiseRecords)
		}
		if _, err := s.OpenDispute(b.ctx, casesAdmin, store.DisputeIn{Invoice: b.number, Reason: "quality", DisputedMinor: 700, Actor: "rep"}, b.clock); err != nil {
			t.Fatal(err)
		}
		d2, err := s.OpenDispute(b.ctx, casesAdmin, store.DisputeIn{Invoice: other, Reason: "pricing", DisputedMinor: 1000, Actor: "rep",
			SLADue: today}, b.clock)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.ResolveDispute(b.ctx, casesAdmin, store.DisputeResolution{ID: d2.ID, Status: engine.DisputeUpheld, Note: "ok", Actor: "fin"}, b.clock.Now); err != nil {
			t.Fatal(err)
		}
		p, err := s.RecordPromise(b.ctx, casesAdmin, store.PromiseIn{Invoice: b.number, PromisedDate: today.AddDays(3), PromisedMinor: 100, Actor: "rep"}, b.clock)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.RecordPromise(b.ctx, casesAdmin, store.PromiseIn{Invoice: other, PromisedDate: today.AddDays(5), PromisedMinor: 200, Actor: "rep"}, b.clock); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CancelPromise(b.ctx, casesAdmin, p.ID, "", "rep", "", b.clock.Now); err != nil {
			t.Fatal(err)
		}
		d := dash(casesAdmin)
		want := []store.DisputeRow{{Currency: b.currency, Open: 1, OpenMinor: 700, Age0To7: 1, Upheld: 1, UpheldMinor: 1000, ResolvedTotal: 1}}
		if len(d.Disputes) != 1 || d.Disputes[0] != want[0] {
			t.Fatalf("disputes %+v, want %+v", d.Disputes, want)
		}
		if len(d.PromiseRecords) != 1 || d.PromiseRecords[0] != (store.PromiseRecordRow{Currency: b.currency, Pending: 1, Cancelled: 1}) {
			t.Fatalf("promise records %+v", d.PromiseRecords)
		}
		// Twenty days on, the open dispute is in the 8–30 bucket and past its SLA.
		later := engine.Clock{Now: b.clock.Now.AddDate(0, 0, 20), Location: shanghai}
		d, err = s.Dashboard(b.ctx, casesAdmin, store.DashboardFilter{}, later.Today(), later.Now)
		if err != nil {
			t.Fatal(err)
		}
		if r := d.Disputes[0]; r.Age8To30 != 1 || r.PastSLA != 1 {
			t.Fatalf("20 days on: %+v", r)
		}
		// A rep who owns neither invoice sees none of it.
		if d := dash(store.Viewer{Role: store.RoleSalesRep, UserID: -5}); len(d.Disputes) != 0 || len(d.PromiseRecords) != 0 {
			t.Fatalf("a stranger rep: %+v %+v", d.Disputes, d.PromiseRecords)
		}
	})
}
