package store

import (
	"context"
	"database/sql"
	"strings"
	"unicode"
)

// invoiceSearch is what a text search of the invoice list matches: the
// invoices whose number starts with the text in any case (a range of
// numbers in lower case, which migration 00017 indexes), and the invoices
// of the customers whose name or external id contains it in any case.
//
// The customers are found first, with one pass over customers (a tenth of
// the invoices; on SQLite over customers_search, which holds only the
// lower-case name and id; stopped at searchCustomersMax + 1 matches). When
// few match, the list names them by id, which the invoices' customer index
// serves; when more do, their invoices are common and a walk in id order
// meets a page of them soon, looking up the customer of each invoice it
// passes (by its key) rather than listing every matching customer first.
type invoiceSearch struct {
	key         string  // an invoice's number in lower case, as its index holds it
	from, until string  // the numbers that start with the text are in [from, until); until "" is no bound
	customers   []int64 // the matching customers, when at most searchCustomersMax
	like        string  // their LIKE pattern, when more match (customers is nil then)
}

// searchCustomersMax is how many matching customers a search names by id.
// (A variable for tests, which try both forms.)
var searchCustomersMax = 500

// searchDialects is how each dialect indexes an invoice number in lower
// case (migration 00017), lowers text as its lower() does (SQLite folds
// ASCII letters only, PostgreSQL all of Unicode) and passes over customers.
// Both compare the number keys byte by byte (SQLite's BINARY collation,
// PostgreSQL's "C"), so the numbers that start with a text are one range
// of the index. SQLite's planner, without statistics, would read the
// customers table rather than its narrow index.
var searchDialects = map[string]struct {
	key       string
	fold      func(string) string
	customers string
}{
	SQLite:   {key: "lower(i.number)", fold: asciiLower, customers: "customers sc INDEXED BY customers_search"},
	Postgres: {key: `lower(i.number) COLLATE "C"`, fold: strings.ToLower, customers: "customers sc"},
}

// customerMatch is the condition on customers sc of a name or external id
// that contains the LIKE pattern (given twice).
const customerMatch = `LOWER(sc.name) LIKE ? ESCAPE '\' OR LOWER(sc.external_id) LIKE ? ESCAPE '\'`

// likeEscaper escapes LIKE's wildcards (with ESCAPE '\').
var likeEscaper = strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`)

// invoiceSearch prepares the search for text: nil for a blank text.
func (s *Store) invoiceSearch(ctx context.Context, conn *sql.Conn, text string) (*invoiceSearch, error) {
	text = strings.ToValidUTF8(strings.TrimSpace(text), "\uFFFD")
	if text == "" {
		return nil, nil
	}
	d := searchDialects[s.dialect]
	low := d.fold(text)
	m := &invoiceSearch{key: d.key, from: low, until: prefixEnd(low), like: "%" + likeEscaper.Replace(low) + "%"}
	rows, err := conn.QueryContext(ctx, s.rebind("SELECT sc.id FROM "+d.customers+" WHERE "+customerMatch+" LIMIT ?"),
		m.like, m.like, searchCustomersMax+1)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	ids := []int64{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(ids) <= searchCustomersMax {
		m.customers, m.like = ids, ""
	}
	return m, nil
}

// numberRange is the condition on invoices i of a number in the search's range.
func (m *invoiceSearch) numberRange() (string, []any) {
	if m.until == "" {
		return m.key + " >= ?", []any{m.from}
	}
	return m.key + " >= ? AND " + m.key + " < ?", []any{m.from, m.until}
}

// cond is the search's condition on invoices i.
func (m *invoiceSearch) cond() (string, []any) {
	c, args := m.numberRange()
	c = "(" + c
	switch {
	case m.like != "":
		c += " OR EXISTS (SELECT 1 FROM customers sc WHERE sc.id = i.customer_id AND (" + customerMatch + "))"
		args = append(args, m.like, m.like)
	case len(m.customers) > 0:
		c += " OR i.customer_id IN (" + placeholders(len(m.customers)) + ")"
		for _, id := range m.customers {
			args = append(args, id)
		}
	}
	return c + ")", args
}

// matches is a query of the ids above after of the invoices the search
// matches on SQLite, each part through its index; "" when its customers
// are too many to name (a walk serves them better).
func (m *invoiceSearch) matches(after int64) (string, []any) {
	if m.like != "" {
		return "", nil
	}
	c, args := m.numberRange()
	q := "SELECT i.id FROM invoices i INDEXED BY invoices_number_lower WHERE " + c + " AND i.id > ?"
	args = append(args, after)
	if len(m.customers) > 0 {
		q += " UNION SELECT i.id FROM invoices i INDEXED BY invoices_customer_list WHERE i.customer_id IN (" +
			placeholders(len(m.customers)) + ") AND i.id > ?"
		for _, id := range m.customers {
			args = append(args, id)
		}
		args = append(args, after)
	}
	return q, args
}

// asciiLower lowers the ASCII letters of s, as SQLite's lower() does.
func asciiLower(s string) string {
	return strings.Map(func(r rune) rune {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, s)
}

// prefixEnd is the least string above every string that starts with p in
// byte order, which is code point order for UTF-8: p with its last
// character that can be raised raised to the next code point, and what
// follows it dropped; "" when none can (p is all U+10FFFF).
func prefixEnd(p string) string {
	r := []rune(p)
	for i := len(r) - 1; i >= 0; i-- {
		next := r[i] + 1
		if next == 0xD800 { // surrogates are not characters
			next = 0xE000
		}
		if next <= unicode.MaxRune {
			return string(append(r[:i], next))
		}
	}
	return ""
}
