package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/recoup/recoup/usecase"
)

// Manual account actions (issue 16 §7) at the command line, over the same
// use cases as the API (usecase/customer.go).

func newCustomerCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "customer",
		Short: "Edit a customer's contacts and language, turn do-not-contact on or off, set its risk tier, as a named user",
	}
	cmd.AddCommand(newCustomerEditCmd(), newCustomerContactCmd(), newCustomerRiskCmd())
	return cmd
}

// printCustomer writes the customer's editable fields as JSON.
func printCustomer(cmd *cobra.Command, v any) error {
	enc := json.NewEncoder(cmd.OutOrStdout())
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func newCustomerEditCmd() *cobra.Command {
	var c taskCmd
	var email, phone, financeEmail, locale string
	cmd := &cobra.Command{
		Use:     "edit ID",
		Short:   "Change a customer's email, phone, finance email or language (flags left out stay; an empty value clears)",
		Example: "  recoup customer edit C00042 --as finance1@demo.recoup.test --email ap@acme.example --locale zh-CN",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			s, uc, by, _, err := c.open(ctx)
			if err != nil {
				return err
			}
			defer s.Close()
			var e usecase.ContactsEdit
			for name, p := range map[string]**string{"email": &e.Email, "phone": &e.Phone, "finance-email": &e.FinanceEmail, "locale": &e.Locale} {
				if cmd.Flags().Changed(name) {
					v, _ := cmd.Flags().GetString(name)
					*p = &v
				}
			}
			out, err := uc.EditCustomerContacts(ctx, by, args[0], e)
			if err != nil {
				return err
			}
			return printCustomer(cmd, out)
		},
	}
	c.bind(cmd, false)
	f := cmd.Flags()
	f.StringVar(&email, "email", "", "the customer's email")
	f.StringVar(&phone, "phone", "", "the customer's phone")
	f.StringVar(&financeEmail, "finance-email", "", "the customer's finance contact's email")
	f.StringVar(&locale, "locale", "", "the language of its messages: en or zh-CN")
	return cmd
}

func newCustomerContactCmd() *cobra.Command {
	var (
		c       taskCmd
		on, off bool
		reason  string
	)
	cmd := &cobra.Command{
		Use:     "contact ID (--on | --off) --reason TEXT",
		Short:   "Turn do-not-contact on (the customer replied STOP) or off, with a reason",
		Example: "  recoup customer contact C00042 --on --reason \"replied STOP to the reminder SMS\" --as rep1.east@demo.recoup.test",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if on == off {
				return errors.New("give --on (do not contact) or --off (contact again)")
			}
			ctx := cmd.Context()
			s, uc, by, _, err := c.open(ctx)
			if err != nil {
				return err
			}
			defer s.Close()
			out, err := uc.SetDoNotContact(ctx, by, args[0], on, reason)
			if err != nil {
				return err
			}
			return printCustomer(cmd, out)
		},
	}
	c.bind(cmd, false)
	cmd.Flags().BoolVar(&on, "on", false, "do not contact the customer")
	cmd.Flags().BoolVar(&off, "off", false, "contact the customer again")
	cmd.Flags().StringVar(&reason, "reason", "", "why (required)")
	return cmd
}

func newCustomerRiskCmd() *cobra.Command {
	var (
		c      taskCmd
		reason string
	)
	cmd := &cobra.Command{
		Use:   "risk ID low|medium|high --reason TEXT",
		Short: "Lower or raise a customer's risk tier, with a reason (managers, finance, the director, admins)",
		Long: `Set a customer's risk tier by hand. Rules only ever raise tiers; what they do
after a manual lower is in docs/customers.md.`,
		Example: "  recoup customer risk C00042 medium --reason \"paid the arrears\" --as finance1@demo.recoup.test",
		Args:    cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			s, uc, by, _, err := c.open(ctx)
			if err != nil {
				return err
			}
			defer s.Close()
			out, err := uc.SetRiskTier(ctx, by, args[0], args[1], reason)
			if err != nil {
				return err
			}
			return printCustomer(cmd, out)
		},
	}
	c.bind(cmd, false)
	cmd.Flags().StringVar(&reason, "reason", "", "why (required)")
	return cmd
}

func newTaskCreateCmd() *cobra.Command {
	var (
		c   taskCmd
		t   usecase.NewTask
		due string
	)
	cmd := &cobra.Command{
		Use:   "create (--invoice NUMBER | --customer ID) --title TEXT (--assignee EMAIL | --role ROLE) --due WHEN",
		Short: "Create a task by hand on an invoice or a customer, for a user or a role",
		Long: `Create a task by hand. --due is a date-time (RFC 3339, or YYYY-MM-DD HH:MM
in the company's time zone) or a date (YYYY-MM-DD: 18:00 that day in the
company's time zone). A sales rep creates tasks for itself only.`,
		Example: "  recoup task create --customer C00042 --title \"Visit the customer\" --assignee rep1.east@demo.recoup.test --due 2026-12-10 --as manager.east@demo.recoup.test",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			s, uc, by, loc, err := c.open(ctx)
			if err != nil {
				return err
			}
			defer s.Close()
			if t.DueAt, err = parseDue(due, loc); err != nil {
				return err
			}
			out, err := uc.CreateTask(ctx, by, t)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "created task %d %s\n", out.ID, out.Key)
			return nil
		},
	}
	c.bind(cmd, false)
	f := cmd.Flags()
	f.StringVar(&t.Invoice, "invoice", "", "the invoice's number")
	f.StringVar(&t.Customer, "customer", "", "the customer's id")
	f.StringVar(&t.Title, "title", "", "what to do")
	f.StringVar(&t.Description, "description", "", "more about it")
	f.StringVar(&t.Assignee, "assignee", "", "the user's email")
	f.StringVar(&t.Role, "role", "", "a role's queue instead: sales_rep, sales_manager, finance, finance_director, admin")
	f.StringVar(&t.Priority, "priority", "", "low, normal (default), high or urgent")
	f.StringVar(&due, "due", "", "when it is due (see above)")
	return cmd
}

// parseDue reads --due: RFC 3339, a local date-time or a date (18:00) in loc.
func parseDue(s string, loc *time.Location) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.ParseInLocation("2006-01-02 15:04", s, loc); err == nil {
		return t, nil
	}
	if t, err := time.ParseInLocation("2006-01-02", s, loc); err == nil {
		return t.Add(18 * time.Hour), nil
	}
	return time.Time{}, fmt.Errorf("--due %q: want YYYY-MM-DD, YYYY-MM-DD HH:MM or an RFC 3339 date-time", s)
}
