// Package inventory discovers what the device really has, for the
// agent's DeviceCapabilitiesManifest: CPU cores and architecture
// (/proc/cpuinfo, the cgroup CPU quota, runtime), memory (/proc/meminfo),
// storage (statfs of a path), network interfaces by type (net.Interfaces
// and /sys/class/net), GPUs where detectable (/proc/driver/nvidia,
// /dev/dri) and the DMI vendor, model and serial. Every source is
// injectable, so tests run against fake /proc and /sys trees.
package inventory

import (
	"io/fs"
	"net"
	"os"
	"runtime"
)

// Host is what discovery found. Zero values mean "not found".
type Host struct {
	Cores        float64  // usable cores (the cgroup quota may make it fractional)
	Architecture string   // Margo name: amd64, arm64 or arm ("" for others)
	MemoryBytes  uint64   // MemTotal
	StorageBytes uint64   // size of the file system holding the storage path
	Interfaces   []string // one Margo interface type per physical interface, sorted
	GPUs         []GPU
	Vendor       string // DMI sys_vendor
	Model        string // DMI product_name
	Serial       string // DMI product_serial (readable by root only on most hosts)
}

// GPU is a detected graphics processor.
type GPU struct {
	Manufacturer string
	Model        string
}

// Sources are where discovery reads from.
type Sources struct {
	Proc fs.FS // /proc
	Sys  fs.FS // /sys
	Dev  fs.FS // /dev
	// Interfaces lists the network interfaces (net.Interfaces).
	Interfaces func() ([]net.Interface, error)
	// Statfs returns the total bytes of the file system holding path.
	Statfs func(path string) (uint64, error)
	NumCPU func() int
	GOARCH string
}

// System returns the sources of the running host.
func System() Sources {
	return Sources{
		Proc: os.DirFS("/proc"), Sys: os.DirFS("/sys"), Dev: os.DirFS("/dev"),
		Interfaces: net.Interfaces, Statfs: statfs, NumCPU: runtime.NumCPU, GOARCH: runtime.GOARCH,
	}
}

// Discover reads everything it can; each source that fails adds an error
// and leaves its fields zero, so one unreadable file never hides the rest.
func Discover(src Sources, storagePath string) (Host, []error) {
	var h Host
	var errs []error
	add := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	h.Cores, h.Architecture = cpu(src)
	var err error
	h.MemoryBytes, err = memTotal(src.Proc)
	add(err)
	if src.Statfs != nil {
		h.StorageBytes, err = src.Statfs(storagePath)
		add(err)
	}
	h.Interfaces, err = interfaces(src)
	add(err)
	h.GPUs = gpus(src)
	h.Vendor, h.Model, h.Serial = dmi(src.Sys)
	return h, errs
}
