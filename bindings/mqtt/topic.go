package mqtt

import (
	"errors"
	"strings"
	"unicode/utf8"
)

// maxPacketBytes is the largest MQTT packet (the remaining-length limit).
const maxPacketBytes = 268435455

// Topic levels under the prefix.
const (
	requestLevel = "req"   // requests: <prefix>/req and <prefix>/req/<anything>
	replyLevel   = "reply" // the client helper's default replies: <prefix>/reply/<clientId>
)

// RequestTopic is the topic a client publishes requests to for a binding
// with topic prefix prefix; any subtopic of it works too.
func RequestTopic(prefix string) string { return prefix + "/" + requestLevel }

// requestFilter is the subscription that receives <prefix>/req and every
// <prefix>/req/...: "#" also matches its parent level.
func requestFilter(prefix, group string) string {
	f := prefix + "/" + requestLevel + "/#"
	if group != "" {
		f = "$share/" + group + "/" + f
	}
	return f
}

// isRequestTopic reports whether topic is under the request tree of prefix,
// so that the binding never replies onto it (a loop).
func isRequestTopic(prefix, topic string) bool {
	req := RequestTopic(prefix)
	return topic == req || strings.HasPrefix(topic, req+"/")
}

// checkTopicPrefix checks a configured topic prefix: levels without
// wildcards, not a $ system topic, no empty first or last level.
func checkTopicPrefix(p string) error {
	switch {
	case p == "":
		return errors.New("required, e.g. \"cadenza\" or \"margo/wfm\"")
	case strings.HasPrefix(p, "/") || strings.HasSuffix(p, "/"):
		return errors.New("must not start or end with \"/\"")
	case strings.HasPrefix(p, "$"):
		return errors.New("must not start with \"$\" (broker system topics)")
	}
	return checkTopicName(p)
}

// checkTopicLevel checks one topic level (a shared-subscription group).
func checkTopicLevel(s string) error {
	if strings.Contains(s, "/") {
		return errors.New("must be one topic level, without \"/\"")
	}
	return checkTopicName(s)
}

// checkTopicName checks a topic a client may publish to: UTF-8, no
// wildcards, no NUL, at most 65535 bytes.
func checkTopicName(t string) error {
	switch {
	case t == "":
		return errors.New("empty topic")
	case len(t) > 65535:
		return errors.New("longer than 65535 bytes")
	case !utf8.ValidString(t):
		return errors.New("not valid UTF-8")
	case strings.ContainsAny(t, "+#\x00"):
		return errors.New("must not contain the wildcards + or # (or NUL)")
	}
	return nil
}

// checkReplyTopic checks a reply topic named by a request.
func (b *Binding) checkReplyTopic(t string) error {
	if err := checkTopicName(t); err != nil {
		return err
	}
	if strings.HasPrefix(t, "$") {
		return errors.New("must not be a $ system topic")
	}
	if isRequestTopic(b.cfg.TopicPrefix, t) {
		return errors.New("must not be under the request topic (the reply would be taken for a request)")
	}
	return nil
}
