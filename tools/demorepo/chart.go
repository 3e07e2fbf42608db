package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"regexp"
	"strings"

	"github.com/opencontainers/image-spec/specs-go"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/engine"
	"helm.sh/helm/v3/pkg/registry"
	"helm.sh/helm/v3/pkg/releaseutil"
	"oras.land/oras-go/v2"
	"oras.land/oras-go/v2/content"
	"oras.land/oras-go/v2/errdef"
	"sigs.k8s.io/yaml"
)

// Media types of a Helm chart in an OCI registry (what `helm push` writes
// and workload.helm pulls: artifacts.HelmChartMediaType is the layer's).
const (
	chartConfigMediaType = registry.ConfigMediaType     // application/vnd.cncf.helm.config.v1+json
	chartLayerMediaType  = registry.ChartLayerMediaType // application/vnd.cncf.helm.chart.content.v1.tar+gzip
)

// lookupCall finds a call of Helm's lookup function in a template.
var lookupCall = regexp.MustCompile(`(^|[\s({|])lookup\s`)

// packageChart loads the chart folder dir with the Helm SDK (.helmignore
// applies, Chart.yaml is validated), checks it keeps to what Margo allows
// on a device (checkMargoChart) and packages it as `helm package` does: a
// tar.gz of NAME/Chart.yaml, NAME/values.yaml, the templates and other
// files, and the subcharts below NAME/charts. Unlike `helm package`, the
// archive is reproducible (no times).
func packageChart(dir string) ([]byte, *chart.Chart, error) {
	ch, err := loader.LoadDir(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("chart %s: %w", dir, err)
	}
	if err := ch.Validate(); err != nil {
		return nil, nil, fmt.Errorf("chart %s: %w", dir, err)
	}
	if err := checkMargoChart(ch); err != nil {
		return nil, nil, fmt.Errorf("chart %s: %w", dir, err)
	}
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	gz.Comment = "Helm"
	tw := tar.NewWriter(gz)
	err = writeChart(tw, ch, "")
	if err == nil {
		err = tw.Close()
	}
	if err == nil {
		err = gz.Close()
	}
	if err != nil {
		return nil, nil, fmt.Errorf("package chart %s: %w", dir, err)
	}
	return buf.Bytes(), ch, nil
}

// writeChart writes ch below prefix in the order of Helm's
// chartutil.Save: Chart.yaml, Chart.lock, values.yaml, values.schema.json,
// templates, other files, then each subchart below charts/.
func writeChart(tw *tar.Writer, ch *chart.Chart, prefix string) error {
	base := path.Join(prefix, ch.Name())
	meta, err := yaml.Marshal(ch.Metadata)
	if err != nil {
		return err
	}
	if err := writeFile(tw, path.Join(base, chartutil.ChartfileName), meta); err != nil {
		return err
	}
	if ch.Lock != nil {
		lock, err := yaml.Marshal(ch.Lock)
		if err != nil {
			return err
		}
		if err := writeFile(tw, path.Join(base, "Chart.lock"), lock); err != nil {
			return err
		}
	}
	for _, f := range ch.Raw {
		if f.Name == chartutil.ValuesfileName {
			if err := writeFile(tw, path.Join(base, chartutil.ValuesfileName), f.Data); err != nil {
				return err
			}
		}
	}
	if ch.Schema != nil {
		if err := writeFile(tw, path.Join(base, chartutil.SchemafileName), ch.Schema); err != nil {
			return err
		}
	}
	for _, files := range [][]*chart.File{ch.Templates, ch.Files} {
		for _, f := range files {
			if err := writeFile(tw, path.Join(base, f.Name), f.Data); err != nil {
				return err
			}
		}
	}
	for _, dep := range ch.Dependencies() {
		if err := writeChart(tw, dep, path.Join(base, chartutil.ChartsDir)); err != nil {
			return err
		}
	}
	return nil
}

func writeFile(tw *tar.Writer, name string, data []byte) error {
	if err := tw.WriteHeader(&tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(data)), Format: tar.FormatPAX}); err != nil {
		return err
	}
	_, err := tw.Write(data)
	return err
}

