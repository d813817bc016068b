package spool

import (
	"bytes"
	"encoding/hex"
	"hash/crc32"
)

// recordOverhead is the framing around a line: 8 hex digits, a space and
// the newline.
const recordOverhead = 10

// maxRecordBytes bounds one record. Valid observations encode far below it
// (tag values are at most 256 bytes); anything longer on disk is damage.
const maxRecordBytes = 64 << 10

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// appendRecord frames line as a record and appends it to dst.
func appendRecord(dst, line []byte) []byte {
	start := len(dst)
	dst = append(dst, "00000000 "...)
	dst = append(dst, line...)
	putChecksum(dst[start:start+8], line)
	return append(dst, '\n')
}

// putChecksum writes the crc32c of line as 8 hex digits into dst, which
// lets a record be framed in place around a line encoded straight into
// the output buffer.
func putChecksum(dst, line []byte) {
	var sum [4]byte
	c := crc32.Checksum(line, castagnoli)
	sum[0], sum[1], sum[2], sum[3] = byte(c>>24), byte(c>>16), byte(c>>8), byte(c)
	hex.Encode(dst, sum[:])
}

// recordStatus says what nextRecord found.
type recordStatus int

const (
	// recordOK is an intact record.
	recordOK recordStatus = iota
	// recordCorrupt is a complete line (ending in a newline) whose framing
	// or checksum is wrong: damage that is skipped.
	recordCorrupt
	// recordTorn is bytes without a newline at the end of the input: a
	// record cut short by a crash, or one the caller must read more of.
	recordTorn
)

// nextRecord decodes the record at the start of b. It returns the line
// (aliasing b) of an intact record and, whatever the status, how many bytes
// the record spans: up to and including its newline, or all of b when torn.
func nextRecord(b []byte) (line []byte, n int, status recordStatus) {
	end := bytes.IndexByte(b, '\n')
	if end < 0 {
		return nil, len(b), recordTorn
	}
	n = end + 1
	rec := b[:end]
	// The shortest record is the checksum, a space and a one-byte line.
	if len(rec) < 10 || rec[8] != ' ' {
		return nil, n, recordCorrupt
	}
	var sum [4]byte
	if _, err := hex.Decode(sum[:], rec[:8]); err != nil {
		return nil, n, recordCorrupt
	}
	line = rec[9:]
	want := uint32(sum[0])<<24 | uint32(sum[1])<<16 | uint32(sum[2])<<8 | uint32(sum[3])
	if crc32.Checksum(line, castagnoli) != want {
		return nil, n, recordCorrupt
	}
	return line, n, recordOK
}
