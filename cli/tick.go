package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/recoup/recoup/calendar"
	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/ingest"
	"github.com/recoup/recoup/money"
	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/usecase"
)

// effectLine is one effect as `tick --json` and `simulate --json` print it.
type effectLine struct {
	Date     string `json:"date"`
	Invoice  string `json:"invoice"`
	Customer string `json:"customer"`
	Kind     string `json:"kind"`
	Source   string `json:"source"`
	Field    string `json:"field,omitempty"`
	Value    string `json:"value,omitempty"`
	Assignee string `json:"assignee,omitempty"`
	Role     string `json:"role,omitempty"`
	Title    string `json:"title,omitempty"`
	Channel  string `json:"channel,omitempty"`
	To       string `json:"to,omitempty"`
	Template string `json:"template,omitempty"`
	Workflow string `json:"workflow,omitempty"`
	Node     string `json:"node,omitempty"`
	Event    string `json:"event,omitempty"`
	Fee      string `json:"fee,omitempty"`
	DueAt    string `json:"due_at,omitempty"` // a task's, RFC 3339 in UTC
	Key      string `json:"key"`
}

// outputKinds names action kinds as the effect stream does.
var outputKinds = map[engine.ActionKind]string{
	engine.ActionSet:           "state",
	engine.ActionTask:          "task",
	engine.ActionNotify:        "notification",
	engine.ActionAddFee:        "fee",
	engine.ActionStartWorkflow: "workflow",
	engine.ActionWriteOff:      "write_off",
	engine.ActionPaymentPlan:   "payment_plan",
	engine.ActionInterest:      "interest",
}

func newEffectLine(date string, e engine.TickEffect) effectLine {
	kind, ok := outputKinds[e.Kind]
	if !ok {
		kind = string(e.Kind)
	}
	l := effectLine{Date: date, Invoice: e.InvoiceNumber, Customer: e.CustomerKey, Kind: kind, Source: e.Rule,
		Field: e.Field, Value: e.Value, Assignee: e.Assignee, Role: string(e.Role), Title: e.Title,
		Channel: e.Channel, To: e.To, Template: e.Template, Workflow: e.Workflow, Node: e.Node, Event: e.Event, Key: store.LedgerKey(e.Effect)}
	if l.To == "" {
		l.To = string(e.ToRole)
	}
	if e.Fee != nil {
		l.Fee = e.Fee.String()
	}
	if e.WriteOff != nil {
		l.Fee = e.WriteOff.String()
	}
	if !e.DueAt.IsZero() {
		l.DueAt = e.DueAt.UTC().Format(time.RFC3339)
	}
	return l
}

// String renders the line for people.
func (l effectLine) String() string {
	var what string
	switch l.Kind {
	case "state":
		what = l.Field + " = " + l.Value
	case "task", "approval":
		who := l.Assignee
		if who == "" {
			who = "role " + l.Role
		}
		what = fmt.Sprintf("%q for %s", l.Title, who)
	case "notification":
		what = fmt.Sprintf("%s to %s (template %s)", l.Channel, l.To, l.Template)
	case "fee", "write_off", "interest":
		what = l.Fee
	case "workflow":
		what = "start " + l.Workflow
	default:
		what = strings.TrimSpace(l.Workflow + " " + l.Node + " " + l.Event + " " + l.Title)
	}
	return fmt.Sprintf("%s %s %s %-12s %s  [%s]", l.Date, l.Invoice, l.Customer, l.Kind, what, l.Source)
}

// effectPrinter prints effects as text or JSON lines.
type effectPrinter struct {
	w       io.Writer
	json    bool
	onlyNew bool
	enc     *json.Encoder
	err     error
}

func (p *effectPrinter) print(date string, e engine.TickEffect) {
	if p.err != nil || (p.onlyNew && !e.New) {
		return
	}
	l := newEffectLine(date, e)
	if p.json {
		if p.enc == nil {
			p.enc = json.NewEncoder(p.w)
		}
		p.err = p.enc.Encode(l)
		return
	}
	_, p.err = fmt.Fprintln(p.w, l.String())
}

// parseAt reads a tick instant: RFC 3339, or YYYY-MM-DD[ HH:MM] in loc
// (a bare date means the company's tick time that day).
func parseAt(s string, loc *time.Location, tickTime string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if d, err := calendar.Parse(s); err == nil {
		return usecase.TickAt(d, loc, tickTime)
	}
	if t, err := time.ParseInLocation("2006-01-02 15:04", s, loc); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("invalid time %q: want RFC 3339, YYYY-MM-DD or \"YYYY-MM-DD HH:MM\" (company zone)", s)
}

