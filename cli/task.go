package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/usecase"
)

func newTaskCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "task",
		Short: "List, complete, reassign, claim and comment tasks and approvals, as a named user",
	}
	cmd.AddCommand(newTaskListCmd(), newTaskCompleteCmd(), newTaskReassignCmd(), newTaskClaimCmd(), newTaskCommentCmd(), newTaskCreateCmd())
	return cmd
}

// taskCmd is what every task subcommand shares: the database, --as and
// --at, and the use cases over them.
type taskCmd struct {
	cfg Config
	as  asFlag
	at  string
}

func (c *taskCmd) bind(cmd *cobra.Command, asRequired bool) {
	c.cfg.bindFlags(cmd.Flags())
	c.as.bind(cmd.Flags(), asRequired)
	cmd.Flags().StringVar(&c.at, "at", "", "when (default now); as tick --at")
}

// open opens the database and returns the use cases at --at with the
// actor; close the store when done.
func (c *taskCmd) open(ctx context.Context) (*store.Store, *usecase.Service, usecase.Actor, *time.Location, error) {
	c.cfg = c.cfg.WithDefaults()
	s, loc, when, err := openAt(ctx, c.cfg, c.at)
	if err != nil {
		return nil, nil, usecase.Actor{}, nil, err
	}
	by, err := c.as.actor(ctx, s)
	if err != nil {
		s.Close()
		return nil, nil, usecase.Actor{}, nil, err
	}
	if c.at == "" {
		when = time.Time{}
	}
	return s, service(s, when), by, loc, nil
}

