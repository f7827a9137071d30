package engine

import (
	"fmt"
	"time"

	"github.com/recoup/recoup/calendar"
)

// Role is what a user may see and do.
type Role string

// The roles of the product brief (users and what each does: see
// docs/api.md for what each role may do).
const (
	RoleAdmin           Role = "admin"
	RoleSalesRep        Role = "sales_rep"
	RoleSalesManager    Role = "sales_manager"
	RoleFinance         Role = "finance"
	RoleFinanceDirector Role = "finance_director"
)

// Roles lists every role, in a stable order.
var Roles = []Role{RoleAdmin, RoleSalesRep, RoleSalesManager, RoleFinance, RoleFinanceDirector}

// ParseRole returns the Role named s or an error listing the valid ones.
func ParseRole(s string) (Role, error) {
	for _, r := range Roles {
		if string(r) == s {
			return r, nil
		}
	}
	return "", fmt.Errorf("unknown role %q (want one of admin, sales_rep, sales_manager, finance, finance_director)", s)
}

// RiskTier is a customer's collection risk.
type RiskTier string

// Risk tiers, lowest first.
const (
	RiskLow    RiskTier = "low"
	RiskMedium RiskTier = "medium"
	RiskHigh   RiskTier = "high"
)

// ParseRiskTier accepts low, medium or high; the empty string means low.
func ParseRiskTier(s string) (RiskTier, error) {
	switch RiskTier(s) {
	case "":
		return RiskLow, nil
	case RiskLow, RiskMedium, RiskHigh:
		return RiskTier(s), nil
	}
	return "", fmt.Errorf("unknown risk tier %q (want low, medium or high)", s)
}

// Rank orders tiers: low 0, medium 1, high 2.
func (r RiskTier) Rank() int {
	switch r {
	case RiskMedium:
		return 1
	case RiskHigh:
		return 2
	}
	return 0
}

// Invoice statuses. Rules may set other statuses; these are the ones the
// platform itself assigns.
const (
	StatusOpen    = "open"
	StatusOverdue = "overdue"
	StatusPaid    = "paid"
)

// Company is the tenant: its zone decides what "today" and "days overdue" mean.
type Company struct {
	ID       int64
	Name     string
	TimeZone string // IANA name, e.g. Asia/Shanghai
	Currency string // default ISO 4217 currency
	TickTime string // HH:MM local time of the daily tick in simulations
}

// Location loads the company's time zone.
func (c Company) Location() (*time.Location, error) {
	return time.LoadLocation(c.TimeZone)
}

// User is a person who logs in and owns work.
type User struct {
	ID    int64
	Email string
	Name  string
	Role  Role
	Team  string
}

// Customer is an account that owes money.
type Customer struct {
	ID               int64
	ExternalID       string
	Name             string
	Email            string
	Phone            string
	FinanceEmail     string
	OwnerEmail       string
	Region           string
	Industry         string
	CreditLimitMinor int64
	CreditCurrency   string
	CreditRating     string
	Risk             RiskTier
	Locale           string
	TimeZone         string
	DoNotContact     bool
}

// Invoice is a receivable. Amount and Balance are minor units of Currency;
// Balance = Amount − sum(payments).
type Invoice struct {
	ID           int64
	Number       string
	CustomerID   int64
	Currency     string
	AmountMinor  int64
	BalanceMinor int64
	IssueDate    calendar.Date
	DueDate      calendar.Date
	Status       string
	OwnerEmail   string
	Disputed     bool
	Hold         string // why customer contact is stopped ("" none; HoldLegal)
	Custom       map[string]string
	// Plan is the invoice's latest payment plan, nil when it has none.
	Plan *Plan
	// FeesMinor is the fees and interest charged (part of the balance),
	// InterestMinor the interest among them, InterestThrough the last day
	// interest was charged for (zero: none yet).
	FeesMinor, InterestMinor int64
	InterestThrough          calendar.Date
}

// Payment is money received against one invoice, in the invoice's currency.
type Payment struct {
	ID          int64
	InvoiceID   int64
	AmountMinor int64
	Currency    string
	PaidAt      time.Time
	Reference   string
}
