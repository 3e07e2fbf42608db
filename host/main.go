// Command cadenza is the Cadenza host: given a JSON host config it becomes a
// Margo Workload Fleet Manager, a device agent, or any other assembly of
// registered modules.
//
//	cadenza run   --config FILE   run the host until SIGINT/SIGTERM
//	cadenza check --config FILE   validate the config and print what would be built
//	cadenza modules               list the registered module types
//	cadenza version               print the version
//
// `cadenza call` and the operator commands (registry, app, device, deploy,
// deployment, eligibility) live in package cli; Main dispatches them there.
package main

import (
	"os"
	"os/signal"
	"syscall"

	_ "github.com/cadenza-edge/cadenza/all"
)

func main() {
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	os.Exit(Main(os.Args[1:], os.Stdout, os.Stderr, sigs))
}
