package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/spf13/pflag"

	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/usecase"
)

// asFlag is a command's --as EMAIL: the user whose rights the command uses,
// checked by the same use cases as the API.
type asFlag struct {
	email    string
	required bool
}

func (a *asFlag) bind(fs *pflag.FlagSet, required bool) {
	a.required = required
	help := "act as this user, with its role's rights (recorded in the audit)"
	if !required {
		help += "; without it, as the operator who holds the database"
	}
	fs.StringVar(&a.email, "as", "", help)
}

// actor is the user --as names, active; or the operator when --as is
// optional and absent.
func (a *asFlag) actor(ctx context.Context, s *store.Store) (usecase.Actor, error) {
	if a.email == "" {
		if a.required {
			return usecase.Actor{}, errors.New("--as EMAIL is required: the user whose rights this uses")
		}
		return usecase.System(""), nil
	}
	u, err := s.UserByEmail(ctx, a.email)
	if errors.Is(err, store.ErrNotFound) {
		return usecase.Actor{}, fmt.Errorf("--as %s: no such user", a.email)
	}
	if err != nil {
		return usecase.Actor{}, err
	}
	if !u.Active {
		return usecase.Actor{}, fmt.Errorf("--as %s: the user is deactivated", a.email)
	}
	return usecase.Actor{User: u, Via: usecase.ViaCLI}, nil
}

// service is the use cases over s, at the instant when (zero: now).
func service(s *store.Store, when time.Time) *usecase.Service {
	var now func() time.Time
	if !when.IsZero() {
		now = func() time.Time { return when }
	}
	// The command prints what it did; the use cases' log is the server's.
	return usecase.New(s, now, slog.New(slog.DiscardHandler))
}
