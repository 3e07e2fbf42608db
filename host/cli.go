package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/cadenza-edge/cadenza/coa/config"
	"github.com/cadenza-edge/cadenza/coa/module"
	"github.com/cadenza-edge/cadenza/coa/runner"
	"github.com/cadenza-edge/cadenza/telemetry"
)

// Version is set at build time with -ldflags "-X main.Version=...".
var Version = "dev"

const usage = `usage: cadenza <command> [flags]

commands:
  run     --config FILE   run the host until SIGINT or SIGTERM
  check   --config FILE   validate the config and print what would be built
  call    METHOD TARGET   call one endpoint of a host over HTTP(S) or MQTT (cadenza call -h)
  modules                 list the module types this build registers
  version                 print the version

operator commands (the operator API of a WFM; cadenza <command> -h for details):
  registry    add|list|show|sync|remove   git registries of application packages
  app         list|show                   applications of the catalog
  device      list|show|label             devices and their labels
  deploy      APP (--device C[/D] | -l k=v) [--set k=v]   deploy an application to devices
  deployment  list|show|update|delete|history  operator deployments (rollouts)
  eligibility APP --device C[/D]          which profiles of an application fit a device
`

// Main runs the CLI and returns the process exit code. Exit codes: 0 ok,
// 1 runtime failure, 2 usage or config error.
func Main(args []string, stdout, stderr io.Writer, signals <-chan os.Signal) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "run":
		return cmdRun(args[1:], stdout, stderr, signals)
	case "check":
		return cmdCheck(args[1:], stdout, stderr)
	case "call":
		return cmdCall(args[1:], stdout, stderr, signals)
	case "modules":
		return cmdModules(stdout)
	case "version", "--version":
		fmt.Fprintln(stdout, "cadenza", Version)
		return 0
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	if isCtlCommand(args[0]) {
		return newCtl(stdout, stderr, signals).run(args)
	}
	fmt.Fprintf(stderr, "cadenza: unknown command %q\n%s", args[0], usage)
	return 2
}

func configFlag(name string, args []string, stderr io.Writer) (string, bool) {
	fs := flag.NewFlagSet("cadenza "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	file := fs.String("config", "", "host config file (JSON)")
	if err := fs.Parse(args); err != nil {
		return "", false
	}
	if *file == "" {
		fmt.Fprintf(stderr, "cadenza %s: --config FILE is required (try samples/hello.json)\n", name)
		return "", false
	}
	return *file, true
}

// load reads and checks a config; every problem is printed on its own line.
func load(file string, stderr io.Writer) (*runner.Plan, bool) {
	host, err := config.Load(file)
	if err == nil {
		var plan *runner.Plan
		plan, err = runner.Build(file, host)
		if err == nil {
			return plan, true
		}
	}
	printConfigErrors(stderr, err)
	return nil, false
}

func printConfigErrors(w io.Writer, err error) {
	var list config.Errors
	if errors.As(err, &list) {
		for _, e := range list {
			fmt.Fprintln(w, "config error:", e)
		}
		return
	}
	fmt.Fprintln(w, "config error:", err)
}

func cmdCheck(args []string, stdout, stderr io.Writer) int {
	file, ok := configFlag("check", args, stderr)
	if !ok {
		return 2
	}
	plan, ok := load(file, stderr)
	if !ok {
		return 2
	}
	h := plan.Host
	if _, err := telemetry.NewLogger(file, h.Logging, io.Discard); err != nil {
		printConfigErrors(stderr, err)
		return 2
	}
	var tc telemetry.Config
	if err := config.DecodeModule(file, "telemetry", h.Telemetry, &tc); err != nil {
		printConfigErrors(stderr, err)
		return 2
	}
	fmt.Fprintf(stdout, "%s: ok\n%s", file, plan.Describe())
	return 0
}

func cmdRun(args []string, _, stderr io.Writer, signals <-chan os.Signal) int {
	file, ok := configFlag("run", args, stderr)
	if !ok {
		return 2
	}
	plan, ok := load(file, stderr)
	if !ok {
		return 2
	}
	log, err := telemetry.NewLogger(file, plan.Host.Logging, stderr)
	if err != nil {
		printConfigErrors(stderr, err)
		return 2
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	tel, err := telemetry.Setup(ctx, file, plan.Host.Name, plan.Host.Telemetry)
	if err != nil {
		printConfigErrors(stderr, err)
		return 2
	}
	defer func() {
		sctx, scancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer scancel()
		_ = tel.Shutdown(sctx)
	}()
	exit := make(chan int, 1)
	go func() {
		// First signal: graceful shutdown. Second: exit at once.
		sig, ok := <-signals
		if !ok {
			return
		}
		log.Info("signal received; shutting down (send it again to exit at once)", "signal", sig.String())
		cancel()
		if sig, ok := <-signals; ok {
			fmt.Fprintf(stderr, "cadenza: second %s: exiting at once\n", sig)
			exit <- 1
		}
	}()
	done := make(chan error, 1)
	go func() {
		done <- plan.Run(ctx, runner.Options{Logger: log, Tracer: tel.Tracer, Meter: tel.Meter, Extra: tel.Endpoints})
	}()
	select {
	case code := <-exit:
		return code
	case err := <-done:
		if err != nil {
			fmt.Fprintln(stderr, "cadenza:", oneLine(err))
			return 1
		}
		return 0
	}
}

func oneLine(err error) string {
	return strings.ReplaceAll(err.Error(), "\n", "; ")
}

func cmdModules(stdout io.Writer) int {
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TYPE\tSUMMARY")
	for _, r := range module.All() {
		fmt.Fprintf(tw, "%s\t%s\n", r.ID, r.Summary)
	}
	_ = tw.Flush()
	return 0
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
