package delivery

import (
	"fmt"

	"github.com/recoup/recoup/engine"
)

// noContact says why no customer message may go out about iv now: it is
// on hold (a legal case, a person's hold), disputed, or written off ("" when
// none applies, or iv is nil). The message is suppressed, as for a paid
// invoice: the state that stopped it may not end, and a message written
// before it is stale by then.
func (iv *invoice) noContact() string {
	switch {
	case iv == nil:
		return ""
	case iv.hold == engine.HoldLegal:
		return fmt.Sprintf("invoice %s is on legal hold", iv.number)
	case iv.hold != "":
		return fmt.Sprintf("invoice %s is on hold: %s", iv.number, iv.hold)
	case iv.disputed:
		return fmt.Sprintf("invoice %s is disputed", iv.number)
	case iv.status == engine.StatusWrittenOff:
		return fmt.Sprintf("invoice %s is written off", iv.number)
	}
	return ""
}
