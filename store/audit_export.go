package store

import (
	"context"
	"encoding/csv"
	"io"
	"strconv"
	"time"
)

// AuditCSVHeader is the header row of an audit export.
var AuditCSVHeader = []string{"id", "at", "actor", "action", "entity", "entity_id", "invoice", "detail", "before", "after", "request_id", "hash"}

// ExportAuditCSV writes the audit entries f selects (its Cursor, BeforeID
// and Limit aside), newest first, as CSV to w, reading them a page at a
// time; it returns how many it wrote. A cell that a spreadsheet would read
// as a formula (starting with =, +, -, @, a tab or a carriage return) is
// prefixed with a quote.
func (s *Store) ExportAuditCSV(ctx context.Context, w io.Writer, f AuditFilter) (int, error) {
	cw := csv.NewWriter(w)
	if err := cw.Write(AuditCSVHeader); err != nil {
		return 0, err
	}
	f.Cursor, f.BeforeID, f.Limit = "", 0, 500
	n := 0
	for {
		page, err := s.Audit(ctx, f)
		if err != nil {
			return n, err
		}
		for _, e := range page.Items {
			entityID := ""
			if e.EntityID != 0 {
				entityID = strconv.FormatInt(e.EntityID, 10)
			}
			row := []string{strconv.FormatInt(e.ID, 10), e.At.UTC().Format(time.RFC3339Nano), e.Actor, e.Action, e.Entity, entityID, e.Invoice,
				string(e.Detail), string(e.Before), string(e.After), e.RequestID, e.Hash}
			for i := range row {
				row[i] = csvSafe(row[i])
			}
			if err := cw.Write(row); err != nil {
				return n, err
			}
			n++
		}
		cw.Flush()
		if err := cw.Error(); err != nil {
			return n, err
		}
		if page.NextCursor == "" {
			return n, nil
		}
		f.Cursor = page.NextCursor
	}
}

// csvSafe keeps a spreadsheet from running a cell as a formula.
func csvSafe(v string) string {
	if v != "" {
		switch v[0] {
		case '=', '+', '-', '@', '\t', '\r':
			return "'" + v
		}
	}
	return v
}
