package cli

// The flag conventions of every cadenza command (run, check, call and the
// operator commands), in one implementation over spf13/pflag.

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/pflag"
)

// Flags is the flag set of one command. Every command follows the same
// conventions: GNU-style --flag and --flag=value (a single dash also works
// for long names, as Go's flag package allowed: -config FILE), one-letter
// shorthands (-o json), flags anywhere among the positional arguments, "--"
// ending the flags, --help or -h printing the usage to stdout (exit 0), and
// a usage error printing the problem first, then the usage line, on stderr
// (exit 2).
type Flags struct {
	*pflag.FlagSet
	// Command is the words after cadenza ("deployment update").
	Command string
	// Synopsis is the arguments after the command ("ID [--version V]").
	Synopsis string
	// About describes the command in its --help.
	About string
	// Footer is printed at the end of --help (flags common to a group of
	// commands, listed there and not among the command's own).
	Footer string
	// Common names the flags Footer describes.
	Common []string

	stdout, stderr io.Writer
}

// NewFlags is an empty flag set for `cadenza command`.
func NewFlags(command, synopsis, about string, stdout, stderr io.Writer) *Flags {
	fs := pflag.NewFlagSet("cadenza "+command, pflag.ContinueOnError)
	fs.SetOutput(io.Discard) // Parse reports every problem itself
	fs.Usage = func() {}
	fs.SortFlags = false
	return &Flags{FlagSet: fs, Command: command, Synopsis: synopsis, About: about, stdout: stdout, stderr: stderr}
}

// Parse parses args and checks the number of positional arguments (at
// least minArgs, at most maxArgs; maxArgs < 0: any). It returns the
// positional arguments, and an exit code to return at once: 0 after
// --help, 2 after a usage error, -1 to carry on.
func (f *Flags) Parse(args []string, minArgs, maxArgs int) ([]string, int) {
	err := f.FlagSet.Parse(f.gnu(args))
	switch {
	case errors.Is(err, pflag.ErrHelp):
		f.Help(f.stdout)
		return nil, 0
	case err != nil:
		return nil, f.UsageError("%v", err)
	}
	pos := f.Args()
	switch {
	case len(pos) < minArgs:
		return nil, f.UsageError("missing arguments")
	case maxArgs >= 0 && len(pos) > maxArgs:
		return nil, f.UsageError("unexpected argument %q", pos[maxArgs])
	}
	return pos, -1
}

// gnu rewrites a single-dash long flag (-name, -name=value) defined in the
// set to --name, so that what Go's flag package accepted keeps working.
// Flag values and the arguments after "--" are left as they are.
func (f *Flags) gnu(args []string) []string {
	out := slices.Clone(args)
	for i := 0; i < len(out); i++ {
		a := out[i]
		if a == "--" {
			break
		}
		if len(a) < 2 || a[0] != '-' {
			continue
		}
		name, _, inline := strings.Cut(strings.TrimLeft(a, "-"), "=")
		var fl *pflag.Flag
		switch {
		case strings.HasPrefix(a, "--"):
			fl = f.Lookup(name)
		case len(name) > 1:
			if fl = f.Lookup(name); fl != nil {
				out[i] = "-" + a
			}
		default:
			fl = f.ShorthandLookup(name)
		}
		if fl != nil && !inline && fl.NoOptDefVal == "" {
			i++ // the next argument is the flag's value
		}
	}
	return out
}

// UsageError prints "cadenza <command>: <problem>" and the usage line on
// stderr, and returns 2.
func (f *Flags) UsageError(format string, a ...any) int {
	fmt.Fprintf(f.stderr, "cadenza %s: %s\n", f.Command, fmt.Sprintf(format, a...))
	fmt.Fprintf(f.stderr, "usage: %s (cadenza %s -h for more)\n", f.usageLine(), f.Command)
	return 2
}

func (f *Flags) usageLine() string {
	return strings.TrimSpace("cadenza " + f.Command + " " + f.Synopsis)
}

// Help prints the usage: synopsis, description, the command's flags and
// the footer.
func (f *Flags) Help(w io.Writer) {
	fmt.Fprintf(w, "usage: %s\n", f.usageLine())
	if f.About != "" {
		fmt.Fprintf(w, "\n%s\n", strings.TrimRight(f.About, "\n"))
	}
	first := true
	f.VisitAll(func(fl *pflag.Flag) {
		if slices.Contains(f.Common, fl.Name) || fl.Hidden {
			return
		}
		if first {
			fmt.Fprintln(w, "\nflags:")
			first = false
		}
		arg, text := pflag.UnquoteUsage(fl)
		if arg != "" && strings.ToUpper(arg) != arg {
			arg = "VALUE" // no `NAME` in the usage text: the type's name is no help
		}
		line := "  --" + fl.Name
		if fl.Shorthand != "" {
			line = "  -" + fl.Shorthand + ", --" + fl.Name
		}
		if arg != "" {
			line += " " + arg
		}
		if fl.DefValue != "" && fl.DefValue != "false" && fl.DefValue != "[]" && !strings.Contains(text, "default") {
			text += fmt.Sprintf(" (default %s)", fl.DefValue)
		}
		fmt.Fprintf(w, "%s\n    \t%s\n", line, text)
	})
	if f.Footer != "" {
		fmt.Fprint(w, "\n"+f.Footer)
	}
}

// StringArray is a repeatable flag whose values are kept as given (no
// splitting at commas).
func (f *Flags) StringArray(p *[]string, name, shorthand, usage string) {
	f.StringArrayVarP(p, name, shorthand, nil, usage)
}
