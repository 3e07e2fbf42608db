package inventory

import (
	"bufio"
	"bytes"
	"io/fs"
	"path"
	"slices"
	"strings"
)

// PCI vendor ids of GPU makers.
const (
	pciNVIDIA = "0x10de"
	pciAMD    = "0x1002"
	pciIntel  = "0x8086"
)

// gpus finds NVIDIA GPUs through the driver's /proc entries and other
// GPUs through their DRM render nodes (/dev/dri/renderD*, vendor from
// /sys/class/drm/<node>/device/vendor). NVIDIA render nodes are skipped
// when the driver already listed them.
func gpus(src Sources) []GPU {
	var out []GPU
	if src.Proc != nil {
		dirs, _ := fs.ReadDir(src.Proc, "driver/nvidia/gpus")
		for _, d := range dirs {
			b, err := fs.ReadFile(src.Proc, path.Join("driver/nvidia/gpus", d.Name(), "information"))
			if err != nil {
				continue
			}
			out = append(out, GPU{Manufacturer: "NVIDIA", Model: field(b, "Model")})
		}
	}
	nvidiaListed := len(out) > 0
	if src.Dev != nil && src.Sys != nil {
		nodes, _ := fs.ReadDir(src.Dev, "dri")
		for _, n := range nodes {
			if !strings.HasPrefix(n.Name(), "renderD") {
				continue
			}
			b, _ := fs.ReadFile(src.Sys, path.Join("class/drm", n.Name(), "device/vendor"))
			switch strings.TrimSpace(string(b)) {
			case pciNVIDIA:
				if !nvidiaListed {
					out = append(out, GPU{Manufacturer: "NVIDIA"})
				}
			case pciAMD:
				out = append(out, GPU{Manufacturer: "AMD"})
			case pciIntel:
				out = append(out, GPU{Manufacturer: "Intel"})
			default:
				out = append(out, GPU{})
			}
		}
	}
	slices.SortStableFunc(out, func(a, b GPU) int { return strings.Compare(a.Manufacturer+a.Model, b.Manufacturer+b.Model) })
	return out
}

// field returns the value of "key: value" in a driver information file.
func field(b []byte, key string) string {
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
