// Package capabilities is managers.capabilities: the latest capabilities
// report of every device of every client, with a bounded history. It
// implements fleet.Capabilities.
//
// # Storage layout
//
// Everything lives in the state provider bound to the "state" role:
//
//	caps/dev/<clientId>/<deviceId>   JSON fleet.Device; Capabilities is the report as sent, compacted
//	caps/hist/<clientId>/<deviceId>  JSON {reports}: fleet.CapabilitiesReport, newest first, bounded
//
// Device ids are hierarchical (gateway/child): a child's keys sit under its
// gateway's, so listing a client lists gateways before their children.
//
// # Rules
//
//   - Report with an empty device id (the earliest P1 route) uses
//     properties.id; otherwise properties.id must equal the path's id (422).
//   - A child (gw/child) reported before its gateway (gw) exists is a 404
//     whose problem type is the P1 registry's invalid-client (the P1 API lists
//     "client unknown or child before gateway" as one 404; a P2 binding maps
//     it to gateway-not-found). The check looks at the immediate parent, so
//     gw/a/b needs gw/a, which needed gw.
//   - An unknown device (Remove, Device, History) is a 404 of type
//     device-not-found (P2's name in the P1 URI scheme).
//   - Every accepted report replaces the device record and increments its
//     Revision; the history gains an entry only when the content changed, so
//     it lists each distinct content reported, newest (the current one) first,
//     with the time it was first reported.
//   - Remove deletes the device and its children (gw removes gw/*) with their
//     histories: a child never outlives its gateway. A child reported while
//     its gateway is being removed on another host can survive the removal;
//     the next Remove of the gateway prefix cleans it up.
//
// # Events
//
// When the "events" role is bound, every change is published on topic
// "capabilities" as JSON {clientId, deviceId, kind, revision}, kind being
// created, updated or removed. Publishing is best effort: a failure is
// logged, never returned.
package capabilities
