package store_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/recoup/recoup/calendar"
	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/store/storetest"
)

// TestInvoiceFilters compares every page of the invoice list, for each
// role and many filter combinations, with the same filters applied in Go
// to all invoices. On SQLite the store picks the plan (walk in id order or
// collect and sort): each combination runs with the plan forced both ways
// and with the store's own choice, which must all agree; and a search
// runs both with its customers named by id and matched by a subquery.
func TestInvoiceFilters(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		seedDemo(t, s, 60, 600, "2026-11-29")
		at := time.Date(2026, 11, 29, 9, 0, 0, 0, shanghai)
		if _, err := engine.RunTick(ctx, examples(t), s, engine.TickOptions{At: at, Location: shanghai}); err != nil {
			t.Fatal(err)
		}
		today := calendar.MustParse("2026-11-30")

		viewers := map[string]store.Viewer{"admin": {Role: store.RoleAdmin}}
		for name, email := range map[string]string{"finance": "finance1@demo.recoup.test", "rep": "rep1.east@demo.recoup.test",
			"manager": "manager.east@demo.recoup.test"} {
			u, err := s.UserByEmail(ctx, email)
			if err != nil {
				t.Fatal(err)
			}
			viewers[name] = store.Viewer{UserID: u.ID, Role: u.Role, Team: u.Team}
		}
		var customer string
		storetest.SQL(s).QueryRow(`SELECT c.external_id FROM customers c JOIN users u ON u.id = c.owner_id WHERE u.team = 'east'
			ORDER BY c.id LIMIT 1 OFFSET 2`).Scan(&customer)
		// A customer of the team whose name holds LIKE's wildcards, and
		// invoice numbers in mixed case with a slash.
		if _, err := storetest.SQL(s).Exec(storetest.Rebind(s, `UPDATE customers SET name = 'Shop 100% Real_Deal' WHERE id = (SELECT c.id FROM customers c
			JOIN users u ON u.id = c.owner_id WHERE u.team = 'east' AND c.external_id <> ? ORDER BY c.id LIMIT 1)`), customer); err != nil {
			t.Fatal(err)
		}
		if _, err := storetest.SQL(s).Exec(`UPDATE invoices SET number = 'Inv/2026/' || CAST(id AS TEXT) WHERE id % 97 = 3`); err != nil {
			t.Fatal(err)
		}
		all := allInvoices(t, s, today)

		filters := []string{
			"", "status=overdue", "status=open", "status=paid", "status=written_off",
			"risk=low", "risk=medium", "risk=high",
			"aging=current", "aging=1-30", "aging=31-60", "aging=61-90", "aging=90%2B",
			"overdue_min=1&overdue_max=7", "overdue_min=8&overdue_max=15", "overdue_min=31", "overdue_max=0", "overdue_min=9&overdue_max=3",
			"aging=31-60&risk=medium", "aging=1-30&status=overdue&risk=low", "aging=61-90&overdue_min=70",
			"status=overdue&overdue_min=16&overdue_max=30&risk=high", "status=paid&aging=1-30", "status=overdue&overdue_max=0",
			"status=overdue&aging=31-60", "status=open&aging=current&risk=medium",
			"owner=rep2.east@demo.recoup.test", "owner=REP1.EAST@demo.recoup.test&aging=1-30", "owner=rep1.west@demo.recoup.test&status=overdue",
			"owner=nobody@demo.recoup.test", "owner=rep3.south@demo.recoup.test&risk=high&overdue_min=1",
			"customer=" + customer, "customer=" + customer + "&status=paid", "customer=C99999",
			"currency=USD", "currency=CNY", "currency=EUR", "currency=USD&aging=31-60", "currency=CNY&status=overdue&risk=high",
			"currency=USD&owner=rep2.east@demo.recoup.test", "currency=USD&customer=" + customer,
			"q=INV-00001", "q=inv-00001", "q=iNv-0000", "q=INV-0000599", "q=inv/2026/", "q=INV/2026/10", "q=nothing-like-it",
			"q=acme", "q=ACME%20Ind", "q=systems", "q=有限公司", "q=c0001", "q=" + strings.ToLower(customer),
			"q=100%25", "q=l_d", "q=%25", "q=_", "q=%5C", "q=%20%20", "q=%20acme%20",
			"q=inv&status=paid", "q=acme&aging=1-30", "q=ltd&risk=high", "q=inv-00002&overdue_min=1&overdue_max=40",
			"q=acme&currency=USD", "q=a&owner=rep2.east@demo.recoup.test", "q=inv-00003&customer=" + customer,
		}
		for _, plan := range []struct {
			name      string
			rare      int
			customers int // how many customers a search names by id
		}{{"walk", 0, 500}, {"collect", 1 << 30, 500}, {"chosen", -1, 500}, {"walk, customers by subquery", 0, 0},
			{"collect, customers by subquery", 1 << 30, 0}, {"chosen, customers by subquery", -1, 0}} {
			restoreCustomers, restoreRare := store.SetSearchCustomersMax(plan.customers), func() {}
			if plan.rare >= 0 {
				restoreRare = store.SetRareMatches(plan.rare)
			}
			for vn, v := range viewers {
				for _, q := range filters {
					f := invoiceFilter(t, q, today)
					want := filterInvoices(all, v, f, today)
					got := listInvoices(t, s, v, f, 7)
					if !reflect.DeepEqual(got, want) {
						t.Errorf("%s plan, %s, %q: got %d invoices %v,\nwant %d %v", plan.name, vn, q, len(got), numbers(got), len(want), numbers(want))
					}
				}
			}
			restoreRare()
			restoreCustomers()
		}
		// Filters that match make the comparison mean something.
		for _, q := range []string{"risk=high", "aging=31-60", "overdue_min=8&overdue_max=15", "status=paid", "customer=" + customer,
			"currency=USD", "q=INV-00001", "q=acme", "q=有限公司", "q=inv/2026/", "q=l_d", "q=100%25", "q=" + strings.ToLower(customer)} {
			if len(filterInvoices(all, viewers["manager"], invoiceFilter(t, q, today), today)) == 0 {
				t.Errorf("no invoice of the manager's team matches %s", q)
			}
		}
		// A cursor resumes after its invoice whatever the plan.
		f := invoiceFilter(t, "aging=1-30", today)
		f.Limit = 3
		first, err := s.Invoices(ctx, viewers["finance"], f)
		if err != nil || first.NextCursor == "" {
			t.Fatalf("first page %+v, %v", first, err)
		}
		f.Cursor = "bogus"
		if _, err := s.Invoices(ctx, viewers["finance"], f); err != store.ErrInvalidCursor {
			t.Fatalf("bogus cursor: %v", err)
		}
		f.Cursor, f.Aging = "", "121+"
		if _, err := s.Invoices(ctx, viewers["finance"], f); err == nil || !strings.Contains(err.Error(), `aging bucket "121+"`) {
			t.Fatalf("unknown bucket: %v", err)
		}
	})
}

