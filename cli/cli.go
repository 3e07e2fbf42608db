// Package cli holds the commands of the cadenza binary that talk to a
// running host: `cadenza call` (one request to any endpoint, over HTTP or
// MQTT) and the operator commands (registry, app, device, deploy,
// deployment, eligibility, identity), a kubectl-style client of a WFM's
// operator API built on the typed client in package operator. It also holds the
// flag conventions every cadenza command follows (Flags), which the host's
// own commands (run, check) use too.
//
// The host's main (host/) dispatches these commands here with Run.
package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"text/tabwriter"
)

// Usage lists the commands of this package, for the host's usage.
const Usage = `  call    METHOD TARGET   call one endpoint of a host over HTTP(S) or MQTT (cadenza call -h)

operator commands (the operator API of a WFM; cadenza <command> -h for details):
  registry    add|list|show|sync|remove   git registries of application packages
  app         list|show                   applications of the catalog
  device      list|show|label             devices and their labels
  deploy      APP (--device C[/D] | -l k=v) [--set k=v]   deploy an application to devices
  deployment  list|show|update|delete|history  operator deployments (rollouts)
  eligibility APP --device C[/D]          which profiles of an application fit a device
  identity    issue CLIENT_ID --out DIR   issue an rc.3 client's X.509-SVID (or --csr FILE)
`

// Env is what a command runs with.
type Env struct {
	Stdout, Stderr io.Writer
	// Signals cancel the command at the first one (nil: never).
	Signals <-chan os.Signal
	// Version is the cadenza version, sent as the User-Agent.
	Version string
}

// commands are the top-level commands of this package (and their aliases).
var commands = map[string]string{
	"call":     "call",
	"registry": "registry", "registries": "registry",
	"app": "app", "apps": "app", "application": "app", "applications": "app",
	"device": "device", "devices": "device",
	"deploy":     "deploy",
	"deployment": "deployment", "deployments": "deployment",
	"eligibility": "eligibility",
	"identity":    "identity", "identities": "identity",
}

// Is reports whether name is a command of this package.
func Is(name string) bool { _, ok := commands[name]; return ok }

// Run runs the command args[0] (one for which Is holds) and returns the
// exit code: 0 ok, 1 failure (the API refused, the host could not be
// reached), 2 usage error.
func Run(args []string, env Env) int {
	if commands[args[0]] == "call" {
		return call(args[1:], env)
	}
	return newCommand(env).run(args)
}

// sub is one sub-command of a group.
type sub struct {
	name, args, summary string
	run                 func(c *command, args []string) int
}

var groups = map[string][]sub{
	"registry": {
		{"add", "NAME --url URL [flags]", "add a git registry of application packages", (*command).registryAdd},
		{"list", "", "list registries and the outcome of their last sync", (*command).registryList},
		{"show", "NAME", "one registry and the status of each of its packages", (*command).registryShow},
		{"sync", "NAME", "fetch a registry now and print what it holds", (*command).registrySync},
		{"remove", "NAME", "remove a registry and the application versions it brought", (*command).registryRemove},
	},
	"app": {
		{"list", "", "list the applications of the catalog", (*command).appList},
		{"show", "ID [--version V]", "an application: versions, profiles, parameters, settings", (*command).appShow},
	},
	"device": {
		{"list", "[--client C] [-l k=v ...]", "list devices", (*command).deviceList},
		{"show", "CLIENT[/DEVICE]", "one device: labels and capabilities", (*command).deviceShow},
		{"label", "CLIENT[/DEVICE] k=v k2- ...", "set (k=v) or remove (k-) operator labels", (*command).deviceLabel},
	},
	"deployment": {
		{"list", "[--app ID]", "list deployments (rollouts)", (*command).deploymentList},
		{"show", "ID", "a deployment and its placement on every device", (*command).deploymentShow},
		{"update", "ID [--version V] [--set k=v ...]", "change a deployment", (*command).deploymentUpdate},
		{"delete", "ID [--forget]", "uninstall a deployment from its devices", (*command).deploymentDelete},
		{"history", "ID CLIENT[/DEVICE]", "the status reports of one device's copy, newest first", (*command).deploymentHistory},
	},
	"identity": {
		{"issue", identityIssueSynopsis, "issue an rc.3 client's X.509-SVID, with the WFM's trust bundle", (*command).identityIssue},
	},
}

// run runs the operator command args[0].
func (c *command) run(args []string) int {
	name := commands[args[0]]
	switch name {
	case "deploy":
		c.name = "deploy"
		return c.deploy(args[1:])
	case "eligibility":
		c.name = "eligibility"
		return c.eligibility(args[1:])
	}
	subs := groups[name]
	groupUsage := func(w io.Writer) {
		fmt.Fprintf(w, "usage: cadenza %s <command> [flags]\n\ncommands:\n", name)
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		for _, s := range subs {
			fmt.Fprintf(tw, "  %s %s %s\t%s\n", name, s.name, s.args, s.summary)
		}
		_ = tw.Flush()
		fmt.Fprintf(w, "\nRun cadenza %s <command> -h for the flags of one.\n", name)
	}
	if len(args) < 2 {
		fmt.Fprintf(c.stderr, "cadenza %s: missing command\n", name)
		groupUsage(c.stderr)
		return 2
	}
	switch args[1] {
	case "-h", "--help", "help":
		groupUsage(c.stdout)
		return 0
	}
	for _, s := range subs {
		if s.name == args[1] || (s.name == "remove" && args[1] == "rm") || (s.name == "delete" && args[1] == "rm") ||
			(s.name == "list" && args[1] == "ls") {
			c.name = name + " " + s.name
			return s.run(c, args[2:])
		}
	}
	fmt.Fprintf(c.stderr, "cadenza %s: unknown command %q\n", name, args[1])
	groupUsage(c.stderr)
	return 2
}

// canceledBy returns a context canceled by the first signal on signals
// (nil: never), so that Ctrl-C stops a one-shot command.
func canceledBy(parent context.Context, signals <-chan os.Signal) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(parent)
	if signals != nil {
		go func() {
			select {
			case <-signals:
				cancel()
			case <-ctx.Done():
			}
		}()
	}
	return ctx, cancel
}
