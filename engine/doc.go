// Package engine is recoup's domain: the data model, definitions (forms,
// rules, workflows, templates), their validation and compilation, rule
// evaluation and, later, workflow state and the tick. It imports neither
// HTTP nor SQL packages; it declares the small interfaces it needs (a store,
// a clock, a notifier) where it uses them.
package engine
