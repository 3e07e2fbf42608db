package redis

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/cadenza-edge/cadenza/coa/pubsub"
)

// Stream entry fields.
const (
	fieldData     = "data"
	fieldMetadata = "metadata"
)

// entryValues returns the XADD field-value list of a message.
func entryValues(data []byte, metadata map[string]string) ([]any, error) {
	if data == nil {
		data = []byte{}
	}
	values := []any{fieldData, data}
	if len(metadata) > 0 {
		md, err := json.Marshal(metadata)
		if err != nil {
			return nil, err
		}
		values = append(values, fieldMetadata, md)
	}
	return values, nil
}

// decode turns a stream entry into a message of topic (Attempt unset). Each
// call builds new Data and Metadata, so no two handlers share them.
func decode(topic string, x goredis.XMessage) (pubsub.Message, error) {
	data, ok := x.Values[fieldData].(string)
	if !ok {
		return pubsub.Message{}, fmt.Errorf("entry %s has no %q field", x.ID, fieldData)
	}
	msg := pubsub.Message{Topic: topic, ID: x.ID, Data: []byte(data), Published: idTime(x.ID)}
	if md, ok := x.Values[fieldMetadata].(string); ok {
		if err := json.Unmarshal([]byte(md), &msg.Metadata); err != nil {
			return pubsub.Message{}, fmt.Errorf("entry %s: metadata: %w", x.ID, err)
		}
	}
	return msg, nil
}

// idTime is the time an entry ID ("<ms>-<seq>") encodes, or the zero time.
func idTime(id string) time.Time {
	ms, _, _ := strings.Cut(id, "-")
	n, err := strconv.ParseInt(ms, 10, 64)
	if err != nil {
		return time.Time{}
	}
	return time.UnixMilli(n)
}
