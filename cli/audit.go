package cli

import (
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/recoup/recoup/store"
)

func newAuditCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Check and export the audit log (a hash chain: see docs/audit.md)",
	}
	cmd.AddCommand(newAuditVerifyCmd(), newAuditExportCmd())
	return cmd
}

func newAuditVerifyCmd() *cobra.Command {
	var cfg Config
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Recompute the audit chain and name the first row edited, removed or inserted; exit 1 if broken",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg = cfg.WithDefaults()
			s, _, err := openExisting(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			defer s.Close()
			res, err := s.VerifyAudit(cmd.Context())
			if err != nil {
				return err
			}
			if !res.OK {
				fmt.Fprintf(cmd.ErrOrStderr(), "audit chain broken at row %d: %s (%d rows before it intact)\n", res.BrokenID, res.Problem, res.Rows)
				return ErrSilent
			}
			fmt.Fprintf(cmd.OutOrStdout(), "audit chain intact: %d rows, head %s\n", res.Rows, res.Head)
			return nil
		},
	}
	cfg.bindFlags(cmd.Flags())
	return cmd
}

func newAuditExportCmd() *cobra.Command {
	var (
		cfg       Config
		f         store.AuditFilter
		from, to  string
		out       string
		csvFormat bool
	)
	cmd := &cobra.Command{
		Use:   "export --csv [--out FILE]",
		Short: "Write the audit log (or the entries the filters select), newest first, as CSV",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !csvFormat {
				return fmt.Errorf("give the format: --csv (the only one so far)")
			}
			for _, d := range []struct {
				flag, v string
				dst     *time.Time
			}{{"--from", from, &f.From}, {"--to", to, &f.To}} {
				if d.v == "" {
					continue
				}
				t, err := time.Parse(time.RFC3339, d.v)
				if err != nil {
					if t, err = time.Parse(time.DateOnly, d.v); err != nil {
						return fmt.Errorf("%s %q: want a date (2026-12-01) or a time (2026-12-01T09:00:00Z)", d.flag, d.v)
					}
				}
				*d.dst = t
			}
			cfg = cfg.WithDefaults()
			s, _, err := openExisting(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			defer s.Close()
			w := cmd.OutOrStdout()
			if out != "" {
				file, err := os.Create(out)
				if err != nil {
					return err
				}
				defer file.Close()
				w = file
			}
			n, err := s.ExportAuditCSV(cmd.Context(), w, f)
			if err != nil {
				return err
			}
			if out != "" {
				fmt.Fprintf(cmd.ErrOrStderr(), "%d entries written to %s\n", n, out)
			}
			return nil
		},
	}
	cfg.bindFlags(cmd.Flags())
	fl := cmd.Flags()
	fl.BoolVar(&csvFormat, "csv", false, "write CSV")
	fl.StringVar(&out, "out", "", "file to write (default: standard output)")
	fl.StringVar(&f.Action, "action", "", "only this action, e.g. task.completed")
	fl.StringVar(&f.Actor, "actor", "", "only this actor (an email, tick, import, …)")
	fl.StringVar(&f.Entity, "entity", "", "only this kind of record (task, payment, user, …)")
	fl.StringVar(&f.Invoice, "invoice", "", "only this invoice's entries")
	fl.StringVar(&from, "from", "", "entries at or after this date or time")
	fl.StringVar(&to, "to", "", "entries before this date or time")
	return cmd
}
