package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/money"
)

type companyRow struct {
	ID        int64
	Name      string
	TimeZone  string
	Currency  string
	TickTime  string
	CreatedAt time.Time
}

func (companyRow) TableName() string { return "companies" }

// Company returns the install's company (the first row), or ErrNotFound.
func (s *Store) Company(ctx context.Context) (engine.Company, error) {
	// Read on every API request (the company's clock): a prepared
	// statement, not gorm.
	var c engine.Company
	err := s.queryRow(ctx, "SELECT id, name, time_zone, currency, tick_time FROM companies ORDER BY id LIMIT 1").
		Scan(&c.ID, &c.Name, &c.TimeZone, &c.Currency, &c.TickTime)
	if errors.Is(err, sql.ErrNoRows) {
		return engine.Company{}, ErrNotFound
	}
	return c, err
}

// ValidateCompany checks a company's zone, currency and tick time.
func ValidateCompany(c engine.Company) error {
	var errs []error
	if c.Name == "" {
		errs = append(errs, errors.New("company name is empty"))
	}
	if _, err := time.LoadLocation(c.TimeZone); err != nil || c.TimeZone == "" {
		errs = append(errs, fmt.Errorf("company time zone %q is not an IANA zone (e.g. Asia/Shanghai)", c.TimeZone))
	}
	if !money.ValidCurrency(c.Currency) {
		errs = append(errs, fmt.Errorf("company currency %q is not a supported ISO 4217 code", c.Currency))
	}
	if _, err := time.Parse("15:04", c.TickTime); err != nil {
		errs = append(errs, fmt.Errorf("company tick time %q: want HH:MM", c.TickTime))
	}
	return errors.Join(errs...)
}

// EnsureCompany returns the existing company, or creates it from def when the
// database has none yet.
func (s *Store) EnsureCompany(ctx context.Context, def engine.Company) (engine.Company, error) {
	c, err := s.Company(ctx)
	if err == nil {
		return c, nil
	}
	if !errors.Is(err, ErrNotFound) {
		return engine.Company{}, err
	}
	if err := ValidateCompany(def); err != nil {
		return engine.Company{}, err
	}
	r := companyRow{Name: def.Name, TimeZone: def.TimeZone, Currency: def.Currency, TickTime: def.TickTime, CreatedAt: time.Now().UTC()}
	if err := s.gdb.WithContext(ctx).Create(&r).Error; err != nil {
		return engine.Company{}, fmt.Errorf("creating company: %w", err)
	}
	return s.Company(ctx)
}

// UpdateCompany changes the company's settings.
func (s *Store) UpdateCompany(ctx context.Context, c engine.Company) error {
	if err := ValidateCompany(c); err != nil {
		return err
	}
	res := s.gdb.WithContext(ctx).Model(&companyRow{}).Where("id = ?", c.ID).
		Updates(map[string]any{"name": c.Name, "time_zone": c.TimeZone, "currency": c.Currency, "tick_time": c.TickTime})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return ErrNotFound
	}
	return nil
}
