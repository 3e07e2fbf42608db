package cli

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
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

const (
	callSynopsis = "[flags] METHOD TARGET"
	callAbout    = `Calls one endpoint of a Cadenza host and prints the response body (status and
headers with -i). TARGET is a URL for HTTP(S) (https://127.0.0.1:8443/fleet/v1/clients)
or a path with --broker for MQTT (/fleet/v1/clients). Exits 1 when the answer
has an error status.`
)

// call is `cadenza call`: one request to a host over HTTP or MQTT.
func call(args []string, env Env) int {
	stdout, stderr := env.Stdout, env.Stderr
	fs := NewFlags("call", callSynopsis, callAbout, stdout, stderr)
	broker := fs.String("broker", "", "call over MQTT through this broker (`URL`: mqtt://host:1883)")
	prefix := fs.String("topic-prefix", "cadenza", "the MQTT binding's topic `PREFIX`")
	token := fs.String("token", "", "bearer `TOKEN` (default $CADENZA_TOKEN)")
	data := fs.String("data", "", "request body `DATA`, or @FILE to read it from a file")
	ctype := fs.String("content-type", "application/json", "content `TYPE` of the body")
	caFile := fs.String("cacert", "", "PEM CA `FILE` to trust for https (e.g. var/wfm/ca.pem)")
	include := fs.BoolP("include", "i", false, "print the status and headers too")
	timeout := fs.Duration("timeout", 30*time.Second, "`DURATION` to wait for the answer")
	pos, code := fs.Parse(args, 2, 2)
	if code >= 0 {
		return code
	}
	if !fs.Changed("token") {
		*token = os.Getenv("CADENZA_TOKEN")
	}
	method, target := strings.ToUpper(pos[0]), pos[1]
	var body []byte
	if *data != "" {
		body = []byte(*data)
		if strings.HasPrefix(*data, "@") {
			b, err := os.ReadFile((*data)[1:])
			if err != nil {
				return fs.UsageError("--data: %v", err)
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
	sctx, stop := canceledBy(context.Background(), env.Signals)
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