// checkMargoChart refuses what Margo leaves out of device charts: CRDs
// (crds/ files or rendered CustomResourceDefinitions), hooks (rendered
// with the chart's default values) and the lookup function (it reads the
// cluster at render time).
func checkMargoChart(ch *chart.Chart) error {
	var errs []error
	var walk func(c *chart.Chart)
	walk = func(c *chart.Chart) {
		for _, crd := range c.CRDObjects() {
			errs = append(errs, fmt.Errorf("%s: Margo device charts carry no CRDs", crd.Filename))
		}
		for _, t := range c.Templates {
			if lookupCall.Match(t.Data) {
				errs = append(errs, fmt.Errorf("%s/%s: Margo device charts do not use lookup", c.ChartFullPath(), t.Name))
			}
		}
		for _, d := range c.Dependencies() {
			walk(d)
		}
	}
	walk(ch)
	vals, err := chartutil.ToRenderValues(ch, nil, chartutil.ReleaseOptions{Name: "margo-check", Namespace: "default", IsInstall: true}, chartutil.DefaultCapabilities)
	if err != nil {
		return fmt.Errorf("default values: %w", err)
	}
	rendered, err := engine.Render(ch, vals)
	if err != nil {
		return fmt.Errorf("render with the default values: %w", err)
	}
	for name := range rendered { // as Helm's install does: the notes are no manifest
		if strings.HasSuffix(name, "NOTES.txt") {
			delete(rendered, name)
		}
	}
	hooks, manifests, err := releaseutil.SortManifests(rendered, nil, releaseutil.InstallOrder)
	if err != nil {
		return fmt.Errorf("rendered manifests: %w", err)
	}
	for _, h := range hooks {
		errs = append(errs, fmt.Errorf("%s: %s %s is a hook; Margo device charts have no hooks", h.Path, h.Kind, h.Name))
	}
	for _, m := range manifests {
		if m.Head != nil && m.Head.Kind == "CustomResourceDefinition" {
			errs = append(errs, fmt.Errorf("%s: Margo device charts carry no CRDs", m.Name))
		}
	}
	return errors.Join(errs...)
}

// publishChart writes a packaged chart into target as a Helm OCI artifact
// tagged tag, the way `helm push` lays it out: the chart's metadata as the
// config (application/vnd.cncf.helm.config.v1+json), the .tgz as the one
// layer (application/vnd.cncf.helm.chart.content.v1.tar+gzip), and an OCI
// image manifest annotated with the chart's title, version and
// description. No creation time: the same chart gives the same manifest.
func publishChart(ctx context.Context, target oras.Target, tag string, tgz []byte, meta *chart.Metadata) (ocispec.Descriptor, error) {
	cfg, err := json.Marshal(meta)
	if err != nil {
		return ocispec.Descriptor{}, err
	}
	cfgDesc, err := pushBlob(ctx, target, chartConfigMediaType, cfg)
	if err != nil {
		return ocispec.Descriptor{}, fmt.Errorf("push the chart config: %w", err)
	}
	layer, err := pushBlob(ctx, target, chartLayerMediaType, tgz)
	if err != nil {
		return ocispec.Descriptor{}, fmt.Errorf("push the chart: %w", err)
	}
	annotations := map[string]string{ocispec.AnnotationTitle: meta.Name, ocispec.AnnotationVersion: meta.Version}
	if meta.Description != "" {
		annotations[ocispec.AnnotationDescription] = meta.Description
	}
	m := ocispec.Manifest{
		Versioned:   specs.Versioned{SchemaVersion: 2},
		MediaType:   ocispec.MediaTypeImageManifest,
		Config:      cfgDesc,
		Layers:      []ocispec.Descriptor{layer},
		Annotations: annotations,
	}
	data, err := json.Marshal(m)
	if err != nil {
		return ocispec.Descriptor{}, err
	}
	desc, err := oras.TagBytes(ctx, target, ocispec.MediaTypeImageManifest, data, tag)
	if err != nil {
		return ocispec.Descriptor{}, fmt.Errorf("push the chart manifest as %s: %w", tag, err)
	}
	return desc, nil
}

// pushBlob pushes data as a blob unless target has it already.
func pushBlob(ctx context.Context, target oras.Target, mediaType string, data []byte) (ocispec.Descriptor, error) {
	desc := content.NewDescriptorFromBytes(mediaType, data)
	if err := target.Push(ctx, desc, bytes.NewReader(data)); err != nil && !errors.Is(err, errdef.ErrAlreadyExists) {
		return ocispec.Descriptor{}, err
	}
	return desc, nil
}
