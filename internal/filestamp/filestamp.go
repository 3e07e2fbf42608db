// Package filestamp tells whether files changed since they were last read,
// for the components that re-read certificates and keys when an operator
// or a CA rotation replaces them (without a restart or a watcher).
package filestamp

import (
	"fmt"
	"os"
)

// Of identifies the current content of files by modification time and
// size: equal stamps mean the files were not replaced in between.
func Of(files ...string) (string, error) {
	var out string
	for _, f := range files {
		st, err := os.Stat(f)
		if err != nil {
			return "", fmt.Errorf("cannot read %s: %w", f, err)
		}
		out += fmt.Sprintf("%d:%d;", st.ModTime().UnixNano(), st.Size())
	}
	return out, nil
}
