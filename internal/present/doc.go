// Package present turns the results of the application layer into what the
// commands print: tables aligned by display width (a Chinese character
// takes two terminal cells), the import summary, JSON lines and the
// start-up and check reports. It computes nothing; internal/app does.
package present
