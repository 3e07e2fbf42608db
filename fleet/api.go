package fleet

// The operator API (vendors.fleet) answers with the records of this
// package as JSON; the few shapes below are its own. The typed client
// (package operator) decodes into the same types, so server and client
// share one set of wire types.

// List is one page of a listing: {"items": [...], "next": "<cursor>"},
// next absent on the last page (pass it as ?after= for the next one).
type List[T any] struct {
	Items []T    `json:"items"`
	Next  string `json:"next,omitempty"`
}

// LabelPatch is the body of PATCH /clients/{clientId}/devices/{deviceId}:
// a JSON merge patch (RFC 7396) of the operator's labels of a device, a
// null value removing the label (see Capabilities.SetLabels).
type LabelPatch struct {
	Labels map[string]any `json:"labels"`
}

// String is CLIENT/DEVICE, or CLIENT when the reference names every
// device of a client.
func (d DeviceRef) String() string {
	if d.DeviceID == "" {
		return d.ClientID
	}
	return d.ClientID + "/" + d.DeviceID
}
