package cli

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/recoup/recoup/calendar"
	"github.com/recoup/recoup/money"
	"github.com/recoup/recoup/store"
)

func newAdjustCmd() *cobra.Command {
	var (
		c              taskCmd
		in             store.AdjustmentIn
		amount, ondate string
	)
	cmd := &cobra.Command{
		Use:   "adjust --invoice NUMBER --kind KIND --key REF --reason TEXT [--amount AMOUNT] --as EMAIL",
		Short: "Record a write-off, credit note or settlement on an invoice, as POST /api/invoices/{number}/adjustments",
		Long: `Record an adjustment: a write-off (the finance director or an admin; without --amount, the
whole balance), a credit note or a settlement (finance). At most the balance, in the invoice's
currency; --key is your reference for it (a credit note's number): recording it again changes
nothing. The invoice's workflows see the new balance at once.`,
		Example: `  recoup adjust --invoice INV-2026-0001 --kind credit_note --amount "120.00 CNY" --key CN-2026-0042 \
    --reason "damaged goods returned" --as finance1@demo.recoup.test`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if in.Invoice == "" || in.Kind == "" || in.Key == "" || in.Reason == "" {
				return errors.New("--invoice, --kind, --key and --reason are required")
			}
			if amount != "" {
				m, err := money.Parse(amount)
				if err != nil {
					return fmt.Errorf("--amount: %w", err)
				}
				in.AmountMinor, in.Currency = m.Minor, m.Currency
			}
			if ondate != "" {
				d, err := calendar.Parse(ondate)
				if err != nil {
					return fmt.Errorf("--date: %w", err)
				}
				in.Date = d
			}
			ctx := cmd.Context()
			s, uc, by, _, err := c.open(ctx)
			if err != nil {
				return err
			}
			defer s.Close()
			out, err := uc.RecordAdjustment(ctx, by, in)
			if err != nil {
				return err
			}
			what := "recorded"
			if out.Duplicate {
				what = "already recorded:"
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s %s %s of %s on %s (effective %s); invoice balance %s, %s\n", what, out.Kind, in.Key,
				money.Money{Minor: out.AmountMinor, Currency: out.Currency}, out.Invoice, out.Date,
				money.Money{Minor: out.BalanceMinor, Currency: out.Currency}, out.Status)
			return nil
		},
	}
	c.bind(cmd, true)
	f := cmd.Flags()
	f.StringVar(&in.Invoice, "invoice", "", "invoice number")
	f.StringVar(&in.Kind, "kind", "", "write_off, credit_note or settlement")
	f.StringVar(&in.Key, "key", "", "your reference for it (idempotency key)")
	f.StringVar(&amount, "amount", "", `amount with currency, e.g. "120.00 CNY" (a write-off without it: the whole balance)`)
	f.StringVar(&in.Reason, "reason", "", "why")
	f.StringVar(&ondate, "date", "", "effective date YYYY-MM-DD (default today in the company's zone)")
	return cmd
}

func newPaymentReverseCmd() *cobra.Command {
	var (
		c      taskCmd
		reason string
	)
	cmd := &cobra.Command{
		Use:     "reverse REFERENCE --reason TEXT --as EMAIL",
		Short:   "Reverse a recorded payment (a bounced transfer), as POST /api/payments/{reference}/reversal",
		Example: `  recoup payment reverse BANK-2026-0001 --reason "transfer bounced" --as finance1@demo.recoup.test`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			s, uc, by, _, err := c.open(ctx)
			if err != nil {
				return err
			}
			defer s.Close()
			out, err := uc.ReversePayment(ctx, by, args[0], reason)
			if err != nil {
				return err
			}
			what := "reversed"
			if out.Duplicate {
				what = "was already reversed:"
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s payment %s of %s on %s; invoice balance %s, %s\n", what, out.Reference,
				money.Money{Minor: out.AmountMinor, Currency: out.Currency}, out.Invoice,
				money.Money{Minor: out.BalanceMinor, Currency: out.Currency}, out.Status)
			return nil
		},
	}
	c.bind(cmd, true)
	cmd.Flags().StringVar(&reason, "reason", "", "why it is reversed")
	return cmd
}
