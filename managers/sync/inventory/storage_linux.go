package inventory

import (
	"fmt"
	"syscall"
)

// statfs returns the total size of the file system holding path.
func statfs(path string) (uint64, error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(path, &st); err != nil {
		return 0, fmt.Errorf("storage: statfs %s: %w", path, err)
	}
	return uint64(st.Blocks) * uint64(st.Bsize), nil //nolint:gosec // Bsize is positive
}
