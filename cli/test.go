package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/engine/casetest"
)

func newTestCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "test PATH",
		Short: "Run a definition pack's test cases (PATH/tests/**/*.test.yaml) against its definitions",
		Long: `Load the definitions in PATH exactly as validate does, then run every test
case under PATH/tests (*.test.yaml, recursively): rule cases, form cases and
workflow scenarios, each on an in-memory world with no database. Prints one
line per case, PASS or FAIL with the file, line and name, what a failing case
expected and what came, and a summary. Exits 1 when any case fails, when the
definitions are invalid, or when a test file is.`,
		Example: "  recoup test rules-examples/",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runTests(cmd.OutOrStdout(), cmd.ErrOrStderr(), args[0])
		},
	}
}

func runTests(out, errOut io.Writer, pack string) error {
	if fi, err := os.Stat(pack); err != nil || !fi.IsDir() {
		return fmt.Errorf("%s is not a directory: recoup test runs a pack, a directory with definitions and tests/", pack)
	}
	b, err := engine.LoadPaths(pack)
	if err != nil {
		return reportDefinitionErrors(out, errOut, err, true, false)
	}
	files, err := casetest.ReadFiles(pack)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return fmt.Errorf("no test files: want %s", filepath.Join(pack, casetest.Dir, "*.test.yaml"))
	}
	for i := range files { // shown as paths the shell can open
		files[i].Path = filepath.Join(pack, filepath.FromSlash(files[i].Path))
	}
	suites, err := casetest.Parse(files...)
	var el engine.ErrorList
	if errors.As(err, &el) {
		el.Print(errOut, false)
		fmt.Fprintf(errOut, "%d %s in the test files\n", len(el), plural(len(el), "problem"))
		return ErrSilent
	}
	if err != nil {
		return err
	}
	results := casetest.Run(b, suites)
	failed := 0
	for _, r := range results {
		status := "PASS"
		if !r.Passed {
			status, failed = "FAIL", failed+1
		}
		fmt.Fprintf(out, "%s  %s:%d  %s\n", status, r.File, r.Line, r.Name)
		if !r.Passed {
			for _, l := range strings.Split(r.Message, "\n") {
				fmt.Fprintln(out, "      "+l)
			}
		}
	}
	fmt.Fprintf(out, "%d %s in %d %s: %d passed, %d failed\n", len(results), plural(len(results), "case"),
		len(suites), plural(len(suites), "file"), len(results)-failed, failed)
	if failed > 0 {
		return ErrSilent
	}
	return nil
}
