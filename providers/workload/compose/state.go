package compose

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/cadenza-edge/cadenza/coa/fault"
)

// record is what state.json keeps about a project between calls.
type record struct {
	Revision   string `json:"revision"`
	Digest     string `json:"digest"` // of the applied input: package content, parameters, revision
	Generation uint64 `json:"generation"`
	Failed     string `json:"failed,omitempty"` // the last Apply's error, "" when it succeeded
	// Params are the environment variables applied, to reload the project
	// for Remove (the file is private to the agent: mode 0600).
	Params map[string]string `json:"params,omitempty"`
}

// projectDir is the directory of a project under workDir.
func (p *Provider) projectDir(project string) string { return filepath.Join(p.cfg.WorkDir, project) }

// readRecord returns the project's record; ok is false when there is none.
func (p *Provider) readRecord(project string) (rec record, ok bool, err error) {
	data, err := os.ReadFile(filepath.Join(p.projectDir(project), "state.json"))
	if errors.Is(err, fs.ErrNotExist) {
		return record{}, false, nil
	}
	if err != nil {
		return record{}, false, fault.Wrap(err, fault.Internal, "read compose state of %s", project)
	}
	if err := json.Unmarshal(data, &rec); err != nil {
		return record{}, false, fault.Wrap(err, fault.Internal, "decode compose state of %s", project)
	}
	return rec, true, nil
}

// writeRecord replaces the project's record atomically.
func (p *Provider) writeRecord(project string, rec record) error {
	dir := p.projectDir(project)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fault.Wrap(err, fault.Internal, "create %s", dir)
	}
	data, err := json.Marshal(rec)
	if err != nil {
		return fault.Wrap(err, fault.Internal, "encode compose state")
	}
	tmp := filepath.Join(dir, "state.json.tmp")
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return fault.Wrap(err, fault.Internal, "write compose state of %s", project)
	}
	if err := os.Rename(tmp, filepath.Join(dir, "state.json")); err != nil {
		return fault.Wrap(err, fault.Internal, "write compose state of %s", project)
	}
	return nil
}