// openAt opens the store (see openExisting) and resolves a --at value (empty
// means now) in the company's zone.
func openAt(ctx context.Context, cfg Config, at string) (*store.Store, *time.Location, time.Time, error) {
	s, company, err := openExisting(ctx, cfg)
	if err != nil {
		return nil, nil, time.Time{}, err
	}
	loc, err := company.Location()
	if err != nil {
		s.Close()
		return nil, nil, time.Time{}, err
	}
	when := time.Now()
	if at != "" {
		if when, err = parseAt(at, loc, company.TickTime); err != nil {
			s.Close()
			return nil, nil, time.Time{}, fmt.Errorf("--at: %w", err)
		}
	}
	return s, loc, when, nil
}

// loadBundle loads definitions from files when paths are given, else the
// published ones from the database.
func loadBundle(ctx context.Context, s *store.Store, paths []string, stderr io.Writer) (*engine.Bundle, error) {
	if len(paths) == 0 {
		b, err := s.LoadPublished(ctx)
		if err != nil {
			return nil, fmt.Errorf("loading published definitions: %w", err)
		}
		return b, nil
	}
	b, err := engine.LoadPaths(paths...)
	if err != nil {
		return nil, reportDefinitionErrors(io.Discard, stderr, err, true, false)
	}
	return b, nil
}

func tickSummary(st engine.TickStats, dry bool, loc *time.Location) string {
	verb := "recorded"
	if dry {
		verb = "would record"
	}
	return fmt.Sprintf("tick at %s: %d invoices evaluated in %d batches; %s %d effects (%d state changes, %d tasks, %d notifications, %d fees), %d already recorded, %d rule errors, in %s",
		st.At.In(loc).Format(time.RFC3339), st.Invoices, st.Batches, verb, st.Effects, st.States, st.Tasks, st.Outbox, st.Fees, st.Replayed, st.Errors, st.Elapsed.Round(time.Millisecond))
}