type listedInvoice struct {
	store.InvoiceSummary
	id       int64
	ownerID  int64
	team     string
	customer string
}

// allInvoices reads every invoice as a list shows it.
func allInvoices(t *testing.T, s *store.Store, today calendar.Date) []listedInvoice {
	t.Helper()
	rows, err := storetest.SQL(s).Query(`SELECT i.id, i.number, c.external_id, c.name, i.currency, i.amount_minor, i.balance_minor, i.issue_date,
		i.due_date, i.status, c.risk, COALESCE(u.email, ''), i.disputed, COALESCE(i.owner_id, 0), COALESCE(u.team, '')
		FROM invoices i JOIN customers c ON c.id = i.customer_id LEFT JOIN users u ON u.id = i.owner_id ORDER BY i.id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []listedInvoice
	for rows.Next() {
		var in listedInvoice
		if err := rows.Scan(&in.id, &in.Number, &in.Customer, &in.CustomerName, &in.Currency, &in.AmountMinor, &in.BalanceMinor,
			&in.IssueDate, &in.DueDate, &in.Status, &in.Risk, &in.Owner, &in.Disputed, &in.ownerID, &in.team); err != nil {
			t.Fatal(err)
		}
		if d := today.DaysSince(in.DueDate); d > 0 && in.BalanceMinor > 0 {
			in.DaysOverdue = d
		}
		in.customer = in.Customer
		out = append(out, in)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// invoiceFilter parses query as GET /api/invoices does.
func invoiceFilter(t *testing.T, query string, today calendar.Date) store.InvoiceFilter {
	t.Helper()
	q, err := url.ParseQuery(query)
	if err != nil {
		t.Fatal(err)
	}
	f := store.InvoiceFilter{Status: q.Get("status"), Aging: q.Get("aging"), Owner: q.Get("owner"), Risk: q.Get("risk"),
		Customer: q.Get("customer"), Currency: q.Get("currency"), Search: q.Get("q"), Today: today}
	for name, dst := range map[string]**int{"overdue_min": &f.OverdueMin, "overdue_max": &f.OverdueMax} {
		if v := q.Get(name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				t.Fatal(err)
			}
			*dst = &n
		}
	}
	return f
}

// filterInvoices is the list's meaning, in Go: the viewer's rows (a rep
// its own, a manager its team's), the filters, days overdue counted from
// today, aging buckets and overdue ranges on invoices with a balance; a
// search, in any case, at the start of the number or anywhere in the
// customer's name or id.
func filterInvoices(all []listedInvoice, v store.Viewer, f store.InvoiceFilter, today calendar.Date) []store.InvoiceSummary {
	out := []store.InvoiceSummary{}
	search := strings.ToLower(strings.TrimSpace(f.Search))
	found := func(in listedInvoice) bool {
		return strings.HasPrefix(strings.ToLower(in.Number), search) || strings.Contains(strings.ToLower(in.CustomerName), search) ||
			strings.Contains(strings.ToLower(in.customer), search)
	}
	bucket := map[string][2]int{"current": {-1 << 30, 0}, "1-30": {1, 30}, "31-60": {31, 60}, "61-90": {61, 90}, "90+": {91, 1 << 30}}
	for _, in := range all {
		switch v.Role {
		case store.RoleSalesRep:
			if in.ownerID != v.UserID {
				continue
			}
		case store.RoleSalesManager:
			if v.Team == "" || in.team != v.Team {
				continue
			}
		}
		d := today.DaysSince(in.DueDate)
		open := in.BalanceMinor > 0
		switch {
		case f.Status != "" && in.Status != f.Status,
			f.Risk != "" && in.Risk != f.Risk,
			f.Customer != "" && in.customer != f.Customer,
			f.Currency != "" && in.Currency != f.Currency,
			search != "" && !found(in),
			f.Owner != "" && !strings.EqualFold(in.Owner, f.Owner),
			f.Aging != "" && (!open || d < bucket[f.Aging][0] || d > bucket[f.Aging][1]),
			f.OverdueMin != nil && (!open || d < *f.OverdueMin),
			f.OverdueMax != nil && (!open || d > *f.OverdueMax):
			continue
		}
		out = append(out, in.InvoiceSummary)
	}
	return out
}

// listInvoices follows the pages of f, limit invoices each.
func listInvoices(t *testing.T, s *store.Store, v store.Viewer, f store.InvoiceFilter, limit int) []store.InvoiceSummary {
	t.Helper()
	f.Limit = limit
	out := []store.InvoiceSummary{}
	for pages := 0; ; pages++ {
		page, err := s.Invoices(context.Background(), v, f)
		if err != nil {
			t.Fatalf("%+v: %v", f, err)
		}
		out = append(out, page.Items...)
		if page.NextCursor == "" {
			return out
		}
		if len(page.Items) != limit || pages > 1000 {
			t.Fatalf("%+v: a page of %d with a next cursor", f, len(page.Items))
		}
		f.Cursor = page.NextCursor
	}
}

func numbers(ins []store.InvoiceSummary) string {
	var n []string
	for _, in := range ins {
		n = append(n, strings.TrimPrefix(in.Number, "INV-"))
	}
	if len(n) > 12 {
		n = append(n[:12], "…")
	}
	return strings.Join(n, " ")
}

// TestInboxRows compares the inbox with its columns read the plain way
// (the driver's own time parsing, COALESCE for missing joins).
func TestInboxRows(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		seedDemo(t, s, 30, 300, "2026-11-29") // the first tick creates one stage's work per invoice
		at := time.Date(2026, 11, 29, 9, 0, 0, 0, shanghai)
		if _, err := engine.RunTick(ctx, examples(t), s, engine.TickOptions{At: at, Location: shanghai}); err != nil {
			t.Fatal(err)
		}
		// A task without invoice, customer or assignee, and one done.
		if _, err := storetest.SQL(s).Exec(storetest.Rebind(s, `INSERT INTO tasks (key, kind, title, role, status, created_at, updated_at)
			VALUES ('test/loose', 'task', 'Loose end', 'finance', 'open', ?, ?)`), at, at); err != nil {
			t.Fatal(err)
		}
		now := at.Add(25 * time.Hour)
		f := store.InboxFilter{Status: "all", Now: now, Limit: 500, Sort: store.SortDue,
			StartOfDay: time.Date(2026, 11, 30, 0, 0, 0, 0, shanghai), EndOfDay: time.Date(2026, 12, 1, 0, 0, 0, 0, shanghai)}
		got, err := s.Inbox(ctx, store.Viewer{Role: store.RoleAdmin}, f)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := storetest.SQL(s).Query(`SELECT t.id, t.key, t.kind, t.title, t.status, t.priority, COALESCE(u.email, ''), t.role, t.form,
			COALESCE(i.number, ''), COALESCE(c.external_id, ''), t.due_at, t.created_at, COALESCE(c.name, ''), COALESCE(i.currency, ''),
			COALESCE(i.balance_minor, 0), COALESCE(u.name, ''), t.node
			FROM tasks t LEFT JOIN users u ON u.id = t.assignee_id LEFT JOIN invoices i ON i.id = t.invoice_id
			LEFT JOIN customers c ON c.id = t.customer_id ORDER BY CASE WHEN t.due_at IS NULL THEN 0 ELSE 1 END, t.due_at, t.id LIMIT 500`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var want []store.InboxTask
		for rows.Next() {
			var w store.InboxTask
			var due sql.NullTime
			if err := rows.Scan(&w.ID, &w.Key, &w.Kind, &w.Title, &w.Status, &w.Priority, &w.Assignee, &w.Role, &w.Form,
				&w.Invoice, &w.Customer, &due, &w.CreatedAt, &w.CustomerName, &w.Currency, &w.BalanceMinor, &w.AssigneeName, &w.Node); err != nil {
				t.Fatal(err)
			}
			w.DueAt = due.Time
			w.Overdue = w.Status == "open" && due.Valid && due.Time.Before(now)
			want = append(want, w)
		}
		if len(got) < 100 || len(got) != len(want) {
			t.Fatalf("inbox has %d tasks, want %d", len(got), len(want))
		}
		// What is worked out in Go (days, promises, priority, teams) is
		// TestInboxViews' part.
		for i := range got {
			g := &got[i]
			*g = store.InboxTask{ID: g.ID, Key: g.Key, Kind: g.Kind, Title: g.Title, Status: g.Status, Priority: g.Priority,
				Assignee: g.Assignee, Role: g.Role, Form: g.Form, Invoice: g.Invoice, Customer: g.Customer, CustomerName: g.CustomerName,
				Currency: g.Currency, BalanceMinor: g.BalanceMinor, AssigneeName: g.AssigneeName, Node: g.Node, DueAt: g.DueAt,
				Overdue: g.Overdue, CreatedAt: g.CreatedAt}
		}
		gotJSON, _ := json.Marshal(got)
		wantJSON, _ := json.Marshal(want)
		if string(gotJSON) != string(wantJSON) {
			for i := range got {
				if !reflect.DeepEqual(got[i], want[i]) {
					t.Fatalf("task %d:\n got %+v\nwant %+v", i, got[i], want[i])
				}
			}
			t.Fatal("inbox JSON differs")
		}
		if !slices.ContainsFunc(got, func(t store.InboxTask) bool { return t.Key == "test/loose" && t.Invoice == "" && t.Assignee == "" }) {
			t.Fatal("the loose task is missing")
		}
	})
}

// TestDBTime: the inbox's own parsing of SQLite's timestamp text gives
// the instant the driver gives, for every layout the driver reads.
func TestDBTime(t *testing.T) {
	t.Parallel()
	s := storetest.SQLite(t)
	if _, err := storetest.SQL(s).Exec("CREATE TABLE times (id INTEGER PRIMARY KEY, at TIMESTAMP)"); err != nil {
		t.Fatal(err)
	}
	for i, text := range []string{
		"2026-11-30 01:00:00+00:00", "2026-11-30 09:00:00.123456789+08:00", "2026-11-30T01:00:00-05:00",
		"2026-11-30T01:00:00.5Z", "2026-11-30 01:00:00", "2026-11-30T01:00:00.25", "2026-11-30 01:00", "2026-11-30T01:00",
		"2026-11-30", "2026-11-30 01:00:00.5 +0000 UTC", "2026-11-30 09:00:00 +0800 CST m=+0.000000001",
	} {
		if _, err := storetest.SQL(s).Exec("INSERT INTO times (id, at) VALUES (?, ?)", i, text); err != nil {
			t.Fatal(err)
		}
		var driver time.Time
		var raw []byte
		if err := storetest.SQL(s).QueryRow("SELECT at, CAST(at AS BLOB) FROM times WHERE id = ?", i).Scan(&driver, &raw); err != nil {
			t.Fatalf("%s: %v", text, err)
		}
		got, ok, err := store.ScanDBTime(raw)
		if err != nil || !ok || !got.Equal(driver) || fmt.Sprint(got) != fmt.Sprint(driver) {
			t.Errorf("%s: got %v (%v, %v), driver %v", text, got, ok, err, driver)
		}
	}
	if _, ok, err := store.ScanDBTime(nil); ok || err != nil {
		t.Errorf("NULL: %v, %v", ok, err)
	}
	if _, _, err := store.ScanDBTime("yesterday"); err == nil {
		t.Error("no error for yesterday")
	}
}
