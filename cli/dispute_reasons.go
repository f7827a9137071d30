package cli

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/usecase"
)

// newDisputeReasonsCmd is `recoup dispute reasons`: the company's list of
// dispute reason codes, read by anyone and changed by an admin (or the
// operator, without --as), through the API's use cases.
func newDisputeReasonsCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "reasons", Short: "List, add, rename and retire the company's dispute reasons"}

	var (
		list    taskCmd
		retired bool
	)
	lc := &cobra.Command{
		Use: "list", Short: "List the reasons a dispute may give, \"other\" last (--retired: the retired ones too)", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, uc, by, _, err := list.open(cmd.Context())
			if err != nil {
				return err
			}
			defer s.Close()
			reasons, err := uc.DisputeReasons(cmd.Context(), by, retired)
			if err != nil {
				return err
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "CODE\tEN\tZH-CN\tSTATUS")
			for _, r := range reasons {
				status := "active"
				if r.Retired {
					status = "retired"
				}
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", r.Code, r.En, r.ZhCN, status)
			}
			return w.Flush()
		},
	}
	list.bind(lc, false)
	lc.Flags().BoolVar(&retired, "retired", false, "also the retired reasons")

	var (
		add = caseCmd{operator: true}
		r   engine.DisputeReason
	)
	add.run = func(cmd *cobra.Command, uc *usecase.Service, by usecase.Actor) (any, error) {
		return uc.AddDisputeReason(cmd.Context(), by, r)
	}
	ac := add.command("add --code CODE --en LABEL --zh-CN LABEL [--as EMAIL]", "Add a reason, offered for new disputes from then on",
		`  recoup dispute reasons add --code late_delivery --en "Late delivery" --zh-CN "延迟交货" --as admin@demo.recoup.test`)
	ac.Flags().StringVar(&r.Code, "code", "", "a new code: lowercase letters, digits and _")
	ac.Flags().StringVar(&r.En, "en", "", "its English label")
	ac.Flags().StringVar(&r.ZhCN, "zh-CN", "", "its Chinese label")

	var (
		update             = caseCmd{operator: true}
		upCode, upEn, upZh string
	)
	update.run = func(cmd *cobra.Command, uc *usecase.Service, by usecase.Actor) (any, error) {
		var l store.DisputeReasonLabels
		if cmd.Flags().Changed("en") {
			l.En = &upEn
		}
		if cmd.Flags().Changed("zh-CN") {
			l.ZhCN = &upZh
		}
		return uc.UpdateDisputeReason(cmd.Context(), by, upCode, l)
	}
	upc := update.command("update --code CODE [--en LABEL] [--zh-CN LABEL] [--as EMAIL]", "Rename a reason's labels (its code stays)",
		`  recoup dispute reasons update --code late_delivery --en "Delivered late" --as admin@demo.recoup.test`)
	upc.Flags().StringVar(&upCode, "code", "", "the reason's code")
	upc.Flags().StringVar(&upEn, "en", "", "its new English label")
	upc.Flags().StringVar(&upZh, "zh-CN", "", "its new Chinese label")

	var (
		retire = caseCmd{operator: true}
		reCode string
	)
	retire.run = func(cmd *cobra.Command, uc *usecase.Service, by usecase.Actor) (any, error) {
		return uc.RetireDisputeReason(cmd.Context(), by, reCode)
	}
	rc := retire.command("retire --code CODE [--as EMAIL]",
		`Retire a reason: no longer offered for new disputes; those that gave it keep it ("other" stays)`, "")
	rc.Flags().StringVar(&reCode, "code", "", "the reason's code")

	cmd.AddCommand(lc, ac, upc, rc)
	return cmd
}
