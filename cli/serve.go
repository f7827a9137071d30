package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"slices"
	"time"

	"github.com/spf13/cobra"

	"github.com/recoup/recoup/api"
	"github.com/recoup/recoup/delivery"
	designerui "github.com/recoup/recoup/designer-ui"
	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/usecase"
)

func newServeCmd() *cobra.Command {
	var (
		cfg   Config
		rules []string
		demo  bool
	)
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Migrate the database and serve the API and the designer UI",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg = cfg.WithDefaults()
			cfg.AdminPassword = os.Getenv("RECOUP_ADMIN_PASSWORD") // never a flag: it would show in ps
			ctx := cmd.Context()
			log := cfg.logger(cmd.ErrOrStderr())
			s, company, err := openStore(ctx, cfg)
			if err != nil {
				return err
			}
			defer s.Close()
			// Auth bootstrap (API issue): demo logins, then the first admin.
			if err := bootstrapLogins(ctx, s, cfg, demo, cmd.ErrOrStderr()); err != nil {
				return err
			}
			if len(rules) > 0 {
				srcs, err := engine.ReadPaths(rules...)
				if err != nil {
					return reportDefinitionErrors(io.Discard, cmd.ErrOrStderr(), err, true, false)
				}
				tests, withTests, err := packTests(rules, cmd.ErrOrStderr())
				if err != nil {
					return err
				}
				if _, err := ApplyDefinitions(ctx, s, usecase.System("serve --rules"), srcs, usecase.ApplyOptions{}, cmd.ErrOrStderr(), cmd.ErrOrStderr()); err != nil {
					return err
				}
				if withTests {
					if err := ApplyTests(ctx, s, usecase.System("serve --rules"), tests, "", cmd.ErrOrStderr()); err != nil {
						return err
					}
				}
			}
			metrics := api.NewMetrics(s, log)
			if cfg.TickSchedule != "off" {
				loc, err := company.Location()
				if err != nil {
					return err
				}
				sched, err := parseSchedule(cfg.TickSchedule)
				if err != nil {
					return err
				}
				stopTicks := (&scheduler{store: s, log: log, loc: loc, spec: cfg.TickSchedule, sched: sched, worker: workerName(), ctx: ctx,
					observe: metrics.ObserveTick}).start()
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

			// Template previews render letters and SMS as delivery does.
			dcfg, err := delivery.LoadConfig(deliveryPath(cfg))
			if err != nil {
				return err
			}
			ln, err := net.Listen("tcp", cfg.Addr)
			if err != nil {
				return fmt.Errorf("listening on %s: %w", cfg.Addr, err)
			}
			srv := &http.Server{
				Handler: api.New(api.Options{Store: s, Logger: log, UI: designerui.FS(), SecureCookies: cfg.SecureCookies, TrustProxyHeaders: cfg.TrustProxy,
					Metrics: metrics, MetricsToken: cfg.MetricsToken, Delivery: dcfg}),
				ReadHeaderTimeout: 10 * time.Second,
				ReadTimeout:       60 * time.Second,
				WriteTimeout:      120 * time.Second,
				IdleTimeout:       120 * time.Second,
			}
			if cfg.MetricsAddr != "" {
				stopMetrics, err := serveMetrics(cfg.MetricsAddr, metrics.Handler(cfg.MetricsToken), log)
				if err != nil {
					return err
				}
				defer stopMetrics()
			}
			log.Info("recoup serving", "version", Version, "db", s.Name(), "company", company.Name, "time_zone", company.TimeZone, "url", "http://"+ln.Addr().String()+"/")
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
	cmd.Flags().StringVar(&cfg.AdminEmail, "admin-email", os.Getenv("RECOUP_ADMIN_EMAIL"), "the first admin's email, when no admin can log in yet (env RECOUP_ADMIN_EMAIL; password from RECOUP_ADMIN_PASSWORD, else random and printed once)")
	cmd.Flags().BoolVar(&cfg.SecureCookies, "secure-cookies", os.Getenv("RECOUP_SECURE_COOKIES") == "true", "mark the session cookie Secure on plain HTTP too, behind a TLS proxy (env RECOUP_SECURE_COOKIES=true)")
	cmd.Flags().BoolVar(&cfg.TrustProxy, "trust-proxy", os.Getenv("RECOUP_TRUST_PROXY") == "true", "take client addresses from X-Forwarded-For, behind a reverse proxy (env RECOUP_TRUST_PROXY=true)")
	cmd.Flags().StringVar(&cfg.MetricsAddr, "metrics-addr", os.Getenv("RECOUP_METRICS_ADDR"), "serve /metrics on this address of its own, e.g. 127.0.0.1:9090 (env RECOUP_METRICS_ADDR; default: none)")
	cmd.Flags().StringVar(&cfg.MetricsToken, "metrics-token", os.Getenv("RECOUP_METRICS_TOKEN"), "bearer token /metrics asks for; without it /metrics is only on --metrics-addr (env RECOUP_METRICS_TOKEN, preferred: a flag shows in ps)")
	cmd.Flags().BoolVar(&demo, "demo", false, "demo mode: every user logs in with the password "+demoPassword+" (printed on start)")
	cmd.Flags().StringSliceVar(&rules, "rules", nil, "apply these definition files or directories on start (publishes changed ones; a directory's tests/ replace the stored test files)")
	return cmd
}

// serveMetrics serves h at /metrics on addr until the returned stop is
// called.
func serveMetrics(addr string, h http.Handler, log *slog.Logger) (stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listening for metrics on %s: %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", h)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, WriteTimeout: 30 * time.Second}
	go func() {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics listener", "error", err)
		}
	}()
	log.Info("metrics served", "url", "http://"+ln.Addr().String()+"/metrics")
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	}, nil
}

