package mqtt_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/cadenza-edge/cadenza/bindings/mqtt"
	"github.com/cadenza-edge/cadenza/coa/endpoint"
	"github.com/cadenza-edge/cadenza/internal/testserver"
)

// TestConcurrentRequestsEachGetTheirReply holds 50 requests in their
// handlers until all have arrived, then lets them finish together, so that
// replies come back in any order; each must reach the request it answers.
func TestConcurrentRequestsEachGetTheirReply(t *testing.T) {
	const n = 50
	for _, envelope := range []bool{false, true} {
		t.Run(map[bool]string{false: "mqtt5 correlation data", true: "envelope correlationId"}[envelope], func(t *testing.T) {
			broker := testserver.Mosquitto(t)
			prefix := uniquePrefix()
			var mu sync.Mutex
			arrived := 0
			all := make(chan struct{})
			eps := []endpoint.Endpoint{{Method: http.MethodPost, Route: "/work/{id}", Handler: func(ctx context.Context, r *endpoint.Request) (*endpoint.Response, error) {
				mu.Lock()
				arrived++
				if arrived == n {
					close(all)
				}
				mu.Unlock()
				select {
				case <-all:
				case <-ctx.Done():
					return nil, ctx.Err()
				}
				return endpoint.Encode(http.StatusOK, map[string]string{"id": r.Param("id"), "body": string(r.Body)})
			}}}
			startBinding(t, broker, prefix, fmt.Sprintf(`"maxInFlight":%d`, n), observed(eps))
			c := newClient(t, broker, prefix, func(c *mqtt.ClientConfig) { c.EnvelopeReply = envelope })
			errs := make(chan error, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() {
					ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
					defer cancel()
					id := fmt.Sprintf("job-%d", i)
					resp, err := c.Do(ctx, http.MethodPost, "/work/"+id, endpoint.Metadata{"content-type": "text/plain"}, []byte("payload of "+id))
					if err != nil {
						errs <- err
						return
					}
					var got map[string]string
					if err := json.Unmarshal(resp.Body, &got); err != nil || resp.Status != 200 || got["id"] != id || got["body"] != "payload of "+id {
						errs <- fmt.Errorf("%s got %d %s", id, resp.Status, resp.Body)
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
		})
	}
}

// TestManyClientsShareOneBinding has several clients, each with its own
// reply topic, call the same binding at once.
func TestManyClientsShareOneBinding(t *testing.T) {
	broker := testserver.Mosquitto(t)
	prefix := uniquePrefix()
	startBinding(t, broker, prefix, "", observed(notesVendor()))
	var wg sync.WaitGroup
	errs := make(chan error, 5*20)
	for i := range 5 {
		c := newClient(t, broker, prefix, func(c *mqtt.ClientConfig) { c.ClientID = fmt.Sprintf("client-%d", i) })
		wg.Go(func() {
			for j := range 20 {
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				resp, err := c.Do(ctx, "GET", fmt.Sprintf("/notes/c%d-%d/echo", i, j), nil, nil)
				cancel()
				if err != nil {
					errs <- err
					continue
				}
				var got map[string]any
				if json.Unmarshal(resp.Body, &got) != nil || got["id"] != fmt.Sprintf("c%d-%d", i, j) {
					errs <- fmt.Errorf("client %d request %d: %s", i, j, resp.Body)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
