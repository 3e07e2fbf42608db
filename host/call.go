package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/cadenza-edge/cadenza/bindings/mqtt"
	"github.com/cadenza-edge/cadenza/coa/config"
	"github.com/cadenza-edge/cadenza/coa/endpoint"
)

const callUsage = `usage: cadenza call [flags] METHOD TARGET

Calls one endpoint of a Cadenza host and prints the response body (status and
headers with -i). TARGET is a URL for HTTP(S) (https://127.0.0.1:8443/fleet/v1/clients)
or a path with --broker for MQTT (/fleet/v1/clients).

flags:
`

// cmdCall is `cadenza call`: one request to a host over HTTP or MQTT.
func cmdCall(args []string, stdout, stderr io.Writer, signals <-chan os.Signal) int {
	fs := flag.NewFlagSet("cadenza call", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, callUsage); fs.PrintDefaults() }
	broker := fs.String("broker", "", "call over MQTT through this broker (mqtt://host:1883)")
	prefix := fs.String("topic-prefix", "cadenza", "the MQTT binding's topic prefix")
	token := fs.String("token", os.Getenv("CADENZA_TOKEN"), "bearer token (default $CADENZA_TOKEN)")
	data := fs.String("data", "", "request body, or @FILE to read it from a file")
	ctype := fs.String("content-type", "application/json", "content type of the body")
	caFile := fs.String("cacert", "", "PEM CA to trust for https (e.g. var/wfm/ca.pem)")
	include := fs.Bool("i", false, "print the status and headers too")
	timeout := fs.Duration("timeout", 30*time.Second, "request timeout")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 2 {
		fs.Usage()
		return 2
	}
	method, target := strings.ToUpper(fs.Arg(0)), fs.Arg(1)
	var body []byte
	if *data != "" {
		body = []byte(*data)
		if strings.HasPrefix(*data, "@") {
			b, err := os.ReadFile((*data)[1:])
			if err != nil {
				fmt.Fprintln(stderr, "cadenza call:", err)
				return 2
			}
			body = b
		}
	}
	md := endpoint.Metadata{"accept": "*/*"}
	if body != nil {
		md["content-type"] = *ctype
	}
	if *token != "" {
		md["authorization"] = "Bearer " + *token
	}
	sctx, stop := canceledBy(context.Background(), signals)
	defer stop()
	ctx, cancel := context.WithTimeout(sctx, *timeout)
	defer cancel()
	var resp *endpoint.Response
	var err error
	if *broker != "" {
		resp, err = callMQTT(ctx, *broker, *prefix, method, target, md, body)
	} else {
		resp, err = callHTTP(ctx, *caFile, method, target, md, body)
	}
	if err != nil {
		fmt.Fprintln(stderr, "cadenza call:", err)
		return 1
	}
	if *include {
		fmt.Fprintf(stdout, "%d %s\n", resp.Status, http.StatusText(resp.Status))
		for k, v := range resp.Metadata {
			fmt.Fprintf(stdout, "%s: %s\n", k, v)
		}
		fmt.Fprintln(stdout)
	}
	_, _ = stdout.Write(resp.Body)
	if len(resp.Body) > 0 && !bytes.HasSuffix(resp.Body, []byte("\n")) {
		fmt.Fprintln(stdout)
	}
	if resp.Status >= 400 {
		return 1
	}
	return 0
}

func callMQTT(ctx context.Context, broker, prefix, method, target string, md endpoint.Metadata, body []byte) (*endpoint.Response, error) {
	cfg := mqtt.ClientConfig{TopicPrefix: prefix, QoS: 1}
	cfg.Connection.Defaults()
	cfg.Brokers = []string{broker}
	cfg.RequestTimeout = config.Duration(30 * time.Second)
	c, err := mqtt.NewClient(ctx, cfg)
	if err != nil {
		return nil, err
	}
	defer c.Close(context.Background())
	return c.Do(ctx, method, target, md, body)
}

func callHTTP(ctx context.Context, caFile, method, target string, md endpoint.Metadata, body []byte) (*endpoint.Response, error) {
	tlsCfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, err
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%s holds no PEM certificate", caFile)
		}
		tlsCfg.RootCAs = pool
	}
	req, err := http.NewRequestWithContext(ctx, method, target, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	for k, v := range md {
		req.Header.Set(k, v)
	}
	res, err := (&http.Client{Transport: &http.Transport{TLSClientConfig: tlsCfg}}).Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	out, err := io.ReadAll(io.LimitReader(res.Body, 64<<20))
	if err != nil {
		return nil, err
	}
	rmd := endpoint.Metadata{}
	for k, v := range res.Header {
		rmd.Set(k, strings.Join(v, ", "))
	}
	return &endpoint.Response{Status: res.StatusCode, Metadata: rmd, Body: out}, nil
}
