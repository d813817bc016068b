package spool

import "context"

// AppendLines is Append for lines already encoded by
// store.AppendObservation (without newlines): the tests use it to put a
// line InfluxDB refuses, or one that would break the framing, into a spool.
func (s *Spool) AppendLines(ctx context.Context, lines ...[]byte) error {
	if len(lines) == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	buf := getBuffer()
	defer putBuffer(buf)
	for _, line := range lines {
		if err := checkLine(line); err != nil {
			return err
		}
		buf.b = appendRecord(buf.b, line)
	}
	end, err := s.write(ctx, buf.b, int64(len(lines)))
	if err != nil {
		return s.afterFailedWrite(err)
	}
	return s.syncTo(end)
}
