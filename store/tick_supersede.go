package store

import "github.com/recoup/recoup/engine"

// taskCount counts the tasks the batch input holds for the invoices ids:
// when reading the open tasks of the instances that ended or moved on
// added none, the tick's first evaluation already saw everything it could
// cancel or supersede, and is not run again (most moves leave a stage
// without open work, such as the reminder's).
func taskCount(in *engine.BatchInput, ids []any) int {
	n := 0
	for _, id := range ids {
		n += len(in.Workflows[id.(int64)].Tasks)
	}
	return n
}
