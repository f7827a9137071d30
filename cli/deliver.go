package cli

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/recoup/recoup/delivery"
	"github.com/recoup/recoup/store"
)

func newDeliverCmd() *cobra.Command {
	var (
		cfg     Config
		once    bool
		at      string
		requeue string
	)
	cmd := &cobra.Command{
		Use:   "deliver",
		Short: "Send the due messages of the outbox (email, SMS, in-app, webhooks) under the contact policy",
		Long: `deliver drains the notification outbox the tick writes: it applies the contact
policy (quiet hours and business days in the recipient's zone, the per-customer
frequency cap, digests, fallback, do-not-contact), sends over the channels the
delivery configuration file sets up, retries failures with backoff and
dead-letters messages after too many tries. Rows of channels that are not
configured wait. Without --once it keeps draining until interrupted (serve runs
the same loop).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg = cfg.WithDefaults()
			ctx := cmd.Context()
			s, _, when, err := openAt(ctx, cfg, at)
			if err != nil {
				return err
			}
			defer s.Close()
			now := time.Now
			if at != "" {
				now = func() time.Time { return when }
			}
			if requeue != "" {
				channel := requeue
				if channel == "all" {
					channel = ""
				}
				n, err := delivery.RequeueDead(ctx, s, channel, now())
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "requeued %d dead messages\n", n)
			}
			d, err := newDispatcher(s, cfg, cfg.logger(cmd.ErrOrStderr()), now)
			if err != nil {
				return err
			}
			defer d.Close()
			if !once {
				d.Run(ctx)
				return nil
			}
			st, err := d.RunOnce(ctx)
			fmt.Fprintln(cmd.OutOrStdout(), deliverySummary(st, d.Channels()))
			if err != nil {
				return err
			}
			waiting, err := waitingByChannel(ctx, s, d.Channels())
			if err != nil {
				return err
			}
			if waiting != "" {
				fmt.Fprintln(cmd.OutOrStdout(), "waiting for an unconfigured channel:", waiting)
			}
			return nil
		},
	}
	cfg.bindFlags(cmd.Flags())
	cmd.Flags().StringVar(&cfg.Delivery, "delivery", os.Getenv("RECOUP_DELIVERY"), "delivery configuration file (env RECOUP_DELIVERY; default: in-app only)")
	cmd.Flags().BoolVar(&once, "once", false, "drain what is due now and exit")
	cmd.Flags().StringVar(&requeue, "requeue-dead", "", "first give dead messages of this channel (or all) new attempts, e.g. after fixing a password")
	cmd.Flags().StringVar(&at, "at", "", "deliver as if it were this instant (RFC 3339, or YYYY-MM-DD[ HH:MM] in the company zone); for simulations")
	return cmd
}

// newDispatcher loads the delivery configuration named by cfg.Delivery.
func newDispatcher(s *store.Store, cfg Config, log *slog.Logger, now func() time.Time) (*delivery.Dispatcher, error) {
	dcfg, err := delivery.LoadConfig(deliveryPath(cfg))
	if err != nil {
		return nil, err
	}
	return delivery.New(s, dcfg, delivery.Options{Now: now, Logger: log, Worker: workerName()})
}

// startDelivery runs the outbox dispatcher in the background of serve;
// stop waits for the pass in flight.
func startDelivery(ctx context.Context, s *store.Store, cfg Config, log *slog.Logger) (stop func(), err error) {
	d, err := newDispatcher(s, cfg, log, time.Now)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		d.Run(ctx)
	}()
	log.Info("delivery started", "channels", strings.Join(d.Channels(), ","))
	return func() {
		cancel()
		wg.Wait()
		d.Close()
	}, nil
}

func deliverySummary(st delivery.Stats, channels []string) string {
	return fmt.Sprintf("delivery (%s): %d claimed, %d sent, %d retried, %d dead, %d delayed, %d suppressed, %d merged into %d digests, %d rerouted (%d tasks), %d recovered, %d webhook events queued",
		strings.Join(channels, ", "), st.Claimed, st.Sent, st.Retried, st.Dead, st.Delayed, st.Suppressed, st.Merged, st.Digests, st.Rerouted, st.Tasks, st.Recovered, st.Webhooks)
}

// waitingByChannel counts pending rows of channels this dispatcher does
// not drain: "sms 12, email 3".
func waitingByChannel(ctx context.Context, s *store.Store, drained []string) (string, error) {
	pending, err := s.PendingByChannel(ctx)
	if err != nil {
		return "", err
	}
	var out []string
	for ch, n := range pending {
		if !slices.Contains(drained, ch) {
			out = append(out, fmt.Sprintf("%s %d", ch, n))
		}
	}
	slices.Sort(out)
	return strings.Join(out, ", "), nil
}
