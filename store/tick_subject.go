package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/recoup/recoup/engine"
)

// TickSubject reads the invoice numbered number as the tick evaluates it at
// c — its customer and the customer's aggregates, its plan, fees, interest
// and hold — through a dry run of its batch, which writes nothing; a
// rule tried on it sees what the next tick would. ErrNotFound when there
// is no such invoice.
func (s *Store) TickSubject(ctx context.Context, number string, c engine.Clock) (*engine.Subject, error) {
	var ref engine.TaskRef
	err := s.sqlDB.QueryRowContext(ctx, s.rebind(`SELECT id, customer_id FROM invoices WHERE number = ?`), number).Scan(&ref.InvoiceID, &ref.CustomerID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("invoice %q: %w", number, ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	var subj *engine.Subject
	_, _, err = s.ProcessBatch(ctx, engine.TickRun{At: c.Now.UTC(), Customer: ref.CustomerID}, s.SubjectBatch(ref), c, true, func(in *engine.BatchInput) *engine.Result {
		for i := range in.Subjects {
			if in.Subjects[i].Invoice.ID == ref.InvoiceID {
				v := in.Subjects[i]
				subj = &v
			}
		}
		return &engine.Result{}
	})
	if err != nil {
		return nil, fmt.Errorf("invoice %q: %w", number, err)
	}
	if subj == nil {
		return nil, fmt.Errorf("invoice %q: %w", number, ErrNotFound)
	}
	return subj, nil
}
