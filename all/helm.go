//go:build !nohelm

package all

import _ "github.com/cadenza-edge/cadenza/providers/workload/helm" // workload.helm
