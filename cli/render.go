package cli

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/recoup/recoup/calendar"
	"github.com/recoup/recoup/delivery"
	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/letter"
)

func newRenderCmd() *cobra.Command {
	var (
		cfg     Config
		invoice string
		locale  string
		at      string
		pdf     string
		rules   []string
	)
	cmd := &cobra.Command{
		Use:   "render TEMPLATE --invoice N",
		Short: "Preview a template rendered against an invoice (subject and body; the letter as PDF with --pdf)",
		Example: `  recoup render reminder-email --invoice INV-2026-0042
  recoup render formal-letter --invoice 42 --locale zh-CN --pdf letter.pdf
  recoup render reminder-sms --invoice INV-7 --rules rules-examples/   # a draft, not yet applied`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg = cfg.WithDefaults()
			ctx := cmd.Context()
			if invoice == "" {
				return fmt.Errorf("--invoice is required (an invoice number or id)")
			}
			if locale != "" && locale != "en" && locale != "zh-CN" {
				return fmt.Errorf("--locale %q: want en or zh-CN", locale)
			}
			s, loc, now, err := openAt(ctx, cfg, at)
			if err != nil {
				return err
			}
			defer s.Close()
			company, err := s.Company(ctx)
			if err != nil {
				return err
			}
			b, err := loadBundle(ctx, s, rules, cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			t := b.Template(args[0])
			if t == nil {
				names := make([]string, 0, len(b.Templates))
				for n := range b.Templates {
					names = append(names, n)
				}
				return fmt.Errorf("unknown template %q (have %v)", args[0], names)
			}
			clock := engine.Clock{Now: now, Location: loc}
			subj, err := delivery.LoadSubject(ctx, s, invoice, clock)
			if err != nil {
				return err
			}
			if locale == "" {
				locale = "en"
				if subj.Customer.Locale == "zh-CN" {
					locale = "zh-CN"
				}
			}
			subject, body, err := t.Render(engine.NewEnv(subj, clock), locale)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "Template: %s (v%d, channel %s, locale %s)\n", t.Name, t.Version, orNone(t.Spec.Channel), locale)
			fmt.Fprintf(out, "Invoice:  %s, %s\n", subj.Invoice.Number, subj.Customer.Name)
			if subject != "" {
				fmt.Fprintf(out, "Subject:  %s\n", subject)
			}
			fmt.Fprintf(out, "\n%s\n", body)
			if pdf != "" {
				dcfg, err := delivery.LoadConfig(deliveryPath(cfg))
				if err != nil {
					return err
				}
				r, err := letter.NewRenderer(dcfg.LetterLatinFont, dcfg.LetterFont)
				if err != nil {
					return err
				}
				doc, err := r.Render(delivery.PreviewLetter(company.Name, dcfg.Letterhead, subj, locale, body, calendar.In(now, loc)))
				if err != nil {
					return err
				}
				if err := os.WriteFile(pdf, doc, 0o644); err != nil {
					return err
				}
				fmt.Fprintf(cmd.ErrOrStderr(), "wrote %s (%d bytes)\n", pdf, len(doc))
			}
			return nil
		},
	}
	cfg.bindFlags(cmd.Flags())
	cmd.Flags().StringVar(&invoice, "invoice", "", "the invoice: its number or id")
	cmd.Flags().StringVar(&locale, "locale", "", "en or zh-CN (default: the customer's)")
	cmd.Flags().StringVar(&at, "at", "", "render as of this instant (RFC 3339, or YYYY-MM-DD[ HH:MM] in the company zone; default now)")
	cmd.Flags().StringVar(&pdf, "pdf", "", "also write the formal letter with this text as a PDF file")
	cmd.Flags().StringSliceVar(&rules, "rules", nil, "render from these definition files instead of the published definitions")
	cmd.Flags().StringVar(&cfg.Delivery, "delivery", os.Getenv("RECOUP_DELIVERY"), "delivery configuration file, for the letterhead and fonts (env RECOUP_DELIVERY)")
	return cmd
}

func deliveryPath(cfg Config) string {
	if cfg.Delivery == "off" {
		return ""
	}
	return cfg.Delivery
}
