package inventory

import (
	"bufio"
	"bytes"
	"io/fs"
	"strconv"
	"strings"
)

// cpu returns the usable cores and the Margo architecture name. Cores are
// the processors listed in /proc/cpuinfo (runtime.NumCPU when unreadable),
// lowered to the cgroup v2 CPU quota when one is set: that is the capacity
// delegated to the agent's workloads.
func cpu(src Sources) (float64, string) {
	cores := float64(processors(src.Proc))
	if cores == 0 && src.NumCPU != nil {
		cores = float64(src.NumCPU())
	}
	if q := cgroupQuota(src.Sys); q > 0 && (cores == 0 || q < cores) {
		cores = q
	}
	return cores, archName(src.GOARCH)
}

// processors counts the "processor" lines of /proc/cpuinfo.
func processors(proc fs.FS) int {
	if proc == nil {
		return 0
	}
	b, err := fs.ReadFile(proc, "cpuinfo")
	if err != nil {
		return 0
	}
	n := 0
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		if k, _, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "processor" {
			n++
		}
	}
	return n
}

// cgroupQuota reads /sys/fs/cgroup/cpu.max ("max 100000" or
// "<quota> <period>") as cores; 0 when unlimited or unreadable.
func cgroupQuota(sys fs.FS) float64 {
	if sys == nil {
		return 0
	}
	b, err := fs.ReadFile(sys, "fs/cgroup/cpu.max")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) != 2 || f[0] == "max" {
		return 0
	}
	quota, err1 := strconv.ParseFloat(f[0], 64)
	period, err2 := strconv.ParseFloat(f[1], 64)
	if err1 != nil || err2 != nil || quota <= 0 || period <= 0 {
		return 0
	}
	return float64(int(quota/period*100)) / 100 // two decimals
}

// archName maps a GOARCH to the Margo architecture enum.
func archName(goarch string) string {
	switch goarch {
	case "amd64", "arm64", "arm":
		return goarch
	}
	return ""
}