// --- Auth bootstrap (API issue) ---

// demoPassword is every user's password in demo mode.
const demoPassword = "recoup-demo"

// bootstrapLogins makes sure someone can log in. In demo mode every user
// gets demoPassword and the logins are printed. Then, when no admin has a
// password, the admin (cfg.AdminEmail, else the first admin user, else
// admin@localhost) gets cfg.AdminPassword or a random one printed once.
// Passwords go to the console only, never to the log.
func bootstrapLogins(ctx context.Context, s *store.Store, cfg Config, demo bool, out io.Writer) error {
	now := time.Now()
	if demo {
		all, err := s.Users(ctx)
		if err != nil {
			return err
		}
		var users [][2]string
		for _, u := range all {
			users = append(users, [2]string{u.Email, string(u.Role)})
		}
		slices.SortStableFunc(users, func(a, b [2]string) int { return cmp.Or(cmp.Compare(a[1], b[1]), cmp.Compare(a[0], b[0])) })
		fmt.Fprintf(out, "demo mode: every user logs in with the password %q:\n", demoPassword)
		for _, u := range users {
			if err := s.SetPassword(ctx, u[0], demoPassword, now); err != nil {
				return err
			}
			fmt.Fprintf(out, "  %-17s %s\n", u[1], u[0])
		}
	}
	email := cfg.AdminEmail
	if email == "" {
		email = "admin@localhost"
		admin, err := s.FirstAdmin(ctx)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if err == nil {
			email = admin.Email
		}
	}
	password, generated := cfg.AdminPassword, false
	if password == "" {
		password, generated = store.RandomSecret(15), true
	}
	created, err := s.EnsureAdmin(ctx, email, password, now)
	if err != nil || !created {
		return err
	}
	if generated {
		fmt.Fprintf(out, "first start: log in as %s with the password %s (shown once; set RECOUP_ADMIN_PASSWORD to choose it)\n", email, password)
	} else {
		fmt.Fprintf(out, "first start: log in as %s with the password from RECOUP_ADMIN_PASSWORD\n", email)
	}
	return nil
}
