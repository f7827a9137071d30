package usecase

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"path/filepath"

	"github.com/recoup/recoup/ingest"
	"github.com/recoup/recoup/store"
)

// ImportRequest is one file of records to import.
type ImportRequest struct {
	Kind   string // users, customers, invoices or payments
	Name   string // the file's name, for problems (file:row:column)
	Format string // csv or json
	Body   io.Reader
	// SkipInvalid imports the good rows and reports the bad ones instead of
	// rejecting the whole file.
	SkipInvalid bool
}

// Import imports records. Users need users:admin besides import:write. Bad
// rows are reported by row and column; without SkipInvalid nothing is
// written when any row is bad (an *ingest.RejectedError).
func (s *Service) Import(ctx context.Context, by Actor, in ImportRequest) (ingest.Summary, error) {
	if err := by.Authorize(ImportWrite); err != nil {
		return ingest.Summary{}, err
	}
	if in.Kind == "users" {
		if err := by.Authorize(UsersAdmin); err != nil {
			return ingest.Summary{}, err
		}
	}
	company, err := s.store.Company(ctx)
	if err != nil {
		return ingest.Summary{}, err
	}
	digest := sha256.New() // of the content as read, for the audit log
	body := io.TeeReader(in.Body, digest)
	sum, err := ingest.Reader(ctx, s.store, in.Kind, in.Name, in.Format, body, ingest.Options{
		SkipInvalid: in.SkipInvalid, Company: company, Now: s.now(),
	})
	if err != nil {
		return sum, err
	}
	s.log.Info("import", "request_id", by.RequestID, "by", by.Name(), "kind", in.Kind, "file", in.Name,
		"inserted", sum.Inserted, "updated", sum.Updated, "unchanged", sum.Unchanged, "rejected", sum.Rejected)
	if _, err := io.Copy(io.Discard, body); err != nil { // what the importer left unread is hashed too
		return sum, err
	}
	return sum, s.store.AppendAudit(ctx, store.AuditRecord{At: s.now(), Actor: by.Name(), Action: ActionImport, Entity: "import",
		RequestID: by.RequestID, Detail: map[string]any{"kind": in.Kind, "file": filepath.Base(in.Name), "format": in.Format,
			"sha256": hex.EncodeToString(digest.Sum(nil)), "inserted": sum.Inserted, "updated": sum.Updated, "unchanged": sum.Unchanged,
			"rejected": sum.Rejected}})
}

// ActionImport is the audit action of an import.
const ActionImport = "import.completed"
