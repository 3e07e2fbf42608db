package inventory

import (
	"errors"
	"net"
	"slices"
	"testing"
	"testing/fstest"
)

func TestDiscoverReadsEverySource(t *testing.T) {
	proc := fstest.MapFS{
		"cpuinfo": {Data: []byte("processor\t: 0\nmodel name\t: X\n\nprocessor\t: 1\n\nprocessor : 2\n\nprocessor\t: 3\n")},
		"meminfo": {Data: []byte("MemTotal:       16314380 kB\nMemFree:  100 kB\n")},
		"driver/nvidia/gpus/0000:01:00.0/information": {Data: []byte("Model: \t\t NVIDIA Jetson Orin\nIRQ: 1\n")},
	}
	sys := fstest.MapFS{
		"fs/cgroup/cpu.max":                  {Data: []byte("250000 100000\n")},
		"class/net/eth0/type":                {Data: []byte("1\n")},
		"class/net/eth0/device":              {Data: []byte{}},
		"class/net/wlan0/type":               {Data: []byte("1\n")},
		"class/net/wlan0/wireless":           {Mode: 0o755 | 1<<31},
		"class/net/wwan0/uevent":             {Data: []byte("DEVTYPE=wwan\n")},
		"class/net/can0/type":                {Data: []byte("280\n")},
		"class/net/docker0/type":             {Data: []byte("1\n")},
		"class/net/docker0/uevent":           {Data: []byte("DEVTYPE=bridge\n")},
		"class/net/veth1/type":               {Data: []byte("1\n")},
		"class/drm/renderD128/device/vendor": {Data: []byte("0x8086\n")},
		"class/drm/renderD129/device/vendor": {Data: []byte("0x10de\n")},
		"class/dmi/id/sys_vendor":            {Data: []byte("ACME Corp\n")},
		"class/dmi/id/product_name":          {Data: []byte("Edge 9000\n")},
		"class/dmi/id/product_serial":        {Data: []byte("To Be Filled By O.E.M.\n")},
	}
	dev := fstest.MapFS{"dri/renderD128": {}, "dri/renderD129": {}, "dri/card0": {}}
	names := []string{"lo", "eth0", "wlan0", "wwan0", "can0", "docker0", "veth1"}
	src := Sources{Proc: proc, Sys: sys, Dev: dev, GOARCH: "arm64",
		Interfaces: func() ([]net.Interface, error) {
			var out []net.Interface
			for _, n := range names {
				i := net.Interface{Name: n}
				if n == "lo" {
					i.Flags = net.FlagLoopback
				}
				out = append(out, i)
			}
			return out, nil
		},
		Statfs: func(p string) (uint64, error) {
			if p != "/data" {
				return 0, errors.New("wrong path")
			}
			return 500 << 30, nil
		},
	}
	h, errs := Discover(src, "/data")
	if len(errs) != 0 {
		t.Fatalf("errors %v", errs)
	}
	if h.Cores != 2.5 || h.Architecture != "arm64" || h.MemoryBytes != 16314380*1024 || h.StorageBytes != 500<<30 {
		t.Fatalf("resources %+v", h)
	}
	if want := []string{"canbus", "cellular", "ethernet", "wifi"}; !slices.Equal(h.Interfaces, want) {
		t.Fatalf("interfaces %v, want %v", h.Interfaces, want)
	}
	if len(h.GPUs) != 2 || h.GPUs[0] != (GPU{Manufacturer: "Intel"}) || h.GPUs[1] != (GPU{Manufacturer: "NVIDIA", Model: "NVIDIA Jetson Orin"}) {
		t.Fatalf("gpus %+v", h.GPUs)
	}
	if h.Vendor != "ACME Corp" || h.Model != "Edge 9000" || h.Serial != "" {
		t.Fatalf("dmi %q %q %q", h.Vendor, h.Model, h.Serial)
	}
}

func TestDiscoverFallsBackAndReportsWhatFailed(t *testing.T) {
	src := Sources{Proc: fstest.MapFS{}, Sys: fstest.MapFS{}, NumCPU: func() int { return 3 }, GOARCH: "riscv64",
		Statfs: func(string) (uint64, error) { return 0, errors.New("no statfs") }}
	h, errs := Discover(src, "/")
	if h.Cores != 3 || h.Architecture != "" || len(errs) != 2 {
		t.Fatalf("%+v %v", h, errs)
	}
}

func TestSystemDiscoveryWorksHere(t *testing.T) {
	h, errs := Discover(System(), "/")
	if h.Cores <= 0 || h.MemoryBytes == 0 || h.StorageBytes == 0 {
		t.Fatalf("%+v %v", h, errs)
	}
}

func TestQuantity(t *testing.T) {
	for in, want := range map[uint64]string{
		0: "0Ki", 1023: "0Ki", 8 << 30: "8192Mi", 16 << 30: "16Gi", 8029152 << 10: "7840Mi", 64 << 30: "64Gi", 3 << 50: "3072Ti",
	} {
		if got := Quantity(in); got != want {
			t.Errorf("Quantity(%d) = %s, want %s", in, got, want)
		}
	}
}
