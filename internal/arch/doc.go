// Package arch holds no code: its test enforces the import rules of
// docs/architecture.md over the module's packages with `go list -deps`.
package arch
