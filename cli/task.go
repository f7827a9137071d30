package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/store"
)

func newTaskCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "task",
		Short: "List and complete tasks and approvals",
	}
	cmd.AddCommand(newTaskListCmd(), newTaskCompleteCmd())
	return cmd
}

func newTaskListCmd() *cobra.Command {
	var (
		cfg    Config
		f      store.TaskFilter
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List tasks, oldest due first",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg = cfg.WithDefaults()
			s, company, err := openExisting(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			defer s.Close()
			loc, err := company.Location()
			if err != nil {
				return err
			}
			tasks, err := s.Tasks(cmd.Context(), f)
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				for _, t := range tasks {
					if err := enc.Encode(t); err != nil {
						return err
					}
				}
				return nil
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "DUE\tSTATUS\tKIND\tFOR\tINVOICE\tTITLE\tKEY")
			for _, t := range tasks {
				who := t.Assignee
				if who == "" {
					who = "role " + t.Role
				}
				due := ""
				if !t.DueAt.IsZero() {
					due = t.DueAt.In(loc).Format("2006-01-02 15:04")
				}
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", due, t.Status, t.Kind, who, t.Invoice, t.Title, t.Key)
			}
			return w.Flush()
		},
	}
	cfg.bindFlags(cmd.Flags())
	cmd.Flags().StringVar(&f.Status, "status", "open", "open, done, cancelled, expired, or empty for all")
	cmd.Flags().StringVar(&f.Assignee, "assignee", "", "only tasks assigned to this user email")
	cmd.Flags().StringVar(&f.Invoice, "invoice", "", "only tasks of this invoice number")
	cmd.Flags().IntVar(&f.Limit, "limit", 100, "at most this many")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON lines")
	return cmd
}

func newTaskCompleteCmd() *cobra.Command {
	var (
		cfg    Config
		by     string
		values string
		at     string
		locale string
	)
	cmd := &cobra.Command{
		Use:   "complete KEY",
		Short: "Complete a task or approval with its form's values; the workflow advances at once",
		Example: `  recoup task complete 'workflow/overdue-escalation/invoice/4/1/call/1/task#0' \
    --by rep1.east@demo.recoup.test --values '{"outcome":"promised","promised_date":"2026-12-10"}'`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg = cfg.WithDefaults()
			if by == "" {
				return errors.New("--by EMAIL is required (recorded for audit)")
			}
			vals := map[string]any{}
			if values != "" {
				if err := json.Unmarshal([]byte(values), &vals); err != nil {
					return fmt.Errorf("--values: want a JSON object: %w", err)
				}
			}
			ctx := cmd.Context()
			s, loc, when, err := openAt(ctx, cfg, at)
			if err != nil {
				return err
			}
			defer s.Close()
			b, err := s.LoadPublished(ctx)
			if err != nil {
				return err
			}
			st, err := engine.CompleteTask(ctx, b, s, args[0], vals, by, engine.Clock{Now: when, Location: loc}, locale)
			var fe engine.FormErrors
			if errors.As(err, &fe) {
				for _, e := range fe {
					fmt.Fprintf(cmd.ErrOrStderr(), "%s: %s\n", e.Field, e.Message)
				}
				return fmt.Errorf("task not completed: %d invalid field(s)", len(fe))
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "completed %s; the workflow recorded %d effects (%d tasks, %d notifications, %d state changes)\n",
				args[0], st.Effects, st.Tasks, st.Outbox, st.States)
			return nil
		},
	}
	cfg.bindFlags(cmd.Flags())
	cmd.Flags().StringVar(&by, "by", "", "email of the user completing the task")
	cmd.Flags().StringVar(&values, "values", "", "the form's values as a JSON object")
	cmd.Flags().StringVar(&at, "at", "", "when (default now); as tick --at")
	cmd.Flags().StringVar(&locale, "locale", "en", "language of error messages: en or zh-CN")
	return cmd
}
