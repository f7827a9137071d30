package api

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/recoup/recoup/store"
)

// Metrics are the Prometheus figures served at /metrics. The API observes
// HTTP latency itself; the outbox depth, open tasks and the last finished
// tick (duration, effects by kind) are read from the database at each
// scrape; a process that runs ticks may also feed ObserveTick.
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
		m.reg.MustRegister(&dbCollector{store: s, log: log})
	}
	return m
}

// gaugeStore reads the figures a scrape reports from the database.
type gaugeStore interface {
	Gauges(ctx context.Context) (store.Gauges, error)
}

// dbCollector reports, at each scrape and in one read, the outbox depth,
// the open tasks, the ticks by status and the last finished tick from the
// database, whichever replica wrote them: so every replica's /metrics
// shows the schedule's health without a hook in the scheduler.
type dbCollector struct {
	store gaugeStore
	log   *slog.Logger
}

var (
	outboxDepth      = prometheus.NewDesc("recoup_outbox_depth", "Notifications waiting in the outbox (pending or sending).", nil, nil)
	tasksOpen        = prometheus.NewDesc("recoup_tasks_open", "Open tasks and approvals.", nil, nil)
	lastTickDuration = prometheus.NewDesc("recoup_last_tick_duration_seconds", "Duration of the last finished tick.", nil, nil)
	lastTickTime     = prometheus.NewDesc("recoup_last_tick_timestamp_seconds", "The fixed now of the last finished tick, as a Unix time.", nil, nil)
	lastTickEffects  = prometheus.NewDesc("recoup_last_tick_effects", "Effects newly recorded by the last finished tick, by kind.", []string{"kind"}, nil)
	ticksByStatus    = prometheus.NewDesc("recoup_ticks", "Ticks recorded, by status (running, done, failed).", []string{"status"}, nil)
)

func (dc *dbCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- outboxDepth
	ch <- tasksOpen
	ch <- lastTickDuration
	ch <- lastTickTime
	ch <- lastTickEffects
	ch <- ticksByStatus
}

func (dc *dbCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	g, err := dc.store.Gauges(ctx)
	if err != nil {
		// -1 says the figure could not be read, as against an empty outbox.
		dc.log.Warn("metrics: reading the database's figures", "error", err)
		ch <- prometheus.MustNewConstMetric(outboxDepth, prometheus.GaugeValue, -1)
		ch <- prometheus.MustNewConstMetric(tasksOpen, prometheus.GaugeValue, -1)
		return
	}
	ch <- prometheus.MustNewConstMetric(outboxDepth, prometheus.GaugeValue, float64(g.OutboxDepth))
	ch <- prometheus.MustNewConstMetric(tasksOpen, prometheus.GaugeValue, float64(g.OpenTasks))
	for status, n := range g.Ticks {
		ch <- prometheus.MustNewConstMetric(ticksByStatus, prometheus.GaugeValue, float64(n), status)
	}
	st := g.LastTick
	if st == nil {
		return // no finished tick yet
	}
	ch <- prometheus.MustNewConstMetric(lastTickDuration, prometheus.GaugeValue, st.Elapsed.Seconds())
	ch <- prometheus.MustNewConstMetric(lastTickTime, prometheus.GaugeValue, float64(st.At.Unix()))
	for kind, n := range map[string]int{"all": st.Effects, "state_changes": st.States, "tasks": st.Tasks, "notifications": st.Outbox,
		"fees": st.Fees, "errors": st.Errors} {
		ch <- prometheus.MustNewConstMetric(lastTickEffects, prometheus.GaugeValue, float64(n), kind)
	}
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

// Handler serves the metrics in Prometheus' text format to requests
// bearing token (Authorization: Bearer token), or to every request when
// token is empty: for a listen address of their own (serve
// --metrics-addr), which only the monitoring network reaches. Others get
// 401.
func (m *Metrics) Handler(token string) http.Handler {
	h := promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
	if token == "" {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !metricsAuthorized(r, token) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
			http.Error(w, errMetricsToken.Error(), http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// handler serves /metrics on the main address: only to requests bearing
// token (Options.MetricsToken).
func (m *Metrics) handler(token string) echo.HandlerFunc {
	h := promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
	return func(c echo.Context) error {
		if !metricsAuthorized(c.Request(), token) {
			c.Response().Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
			return errMetricsToken
		}
		h.ServeHTTP(c.Response(), c.Request())
		return nil
	}
}

// metricsAuthorized reports whether r bears token, compared in constant
// time.
func metricsAuthorized(r *http.Request, token string) bool {
	scheme, secret, _ := strings.Cut(r.Header.Get(echo.HeaderAuthorization), " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return false
	}
	got, want := sha256.Sum256([]byte(strings.TrimSpace(secret))), sha256.Sum256([]byte(token))
	return subtle.ConstantTimeCompare(got[:], want[:]) == 1
}
