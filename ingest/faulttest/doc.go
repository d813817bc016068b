// Package faulttest holds end-to-end tests of the ingestion daemon: they
// build the greenmetrics binary, run it against real InfluxDB servers,
// push data from concurrent clients while stopping InfluxDB and killing
// the daemon with SIGKILL, and prove from InfluxDB itself that every
// acknowledged observation is stored exactly once. It also shows that
// several daemons sharing the load store exactly what one daemon does,
// that inputs small packed and huge unpacked (workbook and gzip bombs) are
// refused with bounded memory, and that slow and crowding clients are cut
// off and held back.
//
// The package has no code outside its tests. The tests skip with -short.
package faulttest
