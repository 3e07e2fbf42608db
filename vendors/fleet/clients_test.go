package fleet

import (
	"testing"

	"github.com/cadenza-edge/cadenza/fleet"
)

func TestListClientsIsPagedWithNext(t *testing.T) {
	a := newDefaultAPI(t)
	for _, id := range []string{"c3", "c1", "c2"} {
		a.addClient(id, fleet.ClientApproved)
	}
	var page listOf[fleet.Client]
	want(t, call(t, "GET", a.url+"/clients?limit=2", nil), 200, &page)
	if len(page.Items) != 2 || page.Items[0].ID != "c1" || page.Items[1].ID != "c2" || page.Next != "c2" {
		t.Fatalf("page %+v", page)
	}
	next := page.Next
	page = listOf[fleet.Client]{}
	want(t, call(t, "GET", a.url+"/clients?limit=2&after="+next, nil), 200, &page)
	if len(page.Items) != 1 || page.Items[0].ID != "c3" || page.Next != "" {
		t.Fatalf("page %+v", page)
	}
}

func TestListingWithoutItemsHasEmptyArray(t *testing.T) {
	a := newDefaultAPI(t)
	r := call(t, "GET", a.url+"/clients", nil)
	want(t, r, 200, nil)
	if string(r.body) != `{"items":[]}` {
		t.Fatalf("body %s", r.body)
	}
	if got := a.ob.Pages()[0]; got.Limit != defaultLimit || got.After != "" {
		t.Fatalf("page asked %+v", got)
	}
}

func TestBadLimitIs400(t *testing.T) {
	a := newDefaultAPI(t)
	for _, q := range []string{"limit=0", "limit=-1", "limit=1001", "limit=ten"} {
		wantProblem(t, call(t, "GET", a.url+"/clients?"+q, nil), 400)
		wantProblem(t, call(t, "GET", a.url+"/devices?"+q, nil), 400)
	}
}

func TestGetClient(t *testing.T) {
	a := newDefaultAPI(t)
	a.addClient("c1", fleet.ClientPending)
	var c fleet.Client
	want(t, call(t, "GET", a.url+"/clients/c1", nil), 200, &c)
	if c.ID != "c1" || c.State != fleet.ClientPending {
		t.Fatalf("%+v", c)
	}
	wantProblem(t, call(t, "GET", a.url+"/clients/nope", nil), 404)
}

func TestApproveRejectRevokeSetTheState(t *testing.T) {
	a := newDefaultAPI(t)
	a.addClient("c1", fleet.ClientPending)
	for action, state := range map[string]fleet.ClientState{"approve": fleet.ClientApproved, "revoke": fleet.ClientRevoked, "reject": fleet.ClientRejected} {
		var c fleet.Client
		want(t, call(t, "POST", a.url+"/clients/c1/"+action, nil), 200, &c)
		if c.State != state || a.ob.StateOf("c1") != state {
			t.Fatalf("%s: state %q", action, c.State)
		}
	}
	wantProblem(t, call(t, "POST", a.url+"/clients/nope/approve", nil), 404)
	wantProblem(t, call(t, "GET", a.url+"/clients/c1/approve", nil), 405)
}

// Deleting cuts a client off with the transition its state allows (the
// onboarding manager permits approved->revoked and pending->rejected only).
func TestDeleteClientCutsItOff(t *testing.T) {
	for from, to := range map[fleet.ClientState]fleet.ClientState{
		fleet.ClientApproved: fleet.ClientRevoked,
		fleet.ClientPending:  fleet.ClientRejected,
		fleet.ClientRejected: fleet.ClientRejected,
		fleet.ClientRevoked:  fleet.ClientRevoked,
	} {
		a := newDefaultAPI(t)
		a.addClient("c1", from)
		want(t, call(t, "DELETE", a.url+"/clients/c1", nil), 204, nil)
		if a.ob.StateOf("c1") != to || len(a.deps.Forgotten()) != 0 {
			t.Fatalf("from %s: state %q, forgotten %v", from, a.ob.StateOf("c1"), a.deps.Forgotten())
		}
	}
	a := newDefaultAPI(t)
	wantProblem(t, call(t, "DELETE", a.url+"/clients/nope", nil), 404)
}

func TestDeleteClientWithForgetDropsItsDeployments(t *testing.T) {
	a := newDefaultAPI(t)
	for _, q := range []string{"?forget", "?forget=true", "?forget=1"} {
		a.addClient("c1", fleet.ClientApproved)
		before := len(a.deps.Forgotten())
		want(t, call(t, "DELETE", a.url+"/clients/c1"+q, nil), 204, nil)
		forgotten := a.deps.Forgotten()[before:]
		if a.ob.StateOf("c1") != fleet.ClientRevoked || len(forgotten) != 1 || forgotten[0] != "c1" {
			t.Fatalf("%s: state %q, forgotten %v", q, a.ob.StateOf("c1"), forgotten)
		}
	}
	before := len(a.deps.Forgotten())
	want(t, call(t, "DELETE", a.url+"/clients/c1?forget=false", nil), 204, nil)
	if len(a.deps.Forgotten()) != before {
		t.Fatal("forget=false forgot")
	}
	wantProblem(t, call(t, "DELETE", a.url+"/clients/c1?forget=maybe", nil), 400)
	wantProblem(t, call(t, "DELETE", a.url+"/clients/nope?forget", nil), 404)
}
