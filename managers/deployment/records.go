package deployment

import (
	"bytes"
	"context"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/state"
	"github.com/cadenza-edge/cadenza/fleet"
	"github.com/cadenza-edge/cadenza/managers/base"
)

// codec encodes the records of this manager.
const codec base.Codec = "deployment"

// Key prefixes of the storage layout (see the package documentation).
const (
	prefixRec      = "deploy/rec/"
	prefixYAML     = "deploy/yaml/"
	prefixBundle   = "deploy/bundle/"
	prefixManifest = "deploy/manifest/"
	prefixStatus   = "deploy/status/"
)

func recPrefix(client string) string        { return prefixRec + client + "/" }
func recKey(client, id string) string       { return recPrefix(client) + id }
func yamlPrefix(client, id string) string   { return prefixYAML + client + "/" + id + "/" }
func yamlKey(client, id, dig string) string { return yamlPrefix(client, id) + dig }
func bundleKey(client, dig string) string   { return prefixBundle + client + "/" + dig }
func manifestKey(client string) string      { return prefixManifest + client }
func statusKey(client, id string) string    { return prefixStatus + client + "/" + id }

// record is the stored form of a deployment.
type record struct {
	fleet.Deployment
	// Revisions are the digests of older YAMLs that are still served,
	// newest first (the current one, Digest, is not among them).
	Revisions []string `json:"revisions,omitempty"`
}

// stored is a record with its store version (0 when absent).
type stored struct {
	rec     *record
	version uint64
}

// manifestRecord is a client's current manifest. It is stored as its JSON
// header, a newline, then Body verbatim (see encodeManifest), so the
// polling path neither escapes nor base64-decodes the body.
type manifestRecord struct {
	Version      uint64 `json:"version"`
	ETag         string `json:"etag"`
	BundleDigest string `json:"bundleDigest,omitempty"`
	// OldBundles are the digests of older bundles still served, newest first.
	OldBundles []string `json:"oldBundles,omitempty"`
	// Body is the RFC 8785 canonical manifest, served as is.
	Body []byte `json:"-"`
}

// encodeManifest returns the stored form of mr: header JSON, "\n", body.
func encodeManifest(mr manifestRecord) ([]byte, error) {
	h, err := codec.Encode(mr)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, len(h)+1+len(mr.Body))
	return append(append(append(out, h...), '\n'), mr.Body...), nil
}

// decodeManifest parses the stored form of a manifest record.
func decodeManifest(e state.Entry) (manifestRecord, error) {
	var mr manifestRecord
	h, body, ok := bytes.Cut(e.Value, []byte{'\n'})
	if !ok {
		return mr, fault.New(fault.Internal, "deployment: corrupt manifest record %q", e.Key)
	}
	if err := codec.Decode(state.Entry{Key: e.Key, Value: h}, &mr); err != nil {
		return mr, err
	}
	mr.Body = body
	return mr, nil
}

// statusRecord is the stored status history of a deployment.
type statusRecord struct {
	Reports []fleet.StatusReport `json:"reports"` // newest first
}

// getRecord reads one deployment record; NotFound (deployment-not-found)
// when absent.
func (m *Manager) getRecord(ctx context.Context, client, id string) (stored, error) {
	r := new(record)
	version, found, err := m.base.Get(ctx, recKey(client, id), r)
	switch {
	case err != nil:
		return stored{}, err
	case !found:
		return stored{}, deploymentNotFound(client, id)
	}
	return stored{rec: r, version: version}, nil
}

// listRecords reads every deployment record of client, in id order.
func (m *Manager) listRecords(ctx context.Context, client string) ([]stored, error) {
	var out []stored
	opts := state.ListOptions{Limit: 1000}
	for {
		page, err := m.base.Store.List(ctx, recPrefix(client), opts)
		if err != nil {
			return nil, err
		}
		for _, e := range page.Entries {
			r := new(record)
			if err := codec.Decode(e, r); err != nil {
				return nil, err
			}
			out = append(out, stored{rec: r, version: e.Version})
		}
		if page.Next == "" {
			return out, nil
		}
		opts.After = page.Next
	}
}

// getStatus reads the status history of a deployment; an absent one is
// empty, with version 0.
func (m *Manager) getStatus(ctx context.Context, client, id string) (statusRecord, uint64, error) {
	var sr statusRecord
	version, _, err := m.base.Get(ctx, statusKey(client, id), &sr)
	if err != nil {
		return statusRecord{}, 0, err
	}
	return sr, version, nil
}
