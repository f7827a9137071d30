package cli

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/recoup/recoup/calendar"
	"github.com/recoup/recoup/money"
	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/usecase"
)

// The dispute, promise, legal and hold commands (issue 16): each runs one
// use case as a named user (--as), as the API does, and prints the record
// as JSON.

// caseCmd is a command running one case use case.
type caseCmd struct {
	taskCmd
	run func(cmd *cobra.Command, uc *usecase.Service, by usecase.Actor) (any, error)
	// operator makes --as optional: without it, the operator who holds
	// the database runs it (setting up).
	operator bool
}

func (c *caseCmd) command(use, short, example string) *cobra.Command {
	cmd := &cobra.Command{
		Use: use, Short: short, Example: example, Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, uc, by, _, err := c.open(cmd.Context())
			if err != nil {
				return err
			}
			defer s.Close()
			out, err := c.run(cmd, uc, by)
			if err != nil {
				return err
			}
			enc := json.NewEncoder(cmd.OutOrStdout())
			enc.SetIndent("", "  ")
			return enc.Encode(out)
		},
	}
	c.bind(cmd, !c.operator)
	return cmd
}

// amountFlag parses an optional "100.00 CNY" flag into minor units and
// currency.
func amountFlag(name, v string) (int64, string, error) {
	if v == "" {
		return 0, "", nil
	}
	m, err := money.Parse(v)
	if err != nil {
		return 0, "", fmt.Errorf("--%s: %w", name, err)
	}
	return m.Minor, m.Currency, nil
}

// dateFlag parses an optional YYYY-MM-DD flag.
func dateFlag(name, v string) (calendar.Date, error) {
	if v == "" {
		return calendar.Date{}, nil
	}
	d, err := calendar.Parse(v)
	if err != nil {
		return d, fmt.Errorf("--%s: %w", name, err)
	}
	return d, nil
}

func newDisputeCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "dispute", Short: "Open and resolve disputes of invoices as a named user"}
	var (
		open                                                caseCmd
		invoice, reason, description, amount, owner, slaDue string
	)
	open.run = func(cmd *cobra.Command, uc *usecase.Service, by usecase.Actor) (any, error) {
		in := store.DisputeIn{Invoice: invoice, Reason: reason, Description: description, Owner: owner}
		var err error
		if in.DisputedMinor, in.Currency, err = amountFlag("amount", amount); err != nil {
			return nil, err
		}
		if in.SLADue, err = dateFlag("sla-due", slaDue); err != nil {
			return nil, err
		}
		return uc.OpenDispute(cmd.Context(), by, in)
	}
	oc := open.command("open --invoice NUMBER --reason CODE --amount AMOUNT --as EMAIL",
		"Open a dispute (the invoice's escalation pauses); its reason is a code of `recoup dispute reasons list`",
		`  recoup dispute open --invoice INV-2026-0001 --reason pricing --amount "500.00 CNY" --as rep1.east@demo.recoup.test`)
	f := oc.Flags()
	f.StringVar(&invoice, "invoice", "", "invoice number")
	f.StringVar(&reason, "reason", "", "reason code")
	f.StringVar(&description, "description", "", "what is disputed")
	f.StringVar(&amount, "amount", "", `amount disputed with currency, at most the balance, e.g. "500.00 CNY"`)
	f.StringVar(&owner, "owner", "", "who works it (default the invoice's owner)")
	f.StringVar(&slaDue, "sla-due", "", "resolve by YYYY-MM-DD (default 14 days)")

	var (
		resolve      caseCmd
		id           int64
		status, note string
	)
	resolve.run = func(cmd *cobra.Command, uc *usecase.Service, by usecase.Actor) (any, error) {
		return uc.ResolveDispute(cmd.Context(), by, store.DisputeResolution{ID: id, Status: status, Note: note})
	}
	rc := resolve.command("resolve --id ID --status upheld|rejected --note TEXT --as EMAIL",
		"Resolve a dispute: upheld takes the disputed amount off the balance, rejected resumes the escalation",
		`  recoup dispute resolve --id 3 --status rejected --note "price confirmed" --as finance1@demo.recoup.test`)
	rc.Flags().Int64Var(&id, "id", 0, "dispute id")
	rc.Flags().StringVar(&status, "status", "", "upheld or rejected")
	rc.Flags().StringVar(&note, "note", "", "why")
	cmd.AddCommand(oc, rc, newDisputeReasonsCmd())
	return cmd
}

func newPromiseCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "promise", Short: "Record and cancel promises to pay as a named user"}
	var (
		rec                         caseCmd
		invoice, date, amount, note string
	)
	rec.run = func(cmd *cobra.Command, uc *usecase.Service, by usecase.Actor) (any, error) {
		in := store.PromiseIn{Invoice: invoice, Note: note}
		var err error
		if in.PromisedMinor, in.Currency, err = amountFlag("amount", amount); err != nil {
			return nil, err
		}
		if in.PromisedDate, err = dateFlag("date", date); err != nil {
			return nil, err
		}
		return uc.RecordPromise(cmd.Context(), by, in)
	}
	rc := rec.command("record --invoice NUMBER --date YYYY-MM-DD --amount AMOUNT --as EMAIL",
		"Record a promise to pay; the tick after its date settles it kept or broken",
		`  recoup promise record --invoice INV-2026-0001 --date 2026-11-20 --amount "1200.00 CNY" --as rep1.east@demo.recoup.test`)
	rc.Flags().StringVar(&invoice, "invoice", "", "invoice number")
	rc.Flags().StringVar(&date, "date", "", "promised date, after today")
	rc.Flags().StringVar(&amount, "amount", "", "amount promised with currency, at most the balance")
	rc.Flags().StringVar(&note, "note", "", "note")

	var (
		cancel     caseCmd
		id         int64
		cancelNote string
	)
	cancel.run = func(cmd *cobra.Command, uc *usecase.Service, by usecase.Actor) (any, error) {
		return uc.CancelPromise(cmd.Context(), by, id, cancelNote)
	}
	cc := cancel.command("cancel --id ID --as EMAIL", "Cancel a pending promise to pay", "")
	cc.Flags().Int64Var(&id, "id", 0, "promise id")
	cc.Flags().StringVar(&cancelNote, "note", "", "why")
	cmd.AddCommand(rc, cc)
	return cmd
}

func newLegalCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "legal", Short: "Open and close legal cases as a named user"}
	var (
		open                  caseCmd
		invoice, owner, notes string
		openedOn              string
		documents             []string
	)
	open.run = func(cmd *cobra.Command, uc *usecase.Service, by usecase.Actor) (any, error) {
		in := store.LegalCaseIn{Invoice: invoice, Owner: owner, Notes: notes, Documents: documents}
		var err error
		if in.OpenedOn, err = dateFlag("opened-on", openedOn); err != nil {
			return nil, err
		}
		return uc.OpenLegalCase(cmd.Context(), by, in)
	}
	oc := open.command("open --invoice NUMBER --as EMAIL", "Open a legal case and place the legal hold (no customer contact)",
		`  recoup legal open --invoice INV-2026-0001 --document complaint.pdf --as director@demo.recoup.test`)
	oc.Flags().StringVar(&invoice, "invoice", "", "invoice number")
	oc.Flags().StringVar(&owner, "owner", "", "who handles it (default --as)")
	oc.Flags().StringVar(&notes, "notes", "", "notes")
	oc.Flags().StringVar(&openedOn, "opened-on", "", "YYYY-MM-DD (default today)")
	oc.Flags().StringArrayVar(&documents, "document", nil, "a referenced document's name or URL (repeat)")

	var (
		closing                     caseCmd
		id                          int64
		status, settlement, clNotes string
	)
	closing.run = func(cmd *cobra.Command, uc *usecase.Service, by usecase.Actor) (any, error) {
		minor, _, err := amountFlag("settlement", settlement)
		if err != nil {
			return nil, err
		}
		return uc.CloseLegalCase(cmd.Context(), by, store.LegalCaseClosing{ID: id, Status: status, SettlementMinor: minor, Notes: clNotes})
	}
	cc := closing.command("close --id ID --status recovered|settled|lost --as EMAIL",
		"Close a legal case and release its hold: settled takes the balance beyond --settlement off; lost writes the invoice off",
		`  recoup legal close --id 2 --status settled --settlement "800.00 CNY" --as director@demo.recoup.test`)
	cc.Flags().Int64Var(&id, "id", 0, "legal case id")
	cc.Flags().StringVar(&status, "status", "", "recovered, settled or lost")
	cc.Flags().StringVar(&settlement, "settlement", "", "settled: what the customer pays, with currency")
	cc.Flags().StringVar(&clNotes, "notes", "", "notes")
	cmd.AddCommand(oc, cc)
	return cmd
}

func newHoldCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "hold", Short: "Place and release an invoice's hold as a named user"}
	var (
		place           caseCmd
		invoice, reason string
	)
	place.run = func(cmd *cobra.Command, uc *usecase.Service, by usecase.Actor) (any, error) {
		if invoice == "" {
			return nil, errors.New("--invoice is required")
		}
		return uc.PlaceHold(cmd.Context(), by, invoice, reason)
	}
	pc := place.command("place --invoice NUMBER --reason TEXT --as EMAIL", "Put an invoice on hold: no customer contact until released", "")
	pc.Flags().StringVar(&invoice, "invoice", "", "invoice number")
	pc.Flags().StringVar(&reason, "reason", "", "why")

	var (
		release    caseCmd
		relInvoice string
	)
	release.run = func(cmd *cobra.Command, uc *usecase.Service, by usecase.Actor) (any, error) {
		if relInvoice == "" {
			return nil, errors.New("--invoice is required")
		}
		return uc.ReleaseHold(cmd.Context(), by, relInvoice)
	}
	rc := release.command("release --invoice NUMBER --as EMAIL", "Release a person's hold (a legal hold is released by closing its case)", "")
	rc.Flags().StringVar(&relInvoice, "invoice", "", "invoice number")
	cmd.AddCommand(pc, rc)
	return cmd
}
