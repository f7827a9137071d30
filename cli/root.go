// Package cli is recoup's command line: serve, migrate, import, gen, version
// and the definition and tick commands. cmd/recoup only calls Run.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/store"
)

// Version is set at build time with -ldflags "-X github.com/recoup/recoup/cli.Version=…".
var Version = "dev"

// ErrSilent marks an error whose details were already printed.
var ErrSilent = errors.New("")

// Run executes the command line and returns the process exit code.
func Run(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	root := newRoot(stdout, stderr)
	root.SetArgs(args)
	if err := root.ExecuteContext(ctx); err != nil {
		if !errors.Is(err, ErrSilent) {
			fmt.Fprintln(stderr, "error:", err)
		}
		return 1
	}
	return 0
}

func newRoot(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:           "recoup",
		Short:         "recoup: rules and escalation workflows for accounts-receivable collections",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.AddCommand(newServeCmd(), newMigrateCmd(), newImportCmd(), newGenCmd(), newDemoCmd(), newVersionCmd())
	// Definition commands (validate, apply) register below.
	root.AddCommand(newValidateCmd(), newTestCmd())
	root.AddCommand(newApplyCmd())
	root.AddCommand(newTickCmd(), newExplainCmd(), newSimulateCmd(), newTaskCmd(), newPaymentCmd(), newAdjustCmd(),
		newDisputeCmd(), newPromiseCmd(), newLegalCmd(), newHoldCmd(), newCustomerCmd())
	root.AddCommand(newDeliverCmd(), newRenderCmd(), newAuditCmd())
	return root
}

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		Run: func(cmd *cobra.Command, _ []string) {
			fmt.Fprintln(cmd.OutOrStdout(), "recoup", Version)
		},
	}
}

// logger builds the process logger on stderr.
func (c Config) logger(w io.Writer) *slog.Logger {
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, nil))
	}
	return slog.New(slog.NewTextHandler(w, nil))
}

// openExisting is openStore for the commands that act on data already
// there (tick, explain, task, deliver, render): a SQLite file that does not
// exist is an error, not an empty database made at a mistyped path with
// nothing to do in it.
func openExisting(ctx context.Context, cfg Config) (*store.Store, engine.Company, error) {
	if path, ok := store.SQLiteFile(cfg.DB); ok {
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return nil, engine.Company{}, fmt.Errorf("no database at %s: give --db (or RECOUP_DB) the one to use, or create it with `recoup migrate --db %s` and import data", path, cfg.DB)
		}
	}
	return openStore(ctx, cfg)
}

// openStore validates cfg, opens and migrates the database and makes sure the
// company exists.
func openStore(ctx context.Context, cfg Config) (*store.Store, engine.Company, error) {
	if err := cfg.Validate(); err != nil {
		return nil, engine.Company{}, err
	}
	s, err := store.Open(ctx, cfg.DB)
	if err != nil {
		return nil, engine.Company{}, err
	}
	if _, err := s.Migrate(ctx); err != nil {
		s.Close()
		return nil, engine.Company{}, err
	}
	company, err := s.EnsureCompany(ctx, cfg.Company())
	if err != nil {
		s.Close()
		return nil, engine.Company{}, err
	}
	return s, company, nil
}
