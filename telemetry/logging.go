package telemetry

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"

	"github.com/cadenza-edge/cadenza/coa/config"
	"go.opentelemetry.io/otel/trace"
)

// NewLogger builds the host's logger from the "logging" member of file.
func NewLogger(file string, raw json.RawMessage, w io.Writer) (*slog.Logger, error) {
	var c LogConfig
	if err := config.DecodeModule(file, "logging", raw, &c); err != nil {
		return nil, err
	}
	return c.Logger(w), nil
}

// Logger builds a logger that writes to w.
func (c LogConfig) Logger(w io.Writer) *slog.Logger {
	level := slog.LevelInfo
	_ = level.UnmarshalText([]byte(c.Level))
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler = slog.NewTextHandler(w, opts)
	if c.Format == "json" {
		h = slog.NewJSONHandler(w, opts)
	}
	return slog.New(traceHandler{h})
}

// traceHandler adds trace_id and span_id from the record's context.
type traceHandler struct{ slog.Handler }

func (h traceHandler) Handle(ctx context.Context, r slog.Record) error {
	if sc := trace.SpanContextFromContext(ctx); sc.IsValid() {
		r.AddAttrs(slog.String("trace_id", sc.TraceID().String()), slog.String("span_id", sc.SpanID().String()))
	}
	return h.Handler.Handle(ctx, r)
}

func (h traceHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return traceHandler{h.Handler.WithAttrs(attrs)}
}

func (h traceHandler) WithGroup(name string) slog.Handler {
	return traceHandler{h.Handler.WithGroup(name)}
}
