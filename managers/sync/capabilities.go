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

// checkCapabilities discovers the host's capabilities (at most once per
// poll interval) and reports them when they differ from what the WFM last
// accepted: POST the first time, PUT after. The report is the last step of
// onboarding; later ones follow changes (a new disk, more memory, a config
// override).
func (m *Manager) checkCapabilities(ctx context.Context) {
	now := m.now()
	if !m.capsAt.IsZero() && now.Sub(m.capsAt) < m.cfg.PollInterval.D() {
		return
	}
	m.capsAt = now
	host, errs := inventory.Discover(m.sources, m.cfg.Device.StoragePath)
	for _, err := range errs {
		m.log.Debug("capability discovery incomplete; set the value under device in the config if it matters", "err", err)
	}
	deviceID := firstNonEmpty(m.cfg.Device.ID, m.client.ClientID())
	body, err := buildCapabilities(host, m.cfg.Device, deviceID, m.cfg.CapabilitiesShape, m.runtimes)
	if err != nil {
		if m.capsRejected != "invalid" {
			m.log.Error("the capabilities document is invalid; fix the device settings in the config", "err", err)
			m.recordError(ctx, ErrorRecord{Kind: "capabilities", Code: string(fault.CodeOf(err)), Message: err.Error()})
		}
		m.capsRejected = "invalid"
		return
	}
	digest := document.DigestOf(body)
	var rec capabilitiesRecord
	_, found, err := getJSON(ctx, m.store, keyCapabilities, &rec)
	if err != nil || (found && rec.Digest == digest && rec.DeviceID == deviceID) || m.capsRejected == digest {
		return
	}
	method := http.MethodPut
	if !found || rec.DeviceID != deviceID {
		method = http.MethodPost
	}
	if err := m.client.ReportCapabilities(ctx, method, deviceID, body); err != nil {
		if ctx.Err() != nil {
			return
		}
		m.met.capabilityReport(ctx, "error")
		if rejectedForGood(err) {
			m.capsRejected = digest
			m.log.Error("the WFM rejected the capabilities report; fix the device settings in the config (the report is retried when they change)", "deviceId", deviceID, "err", err)
			m.recordError(ctx, ErrorRecord{Kind: "capabilities", Code: codeOf(err), Message: err.Error()})
			return
		}
		m.commFailed(ctx, "capabilities", err)
		m.capsAt = time.Time{} // retry with the next attempt, not a poll interval later
		return
	}
	m.commOK()
	m.capsRejected = ""
	m.met.capabilityReport(ctx, "reported")
	rec = capabilitiesRecord{DeviceID: deviceID, Digest: digest, ReportedAt: now.UTC()}
	op, err := putOp(keyCapabilities, rec)
	if err == nil {
		wctx, cancel := durable(ctx)
		defer cancel()
		_, err = m.store.Put(wctx, keyCapabilities, op.Value, state.Always())
	}
	if err != nil {
		m.log.Error("cannot record the capabilities report; it will be sent again", "err", err)
	}
	m.log.Info("capabilities reported", "deviceId", deviceID, "cores", host.Cores, "memory", inventory.Quantity(host.MemoryBytes),
		"storage", inventory.Quantity(host.StorageBytes), "interfaces", len(host.Interfaces), "gpus", len(host.GPUs))
}
