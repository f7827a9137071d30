package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/recoup/recoup/api"
	designerui "github.com/recoup/recoup/designer-ui"
	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/store"
)

func newServeCmd() *cobra.Command {
	var (
		cfg   Config
		rules []string
	)
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
			if len(rules) > 0 {
				srcs, err := engine.ReadPaths(rules...)
				if err != nil {
					return reportDefinitionErrors(io.Discard, cmd.ErrOrStderr(), err, true, false)
				}
				if _, err := ApplyDefinitions(ctx, s, srcs, store.ApplyOptions{By: "serve --rules"}, cmd.ErrOrStderr(), cmd.ErrOrStderr()); err != nil {
					return err
				}
			}
			if cfg.TickSchedule != "off" {
				loc, err := company.Location()
				if err != nil {
					return err
				}
				sched, err := parseSchedule(cfg.TickSchedule)
				if err != nil {
					return err
				}
				stopTicks := (&scheduler{store: s, log: log, loc: loc, spec: cfg.TickSchedule, sched: sched, worker: workerName(), ctx: ctx}).start()
				defer stopTicks()
				log.Info("tick scheduled", "schedule", cfg.TickSchedule, "time_zone", company.TimeZone)
			}

			// Outbox delivery (package delivery): drains the outbox every
			// poll interval until serve stops.
			if cfg.Delivery != "off" {
				stopDelivery, err := startDelivery(ctx, s, cfg, log)
				if err != nil {
					return err
				}
				defer stopDelivery()
			}

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
	cmd.Flags().StringVar(&cfg.TickSchedule, "tick-schedule", os.Getenv("RECOUP_TICK_SCHEDULE"), "cron spec for the tick in the company zone, or off (env RECOUP_TICK_SCHEDULE; default @hourly)")
	cmd.Flags().StringVar(&cfg.Delivery, "delivery", os.Getenv("RECOUP_DELIVERY"), "delivery configuration file, or off (env RECOUP_DELIVERY; default: in-app only)")
	cmd.Flags().StringSliceVar(&rules, "rules", nil, "apply these definition files or directories on start (publishes changed ones)")
	return cmd
}
