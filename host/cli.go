package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/cadenza-edge/cadenza/cli"
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
  modules                 list the module types this build registers
  version                 print the version
` + cli.Usage

// Main runs the CLI and returns the process exit code. Exit codes: 0 ok,
// 1 runtime failure, 2 usage or config error. `cadenza call` and the
// operator commands are package cli's.
func Main(args []string, stdout, stderr io.Writer, signals <-chan os.Signal) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, "cadenza: missing command\n"+usage)
		return 2
	}
	switch args[0] {
	case "run":
		return cmdRun(args[1:], stdout, stderr, signals)
	case "check":
		return cmdCheck(args[1:], stdout, stderr)
	case "modules":
		return cmdModules(stdout)
	case "version", "--version":
		fmt.Fprintln(stdout, "cadenza", Version)
		return 0
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	if cli.Is(args[0]) {
		return cli.Run(args, cli.Env{Stdout: stdout, Stderr: stderr, Signals: signals, Version: Version})
	}
	fmt.Fprintf(stderr, "cadenza: unknown command %q\n%s", args[0], usage)
	return 2
}

// About texts of run and check, for their --help.
const (
	runAbout = `Runs the host the config describes (a WFM, a device agent, any assembly of
modules) until SIGINT or SIGTERM; a second signal exits at once. Exits 2 for a
config error, 1 when the host fails to start or fails.`
	checkAbout = `Validates the config and prints what would be built, without starting
anything. Exits 2 with every problem on its own line.`
)

// configFlag parses the flags of run and check: --config FILE, required.
// It returns the file and an exit code to return at once (-1: carry on).
func configFlag(name, about string, args []string, stdout, stderr io.Writer) (string, int) {
	fs := cli.NewFlags(name, "--config FILE", about, stdout, stderr)
	file := fs.String("config", "", "host config `FILE` (JSON)")
	if _, code := fs.Parse(args, 0, 0); code >= 0 {
		return "", code
	}
	if *file == "" {
		return "", fs.UsageError("--config FILE is required (try samples/hello.json)")
	}
	return *file, -1
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
	file, code := configFlag("check", checkAbout, args, stdout, stderr)
	if code >= 0 {
		return code
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

func cmdRun(args []string, stdout, stderr io.Writer, signals <-chan os.Signal) int {
	file, code := configFlag("run", runAbout, args, stdout, stderr)
	if code >= 0 {
		return code
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
