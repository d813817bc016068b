// Package spool makes accepted observations durable before anyone is told
// they were accepted, and delivers them to InfluxDB at least once.
//
// A Spool is a directory of append-only segment files. Append encodes
// observations as line protocol (store.AppendObservation), writes them and
// fsyncs before it returns; concurrent Appends share one fsync (group
// commit), so many clients cost little more than one. A Sender reads the
// spool in batches, writes them through a Writer (*store.Store), and only
// after InfluxDB answered 2xx advances the ack file and deletes segments it
// no longer needs. With SenderOptions.Marks, it first writes the lines that
// record what the batch changed (the months whose kept days it makes stale,
// docs/schema.md §7). A restart replays what was not acknowledged; points
// are idempotent (same series and timestamp overwrite), so a replay leaves
// one copy.
//
// Layout of a spool directory:
//
//	LOCK                      flock'ed while a process has the spool open
//	ack                       position up to which InfluxDB has everything
//	segments/<base>.seg       records; <base> is the position of the first byte
//	dead-letter/<time>.lp     lines InfluxDB refused (400), never retried
//	dead-letter/<time>.reason JSON: status, message, count
//
// A position is a byte offset in the concatenation of all segments ever
// written, so one number orders every record. Each record is one line:
//
//	<crc32c of the line, 8 hex digits> <line-protocol line>\n
//
// The checksum lets recovery tell a record torn by a crash (SIGKILL, power
// loss) from an intact one; a torn tail is truncated, and a damaged record
// in the middle is skipped and counted without touching its neighbours.
// `cut -c10- segments/*.seg` gives plain line protocol.
package spool
