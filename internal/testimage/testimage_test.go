package testimage

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestEchoBuilds(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	img, err := Echo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := img.Cleanup(context.Background()); err != nil {
			t.Errorf("cleanup: %v", err)
		}
	})
	if !strings.HasPrefix(img.Ref, Repository+":") || img.Ref != Tag() {
		t.Fatalf("Ref = %q, want %q", img.Ref, Tag())
	}
	again, err := Echo(ctx)
	if err != nil || again != img {
		t.Fatalf("second Echo = %+v, %v; want the same image", again, err)
	}
}
