package main

import "runtime/debug"

// version is the module version stamped by the Go toolchain, with the VCS
// revision when built from a checkout.
func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "padlock (unknown version)"
	}
	v := "padlock " + info.Main.Version
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			v += " (" + s.Value[:12] + ")"
		}
	}
	return v
}
