package authority

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/state"
)

// Files names a CA's PEM files.
type Files struct {
	Cert string `json:"cert"` // PEM CERTIFICATE (the first block is the CA)
	Key  string `json:"key"`  // PEM PRIVATE KEY (PKCS#8), EC PRIVATE KEY or RSA PRIVATE KEY
}

// Source says where a CA comes from: Files when set, otherwise the state
// store under StateKey, generated from Spec on the first start.
type Source struct {
	What     string // for messages, e.g. "onboarding CA"
	Files    *Files
	Store    state.Store
	StateKey string
	Spec     Spec
	Log      *slog.Logger
}

// Load returns the CA of src. Several hosts starting at once on one store
// end up with the same generated CA (the first stored wins).
func Load(ctx context.Context, src Source, now time.Time) (*Authority, error) {
	if src.Files != nil {
		ca, err := LoadFiles(src.Files.Cert, src.Files.Key)
		if err != nil {
			return nil, err
		}
		src.Log.InfoContext(ctx, src.What+" loaded", "cert", src.Files.Cert, "subject", ca.Cert.Subject.String(), "notAfter", ca.Cert.NotAfter)
		return ca, nil
	}
	for range 5 {
		e, err := src.Store.Get(ctx, src.StateKey)
		switch {
		case err == nil:
			ca, err := Decode(e.Value)
			if err != nil {
				return nil, fmt.Errorf("the %s stored under %q is unusable: %w", src.What, src.StateKey, err)
			}
			return ca, nil
		case !fault.Is(err, fault.NotFound):
			return nil, fmt.Errorf("reading the %s from the state store: %w", src.What, err)
		}
		ca, raw, err := Generate(src.Spec, now)
		if err != nil {
			return nil, err
		}
		_, err = src.Store.Put(ctx, src.StateKey, raw, state.IfAbsent())
		switch {
		case err == nil:
			src.Log.InfoContext(ctx, src.What+" generated and stored", "key", src.StateKey, "subject", ca.Cert.Subject.String(), "notAfter", ca.Cert.NotAfter)
			return ca, nil
		case fault.Is(err, fault.Conflict):
			continue // another host stored one first: use that
		default:
			return nil, fmt.Errorf("storing the generated %s: %w", src.What, err)
		}
	}
	return nil, fmt.Errorf("the %s under %q keeps changing; is something rewriting it?", src.What, src.StateKey)
}
