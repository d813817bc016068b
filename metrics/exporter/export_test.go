package exporter

// Builds reports how many times c has turned a snapshot into metrics, for
// the test that a scrape never recomputes.
func (c *Collector) Builds() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.builds
}
