package main

import (
	"context"
	"os"
	"sync/atomic"
	"testing"

	"github.com/cadenza-edge/cadenza/internal/testimage"
)

// usedImage is the container test image, when a test built or used it.
var usedImage atomic.Pointer[testimage.Image]

// TestMain ends this process's use of the container test image after all
// tests (the last process using it removes it, if a test created it).
func TestMain(m *testing.M) {
	code := m.Run()
	if img := usedImage.Load(); img != nil {
		_ = img.Cleanup(context.Background())
	}
	os.Exit(code)
}
