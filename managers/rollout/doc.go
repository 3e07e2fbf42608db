// Package rollout is managers.rollout: the operator's deployments of
// catalog applications to many devices (fleet.Rollouts). The operator API
// calls a rollout a "deployment"; this package keeps the word rollout for
// it, and "deployment" for what each device gets: one ApplicationDeployment
// (fleet.Deployment) rendered per targeted, eligible device and handed to
// managers.deployment, which serves it to the device.
//
// # Siblings
//
// The manager composes the managers declared beside it on its vendor
// (module.Env.Managers): a fleet.Capabilities (devices, labels), a
// fleet.Deployments (per-device documents and their statuses), a
// fleet.Catalog (application versions: managers.catalog) and, when there is
// one, a fleet.Onboarding (which clients exist). It declares a state store
// for its own records.
//
// # Targets
//
// A target set by the operator (on create, or by an update that gives one)
// may list only clients and devices the WFM knows: an onboarded client
// (without a fleet.Onboarding: one with a device that reported), a device
// that reported its capabilities. Any other is refused (fault.Unprocessable,
// the detail naming every unknown one) and nothing is stored. A listed
// device removed later is kept in the target, listed with the reason.
//
// # Rendering
//
// For each targeted device, the profile is the requested one when the
// device is eligible for it (margo/eligibility), else, when none was
// requested, the first eligible profile of the application; a device
// eligible for none is listed with the reason and gets nothing. The
// rendered document is a P1 ApplicationDeployment (the device API's
// profile) whose id is a name-based UUID (v5) of the rollout and device, so
// re-rendering replaces the device's deployment instead of adding one;
// parameters carry their effective values (given, else the default) with
// the targets that name components of the chosen profile. Applying the
// same bytes again changes nothing, so a render pass is idempotent.
//
// # Storage layout
//
//	rollout/rec/<id>     JSON fleet.Rollout without summary
//	rollout/place/<id>   JSON {generation, placements}: the devices of the last render pass
//	rollout/sum/<id>     JSON counts and targeted clients of those placements, written with them
//	                     (what listings read, so they never read every device)
//
// # Reconciling
//
// Create and Update render synchronously (bounded parallelism, progress
// logged) and answer once every device's manifest is ready. Reconcile
// (the manager's "interval" in the host config) renders every rollout
// again: devices that gained a matching label or reported new capabilities
// join, devices that no longer match lose their deployment, an interrupted
// pass is completed, and a deleted rollout is dropped once its devices
// reported their deployments removed.
package rollout
