package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/recoup/recoup/calendar"
	"github.com/recoup/recoup/demo"
	"github.com/recoup/recoup/ingest"
	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/usecase"
)

func newMigrateCmd() *cobra.Command {
	var cfg Config
	cmd := &cobra.Command{
		Use:   "migrate",
		Short: "Apply pending schema migrations",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg = cfg.WithDefaults()
			s, err := store.Open(cmd.Context(), cfg.DB)
			if err != nil {
				return err
			}
			defer s.Close()
			applied, err := s.Migrate(cmd.Context())
			if err != nil {
				return err
			}
			if _, err := s.EnsureCompany(cmd.Context(), cfg.Company()); err != nil {
				return err
			}
			if len(applied) == 0 {
				fmt.Fprintln(cmd.OutOrStdout(), "database is up to date")
				return nil
			}
			fmt.Fprintf(cmd.OutOrStdout(), "applied migrations %v\n", applied)
			return nil
		},
	}
	cfg.bindFlags(cmd.Flags())
	return cmd
}

func newImportCmd() *cobra.Command {
	var (
		cfg  Config
		skip bool
		as   asFlag
	)
	cmd := &cobra.Command{
		Use:   "import users|customers|invoices|payments FILE...",
		Short: "Import CSV (header row) or JSON (array) files; all-or-nothing per file unless --skip-invalid",
		Long: `Import users, customers, invoices or payments from CSV (with a header row) or
JSON (an array of objects), chosen by the file extension. Columns:
  users:     email,name,role,team
  customers: id,name,email,phone,finance_email,owner,region,industry,credit_limit,credit_rating,risk,locale,timezone
  invoices:  number,customer_id,currency,amount,issue_date,due_date,owner (+ extra columns kept as custom fields)
  payments:  invoice_number,amount,paid_at,reference
Rows are matched by natural key (email, id, number, reference): re-importing a
file changes nothing, changed rows update. A file with any bad row is rejected
whole and every problem is printed as FILE:row N:column: message.`,
		Args: cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg = cfg.WithDefaults()
			s, _, err := openStore(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			defer s.Close()
			by, err := as.actor(cmd.Context(), s)
			if err != nil {
				return err
			}
			if by.Via == usecase.ViaSystem {
				by = usecase.System("import") // the audit names the operator's imports so
			}
			uc := service(s, time.Time{})
			failed := false
			for _, path := range args[1:] {
				sum, err := importFile(cmd.Context(), uc, by, args[0], path, skip)
				for _, p := range sum.Problems {
					fmt.Fprintln(cmd.ErrOrStderr(), p.Error())
				}
				var rej *ingest.RejectedError
				switch {
				case errors.As(err, &rej) && sum.Rejected == 0:
					// The header itself is wrong: no row was read.
					fmt.Fprintf(cmd.ErrOrStderr(), "%s: rejected: the header has problems; nothing was imported\n", path)
					failed = true
				case errors.As(err, &rej):
					fmt.Fprintf(cmd.ErrOrStderr(), "%s: rejected: %d row(s) with problems; nothing was imported (use --skip-invalid to import the good rows)\n", path, sum.Rejected)
					failed = true
				case err != nil:
					return err
				default:
					fmt.Fprintln(cmd.OutOrStdout(), sum.String())
				}
			}
			if failed {
				return ErrSilent
			}
			return nil
		},
	}
	cfg.bindFlags(cmd.Flags())
	cmd.Flags().BoolVar(&skip, "skip-invalid", false, "import the good rows and report the bad ones instead of rejecting the file")
	as.bind(cmd.Flags(), false)
	return cmd
}

// importFile imports the CSV or JSON file at path (format by extension)
// through the import use case.
func importFile(ctx context.Context, uc *usecase.Service, by usecase.Actor, kind, path string, skip bool) (ingest.Summary, error) {
	format, err := ingest.FormatOf(path)
	if err != nil {
		return ingest.Summary{Kind: kind, File: path}, err
	}
	f, err := os.Open(path)
	if err != nil {
		return ingest.Summary{Kind: kind, File: path}, err
	}
	defer f.Close()
	return uc.Import(ctx, by, usecase.ImportRequest{Kind: kind, Name: path, Format: format, Body: f, SkipInvalid: skip})
}

func newGenCmd() *cobra.Command {
	var (
		o        demo.Options
		out, day string
		zone     string
	)
	cmd := &cobra.Command{
		Use:   "gen --out DIR",
		Short: "Write deterministic demo data (users, customers, invoices, payments CSV)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return errors.New("--out DIR is required")
			}
			loc, err := time.LoadLocation(zone)
			if err != nil {
				return fmt.Errorf("--timezone: %w", err)
			}
			o.Zone = loc
			if day == "" {
				now := time.Now()
				o.Today, o.NotAfter = calendar.In(now, loc), now
			} else if o.Today, err = calendar.Parse(day); err != nil {
				return fmt.Errorf("--today: %w", err)
			}
			if err := demo.Generate(out, o); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %s in %s (%d customers, %d invoices, seed %d, today %s)\n",
				strings.Join(demo.Files, ", "), out, o.Customers, o.Invoices, o.Seed, o.Today)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&out, "out", "", "directory to write the CSV files into")
	f.IntVar(&o.Customers, "customers", 200, "number of customers")
	f.IntVar(&o.Invoices, "invoices", 1000, "number of invoices")
	f.Uint64Var(&o.Seed, "seed", 1, "random seed; the same seed and --today give the same files")
	f.StringVar(&day, "today", "", "reference day YYYY-MM-DD (default: today in --timezone)")
	f.StringVar(&zone, "timezone", "Asia/Shanghai", "zone for today and payment times")
	return cmd
}
