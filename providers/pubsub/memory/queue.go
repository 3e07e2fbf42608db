package memory

import "github.com/cadenza-edge/cadenza/coa/pubsub"

// queue is a FIFO ring of messages that grows on demand up to limit.
// The caller keeps its length at most limit (see full).
type queue struct {
	buf     []pubsub.Message
	head, n int
	limit   int
}

func (q *queue) len() int { return q.n }

func (q *queue) full() bool { return q.n >= q.limit }

func (q *queue) push(m pubsub.Message) {
	if q.n == len(q.buf) {
		q.grow()
	}
	q.buf[(q.head+q.n)%len(q.buf)] = m
	q.n++
}

func (q *queue) pop() (pubsub.Message, bool) {
	if q.n == 0 {
		return pubsub.Message{}, false
	}
	m := q.buf[q.head]
	q.buf[q.head] = pubsub.Message{} // release Data and Metadata
	q.head = (q.head + 1) % len(q.buf)
	q.n--
	return m, true
}

// reset empties the queue and releases its buffer; it returns how many
// messages it held.
func (q *queue) reset() int {
	n := q.n
	q.buf, q.head, q.n = nil, 0, 0
	return n
}

func (q *queue) grow() {
	size := min(max(2*len(q.buf), 16), max(q.limit, q.n+1))
	buf := make([]pubsub.Message, size)
	for i := range q.n {
		buf[i] = q.buf[(q.head+i)%len(q.buf)]
	}
	q.buf, q.head = buf, 0
}
