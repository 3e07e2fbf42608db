package sync

import (
	"context"
	"net/http"
	"time"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/coa/state"
	"github.com/cadenza-edge/cadenza/managers/sync/inventory"
	"github.com/cadenza-edge/cadenza/margo/document"
)

// reporter owns the capabilities report: what the host has (discovered
// from sources, overridden by the config) and the workload runtimes the
// agent binds, sent when it differs from what the WFM last accepted.
type reporter struct {
	*base
	link     *link
	runtimes runtimes
	sources  inventory.Sources
	at       time.Time // last check
	rejected string    // digest of a document the WFM refused ("invalid": ours is)
}

// check discovers the host's capabilities (at most once per
// poll interval) and reports them when they differ from what the WFM last
// accepted: POST the first time, PUT after. The report is the last step of
// onboarding; later ones follow changes (a new disk, more memory, a config
// override).
func (r *reporter) check(ctx context.Context) {
	now := r.now()
	if !r.at.IsZero() && now.Sub(r.at) < r.cfg.PollInterval.D() {
		return
	}
	r.at = now
	host, errs := inventory.Discover(r.sources, r.cfg.Device.StoragePath)
	for _, err := range errs {
		r.log.Debug("capability discovery incomplete; set the value under device in the config if it matters", "err", err)
	}
	deviceID := firstNonEmpty(r.cfg.Device.ID, r.link.client.ClientID())
	body, err := buildCapabilities(host, r.cfg.Device, deviceID, capabilitiesShape(r.cfg), r.runtimes)
	if err != nil {
		if r.rejected != "invalid" {
			r.log.Error("the capabilities document is invalid; fix the device settings in the config", "err", err)
			r.errs.record(ctx, ErrorRecord{Kind: "capabilities", Code: string(fault.CodeOf(err)), Message: err.Error()})
		}
		r.rejected = "invalid"
		return
	}
	digest := document.DigestOf(body)
	var rec capabilitiesRecord
	_, found, err := getJSON(ctx, r.store, keyCapabilities, &rec)
	if err != nil || (found && rec.Digest == digest && rec.DeviceID == deviceID) || r.rejected == digest {
		return
	}
	method := http.MethodPut
	if !found || rec.DeviceID != deviceID {
		method = http.MethodPost
	}
	if err := r.link.client.ReportCapabilities(ctx, method, deviceID, body); err != nil {
		if ctx.Err() != nil {
			return
		}
		r.met.capabilityReport(ctx, "error")
		if rejectedForGood(err) {
			r.rejected = digest
			r.log.Error("the WFM rejected the capabilities report; fix the device settings in the config (the report is retried when they change)", "deviceId", deviceID, "err", err)
			r.errs.record(ctx, ErrorRecord{Kind: "capabilities", Code: codeOf(err), Message: err.Error()})
			return
		}
		r.link.failed(ctx, "capabilities", err)
		r.at = time.Time{} // retry with the next attempt, not a poll interval later
		return
	}
	r.link.ok()
	r.rejected = ""
	r.met.capabilityReport(ctx, "reported")
	rec = capabilitiesRecord{DeviceID: deviceID, Digest: digest, ReportedAt: now.UTC()}
	op, err := putOp(keyCapabilities, rec)
	if err == nil {
		wctx, cancel := durable(ctx)
		defer cancel()
		_, err = r.store.Put(wctx, keyCapabilities, op.Value, state.Always())
	}
	if err != nil {
		r.log.Error("cannot record the capabilities report; it will be sent again", "err", err)
	}
	r.log.Info("capabilities reported", "deviceId", deviceID, "cores", host.Cores, "memory", inventory.Quantity(host.MemoryBytes),
		"storage", inventory.Quantity(host.StorageBytes), "interfaces", len(host.Interfaces), "gpus", len(host.GPUs))
}
