package usecase

import (
	"cmp"
	"context"
	"errors"
	"strings"
	"time"

	"github.com/recoup/recoup/calendar"
	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/store"
)

// Records from outcomes (docs/workflows.md, "Outcomes that open records"):
// an outcome whose route says `record:` opens that record when a person
// completes the task or decides the approval, written as that person once
// the workflow has routed the outcome, from the form's values:
//
//	dispute     reason code from dispute_reason_code (else "other"),
//	            description from dispute_reason, disputed_amount or the
//	            whole balance
//	promise     promised_date, promised_amount or the whole balance
//	legal_case  notes; the legal hold is placed
//
// Each record is keyed by its task, so completing again (a retry) never
// records twice.
var outcomeRecords = map[string]func(s *Service, ctx context.Context, by Actor, t store.TaskDetail, v map[string]any, clk engine.Clock) error{
	engine.RecordDispute: func(s *Service, ctx context.Context, by Actor, t store.TaskDetail, v map[string]any, clk engine.Clock) error {
		in := store.DisputeIn{Invoice: t.Invoice, Reason: "other", Description: text(v, "dispute_reason"), SourceTaskID: t.ID,
			Actor: by.Name(), RequestID: by.RequestID, WholeBalance: true}
		if code := text(v, "dispute_reason_code"); code != "" {
			in.Reason = code
		}
		if m, ok := v["disputed_amount"].(int); ok && m > 0 {
			in.DisputedMinor, in.WholeBalance = int64(m), false
		}
		_, err := s.store.OpenDispute(ctx, by.Viewer(), in, clk)
		return err
	},
	engine.RecordPromise: func(s *Service, ctx context.Context, by Actor, t store.TaskDetail, v map[string]any, clk engine.Clock) error {
		d, _ := v["promised_date"].(time.Time)
		in := store.PromiseIn{Invoice: t.Invoice, PromisedDate: calendar.Of(d), Note: text(v, "notes"), SourceTaskID: t.ID,
			Actor: by.Name(), RequestID: by.RequestID, WholeBalance: true}
		if m, ok := v["promised_amount"].(int); ok && m > 0 {
			in.PromisedMinor, in.WholeBalance = int64(m), false
		}
		_, err := s.store.RecordPromise(ctx, by.Viewer(), in, clk)
		return err
	},
	engine.RecordLegalCase: func(s *Service, ctx context.Context, by Actor, t store.TaskDetail, v map[string]any, clk engine.Clock) error {
		_, err := s.store.OpenLegalCase(ctx, by.Viewer(), store.LegalCaseIn{Invoice: t.Invoice, Owner: by.User.Email,
			Notes: cmp.Or(text(v, "notes"), text(v, "comment")), SourceTaskID: t.ID, Actor: by.Name(), RequestID: by.RequestID}, clk)
		return err
	},
}

// recordOutcome writes the record task t's outcome names, if any. The task
// is completed already, so a record that cannot be written (an open
// dispute already there, a promise the store refuses) is logged, not
// returned: the person records it directly.
func (s *Service) recordOutcome(ctx context.Context, b *engine.Bundle, by Actor, t store.TaskDetail, values map[string]any, clk engine.Clock, locale string) {
	if t.Invoice == "" {
		return
	}
	form := b.TaskForm(t.Key)
	if form == nil && t.Form != "" {
		form = b.Form(t.Form)
	}
	if form == nil || form.OutcomeField == "" {
		return
	}
	norm, errs := form.ValidateFor(values, clk, locale, nil)
	if len(errs) > 0 {
		return
	}
	outcome, _ := norm[form.OutcomeField].(string)
	record := outcomeRecords[b.OutcomeRecord(t.Key, outcome)]
	if record == nil {
		return
	}
	if err := record(s, ctx, by, t, norm, clk); err != nil && !errors.Is(err, store.ErrConflict) {
		s.log.Warn("task completed but the record of its outcome was not written", "request_id", by.RequestID,
			"task", t.Key, "outcome", outcome, "error", err)
	}
}

func text(v map[string]any, name string) string {
	s, _ := v[name].(string)
	return strings.TrimSpace(s)
}
