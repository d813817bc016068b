// Package app is the application layer: it builds the daemon's parts from
// the loaded configuration, runs them and tears them down (Main: Open,
// Run, Close, as benbjohnson/wtf's cmd/wtfd), so that cmd/greenmetrics
// only parses flags, calls it and prints. Batch commands share its
// delivery (OpenDelivery).
package app