func newTickCmd() *cobra.Command {
	var (
		cfg      Config
		at       string
		dry      bool
		asJSON   bool
		rules    []string
		batch    int
		slot     string
		showSeen bool
	)
	cmd := &cobra.Command{
		Use:   "tick",
		Short: "Evaluate the published rules against every invoice once, now or --at a time",
		Long: `Evaluate the published definitions against every invoice at one fixed instant
and record each effect exactly once: a replayed tick records nothing new, a
tick killed midway and run again completes what is missing. --dry-run
prints what would happen and writes nothing.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if batch < 1 {
				return fmt.Errorf("--batch: %d invoices per batch: want 1 or more", batch)
			}
			cfg = cfg.WithDefaults()
			ctx := cmd.Context()
			s, loc, when, err := openAt(ctx, cfg, at)
			if err != nil {
				return err
			}
			defer s.Close()
			b, err := loadBundle(ctx, s, rules, cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			p := &effectPrinter{w: cmd.OutOrStdout(), json: asJSON, onlyNew: !showSeen}
			date := calendar.In(when, loc).String()
			st, err := engine.RunTick(ctx, b, s, engine.TickOptions{
				At: when, Location: loc, DryRun: dry, BatchSize: batch, Slot: slot, Worker: workerName(),
				OnEffect: func(e engine.TickEffect) { p.print(date, e) },
			})
			if err != nil {
				return err
			}
			if p.err != nil {
				return p.err
			}
			fmt.Fprintln(cmd.ErrOrStderr(), tickSummary(st, dry, loc))
			return nil
		},
	}
	cfg.bindFlags(cmd.Flags())
	f := cmd.Flags()
	f.StringVar(&at, "at", "", "the tick's instant: RFC 3339, YYYY-MM-DD (at the company tick time) or \"YYYY-MM-DD HH:MM\" in the company zone (default now)")
	f.BoolVar(&dry, "dry-run", false, "print what the tick would do; write nothing")
	f.BoolVar(&asJSON, "json", false, "print effects as JSON lines")
	f.StringSliceVar(&rules, "rules", nil, "evaluate these definition files instead of the published definitions")
	f.IntVar(&batch, "batch", 2000, "invoices per batch (on PostgreSQL whole customers, about that many invoices)")
	f.StringVar(&slot, "slot", "", "share this tick with other replicas running the same slot")
	f.BoolVar(&showSeen, "all", false, "also print effects that were already recorded")
	return cmd
}

func workerName() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%s/%d", host, os.Getpid())
}

func newExplainCmd() *cobra.Command {
	var (
		cfg    Config
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "explain INVOICE",
		Short: "Print an invoice's history: every effect, which definition caused it, and the values it saw",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg = cfg.WithDefaults()
			s, company, err := openExisting(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			defer s.Close()
			h, err := s.InvoiceHistory(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(h)
			}
			loc, err := company.Location()
			if err != nil {
				return err
			}
			printHistory(cmd.OutOrStdout(), h, loc)
			return nil
		},
	}
	cfg.bindFlags(cmd.Flags())
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the history as JSON")
	return cmd
}

func printHistory(w io.Writer, h store.InvoiceHistory, loc *time.Location) {
	inv := h.Invoice
	fmt.Fprintf(w, "invoice %s  customer %s  %s %s, balance %s  issued %s, due %s  status %s\n",
		inv.Number, h.Customer, money.FormatMinor(inv.AmountMinor, inv.Currency), inv.Currency,
		money.FormatMinor(inv.BalanceMinor, inv.Currency), inv.IssueDate, inv.DueDate, inv.Status)
	type event struct {
		at   time.Time
		text string
	}
	var events []event
	for _, p := range h.Payments {
		events = append(events, event{p.PaidAt, fmt.Sprintf("payment %s %s (%s)", money.FormatMinor(p.AmountMinor, p.Currency), p.Currency, p.Reference)})
	}
	for _, e := range h.Effects {
		var what string
		switch e.Kind {
		case "set":
			what = fmt.Sprintf("set %s: %s → %s", e.Field, orNone(e.OldValue), e.Value)
		case "error":
			what = "rule error: " + e.Value
		default:
			var d struct {
				Title, Channel, To, Template, Assignee, Node, Event, Reason, Task string
			}
			_ = json.Unmarshal(e.Detail, &d)
			switch e.Kind {
			case "node":
				what = strings.TrimSpace(fmt.Sprintf("node %s %s", d.Node, d.Event))
				if d.Reason != "" {
					what += " (" + d.Reason + ")"
				}
			case "task_cancelled", "escalation":
				what = fmt.Sprintf("%s %s %s", e.Kind, d.Task, d.Reason)
			default:
				what = strings.TrimSpace(fmt.Sprintf("%s %s %s %s %s", e.Kind, d.Title, d.Channel, d.To, d.Template))
			}
			if d.Assignee != "" {
				what += " for " + d.Assignee
			}
		}
		var why []string
		for _, t := range e.Trace {
			why = append(why, t.Name+"="+traceValue(t.Value))
		}
		text := fmt.Sprintf("%s  [%s v%d]", what, e.Source, e.Version)
		if len(why) > 0 {
			text += "\n      because " + strings.Join(why, ", ")
		}
		events = append(events, event{e.At, text})
	}
	for i := 1; i < len(events); i++ { // stable insertion sort by time
		for j := i; j > 0 && events[j].at.Before(events[j-1].at); j-- {
			events[j], events[j-1] = events[j-1], events[j]
		}
	}
	if len(events) == 0 {
		fmt.Fprintln(w, "  no payments or effects recorded")
	}
	for _, e := range events {
		fmt.Fprintf(w, "  %s  %s\n", e.at.In(loc).Format("2006-01-02 15:04"), e.text)
	}
}

// traceValue prints a value a condition read exactly: numbers in plain
// decimals (1101976.5, never 1.1019765e+06).
func traceValue(v any) string {
	if f, ok := v.(float64); ok {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

func newSimulateCmd() *cobra.Command {
	var (
		cfg        Config
		rules      []string
		data       string
		from, to   string
		asJSON     bool
		keepDBPath string
		answers    string
	)
	cmd := &cobra.Command{
		Use:   "simulate --rules DIR --data DIR --from DATE --to DATE",
		Short: "Replay definitions day by day over CSV data in a throwaway database and print every effect",
		Long: `Load users.csv, customers.csv, invoices.csv and payments.csv from --data into a
throwaway database, apply --rules into it, then run one tick per day from
--from to --to at the company's tick time (default 09:00 in --timezone).
Each payment is applied before the first tick at or after its paid_at.
Human tasks and approvals stay open unless --answers names a YAML list of
answers, each completing on its day, before the tick, the open task or
approval of a workflow node on an invoice with its form's values:
  - {invoice: INV-7, day: 2026-11-14, node: call, values: {outcome: promised, promised_date: 2026-11-24}}
The same engine code runs here as in production.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg = cfg.WithDefaults()
			if len(rules) == 0 || data == "" || from == "" || to == "" {
				return errors.New("--rules, --data, --from and --to are required")
			}
			first, err := calendar.Parse(from)
			if err != nil {
				return fmt.Errorf("--from: %w", err)
			}
			last, err := calendar.Parse(to)
			if err != nil {
				return fmt.Errorf("--to: %w", err)
			}
			if last.Before(first) {
				return fmt.Errorf("--to %s is before --from %s", last, first)
			}
			dir := keepDBPath
			if dir == "" {
				if dir, err = os.MkdirTemp("", "recoup-simulate-"); err != nil {
					return err
				}
				defer os.RemoveAll(dir)
			}
			var given []usecase.Answer
			if answers != "" {
				if given, err = readAnswers(answers); err != nil {
					return fmt.Errorf("--answers: %w", err)
				}
			}
			cfg.DB = "sqlite:" + filepath.Join(dir, "simulate.db")
			return simulate(cmd.Context(), cfg, rules, data, first, last, given, &effectPrinter{w: cmd.OutOrStdout(), json: asJSON, onlyNew: true}, cmd.ErrOrStderr())
		},
	}
	cfg.bindFlags(cmd.Flags())
	f := cmd.Flags()
	f.StringSliceVar(&rules, "rules", nil, "definition files or directories")
	f.StringVar(&data, "data", "", "directory with users.csv, customers.csv, invoices.csv, payments.csv")
	f.StringVar(&from, "from", "", "first day YYYY-MM-DD")
	f.StringVar(&to, "to", "", "last day YYYY-MM-DD")
	f.BoolVar(&asJSON, "json", false, "print effects as JSON lines")
	f.StringVar(&keepDBPath, "keep", "", "keep the simulation database in this directory")
	f.StringVar(&answers, "answers", "", "YAML file of human tasks to answer: invoice, day, node, values")
	_ = f.MarkHidden("db")
	return cmd
}

