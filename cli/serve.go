package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/recoup/recoup/api"
	designerui "github.com/recoup/recoup/designer-ui"
)

func newServeCmd() *cobra.Command {
	var cfg Config
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Migrate the database and serve the API and the designer UI",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg = cfg.WithDefaults()
			ctx := cmd.Context()
			log := cfg.logger(cmd.ErrOrStderr())
			s, company, err := openStore(ctx, cfg)
			if err != nil {
				return err
			}
			defer s.Close()

			ln, err := net.Listen("tcp", cfg.Addr)
			if err != nil {
				return fmt.Errorf("listening on %s: %w", cfg.Addr, err)
			}
			srv := &http.Server{
				Handler:           api.New(api.Options{Store: s, Logger: log, UI: designerui.FS()}),
				ReadHeaderTimeout: 10 * time.Second,
				ReadTimeout:       60 * time.Second,
				WriteTimeout:      120 * time.Second,
				IdleTimeout:       120 * time.Second,
			}
			log.Info("recoup serving", "version", Version, "db", s.Dialect(), "company", company.Name, "time_zone", company.TimeZone, "url", "http://"+ln.Addr().String()+"/")
			fmt.Fprintf(cmd.OutOrStdout(), "recoup is running at http://%s/ (Ctrl-C to stop)\n", ln.Addr())
			if f, ok := cmd.OutOrStdout().(*os.File); ok {
				f.Sync()
			}
			errc := make(chan error, 1)
			go func() { errc <- srv.Serve(ln) }()
			select {
			case err := <-errc:
				return err
			case <-ctx.Done():
			}
			log.Info("shutting down")
			shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
			defer cancel()
			if err := srv.Shutdown(shutdownCtx); err != nil {
				return err
			}
			if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
				return err
			}
			return nil
		},
	}
	cfg.bindFlags(cmd.Flags())
	cmd.Flags().StringVar(&cfg.Addr, "addr", os.Getenv("RECOUP_ADDR"), "listen address (env RECOUP_ADDR; default 127.0.0.1:8080)")
	return cmd
}
