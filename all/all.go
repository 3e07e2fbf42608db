// Package all links every module of the standard cadenza build. Each
// imported package registers its modules from its own init; the host
// program imports this package and nothing else module-specific.
//
// The heavy device-side workload providers can be left out of a build with
// tags: -tags nohelm drops workload.helm (the Helm SDK and the Kubernetes
// client libraries), -tags nocompose drops workload.compose (the Docker
// Compose and Docker client packages). A WFM needs neither:
// `make build-wfm` builds with both tags.
package all

import (
	_ "github.com/cadenza-edge/cadenza/bindings/http"            // bindings.http
	_ "github.com/cadenza-edge/cadenza/bindings/mqtt"            // bindings.mqtt
	_ "github.com/cadenza-edge/cadenza/managers/capabilities"    // managers.capabilities
	_ "github.com/cadenza-edge/cadenza/managers/catalog"         // managers.catalog
	_ "github.com/cadenza-edge/cadenza/managers/deployment"      // managers.deployment
	_ "github.com/cadenza-edge/cadenza/managers/identity"        // managers.identity
	_ "github.com/cadenza-edge/cadenza/managers/onboarding"      // managers.onboarding
	_ "github.com/cadenza-edge/cadenza/managers/rollout"         // managers.rollout
	_ "github.com/cadenza-edge/cadenza/managers/sync"            // managers.sync
	_ "github.com/cadenza-edge/cadenza/providers/artifacts/oras" // artifacts.oras
	_ "github.com/cadenza-edge/cadenza/providers/pubsub/memory"  // pubsub.memory
	_ "github.com/cadenza-edge/cadenza/providers/pubsub/redis"   // pubsub.redis
	_ "github.com/cadenza-edge/cadenza/providers/registry/git"   // registry.git
	_ "github.com/cadenza-edge/cadenza/providers/state/bolt"     // state.bolt
	_ "github.com/cadenza-edge/cadenza/providers/state/memory"   // state.memory
	_ "github.com/cadenza-edge/cadenza/providers/state/redis"    // state.redis
	_ "github.com/cadenza-edge/cadenza/samples/hello"            // vendors.hello, managers.greeter
	_ "github.com/cadenza-edge/cadenza/vendors/agent"            // vendors.agent
	_ "github.com/cadenza-edge/cadenza/vendors/fleet"            // vendors.fleet
	_ "github.com/cadenza-edge/cadenza/vendors/margo"            // vendors.margo
)
