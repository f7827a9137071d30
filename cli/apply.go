package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/usecase"
)

func newApplyCmd() *cobra.Command {
	var (
		cfg   Config
		draft bool
		note  string
		as    asFlag
	)
	cmd := &cobra.Command{
		Use:   "apply --db URL PATH...",
		Short: "Validate definition files and publish the changed ones as new versions",
		Long: `Validate definition files and directories exactly as validate does, together
with the definitions already published in the database, and store every
document whose content changed as a new immutable version (published, or a
draft with --draft). Nothing is written if any document is invalid.
Reformatting or comments alone do not make a new version. The test files of
a PATH with a tests/ directory (tests/**/*.test.yaml, as recoup test runs
them) replace the stored ones, which the server runs against a draft.`,
		Example: "  recoup apply --db sqlite:recoup.db rules-examples/",
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg = cfg.WithDefaults()
			srcs, err := engine.ReadPaths(args...)
			if err != nil {
				return reportDefinitionErrors(cmd.OutOrStdout(), cmd.ErrOrStderr(), err, true, false)
			}
			tests, withTests, err := packTests(args, cmd.ErrOrStderr())
			if err != nil {
				return err
			}
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
				by = usecase.System("apply")
			}
			if _, err = ApplyDefinitions(cmd.Context(), s, by, srcs, usecase.ApplyOptions{Draft: draft, Note: note}, cmd.OutOrStdout(), cmd.ErrOrStderr()); err != nil || !withTests {
				return err
			}
			return ApplyTests(cmd.Context(), s, by, tests, note, cmd.OutOrStdout())
		},
	}
	cfg.bindFlags(cmd.Flags())
	cmd.Flags().BoolVar(&draft, "draft", false, "store new versions as drafts instead of publishing them")
	as.bind(cmd.Flags(), false)
	cmd.Flags().StringVar(&note, "note", "", "why, kept with what is published and in the audit log")
	return cmd
}

// ApplyDefinitions validates srcs with the published definitions and stores
// the changed documents, printing one line per document and a summary to
// out; problems go to errOut and yield ErrSilent. serve --rules and
// simulate --rules use it too.
func ApplyDefinitions(ctx context.Context, s *store.Store, by usecase.Actor, srcs []engine.Source, o usecase.ApplyOptions, out, errOut io.Writer) ([]store.ApplyOutcome, error) {
	outcomes, err := service(s, time.Time{}).ApplyDefinitions(ctx, by, srcs, o)
	var el engine.ErrorList
	if errors.As(err, &el) {
		return nil, reportDefinitionErrors(out, errOut, err, true, false)
	}
	if err != nil {
		return nil, err
	}
	counts := map[string]int{}
	for _, o := range outcomes {
		counts[o.Action]++
		if o.Action != store.ApplyUnchanged {
			fmt.Fprintf(out, "%-9s %s/%s v%d\n", o.Action, o.Kind, o.Name, o.Version)
		}
	}
	fmt.Fprintln(out, applySummary(len(outcomes), counts, o.Draft))
	return outcomes, nil
}

// applySummary says what apply stored: published versions (new ones, and
// drafts with the same content published), or drafts.
func applySummary(n int, counts map[string]int, draft bool) string {
	head := fmt.Sprintf("applied %d %s: ", n, plural(n, "document"))
	if draft {
		return head + fmt.Sprintf("%d stored as %s, %d unchanged", counts[store.ApplyCreated], plural(counts[store.ApplyCreated], "draft"),
			counts[store.ApplyUnchanged])
	}
	published := counts[store.ApplyCreated] + counts[store.ApplyPublished]
	return head + fmt.Sprintf("%d published (%d new %s, %d %s published), %d unchanged", published,
		counts[store.ApplyCreated], plural(counts[store.ApplyCreated], "version"),
		counts[store.ApplyPublished], plural(counts[store.ApplyPublished], "draft"), counts[store.ApplyUnchanged])
}
