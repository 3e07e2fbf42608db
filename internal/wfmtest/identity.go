package wfmtest

import (
	"encoding/json"
	"testing"

	_ "github.com/cadenza-edge/cadenza/managers/identity" // managers.identity
)

// IdentityDoc is Doc(dir) with a managers.identity of trust domain
// plant.example (SVIDs valid one hour) among the managers of vendors.margo
// and a {"ref": "identity"} to it among those of vendors.fleet, as in
// samples/wfm.json.
func IdentityDoc(t testing.TB, dir string) string {
	t.Helper()
	var doc map[string]json.RawMessage
	var vendors []map[string]any
	if err := json.Unmarshal([]byte(Doc(dir)), &doc); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(doc["vendors"], &vendors); err != nil {
		t.Fatal(err)
	}
	for _, v := range vendors {
		switch v["type"] {
		case "vendors.margo":
			v["managers"] = append(v["managers"].([]any), map[string]any{"name": "identity", "type": "managers.identity",
				"uses": map[string]any{"state": "store"}, "config": map[string]any{"trustDomain": "plant.example", "svidValidity": "1h"}})
		case "vendors.fleet":
			v["managers"] = append(v["managers"].([]any), map[string]any{"ref": "identity"})
		}
	}
	var err error
	if doc["vendors"], err = json.Marshal(vendors); err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}
