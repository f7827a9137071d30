package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/store"
)

func newApplyCmd() *cobra.Command {
	var (
		cfg      Config
		draft    bool
		by, note string
	)
	cmd := &cobra.Command{
		Use:   "apply --db URL PATH...",
		Short: "Validate definition files and publish the changed ones as new versions",
		Long: `Validate definition files and directories exactly as validate does, together
with the definitions already published in the database, and store every
document whose content changed as a new immutable version (published, or a
draft with --draft). Nothing is written if any document is invalid.
Reformatting or comments alone do not make a new version.`,
		Example: "  recoup apply --db sqlite:recoup.db rules-examples/",
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg = cfg.WithDefaults()
			srcs, err := engine.ReadPaths(args...)
			if err != nil {
				return reportDefinitionErrors(cmd.OutOrStdout(), cmd.ErrOrStderr(), err, true, false)
			}
			s, _, err := openStore(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			defer s.Close()
			_, err = ApplyDefinitions(cmd.Context(), s, srcs, store.ApplyOptions{By: by, Draft: draft, Note: note}, cmd.OutOrStdout(), cmd.ErrOrStderr())
			return err
		},
	}
	cfg.bindFlags(cmd.Flags())
	cmd.Flags().BoolVar(&draft, "draft", false, "store new versions as drafts instead of publishing them")
	cmd.Flags().StringVar(&by, "by", "cli", "who applies, recorded on each new version")
	cmd.Flags().StringVar(&note, "note", "", "why, kept with what is published and in the audit log")
	return cmd
}

// ApplyDefinitions validates srcs with the published definitions and stores
// the changed documents, printing one line per document and a summary to
// out; problems go to errOut and yield ErrSilent. serve --rules and
// simulate --rules use it too.
func ApplyDefinitions(ctx context.Context, s *store.Store, srcs []engine.Source, opt store.ApplyOptions, out, errOut io.Writer) ([]store.ApplyOutcome, error) {
	docs, err := s.ValidateWithPublished(ctx, srcs)
	if err != nil {
		return nil, reportDefinitionErrors(out, errOut, err, true, false)
	}
	outcomes, err := s.ApplyDefinitions(ctx, docs, opt)
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
	fmt.Fprintf(out, "applied %d %s: %d created, %d published, %d unchanged\n", len(outcomes), plural(len(outcomes), "document"),
		counts[store.ApplyCreated], counts[store.ApplyPublished], counts[store.ApplyUnchanged])
	return outcomes, nil
}
