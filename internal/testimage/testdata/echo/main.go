// Command echo is the tiny static HTTP server of Cadenza's test image. It
// serves its environment as JSON at /env, appends one line per start to
// /data/boots when /data exists, and with -check URL acts as a health-check
// client (exit 0 when URL answers 200, 1 otherwise).
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"
)

func main() {
	addr := flag.String("addr", ":8080", "listen address")
	check := flag.String("check", "", "health-check URL: exit 0 when it answers 200")
	exit := flag.Int("exit", -1, "exit at once with this code (a one-shot job)")
	flag.Parse()
	if *exit >= 0 {
		os.Exit(*exit)
	}
	if *check != "" {
		c := http.Client{Timeout: 2 * time.Second}
		resp, err := c.Get(*check)
		if err != nil || resp.StatusCode != http.StatusOK {
			os.Exit(1)
		}
		os.Exit(0)
	}
	if fi, err := os.Stat("/data"); err == nil && fi.IsDir() {
		if f, err := os.OpenFile("/data/boots", os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644); err == nil {
			fmt.Fprintln(f, time.Now().UTC().Format(time.RFC3339Nano))
			f.Close()
		}
	}
	http.HandleFunc("/env", func(w http.ResponseWriter, _ *http.Request) {
		env := map[string]string{}
		for _, kv := range os.Environ() {
			k, v, _ := strings.Cut(kv, "=")
			env[k] = v
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(env)
	})
	http.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	if err := http.ListenAndServe(*addr, nil); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
