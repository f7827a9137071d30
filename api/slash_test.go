package api_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/recoup/recoup/api"
	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/store/storetest"
)

// TestSlashInKeys: invoice numbers and customer ids with slashes (common:
// INV/2026/0001) work everywhere, sent escaped (INV%2F2026%2F0001) as the
// web app's encodeURIComponent sends them: imported, paid, shown in detail,
// filtered by in tasks, approvals, payments, invoices and the audit, and as
// web app links.
func TestSlashInKeys(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s, api.Options{UI: fstest.MapFS{"index.html": {Data: []byte("<title>recoup</title>")}}})
		ctx := context.Background()
		fin, adm := f.login(finance), f.login(admin)
		imp := func(kind, body string) {
			t.Helper()
			req, _ := http.NewRequest("POST", f.url+"/api/import/"+kind, strings.NewReader(body))
			req.Header.Set("Content-Type", "text/csv")
			req.Header.Set(api.CSRFHeader, fin.csrf)
			res, err := fin.hc.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			data, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != 200 {
				t.Fatalf("import %s: %d %s", kind, res.StatusCode, data)
			}
		}
		imp("customers", "id,name,owner\nCUST/EU/7,Slash GmbH,"+rep+"\n")
		imp("invoices", "number,customer_id,currency,amount,issue_date,due_date\nINV/2026/0001,CUST/EU/7,CNY,1200.00,2026-08-01,2026-10-22\n"+
			"FY26/Q3 #7%,CUST/EU/7,CNY,10.00,2026-10-01,2026-12-01\n")
		b, err := s.LoadPublished(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := engine.RunTick(ctx, b, s, engine.TickOptions{At: now, Location: shanghai}); err != nil {
			t.Fatal(err)
		}
		fin.do("POST", "/api/payments", map[string]any{"reference": "BANK/2026/77", "invoice": "INV/2026/0001", "amount_minor": 10000,
			"currency": "CNY", "paid_at": "2026-11-02T01:00:00Z"}).want(201)

		const number, escaped = "INV/2026/0001", "INV%2F2026%2F0001"
		var d store.InvoiceDetail
		fin.do("GET", "/api/invoices/"+escaped, nil).want(200).decode(&d)
		if d.Invoice.Number != number || d.Invoice.Customer != "CUST/EU/7" || len(d.Payments) != 1 || len(d.Tasks) == 0 {
			t.Fatalf("detail: %+v, %d payments, %d tasks", d.Invoice, len(d.Payments), len(d.Tasks))
		}
		var pays struct{ Items []map[string]any }
		fin.do("GET", "/api/payments?invoice="+escaped, nil).want(200).decode(&pays)
		if len(pays.Items) != 1 || pays.Items[0]["invoice"] != number || pays.Items[0]["reference"] != "BANK/2026/77" {
			t.Fatalf("payments: %+v", pays.Items)
		}
		var tasks struct{ Items []store.InboxTask }
		adm.do("GET", "/api/tasks?status=all&invoice="+escaped, nil).want(200).decode(&tasks)
		if len(tasks.Items) == 0 {
			t.Fatal("no tasks by invoice")
		}
		for _, tk := range tasks.Items {
			if tk.Invoice != number {
				t.Fatalf("task of %s in the list of %s", tk.Invoice, number)
			}
		}
		var invs struct{ Items []store.InvoiceSummary }
		fin.do("GET", "/api/invoices?customer=CUST%2FEU%2F7", nil).want(200).decode(&invs)
		if len(invs.Items) != 2 || invs.Items[0].Customer != "CUST/EU/7" || invs.Items[1].Customer != "CUST/EU/7" {
			t.Fatalf("invoices of the customer: %+v", invs.Items)
		}
		var c store.CustomerDetail
		fin.do("GET", "/api/customers/CUST%2FEU%2F7", nil).want(200).decode(&c)
		if c.ID != "CUST/EU/7" {
			t.Fatalf("customer: %+v", c)
		}
		adm.do("GET", "/api/approvals?status=all&invoice="+escaped, nil).want(200)
		adm.do("GET", "/api/audit?invoice="+escaped, nil).want(200)
		fin.do("GET", "/api/invoices/INV%2F2026%2F0002", nil).want(404)
		// Other reserved characters too.
		var odd store.InvoiceDetail
		fin.do("GET", "/api/invoices/"+url.PathEscape("FY26/Q3 #7%"), nil).want(200).decode(&odd)
		if odd.Invoice.Number != "FY26/Q3 #7%" {
			t.Fatalf("%+v", odd.Invoice)
		}
		// The web app's links (encodeURIComponent) reach the app.
		for _, path := range []string{"/invoices/" + escaped, "/customers/CUST%2FEU%2F7"} {
			res, err := http.Get(f.url + path)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != 200 || !strings.Contains(string(body), "<title>recoup") {
				t.Errorf("GET %s: %d %.100s", path, res.StatusCode, body)
			}
		}
	})
}