func newTaskListCmd() *cobra.Command {
	var (
		c      taskCmd
		f      store.InboxFilter
		all    bool
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the tasks a user may see (all, without --as), a page at a time",
		Long: `List tasks, most urgent first, a page of --limit at a time. At the end of a
page that is not the last, the command prints the --cursor that gives the
next one (on stderr); --all prints every page.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			s, uc, by, loc, err := c.open(ctx)
			if err != nil {
				return err
			}
			defer s.Close()
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			enc := json.NewEncoder(cmd.OutOrStdout())
			if !asJSON {
				fmt.Fprintln(w, "DUE\tSTATUS\tKIND\tFOR\tINVOICE\tTITLE\tKEY")
			}
			for {
				page, err := uc.ListTasks(ctx, by, f, false)
				if err != nil {
					return err
				}
				for _, t := range page.Items {
					t.Localize(by.User.Language)
					if asJSON {
						if err := enc.Encode(t); err != nil {
							return err
						}
						continue
					}
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
				if err := w.Flush(); err != nil {
					return err
				}
				if page.NextCursor == "" {
					return nil
				}
				if !all {
					fmt.Fprintf(cmd.ErrOrStderr(), "more tasks: add --cursor %s for the next page, or --all\n", page.NextCursor)
					return nil
				}
				f.Cursor = page.NextCursor
			}
		},
	}
	c.bind(cmd, false)
	fl := cmd.Flags()
	fl.StringVar(&f.Status, "status", "open", "open, done, cancelled, expired, or all")
	fl.StringVar(&f.Assignee, "assignee", "", "only tasks assigned to this user email")
	fl.StringVar(&f.Invoice, "invoice", "", "only tasks of this invoice number")
	fl.StringVar(&f.Kind, "kind", "", "task or approval")
	fl.StringVar(&f.Sort, "sort", "", "priority (default), due or created")
	fl.IntVar(&f.Limit, "limit", 100, "tasks per page, at most 500")
	fl.StringVar(&f.Cursor, "cursor", "", "the page after the one that printed this cursor")
	fl.BoolVar(&all, "all", false, "print every page")
	fl.BoolVar(&asJSON, "json", false, "print JSON lines")
	return cmd
}

func newTaskCompleteCmd() *cobra.Command {
	var (
		c      taskCmd
		values string
		locale string
	)
	cmd := &cobra.Command{
		Use:   "complete KEY",
		Short: "Complete a task or decide an approval with its form's values; the workflow advances at once",
		Long: `Complete a task or decide an approval as the user --as names, with that user's
rights: a sales rep only its own tasks, an approval only a finance director
or an admin, exactly as through the API.`,
		Example: `  recoup task complete 'workflow/overdue-escalation/invoice/4/1/call/1/task#0' \
    --as rep1.east@demo.recoup.test --values '{"outcome":"promised","promised_date":"2026-12-10"}'`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			vals := map[string]any{}
			if values != "" {
				if err := json.Unmarshal([]byte(values), &vals); err != nil {
					return fmt.Errorf("--values: want a JSON object: %w", err)
				}
			}
			ctx := cmd.Context()
			s, uc, by, _, err := c.open(ctx)
			if err != nil {
				return err
			}
			defer s.Close()
			st, err := uc.CompleteTask(ctx, by, usecase.TaskRef{Key: args[0]}, vals, locale, false)
			var fe engine.FormErrors
			if errors.As(err, &fe) {
				for _, e := range fe {
					fmt.Fprintf(cmd.ErrOrStderr(), "%s: %s\n", e.Field, e.Message)
				}
				return fmt.Errorf("task not completed: %d invalid field(s)", len(fe))
			}
			if err != nil {
				return taskError(args[0], err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "completed %s; the workflow recorded %d effects (%d tasks, %d notifications, %d state changes)\n",
				args[0], st.Effects, st.Tasks, st.Outbox, st.States)
			return nil
		},
	}
	c.bind(cmd, true)
	// --by was this command's name for the user before --as; it is --as.
	cmd.Flags().StringVar(&c.as.email, "by", "", "the older name of --as")
	_ = cmd.Flags().MarkHidden("by")
	cmd.Flags().StringVar(&values, "values", "", "the form's values as a JSON object")
	cmd.Flags().StringVar(&locale, "locale", "en", "language of error messages: en or zh-CN")
	return cmd
}

// taskError words a refused task action for the command line: a task the
// user may not see is not found, as through the API.
func taskError(key string, err error) error {
	if errors.Is(err, store.ErrHidden) {
		return fmt.Errorf("task %q: %w", key, store.ErrNotFound)
	}
	return err
}

func newTaskReassignCmd() *cobra.Command {
	var (
		c      taskCmd
		to     string
		reason string
	)
	cmd := &cobra.Command{
		Use:   "reassign KEY --to EMAIL --as EMAIL",
		Short: "Give an open task to another user who may do it",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if to == "" {
				return errors.New("--to EMAIL is required")
			}
			ctx := cmd.Context()
			s, uc, by, _, err := c.open(ctx)
			if err != nil {
				return err
			}
			defer s.Close()
			if _, err := uc.Reassign(ctx, by, usecase.TaskRef{Key: args[0]}, to, reason); err != nil {
				return taskError(args[0], err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "reassigned %s to %s\n", args[0], to)
			return nil
		},
	}
	c.bind(cmd, true)
	cmd.Flags().StringVar(&to, "to", "", "email of the user to give the task to")
	cmd.Flags().StringVar(&reason, "reason", "", "why, recorded with the change")
	return cmd
}

func newTaskClaimCmd() *cobra.Command {
	var c taskCmd
	cmd := &cobra.Command{
		Use:   "claim KEY --as EMAIL",
		Short: "Take a task waiting for your role",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			s, uc, by, _, err := c.open(ctx)
			if err != nil {
				return err
			}
			defer s.Close()
			if _, err := uc.Claim(ctx, by, usecase.TaskRef{Key: args[0]}); err != nil {
				return taskError(args[0], err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "claimed %s for %s\n", args[0], by.Name())
			return nil
		},
	}
	c.bind(cmd, true)
	return cmd
}

func newTaskCommentCmd() *cobra.Command {
	var (
		c    taskCmd
		text string
	)
	cmd := &cobra.Command{
		Use:   "comment KEY --text TEXT --as EMAIL",
		Short: "Add a comment to a task",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if text == "" {
				return errors.New("--text is required")
			}
			ctx := cmd.Context()
			s, uc, by, _, err := c.open(ctx)
			if err != nil {
				return err
			}
			defer s.Close()
			if _, err := uc.Comment(ctx, by, usecase.TaskRef{Key: args[0]}, text); err != nil {
				return taskError(args[0], err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "commented on %s\n", args[0])
			return nil
		},
	}
	c.bind(cmd, true)
	cmd.Flags().StringVar(&text, "text", "", "the comment")
	return cmd
}
