package fleet

import (
	"strconv"

	"github.com/cadenza-edge/cadenza/coa/endpoint"
	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/fleet"
)

// Listing limits.
const (
	defaultLimit = 100
	maxLimit     = 1000
)

// listResponse is a 200 listing; items is never rendered as null.
func listResponse[T any](items []T, next string) (*endpoint.Response, error) {
	if items == nil {
		items = []T{}
	}
	return endpoint.Encode(200, fleet.List[T]{Items: items, Next: next})
}

// limitOf reads ?limit= (1..maxLimit, defaultLimit when absent); 400 otherwise.
func limitOf(req *endpoint.Request) (int, error) {
	s := req.Query.Get("limit")
	if s == "" {
		return defaultLimit, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > maxLimit {
		return 0, fault.New(fault.BadRequest, "limit %.20q must be an integer from 1 to %d", s, maxLimit)
	}
	return n, nil
}

// pageOf reads ?limit= and ?after=.
func pageOf(req *endpoint.Request) (fleet.Page, error) {
	n, err := limitOf(req)
	if err != nil {
		return fleet.Page{}, err
	}
	return fleet.Page{Limit: n, After: req.Query.Get("after")}, nil
}
