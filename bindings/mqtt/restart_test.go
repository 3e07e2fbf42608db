package mqtt_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/internal/testserver"
)

// TestBrokerRestartMidStream kills the broker while requests are held in
// handlers and a stream of requests is running, then starts it again on the
// same port: the held requests fail with a timeout in the client, every
// failed request of the stream is a timeout, the binding reconnects and
// resubscribes on its own, and later requests succeed.
func TestBrokerRestartMidStream(t *testing.T) {
	broker := testserver.Mosquitto(t)
	prefix := uniquePrefix()
	slow := newGate(3)
	defer slow.open()
	bd := startBinding(t, broker, prefix, "", observed(allVendors(slow)))
	c := newClient(t, broker, prefix)
	if r := do(t, c, "GET", "/notes", nil, ""); r.Status != 200 {
		t.Fatalf("before the restart: %d", r.Status)
	}

	held := make(chan error, 3)
	for range 3 {
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			_, err := c.Do(ctx, "GET", "/slow", nil, nil)
			held <- err
		}()
	}
	slow.waitEntered(t, 3)

	var (
		mu                 sync.Mutex
		ok, timeouts       int
		others             []error
		stop               = make(chan struct{})
		streamed           sync.WaitGroup
		okAfterRestart     int
		restarted          bool
		enoughAfterRestart = make(chan struct{})
	)
	streamed.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			r, err := c.Do(ctx, "GET", fmt.Sprintf("/notes/s%d/echo", i), nil, nil)
			cancel()
			mu.Lock()
			switch {
			case err == nil && r.Status == 200:
				ok++
				if restarted {
					if okAfterRestart++; okAfterRestart == 20 {
						close(enoughAfterRestart)
					}
				}
			case fault.Is(err, fault.Timeout) && errors.Is(err, context.DeadlineExceeded):
				timeouts++
			default:
				others = append(others, fmt.Errorf("request %d: %v %+v", i, err, r))
			}
			mu.Unlock()
		}
	})

	broker.Stop()
	eventually(t, 5*time.Second, "the binding notices the broker is gone", func() bool { return bd.Health(context.Background()) != nil })
	slow.open() // the held handlers finish while their replies cannot be sent
	for range 3 {
		if err := <-held; !fault.Is(err, fault.Timeout) || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("held request: %v, want a timeout", err)
		}
	}

	broker.Start()
	eventually(t, 10*time.Second, "the binding reconnects", func() bool { return bd.Health(context.Background()) == nil })
	mu.Lock()
	restarted = true
	mu.Unlock()
	select {
	case <-enoughAfterRestart:
	case <-time.After(10 * time.Second):
		t.Error("the stream got no 20 replies within 10s of the restart")
	}
	close(stop)
	streamed.Wait()
	for _, err := range others {
		t.Error(err)
	}
	t.Logf("stream: %d ok (%d after the restart), %d timeouts", ok, okAfterRestart, timeouts)
	for i := range 10 {
		if r := do(t, c, "GET", "/notes", nil, ""); r.Status != 200 {
			t.Fatalf("after the restart, request %d: %d", i, r.Status)
		}
	}
}
