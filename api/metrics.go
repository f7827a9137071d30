package api

import (
	"context"
	"log/slog"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/recoup/recoup/store"
)

// Metrics are the Prometheus figures served at /metrics. The API observes
// HTTP latency itself; the tick's figures are observed by whoever runs the
// tick (ObserveTick), and the outbox depth and open tasks are read from
// the database at each scrape.
type Metrics struct {
	reg          *prometheus.Registry
	httpDuration *prometheus.HistogramVec
	tickDuration prometheus.Histogram
	effects      *prometheus.CounterVec
}

// NewMetrics registers recoup's collectors (and Go's and the process's) on a
// registry of their own.
func NewMetrics(s *store.Store, log *slog.Logger) *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		httpDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "recoup_http_request_duration_seconds", Help: "HTTP request latency by route, method and status.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"method", "route", "status"}),
		tickDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "recoup_tick_duration_seconds", Help: "Duration of whole ticks.",
			Buckets: prometheus.ExponentialBuckets(0.01, 2, 16),
		}),
		effects: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "recoup_effects_total", Help: "Effects newly recorded by ticks, by kind.",
		}, []string{"kind"}),
	}
	m.reg.MustRegister(m.httpDuration, m.tickDuration, m.effects,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if s != nil {
		count := func(name, help, q string) {
			m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, func() float64 {
				ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
				defer cancel()
				var n int64
				if err := s.SQL().QueryRowContext(ctx, q).Scan(&n); err != nil {
					log.Warn("metrics: query failed", "metric", name, "error", err)
					return -1
				}
				return float64(n)
			}))
		}
		count("recoup_outbox_depth", "Notifications waiting in the outbox (pending or sending).",
			"SELECT COUNT(*) FROM outbox WHERE status IN ('pending', 'sending')")
		count("recoup_tasks_open", "Open tasks and approvals.", "SELECT COUNT(*) FROM tasks WHERE status = 'open'")
	}
	return m
}

// ObserveTick records one finished tick: its duration and the effects it
// recorded by kind (tasks, notifications, state changes, fees, errors).
func (m *Metrics) ObserveTick(d time.Duration, effectsByKind map[string]int) {
	m.tickDuration.Observe(d.Seconds())
	for kind, n := range effectsByKind {
		m.effects.WithLabelValues(kind).Add(float64(n))
	}
}

// middleware observes each request's latency under its route pattern (not
// its path, so that ids do not explode the label set).
func (m *Metrics) middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		status := c.Response().Status
		if err != nil {
			if p, _ := toProblem(err); p.Status != 0 {
				status = p.Status
			}
		}
		route := c.Path()
		if route == "" {
			route = "unmatched"
		}
		m.httpDuration.WithLabelValues(c.Request().Method, route, strconv.Itoa(status)).Observe(time.Since(start).Seconds())
		return err
	}
}

func (m *Metrics) handler() echo.HandlerFunc {
	return echo.WrapHandler(promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{}))
}
