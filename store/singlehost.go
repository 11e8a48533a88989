package store

import "slices"

// SingleHostFile is the TargetsFile of the one-target scans that hold an
// assessment made outside a fleet scan (padlock serve's analyze and
// check, kept so that they survive a restart). History reads them like
// any other; the views of a fleet scan (the dashboard, report, diff)
// leave them out with FleetScans.
const SingleHostFile = "padlock-serve:analyze"

// FleetScans returns scans without the single-host ones, in the same
// order.
func FleetScans(scans []Scan) []Scan {
	return slices.DeleteFunc(slices.Clone(scans), func(s Scan) bool { return s.TargetsFile == SingleHostFile })
}
