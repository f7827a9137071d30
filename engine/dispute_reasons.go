package engine

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// The reason codes a dispute is opened with (issue 16 §4) are the
// company's list: package store keeps it, an admin adds reasons, renames
// their labels and retires them. This file holds the rules of that list;
// the store reads it and passes it in.

// DisputeReason is a reason code a dispute is opened with, with its labels.
type DisputeReason struct {
	Code string `json:"code"`
	En   string `json:"en"`
	ZhCN string `json:"zh-CN"`
	// Retired is a reason no longer offered for new disputes; the disputes
	// that gave it keep it, shown with its label.
	Retired bool `json:"retired"`
}

// DisputeReasonOther is the reason of a dispute that names its cause in
// its description, as a call outcome's does: it cannot be retired.
const DisputeReasonOther = "other"

// DefaultDisputeReasons is the list a company starts with, in the order a
// form offers them (migration 00031 seeds it; store's
// TestDisputeReasonsSeeded holds the two equal).
var DefaultDisputeReasons = []DisputeReason{
	{Code: "pricing", En: "Pricing", ZhCN: "价格有误"},
	{Code: "quantity", En: "Quantity", ZhCN: "数量有误"},
	{Code: "quality", En: "Quality", ZhCN: "质量问题"},
	{Code: "not_received", En: "Goods or service not received", ZhCN: "未收到货物或服务"},
	{Code: "duplicate", En: "Duplicate invoice", ZhCN: "重复开票"},
	{Code: DisputeReasonOther, En: "Other", ZhCN: "其他"},
}

// OrderDisputeReasons sorts list, given in the order its reasons were
// added, in the order a form offers them: "other" last.
func OrderDisputeReasons(list []DisputeReason) {
	slices.SortStableFunc(list, func(a, b DisputeReason) int {
		return boolInt(a.Code == DisputeReasonOther) - boolInt(b.Code == DisputeReasonOther)
	})
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// ActiveDisputeReasons returns the reasons of list a new dispute may give.
func ActiveDisputeReasons(list []DisputeReason) []DisputeReason {
	return slices.DeleteFunc(slices.Clone(list), func(r DisputeReason) bool { return r.Retired })
}

// IsDisputeReason reports whether code is one of the active reasons of
// list.
func IsDisputeReason(code string, list []DisputeReason) bool {
	return slices.ContainsFunc(list, func(r DisputeReason) bool { return r.Code == code && !r.Retired })
}

// Limits of a reason's code and labels.
const (
	DisputeReasonCodeMax  = 50 // the dispute request's reason
	DisputeReasonLabelMax = 100
)

var reasonCode = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// CheckNewDisputeReason returns every problem of adding r to list, as
// FormErrors (nil when it may be added): a code of lowercase letters,
// digits and underscores not yet in the list (retired reasons included:
// their disputes keep the code), and both labels.
func CheckNewDisputeReason(r DisputeReason, list []DisputeReason) error {
	var errs []FieldError
	switch {
	case r.Code == "":
		errs = append(errs, FieldError{Field: "/code", Message: "is required"})
	case len(r.Code) > DisputeReasonCodeMax:
		errs = append(errs, FieldError{Field: "/code", Message: fmt.Sprintf("must be at most %d characters", DisputeReasonCodeMax)})
	case !reasonCode.MatchString(r.Code):
		errs = append(errs, FieldError{Field: "/code", Message: "must be lowercase letters, digits and _, starting with a letter (e.g. late_delivery)"})
	default:
		if i := slices.IndexFunc(list, func(x DisputeReason) bool { return x.Code == r.Code }); i >= 0 {
			msg := "is taken: the list has it already"
			if list[i].Retired {
				msg = "is taken by a retired reason: its disputes keep the code"
			}
			errs = append(errs, FieldError{Field: "/code", Message: msg})
		}
	}
	errs = append(errs, labelErrors(r, list)...)
	return formErrors(errs)
}

// CheckDisputeReasonLabels returns the problems of r's labels, r being a
// reason of list renamed, as FormErrors.
func CheckDisputeReasonLabels(r DisputeReason, list []DisputeReason) error {
	return formErrors(labelErrors(r, list))
}

// labelErrors checks that r has both labels, within the limit, and that no
// other active reason of list is labelled the same (a form could not tell
// the two apart).
func labelErrors(r DisputeReason, list []DisputeReason) []FieldError {
	var errs []FieldError
	for _, l := range []struct{ field, label, lang string }{{"/en", r.En, "en"}, {"/zh-CN", r.ZhCN, "zh-CN"}} {
		label := strings.TrimSpace(l.label)
		switch {
		case label == "":
			errs = append(errs, FieldError{Field: l.field, Message: "is required"})
		case utf8.RuneCountInString(label) > DisputeReasonLabelMax:
			errs = append(errs, FieldError{Field: l.field, Message: fmt.Sprintf("must be at most %d characters", DisputeReasonLabelMax)})
		default:
			for _, x := range list {
				other := x.En
				if l.lang == "zh-CN" {
					other = x.ZhCN
				}
				if x.Code != r.Code && !x.Retired && strings.EqualFold(strings.TrimSpace(other), label) {
					errs = append(errs, FieldError{Field: l.field, Message: fmt.Sprintf("is the label of %s already", x.Code)})
					break
				}
			}
		}
	}
	return errs
}

// Refusals of retiring a reason.
var (
	ErrDisputeReasonKept    = errors.New(`the reason "other" cannot be retired: a call outcome's dispute gives it`)
	ErrDisputeReasonRetired = errors.New("the reason is retired already")
)

// CheckRetireDisputeReason reports whether r may be retired: not "other",
// not retired already.
func CheckRetireDisputeReason(r DisputeReason) error {
	switch {
	case r.Code == DisputeReasonOther:
		return ErrDisputeReasonKept
	case r.Retired:
		return fmt.Errorf("%s: %w", r.Code, ErrDisputeReasonRetired)
	}
	return nil
}
