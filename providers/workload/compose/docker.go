package compose

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"sync"

	"github.com/docker/cli/cli/command"
	cliflags "github.com/docker/cli/cli/flags"
	"github.com/docker/compose/v2/pkg/api"
	composesvc "github.com/docker/compose/v2/pkg/compose"
	"github.com/docker/compose/v2/pkg/progress"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/workload"
)

// jsonProgress switches compose's progress output to JSON lines, once per
// process (compose keeps the mode in a package variable), so that
// eventWriter can turn them into workload events.
var jsonProgress sync.Once

// dockerCLI builds and initialises a docker CLI object whose output (where
// compose writes its progress) goes to out (discarded when nil). Each call
// gets its own, so progress never crosses between components.
func (p *Provider) dockerCLI(out io.Writer) (*command.DockerCli, error) {
	jsonProgress.Do(func() { progress.Mode = progress.ModeJSON })
	if out == nil {
		out = io.Discard
	}
	cli, err := command.NewDockerCli(
		command.WithInputStream(io.NopCloser(strings.NewReader(""))),
		command.WithOutputStream(out),
		command.WithErrorStream(out),
	)
	if err != nil {
		return nil, fault.Wrap(err, fault.Internal, "docker CLI")
	}
	opts := cliflags.NewClientOptions()
	if p.cfg.DockerHost != "" {
		opts.Hosts = []string{p.cfg.DockerHost}
	}
	// Without Initialize, the CLI's first API call exits the process.
	if err := cli.Initialize(opts); err != nil {
		return nil, fault.Wrap(err, fault.Unavailable, "docker CLI for %q", p.cfg.DockerHost)
	}
	return cli, nil
}

// service returns a compose service on a fresh CLI, and that CLI (close its
// Client when done).
func (p *Provider) service(out io.Writer) (api.Compose, *command.DockerCli, error) {
	cli, err := p.dockerCLI(out)
	if err != nil {
		return nil, nil, err
	}
	svc := composesvc.NewComposeService(cli, composesvc.WithPrompt(func(string, bool) (bool, error) { return true, nil }))
	return svc, cli, nil
}

// eventWriter turns compose's JSON progress lines into workload events for
// one call; after close it drops everything, so no event outlives the call.
type eventWriter struct {
	mu        sync.Mutex
	buf       []byte
	closed    bool
	component string
	phase     workload.Phase
	progress  workload.Progress
}

func newEventWriter(component string, phase workload.Phase, progress workload.Progress) *eventWriter {
	return &eventWriter{component: component, phase: phase, progress: progress}
}

// emit reports one event unless the call is over.
func (w *eventWriter) emit(msg string, done, total int64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed || w.progress == nil {
		return
	}
	if done < 0 || total < 0 || (total > 0 && done > total) {
		done, total = 0, 0
	}
	w.progress(workload.Event{Component: w.component, Phase: w.phase, Message: msg, Done: done, Total: total})
}

// close ends the call's window.
func (w *eventWriter) close() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.closed = true
}

// Write implements io.Writer for compose's output.
func (w *eventWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	w.buf = append(w.buf, b...)
	var lines [][]byte
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			break
		}
		lines = append(lines, append([]byte(nil), w.buf[:i]...))
		w.buf = w.buf[i+1:]
	}
	w.mu.Unlock()
	for _, line := range lines {
		w.line(line)
	}
	return len(b), nil
}

func (w *eventWriter) line(line []byte) {
	var m struct {
		ID      string `json:"id"`
		Text    string `json:"text"`
		Status  string `json:"status"`
		Current int64  `json:"current"`
		Total   int64  `json:"total"`
	}
	if json.Unmarshal(line, &m) != nil {
		if s := strings.TrimSpace(string(line)); s != "" {
			w.emit(s, 0, 0)
		}
		return
	}
	msg := strings.TrimSpace(strings.Join(nonEmpty(m.ID, m.Text, m.Status), " "))
	if msg != "" {
		w.emit(msg, m.Current, m.Total)
	}
}

func nonEmpty(ss ...string) []string {
	out := ss[:0]
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
