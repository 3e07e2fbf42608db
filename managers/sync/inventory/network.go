package inventory

import (
	"fmt"
	"io/fs"
	"net"
	"path"
	"slices"
	"strings"
)

// arphrdCAN is the ARPHRD type of CAN interfaces (linux/if_arp.h).
const arphrdCAN = "280"

// interfaces returns the Margo type of every physical network interface:
// wifi (a wireless or phy80211 entry, or DEVTYPE=wlan), cellular
// (DEVTYPE=wwan), canbus (ARPHRD 280), bluetooth (DEVTYPE=bluetooth), and
// ethernet for other interfaces backed by a device. Loopback and virtual
// interfaces (bridges, veth, tunnels) are not reported.
func interfaces(src Sources) ([]string, error) {
	if src.Interfaces == nil {
		return nil, nil
	}
	ifs, err := src.Interfaces()
	if err != nil {
		return nil, fmt.Errorf("network: %w", err)
	}
	var out []string
	for _, i := range ifs {
		if i.Flags&net.FlagLoopback != 0 {
			continue
		}
		if t := interfaceType(src.Sys, i.Name); t != "" {
			out = append(out, t)
		}
	}
	slices.Sort(out)
	return out, nil
}

// interfaceType classifies one interface from /sys/class/net/<name>.
func interfaceType(sys fs.FS, name string) string {
	if sys == nil || strings.ContainsAny(name, "/\x00") {
		return ""
	}
	dir := path.Join("class/net", name)
	exists := func(p string) bool { _, err := fs.Stat(sys, path.Join(dir, p)); return err == nil }
	read := func(p string) string {
		b, _ := fs.ReadFile(sys, path.Join(dir, p))
		return strings.TrimSpace(string(b))
	}
	devtype := ""
	for line := range strings.SplitSeq(read("uevent"), "\n") {
		if v, ok := strings.CutPrefix(line, "DEVTYPE="); ok {
			devtype = v
		}
	}
	switch {
	case exists("wireless") || exists("phy80211") || devtype == "wlan":
		return "wifi"
	case devtype == "wwan":
		return "cellular"
	case devtype == "bluetooth":
		return "bluetooth"
	case read("type") == arphrdCAN:
		return "canbus"
	case exists("device") && read("type") == "1":
		return "ethernet"
	}
	return ""
}
