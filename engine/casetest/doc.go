// Package casetest runs a definition pack's test cases: the files under
// the pack's tests/ directory (*.test.yaml) that give input data and the
// effects, form errors or workflow timeline expected of the definitions.
//
// A file may hold three kinds of case, each run on an in-memory world with
// no database:
//   - cases: one invoice evaluated by the rules at one or more ticks, every
//     effect expected in order (and, optionally, the values a rule read);
//   - forms: a form submission and every error expected, in order;
//   - scenarios: one invoice driven through the workflows day by day, with
//     payments, answered tasks and disputes on given days, and the
//     workflows' effects expected one per line.
//
// [ReadFiles] reads a pack's test files, [Parse] checks them (a bad file is
// an engine.ErrorList with file:line positions, never a panic) and [Run]
// runs them against a compiled bundle, one [Result] per case. The engine's
// own tests, the CLI's `recoup test` and the server's test run of a draft
// all use it.
package casetest
