package cli

import (
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/recoup/recoup/money"
	"github.com/recoup/recoup/store"
)

func newPaymentCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "payment",
		Short: "Record payments as a named user",
	}
	cmd.AddCommand(newPaymentRecordCmd(), newPaymentReverseCmd())
	return cmd
}

func newPaymentRecordCmd() *cobra.Command {
	var (
		c              taskCmd
		in             store.PaymentIn
		amount, paidAt string
	)
	cmd := &cobra.Command{
		Use:   "record --invoice NUMBER --amount AMOUNT --reference REF --as EMAIL",
		Short: "Record a payment on an invoice; its workflows see it at once, as through POST /api/payments",
		Example: `  recoup payment record --invoice INV-2026-0001 --amount "1200.00 CNY" --reference BANK-2026-0001 \
    --as finance1@demo.recoup.test`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if in.Invoice == "" && len(in.Invoices) == 0 && in.Customer == "" || amount == "" || in.Reference == "" {
				return errors.New("--invoice (or --invoices, or --customer), --amount and --reference are required")
			}
			m, err := money.Parse(amount)
			if err != nil {
				return fmt.Errorf("--amount: %w", err)
			}
			in.AmountMinor, in.Currency = m.Minor, m.Currency
			ctx := cmd.Context()
			s, uc, by, loc, err := c.open(ctx)
			if err != nil {
				return err
			}
			defer s.Close()
			in.PaidAt = uc.Now()
			if paidAt != "" {
				if in.PaidAt, err = parseAt(paidAt, loc, "00:00"); err != nil {
					return fmt.Errorf("--paid-at: %w", err)
				}
			}
			out, err := uc.RecordPayment(ctx, by, in)
			if err != nil {
				return err
			}
			if out.Duplicate {
				fmt.Fprintf(cmd.OutOrStdout(), "payment %s was already recorded; invoice %s: balance %s, %s\n", out.Reference, out.Invoice,
					money.Money{Minor: out.BalanceMinor, Currency: out.Currency}, out.Status)
				return nil
			}
			effects := "its workflows run at the next tick"
			if out.Effects != nil {
				effects = fmt.Sprintf("its workflows recorded %d effects", *out.Effects)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "recorded payment %s of %s on %s (paid %s); invoice balance %s, %s; %s\n", out.Reference,
				money.Money{Minor: out.AmountMinor, Currency: out.Currency}, out.Invoice, out.PaidAt.In(loc).Format(time.RFC3339),
				money.Money{Minor: out.BalanceMinor, Currency: out.Currency}, out.Status, effects)
			return nil
		},
	}
	c.bind(cmd, true)
	f := cmd.Flags()
	f.StringVar(&in.Invoice, "invoice", "", "invoice number")
	f.StringSliceVar(&in.Invoices, "invoices", nil, "several invoices of one customer, settled in this order (comma-separated)")
	f.StringVar(&in.Customer, "customer", "", "the customer's id only: the cash application policy picks the invoices, oldest due first")
	f.StringVar(&amount, "amount", "", `amount with currency, e.g. "1200.00 CNY"`)
	f.StringVar(&in.Reference, "reference", "", "the bank's or processor's reference (idempotency key)")
	f.StringVar(&paidAt, "paid-at", "", "when it was paid: YYYY-MM-DD or RFC 3339 (default now)")
	return cmd
}
