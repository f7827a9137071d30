package cli

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/pflag"

	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/store"
)

// Config is every setting of the recoup binary. Flags and RECOUP_*
// environment variables map onto it in bind; flags win over the environment.
type Config struct {
	// DB is the database URL: sqlite:PATH or postgres://… Default
	// sqlite:recoup.db. Env RECOUP_DB.
	DB string
	// Addr is where serve listens. Default 127.0.0.1:8080. Env RECOUP_ADDR.
	Addr string
	// CompanyName, TimeZone, Currency and TickTime create the company on a
	// new database (ignored once it exists). Defaults "My Company", "UTC",
	// "CNY", "09:00". Env RECOUP_COMPANY, RECOUP_TIMEZONE, RECOUP_CURRENCY,
	// RECOUP_TICK_TIME.
	CompanyName, TimeZone, Currency, TickTime string
	// LogFormat is "text" or "json". Default text. Env RECOUP_LOG_FORMAT.
	LogFormat string
	// TickSchedule is when serve runs the tick: a cron spec in the company
	// zone ("0 9 * * 1-5", "@hourly") or "off". Default @hourly. Env
	// RECOUP_TICK_SCHEDULE.
	TickSchedule string
	// Delivery is the delivery configuration file (channels, contact
	// policy, retries; see package delivery), or "off" to run serve
	// without the outbox dispatcher. Default "": no file, so only in-app
	// messages are delivered and other channels wait in the outbox. Env
	// RECOUP_DELIVERY.
	Delivery string
	// AdminEmail and AdminPassword are the first admin's login, created by
	// serve when no admin has a password yet. Default email: the first
	// admin user, else admin@localhost; default password: random, printed
	// once. Env RECOUP_ADMIN_EMAIL, RECOUP_ADMIN_PASSWORD.
	AdminEmail, AdminPassword string
	// SecureCookies marks the session cookie Secure on plain HTTP too, for
	// a server behind a TLS-terminating proxy (TLS requests always get
	// it). Default false. Env RECOUP_SECURE_COOKIES=true.
	SecureCookies bool
	// TrustProxy takes client addresses (for the login rate limit and
	// logs) from X-Forwarded-For, behind a reverse proxy. Default false.
	// Env RECOUP_TRUST_PROXY=true.
	TrustProxy bool
	// MetricsAddr, when set, is a listen address of its own for /metrics
	// (e.g. 127.0.0.1:9090, reached only by the monitoring network).
	// Default "": no such listener. Env RECOUP_METRICS_ADDR.
	MetricsAddr string
	// MetricsToken, when set, is the bearer token /metrics asks for, on the
	// main address (and on MetricsAddr). Default "": /metrics on the main
	// address answers 404. Env RECOUP_METRICS_TOKEN (prefer it to the
	// flag, which shows in ps).
	MetricsToken string
}

// WithDefaults fills unset fields.
func (c Config) WithDefaults() Config {
	def := func(v *string, d string) {
		if *v == "" {
			*v = d
		}
	}
	def(&c.DB, store.DefaultURL)
	def(&c.Addr, "127.0.0.1:8080")
	def(&c.CompanyName, "My Company")
	def(&c.TimeZone, "UTC")
	def(&c.Currency, "CNY")
	def(&c.TickTime, "09:00")
	def(&c.LogFormat, "text")
	def(&c.TickSchedule, "@hourly")
	return c
}

// Validate reports every invalid setting at once.
func (c Config) Validate() error {
	var errs []error
	if c.LogFormat != "text" && c.LogFormat != "json" {
		errs = append(errs, fmt.Errorf("log format %q: want text or json", c.LogFormat))
	}
	if c.TickSchedule != "off" {
		if _, err := parseSchedule(c.TickSchedule); err != nil {
			errs = append(errs, err)
		}
	}
	if c.Delivery != "" && c.Delivery != "off" {
		if _, err := os.Stat(c.Delivery); err != nil {
			errs = append(errs, fmt.Errorf("delivery configuration: %w", err))
		}
	}
	if err := store.ValidateCompany(c.Company()); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// Company is the company a new database starts with.
func (c Config) Company() engine.Company {
	return engine.Company{Name: c.CompanyName, TimeZone: c.TimeZone, Currency: strings.ToUpper(c.Currency), TickTime: c.TickTime}
}

// bindFlags registers the flags shared by every command that opens the
// database, defaulting each to its environment variable.
func (c *Config) bindFlags(fs *pflag.FlagSet) {
	env := func(name string) string { return os.Getenv(name) }
	fs.StringVar(&c.DB, "db", env("RECOUP_DB"), "database URL: sqlite:PATH or postgres://… (env RECOUP_DB; default "+store.DefaultURL+")")
	fs.StringVar(&c.CompanyName, "company", env("RECOUP_COMPANY"), "company name for a new database (env RECOUP_COMPANY)")
	fs.StringVar(&c.TimeZone, "timezone", env("RECOUP_TIMEZONE"), "company IANA time zone for a new database (env RECOUP_TIMEZONE; default UTC)")
	fs.StringVar(&c.Currency, "currency", env("RECOUP_CURRENCY"), "company default ISO 4217 currency for a new database (env RECOUP_CURRENCY; default CNY)")
	fs.StringVar(&c.TickTime, "tick-time", env("RECOUP_TICK_TIME"), "company daily tick time HH:MM for a new database (env RECOUP_TICK_TIME; default 09:00)")
	fs.StringVar(&c.LogFormat, "log-format", env("RECOUP_LOG_FORMAT"), "log format: text or json (env RECOUP_LOG_FORMAT)")
}
