// Package app is the application layer: one function per command of
// greenmetrics, each taking a typed options struct (the command line's
// settings, config.Overrides, among them) and returning a result for
// internal/present to print. Serve builds the daemon's parts from the
// loaded configuration, runs them and tears them down (Main: Open, Run,
// Close, as benbjohnson/wtf's cmd/wtfd); Import and Demo deliver through a
// BatchDelivery; Report, Progress, History, Migrate, Targets and Check
// read. cmd/greenmetrics only parses flags, calls one of them and prints.
package app
