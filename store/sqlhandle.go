package store

import (
	"database/sql"

	"github.com/recoup/recoup/store/internal/sqlhandle"
)

func init() {
	sqlhandle.Of = func(v any) (*sql.DB, func(string) string, string) {
		s := v.(*Store)
		return s.sqlDB, s.rebind, s.dialect
	}
}
