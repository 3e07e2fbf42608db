//go:build !linux

package inventory

import "errors"

// statfs is not implemented off Linux: configure device.storage instead.
func statfs(string) (uint64, error) {
	return 0, errors.New("storage: discovery is implemented on Linux only; set device.storage")
}