func simulate(ctx context.Context, cfg Config, rules []string, data string, first, last calendar.Date, answers []usecase.Answer, p *effectPrinter, stderr io.Writer) error {
	s, company, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer s.Close()
	loc, err := company.Location()
	if err != nil {
		return err
	}
	srcs, err := engine.ReadPaths(rules...)
	if err != nil {
		return reportDefinitionErrors(io.Discard, stderr, err, true, false)
	}
	if _, err := ApplyDefinitions(ctx, s, usecase.System("simulate"), srcs, usecase.ApplyOptions{}, io.Discard, stderr); err != nil {
		return err
	}
	b, err := s.LoadPublished(ctx)
	if err != nil {
		return err
	}
	opts := ingest.Options{Company: company}
	for _, k := range []string{"users", "customers", "invoices"} {
		if _, err := importData(ctx, s, k, filepath.Join(data, k+".csv"), opts, stderr); err != nil {
			return err
		}
	}
	// The API's simulation runs the same loop (usecase.Replay).
	total, err := usecase.Replay{Store: s, Bundle: b, Location: loc, TickTime: company.TickTime, First: first, Last: last,
		BeforeTick: func(ctx context.Context, at time.Time) error {
			opts.Until, opts.Now = at, at
			_, err := importData(ctx, s, "payments", filepath.Join(data, "payments.csv"), opts, stderr)
			return err
		},
		OnEffect: func(day calendar.Date, e engine.TickEffect) { p.print(day.String(), e) },
		Answers:  answers,
	}.Run(ctx)
	if err == nil {
		err = p.err
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "simulated %d days (%s to %s): %d effects (%d state changes, %d tasks, %d notifications, %d fees), %d rule errors\n",
		last.DaysSince(first)+1, first, last, total.Effects, total.States, total.Tasks, total.Outbox, total.Fees, total.Errors)
	return nil
}

// importData imports one file, printing its problems; a missing payments
// file is an empty one.
func importData(ctx context.Context, s *store.Store, kind, path string, opts ingest.Options, stderr io.Writer) (ingest.Summary, error) {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) && kind == "payments" {
		return ingest.Summary{}, nil
	}
	sum, err := ingest.File(ctx, s, kind, path, opts)
	for _, p := range sum.Problems {
		fmt.Fprintln(stderr, p.Error())
	}
	return sum, err
}
