package hello

import (
	"context"
	"errors"
	"net/http"

	"github.com/cadenza-edge/cadenza/coa/endpoint"
	"github.com/cadenza-edge/cadenza/coa/module"
)

func init() {
	module.Register(module.Registration{ID: "vendors.hello", New: func() module.Module { return &Vendor{} },
		Summary: "Sample vendor: GET /hello/{name} through managers.greeter"})
}

// Vendor exposes the greeter.
type Vendor struct {
	greeter *Greeter
}

// Init finds its manager.
func (v *Vendor) Init(_ context.Context, env *module.Env) error {
	g, ok := module.Manager[*Greeter](env)
	if !ok {
		return errors.New("vendors.hello needs a managers.greeter in its managers list")
	}
	v.greeter = g
	return nil
}

type greeting struct {
	Greeting string `json:"greeting"`
	Count    uint64 `json:"count"`
}

// Endpoints implements module.EndpointSource.
func (v *Vendor) Endpoints() []endpoint.Endpoint {
	return []endpoint.Endpoint{{
		Method: http.MethodGet, Route: "/hello/{name}", Name: "hello.greet",
		Handler: func(ctx context.Context, req *endpoint.Request) (*endpoint.Response, error) {
			text, n, err := v.greeter.Greet(ctx, req.Param("name"))
			if err != nil {
				return nil, err
			}
			return endpoint.Encode(http.StatusOK, greeting{Greeting: text, Count: n})
		},
	}}
}
