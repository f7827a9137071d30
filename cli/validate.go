package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/recoup/recoup/engine"
)

func newValidateCmd() *cobra.Command {
	var (
		noSnippets bool
		asJSON     bool
	)
	cmd := &cobra.Command{
		Use:   "validate PATH...",
		Short: "Check definition files (forms, rules, templates, workflows) and report every problem",
		Long: `Load definition files and directories (*.yaml, *.yml, *.json, recursively)
and report every problem at once as FILE:LINE:COL: message, each followed by
the offending line and a caret. Exits 1 when there is any problem, 0 with a
one-line summary when the definitions are valid.`,
		Example: "  recoup validate rules-examples/",
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			b, err := engine.LoadPaths(args...)
			if err != nil {
				return reportDefinitionErrors(cmd.OutOrStdout(), cmd.ErrOrStderr(), err, !noSnippets, asJSON)
			}
			if asJSON {
				return json.NewEncoder(cmd.OutOrStdout()).Encode(map[string]any{"ok": true, "summary": b.Summary(), "problems": []any{}})
			}
			fmt.Fprintf(cmd.OutOrStdout(), "ok: %s\n", b.Summary())
			return nil
		},
	}
	cmd.Flags().BoolVar(&noSnippets, "no-snippets", false, "print only FILE:LINE:COL: message lines")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the result as JSON on stdout (for editors and CI)")
	return cmd
}

// reportDefinitionErrors prints a load failure: an engine.ErrorList to
// stderr (or as JSON to stdout), then returns ErrSilent so the exit code is 1.
func reportDefinitionErrors(stdout, stderr io.Writer, err error, snippets, asJSON bool) error {
	var el engine.ErrorList
	if !errors.As(err, &el) {
		return err
	}
	if asJSON {
		type problem struct {
			File    string `json:"file"`
			Line    int    `json:"line"`
			Col     int    `json:"col"`
			Message string `json:"message"`
		}
		ps := make([]problem, len(el))
		for i, e := range el {
			ps[i] = problem{e.File, e.Line, e.Col, e.Msg}
		}
		_ = json.NewEncoder(stdout).Encode(map[string]any{"ok": false, "problems": ps})
		return ErrSilent
	}
	el.Print(stderr, snippets)
	files := map[string]bool{}
	for _, e := range el {
		files[e.File] = true
	}
	fmt.Fprintf(stderr, "%d %s in %d %s\n", len(el), plural(len(el), "problem"), len(files), plural(len(files), "file"))
	return ErrSilent
}

func plural(n int, s string) string {
	if n == 1 {
		return s
	}
	return s + "s"
}
