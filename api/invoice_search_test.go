package api_test

import (
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/recoup/recoup/api"
	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/store/storetest"
)

// TestInvoiceSearch: GET /api/invoices with q and currency, as finance and
// as a rep. Every page is followed and the whole answer compared with the
// invoices a plain SQL query (LIKE over every row) finds for the same
// search in the caller's scope; a currency that is not an ISO code, or a
// search too long, is refused at its field.
func TestInvoiceSearch(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s, api.Options{})
		// The customer name and invoice number of one of the rep's invoices.
		var name, number string
		if err := storetest.SQL(s).QueryRow(storetest.Rebind(s, `SELECT c.name, i.number FROM invoices i JOIN customers c ON c.id = i.customer_id
			JOIN users u ON u.id = i.owner_id WHERE u.email = ? AND c.name <> '' ORDER BY i.id LIMIT 1 OFFSET 3`), rep).Scan(&name, &number); err != nil {
			t.Fatal(err)
		}
		prefix := number[:len(number)-1]
		// matches is the SQL meaning of q=text: a number's start, a name or id anywhere, in any case.
		matches := func(text string) (string, []any) {
			low := strings.ToLower(text)
			return "(LOWER(i.number) LIKE ? OR LOWER(c.name) LIKE ? OR LOWER(c.external_id) LIKE ?)", []any{low + "%", "%" + low + "%", "%" + low + "%"}
		}
		byNumber, byNumberArgs := matches(prefix)
		byName, byNameArgs := matches(name)
		ofRep := "u.email = '" + rep + "'"

		scenarios := []struct {
			name     string
			as       string
			query    string
			status   int
			where    string // for 200: the condition (on invoices i, customers c, owners u) the answer holds exactly
			args     []any
			wantSome bool     // the answer is not empty
			contains []string // for errors
		}{
			{name: "a number's start in lower case", as: finance, query: "q=" + url.QueryEscape(strings.ToLower(prefix)), status: 200,
				where: byNumber, args: byNumberArgs, wantSome: true},
			{name: "a customer's name in upper case", as: finance, query: "q=" + url.QueryEscape(strings.ToUpper(name)), status: 200,
				where: byName, args: byNameArgs, wantSome: true},
			{name: "a customer's name, as its rep", as: rep, query: "q=" + url.QueryEscape(name), status: 200,
				where: ofRep + " AND " + byName, args: byNameArgs, wantSome: true},
			{name: "a currency", as: finance, query: "currency=USD", status: 200, where: "i.currency = 'USD'", wantSome: true},
			{name: "a currency and a name, as the rep", as: rep, query: "currency=CNY&q=" + url.QueryEscape(name), status: 200,
				where: ofRep + " AND i.currency = 'CNY' AND " + byName, args: byNameArgs},
			{name: "a currency no invoice has", as: finance, query: "currency=EUR", status: 200, where: "i.currency = 'EUR'"},
			{name: "a blank search", as: finance, query: "q=%20%20", status: 200, where: "1 = 1", wantSome: true},
			{name: "wildcards are text", as: finance, query: "q=%25", status: 200, where: "c.name LIKE '%!%%' ESCAPE '!'"},
			{name: "a currency in lower case", as: finance, query: "currency=usd", status: 422,
				contains: []string{`"field":"query.currency"`, `doesn't match the regular expression`}},
			{name: "a currency of four letters", as: finance, query: "currency=USDX", status: 422, contains: []string{`"field":"query.currency"`}},
			{name: "a search too long", as: finance, query: "q=" + strings.Repeat("a", 101), status: 422,
				contains: []string{`"field":"query.q"`, "maximum string length is 100"}},
		}
		clients := map[string]*client{}
		for _, sc := range scenarios {
			c := clients[sc.as]
			if c == nil {
				c = f.login(sc.as)
				clients[sc.as] = c
			}
			if sc.status != 200 {
				r := c.do("GET", "/api/invoices?"+sc.query, nil)
				if r.status != sc.status {
					t.Errorf("%s: status %d, want %d: %s", sc.name, r.status, sc.status, r.body)
				}
				for _, want := range sc.contains {
					if !strings.Contains(string(r.body), want) {
						t.Errorf("%s: the answer lacks %s: %s", sc.name, want, r.body)
					}
				}
				continue
			}
			var got []string
			cursor := ""
			for pages := 0; ; pages++ {
				var page store.InvoicePage
				c.do("GET", "/api/invoices?limit=50&"+sc.query+cursor, nil).want(200).decode(&page)
				for _, in := range page.Items {
					got = append(got, in.Number)
				}
				if page.NextCursor == "" || pages > 100 {
					break
				}
				cursor = "&cursor=" + page.NextCursor
			}
			want := f.numbers("SELECT i.number FROM invoices i JOIN customers c ON c.id = i.customer_id LEFT JOIN users u ON u.id = i.owner_id WHERE "+
				sc.where+" ORDER BY i.id", sc.args...)
			if !slices.Equal(got, want) {
				t.Errorf("%s: got %d invoices %v,\nwant %d %v", sc.name, len(got), first(got), len(want), first(want))
			}
			if sc.wantSome && len(want) == 0 {
				t.Errorf("%s: nothing matches, which proves little", sc.name)
			}
		}
	})
}

// numbers runs a query of invoice numbers.
func (f *fixture) numbers(q string, args ...any) []string {
	f.t.Helper()
	rows, err := storetest.SQL(f.s).Query(storetest.Rebind(f.s, q), args...)
	if err != nil {
		f.t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			f.t.Fatal(err)
		}
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		f.t.Fatal(err)
	}
	return out
}

// first is at most the first 10 of numbers, for messages.
func first(numbers []string) []string {
	return numbers[:min(len(numbers), 10)]
}
