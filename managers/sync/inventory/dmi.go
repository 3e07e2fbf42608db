package inventory

import (
	"io/fs"
	"strings"
)

// dmi reads the system vendor, product name and serial from
// /sys/class/dmi/id. Placeholder values that firmware writers leave in
// ("To Be Filled By O.E.M.", "Default string", ...) count as absent.
func dmi(sys fs.FS) (vendor, model, serial string) {
	if sys == nil {
		return "", "", ""
	}
	read := func(name string) string {
		b, err := fs.ReadFile(sys, "class/dmi/id/"+name)
		if err != nil {
			return ""
		}
		v := strings.TrimSpace(string(b))
		switch strings.ToLower(v) {
		case "", "to be filled by o.e.m.", "default string", "system product name", "system manufacturer", "not specified", "none", "0":
			return ""
		}
		return v
	}
	return read("sys_vendor"), read("product_name"), read("product_serial")
}
