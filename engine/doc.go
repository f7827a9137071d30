// Package engine is recoup's domain: the data model, the definition
// language (forms, rules, templates and workflows written as YAML or JSON
// documents), its strict loader and validator, the typed expression
// environment, the pure rule evaluator and, later, workflow state and the
// tick. It imports neither HTTP nor SQL packages; it declares the small
// interfaces it needs (such as [FireState]) where it uses them.
//
// Callers (the CLI, the tick, the API) load a [Bundle] with [LoadPaths] or
// [LoadSources], create one [Evaluator] per goroutine and per tick with
// [Bundle.NewEvaluator], and call [Evaluator.Evaluate] for each subject.
// Effects carry a deterministic [EffectKey] so that the tick can persist
// them exactly once.
//
// The language itself is documented in docs/language.md.
package engine
