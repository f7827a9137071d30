package cli

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/store"
)

// scheduler runs the tick inside serve on a cron schedule in the company's
// zone. Each run ticks at its scheduled instant, under a slot named after
// it, so replicas that fire together share one tick.
type scheduler struct {
	store  *store.Store
	log    *slog.Logger
	loc    *time.Location
	spec   string
	sched  cron.Schedule
	worker string
	ctx    context.Context
	// observe, when set, is told of each finished tick (the /metrics of
	// this process).
	observe func(time.Duration, map[string]int)
}

// parseSchedule validates a cron spec (five fields or a descriptor such as
// @hourly).
func parseSchedule(spec string) (cron.Schedule, error) {
	s, err := cron.ParseStandard(spec)
	if err != nil {
		return nil, fmt.Errorf("tick schedule %q: %w", spec, err)
	}
	return s, nil
}

// start begins the schedule; stop it with the returned function, which
// waits for a running tick to finish.
func (sc *scheduler) start() (stop func()) {
	logger := cronLogger{sc.log}
	c := cron.New(cron.WithLocation(sc.loc), cron.WithLogger(logger), cron.WithChain(cron.Recover(logger), cron.SkipIfStillRunning(logger)))
	c.Schedule(sc.sched, cron.FuncJob(sc.run))
	c.Start()
	return func() { <-c.Stop().Done() }
}

// lastScheduled returns the latest scheduled instant at or before now.
func lastScheduled(s cron.Schedule, now time.Time) time.Time {
	// Look back over growing windows so that both "every minute" and
	// "weekdays at 09:00" need only a few steps.
	for _, back := range []time.Duration{time.Minute, time.Hour, 24 * time.Hour, 8 * 24 * time.Hour, 32 * 24 * time.Hour, 367 * 24 * time.Hour} {
		t := s.Next(now.Add(-back))
		if t.After(now) {
			continue
		}
		for n := s.Next(t); !n.After(now); n = s.Next(t) {
			t = n
		}
		return t
	}
	return now.Truncate(time.Minute)
}

func (sc *scheduler) run() {
	// First finish the scheduled ticks of the last day that every
	// replica abandoned (all of them restarted mid-tick).
	if stale, err := sc.store.UnfinishedTicks(sc.ctx, time.Now().Add(-24*time.Hour)); err != nil {
		sc.log.Error("tick: listing unfinished ticks", "error", err)
	} else {
		for _, t := range stale {
			sc.tick(t.At, t.Slot)
		}
	}
	at := lastScheduled(sc.sched, time.Now().In(sc.loc))
	sc.tick(at, "cron/"+sc.spec+"/"+at.UTC().Format(time.RFC3339))
}

// tick runs (or joins, or finishes) the tick of one slot.
func (sc *scheduler) tick(at time.Time, slot string) {
	log := sc.log.With("at", at.Format(time.RFC3339), "slot", slot)
	b, err := sc.store.LoadPublished(sc.ctx)
	if err != nil {
		log.Error("tick: loading published definitions", "error", err)
		return
	}
	st, err := engine.RunTick(sc.ctx, b, sc.store, engine.TickOptions{
		At: at, Location: sc.loc, Slot: slot, Worker: sc.worker,
	})
	if err != nil {
		log.Error("tick failed", "error", err)
		return
	}
	if sc.observe != nil {
		sc.observe(st.Elapsed, map[string]int{"state_changes": st.States, "tasks": st.Tasks, "notifications": st.Outbox,
			"fees": st.Fees, "errors": st.Errors})
	}
	log.Info("tick done", "invoices", st.Invoices, "batches", st.Batches, "effects", st.Effects, "states", st.States,
		"tasks", st.Tasks, "notifications", st.Outbox, "fees", st.Fees, "rule_errors", st.Errors, "duration_ms", st.Elapsed.Milliseconds())
	// A tick adds many rows of differences to the dashboard's sums on
	// PostgreSQL: folded here, the next dashboard does not pay for it.
	if st.Effects > 0 {
		if err := sc.store.FoldDashboardSums(sc.ctx); err != nil {
			log.Error("folding the dashboard's sums", "error", err)
		}
	}
}

// cronLogger adapts slog to cron's logger.
type cronLogger struct{ l *slog.Logger }

func (c cronLogger) Info(msg string, kv ...any) {
	c.l.Debug("cron: "+msg, kv...)
}

func (c cronLogger) Error(err error, msg string, kv ...any) {
	c.l.Error("cron: "+msg, append(kv, "error", err)...)
}
