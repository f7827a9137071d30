package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/recoup/recoup/calendar"
	"github.com/recoup/recoup/demo"
	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/ingest"
	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/usecase"
)

// demoSetup is what `recoup demo` sets up.
type demoSetup struct {
	Out   string // where the CSV files are written
	Rules string // the definitions to publish
	Today string // YYYY-MM-DD; default the day the database was set up for, else today
	Gen   demo.Options
	Days  int
}

func newDemoCmd() *cobra.Command {
	var (
		cfg Config
		o   demoSetup
	)
	cmd := &cobra.Command{
		Use:   "demo --out DIR",
		Short: "Set up the demo: generate its data, import it, publish the example rules and play the weeks before today",
		Long: `Set up a database for the demo in one step, the one make run and the browser
tests use: migrate, generate the demo data into --out (deterministic for
--seed and --today), import users, customers and invoices, publish the
definitions in --rules, then play the --days days before today: each day the
payments of the day before arrive, the tick runs at the company's tick time,
and the demo staff complete that day's tasks as people would (calls with
promises kept and broken, reviews, the director's decisions; the customers
of payment plans pay by their installments, most on time). Today is only
ticked, so every rep starts with tasks due today and a few overdue, the
director with open approvals, and the dashboard with history.

Running it again changes nothing: the files come out the same, every import
reports its rows unchanged, and days already played are not played again.
A database keeps the day it was set up for as the demo's today. A new
database's company is "Demo Trading Co." in Asia/Shanghai unless --company
and --timezone say otherwise.`,
		Example: "  recoup demo --db sqlite:var/recoup.db --out var/demo",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.Out == "" {
				return errors.New("--out DIR is required")
			}
			if cfg.CompanyName == "" {
				cfg.CompanyName = "Demo Trading Co."
			}
			if cfg.TimeZone == "" {
				cfg.TimeZone = "Asia/Shanghai"
			}
			return setUpDemo(cmd.Context(), cfg.WithDefaults(), o, time.Now(), cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	cfg.bindFlags(cmd.Flags())
	f := cmd.Flags()
	f.StringVar(&o.Out, "out", "", "directory to write the demo's CSV files into")
	f.StringVar(&o.Rules, "rules", "rules-examples", "definition files or directory to publish (its tests/ are stored for the server's test runs)")
	f.StringVar(&o.Today, "today", "", "the demo's today YYYY-MM-DD (default: the day the database was set up for, else today in the company zone)")
	f.IntVar(&o.Gen.Customers, "customers", 300, "number of customers")
	f.IntVar(&o.Gen.Invoices, "invoices", 3000, "number of invoices")
	f.Uint64Var(&o.Gen.Seed, "seed", 42, "random seed of the data and of what the staff do")
	f.IntVar(&o.Days, "days", demo.DefaultDays, "days of history before today")
	return cmd
}

// setUpDemo does what `recoup demo` says, with now as the wall clock.
func setUpDemo(ctx context.Context, cfg Config, o demoSetup, now time.Time, out, errOut io.Writer) error {
	start := time.Now()
	s, company, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer s.Close()
	loc, err := company.Location()
	if err != nil {
		return err
	}
	last, err := demo.LastDay(ctx, s)
	if path, ok := store.SQLiteFile(cfg.DB); ok && errors.Is(err, demo.ErrTicked) {
		return fmt.Errorf("%w, or delete %s", err, path)
	}
	if err != nil {
		return err
	}
	h := demo.HistoryOptions{Days: o.Days, Seed: o.Gen.Seed, Company: company}
	switch {
	case o.Today != "":
		if h.Today, err = calendar.Parse(o.Today); err != nil {
			return fmt.Errorf("--today: %w", err)
		}
		if !last.IsZero() && last != h.Today {
			return fmt.Errorf("--today %s: this database holds the demo played up to %s; give that day, or a new database", h.Today, last)
		}
	case !last.IsZero():
		h.Today = last
	default:
		// Today's tick is at the company's tick time, or now if that is
		// earlier: nothing is recorded in the future.
		h.Today, h.NotAfter = calendar.In(now, loc), now
	}
	g := o.Gen
	g.Today, g.Zone, g.NotAfter = h.Today, loc, h.NotAfter
	if end := h.Today.AddDays(1).Time(loc); g.NotAfter.IsZero() && now.Before(end) {
		// The payments are imported at now: none may be later.
		g.NotAfter = now
	}
	if err := demo.Generate(o.Out, g); err != nil {
		return err
	}
	fmt.Fprintf(out, "wrote %s in %s (%d customers, %d invoices, seed %d, today %s)\n",
		strings.Join(demo.Files, ", "), o.Out, g.Customers, g.Invoices, g.Seed, g.Today)
	opts := ingest.Options{Company: company, Now: now}
	for _, kind := range []string{"users", "customers", "invoices"} {
		if err := importDemoFile(ctx, s, kind, o.Out, opts, out, errOut); err != nil {
			return err
		}
	}
	srcs, err := engine.ReadPaths(o.Rules)
	if err != nil {
		return reportDefinitionErrors(out, errOut, err, true, false)
	}
	tests, withTests, err := packTests([]string{o.Rules}, errOut)
	if err != nil {
		return err
	}
	if _, err := ApplyDefinitions(ctx, s, usecase.System("demo"), srcs, usecase.ApplyOptions{}, out, errOut); err != nil {
		return err
	}
	if withTests {
		if err := ApplyTests(ctx, s, usecase.System("demo"), tests, "", out); err != nil {
			return err
		}
	}
	b, err := s.LoadPublished(ctx)
	if err != nil {
		return err
	}
	book, err := demo.ReadBook(o.Out)
	if err != nil {
		return err
	}
	rep, err := demo.History(ctx, s, b, book, h)
	if err != nil {
		return err
	}
	// The customers of payment plans paid by their installments.
	if err := book.WritePayments(o.Out); err != nil {
		return err
	}
	// The payments not yet due by the last tick (and, when the history
	// was played before, all of them: then unchanged).
	if err := importDemoFile(ctx, s, "payments", o.Out, opts, out, errOut); err != nil {
		return err
	}
	if rep.Ran == 0 {
		fmt.Fprintf(out, "history %s to %s: already played\n", rep.First, rep.Today)
	} else {
		fmt.Fprintf(out, "history %s to %s: played %d days; %d payments arrived on their days, the staff completed %d tasks; recorded %d effects (%d tasks)\n",
			rep.First, rep.Today, rep.Ran, rep.Payments, rep.Completed, rep.Effects, rep.Tasks)
	}
	fmt.Fprintf(out, "demo ready in %s\n", time.Since(start).Round(100*time.Millisecond))
	return nil
}

// importDemoFile imports kind.csv from dir and prints its summary.
func importDemoFile(ctx context.Context, s *store.Store, kind, dir string, opts ingest.Options, out, errOut io.Writer) error {
	sum, err := importData(ctx, s, kind, filepath.Join(dir, kind+".csv"), opts, errOut)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, sum.String())
	return nil
}
