// Package carbon does the carbon and energy accounting of the district:
// emissions are activity data × emission factor, energy in tonnes of
// standard coal (tce) is activity data × conversion factor, and every figure
// it computes records the factor it used (id, series, data year, source), so
// a published tonnage can always be traced to the table it came from.
//
// Factors live in a versioned Table (config/factors.yaml holds the default
// one): MEE/NBS grid factors, the national ETS reporting factor (a separate
// series that must never be mixed with them), fuel factors of the national
// guidelines and GB/T 2589 conversion coefficients. Selection is by series,
// region and data year, falling back to the newest year not after the one
// asked for, since grid factors are published about two years late.
//
// Intensities follow the NBS definition (domain.md §2.3): carbon intensity
// is tCO2 per 10⁴ CNY of GDP, energy intensity tce per 10⁴ CNY. A figure that
// cannot be computed (no GDP, no baseline) is NaN, never zero.
//
// The package imports only the standard library.
package carbon
