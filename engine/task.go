package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/expr-lang/expr/vm"
)

// ErrTaskNotOpen is returned when completing a task that is done, cancelled
// or expired.
var ErrTaskNotOpen = errors.New("task is not open")

// TaskRef is what completing a task needs to know of it.
type TaskRef struct {
	Key        string
	Kind       string // task or approval
	Form       string // form named on the task, "" for none
	Status     string
	InvoiceID  int64
	CustomerID int64
	// Routing is, for a workflow approval, whose decision the submitted
	// values need (its routes evaluated with them on the invoice as it
	// stands: [Bundle.ApprovalRole]), as CheckTask found it; zero for a
	// task, or when the invoice could not be loaded.
	Routing ApprovalRouting
}

// TaskStore is the persistence completing a task needs.
type TaskStore interface {
	TickStore
	// Task returns the task keyed key.
	Task(ctx context.Context, key string) (TaskRef, error)
	// CompleteTask marks the open task done with its outcome, by whom and
	// when, with an audit entry; ErrTaskNotOpen if it is not open.
	CompleteTask(ctx context.Context, key string, outcome map[string]any, by string, at time.Time) error
	// SubjectBatch returns a batch holding just the task's invoice (and,
	// where batches are by customer, its customer).
	SubjectBatch(t TaskRef) TickBatch
}

// FormErrors lists every field error of a submission.
type FormErrors []FieldError

func (e FormErrors) Error() string {
	parts := make([]string, len(e))
	for i, f := range e {
		parts[i] = f.Field + ": " + f.Message
	}
	return "invalid submission: " + strings.Join(parts, "; ")
}

// CompleteTask validates values against the task's form (every field error
// at once, as FormErrors), records the outcome, and advances the invoice's
// workflows at once through the same evaluation as the tick, so that an
// outcome routes (a promise waits, a dispute pauses, a decision completes)
// without waiting for the next tick.
func CompleteTask(ctx context.Context, b *Bundle, s TaskStore, key string, values map[string]any, by string, c Clock, locale string) (BatchStats, error) {
	return CompleteTaskIf(ctx, b, s, key, values, by, c, locale, nil)
}

// CompleteTaskIf is CompleteTask asking allow, once the values are checked
// and before anything is written, whether this person may complete it:
// the use case's approver check, which reads TaskRef.Routing. A refusal
// writes nothing.
func CompleteTaskIf(ctx context.Context, b *Bundle, s TaskStore, key string, values map[string]any, by string, c Clock, locale string, allow func(TaskRef) error) (BatchStats, error) {
	t, err := submitTask(ctx, b, s, key, values, by, c, locale, allow)
	if err != nil {
		return BatchStats{}, err
	}
	return RunBatch(ctx, b, s, TickOptions{At: c.Now, Location: c.Location}, s.SubjectBatch(t), t.CustomerID)
}

// SubmitTask is CompleteTask without advancing the workflows: the outcome
// is validated and recorded, and the next tick routes it.
func SubmitTask(ctx context.Context, b *Bundle, s TaskStore, key string, values map[string]any, by string, c Clock, locale string) (TaskRef, error) {
	return submitTask(ctx, b, s, key, values, by, c, locale, nil)
}

func submitTask(ctx context.Context, b *Bundle, s TaskStore, key string, values map[string]any, by string, c Clock, locale string, allow func(TaskRef) error) (TaskRef, error) {
	t, err := CheckTask(ctx, b, s, key, values, c, locale)
	if err != nil {
		return t, err
	}
	if allow != nil {
		if err := allow(t); err != nil {
			return t, err
		}
	}
	return t, s.CompleteTask(ctx, key, values, by, c.Now)
}

// CheckTask is what completing a task checks before anything is written:
// the task is open, and values are valid for its form (every field error
// at once, as FormErrors). The demo's history checks each task it
// completes with it and records a whole day's outcomes at once.
func CheckTask(ctx context.Context, b *Bundle, s TaskStore, key string, values map[string]any, c Clock, locale string) (TaskRef, error) {
	t, err := s.Task(ctx, key)
	if err != nil {
		return t, err
	}
	if t.Status != TaskOpen {
		return t, fmt.Errorf("task %s is %s: %w", key, t.Status, ErrTaskNotOpen)
	}
	form := b.TaskForm(key)
	if form == nil && t.Form != "" {
		if form = b.Form(t.Form); form == nil {
			return t, fmt.Errorf("task %s: form %q is not published", key, t.Form)
		}
	}
	step := b.approvalStep(key)
	routed := step != nil && len(step.approvers) > 0
	if form != nil {
		// The submitted values are stored as sent (JSON-safe); the
		// workflow normalises them again when it routes the outcome.
		var subject *Env
		if form.NeedsSubject() || routed {
			if subject, err = taskSubject(ctx, s, t, c); err != nil {
				return t, err
			}
		}
		if _, errs := form.ValidateFor(values, c, locale, subject); len(errs) > 0 {
			return t, FormErrors(errs)
		}
		if step != nil && (subject != nil || !routed) { // without routes, approver reads no subject
			var m vm.VM
			if t.Routing, err = step.approver(subject, values, &m); err != nil {
				return t, fmt.Errorf("task %s: %w", key, err)
			}
		}
	} else if len(values) > 0 {
		return t, FormErrors{{Field: "", Message: "this task has no form: it takes no values"}}
	}
	return t, nil
}

// taskSubject is the environment of t's invoice at c, for a form whose
// checks read it (Form.NeedsSubject): loaded as a dry run of the batch,
// which writes nothing. Nil when the invoice is not in its batch.
func taskSubject(ctx context.Context, s TaskStore, t TaskRef, c Clock) (*Env, error) {
	var env *Env
	_, _, err := s.ProcessBatch(ctx, TickRun{At: c.Now.UTC(), Customer: t.CustomerID}, s.SubjectBatch(t), c, true, func(in *BatchInput) *Result {
		for i := range in.Subjects {
			if in.Subjects[i].Invoice.ID == t.InvoiceID {
				env = NewEnv(&in.Subjects[i], c)
			}
		}
		return &Result{}
	})
	if err != nil {
		return nil, fmt.Errorf("task %s: loading its invoice: %w", t.Key, err)
	}
	return env, nil
}

// RunBatch evaluates and records one batch outside any scheduled tick, at
// o.At: rules and workflows exactly as a tick would for those invoices.
// customer, when not 0, is the only customer in the batch (the store then
// reads just its aggregates).
func RunBatch(ctx context.Context, b *Bundle, s TickStore, o TickOptions, batch TickBatch, customer int64) (BatchStats, error) {
	if o.At.IsZero() {
		return BatchStats{}, ErrNoAt
	}
	if o.Location == nil {
		o.Location = time.UTC
	}
	clock := Clock{Now: o.At, Location: o.Location}
	ev := b.NewEvaluator(clock)
	var res Result
	st, _, err := s.ProcessBatch(ctx, TickRun{At: o.At.UTC(), Customer: customer}, batch, clock, o.DryRun, func(in *BatchInput) *Result {
		evaluateBatch(ev, in, &res)
		return &res
	})
	return st, err
}
