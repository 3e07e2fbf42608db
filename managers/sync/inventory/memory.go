package inventory

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
)

// memTotal reads MemTotal from /proc/meminfo, in bytes.
func memTotal(proc fs.FS) (uint64, error) {
	if proc == nil {
		return 0, errors.New("memory: no /proc")
	}
	b, err := fs.ReadFile(proc, "meminfo")
	if err != nil {
		return 0, fmt.Errorf("memory: %w", err)
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok || k != "MemTotal" {
			continue
		}
		f := strings.Fields(v)
		if len(f) == 0 {
			break
		}
		n, err := strconv.ParseUint(f[0], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("memory: MemTotal %q: %w", v, err)
		}
		if len(f) > 1 && f[1] == "kB" {
			n *= 1024
		}
		return n, nil
	}
	return 0, errors.New("memory: /proc/meminfo has no MemTotal")
}
