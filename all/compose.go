//go:build !nocompose

package all

import _ "github.com/cadenza-edge/cadenza/providers/workload/compose" // workload.compose
