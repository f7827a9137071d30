// Package migrations embeds the versioned SQL schema, one directory per
// dialect (sqlite/, postgres/). The binary applies them with goose; the
// schema is never derived from Go structs in production.
package migrations

import "embed"

// FS holds sqlite/*.sql and postgres/*.sql.
//
//go:embed sqlite/*.sql postgres/*.sql
var FS embed.FS
