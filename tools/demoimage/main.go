// Command demoimage builds the sample application's container image,
// cadenza-demo/echo:1, on the local Docker engine: a tiny static Go HTTP
// server (GET /env shows its environment) imported from a one-file root
// file system, so no registry or image builder is needed. The sample
// application samples/apps/echo (margo.yaml, deployed by make demo through
// the catalog; or deployment.yaml, assigned directly) runs it through the
// agent's workload.compose provider.
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/cadenza-edge/cadenza/internal/testimage"
	"github.com/docker/docker/client"
)

// Ref is the image the sample compose file names.
const Ref = "cadenza-demo/echo:1"

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err := run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "demoimage:", err)
		os.Exit(1)
	}
	fmt.Println("built", Ref)
}

func run(ctx context.Context) error {
	img, err := testimage.Echo(ctx)
	if err != nil {
		return err
	}
	cli, err := client.NewClientWithOpts(client.FromEnv, client.WithAPIVersionNegotiation())
	if err != nil {
		return err
	}
	defer cli.Close()
	if err := cli.ImageTag(ctx, img.Ref, Ref); err != nil {
		return fmt.Errorf("tag %s as %s: %w", img.Ref, Ref, err)
	}
	return nil
}
