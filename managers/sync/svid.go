package sync

import (
	"crypto/tls"
	"crypto/x509"
	stdsync "sync"
	"time"

	"github.com/cadenza-edge/cadenza/coa/fault"
	"github.com/cadenza-edge/cadenza/internal/filestamp"
	"github.com/cadenza-edge/cadenza/margo/miaf"
)

// svidSource is the rc.3 agent's X.509-SVID, read from its files and read
// again whenever they change (an operator or a renewal job replaced them),
// so a renewed SVID is presented at the next handshake without a restart.
type svidSource struct {
	certFile, keyFile string
	now               func() time.Time

	mu      stdsync.Mutex
	stamp   string // modification times and sizes of the files last read
	current *tls.Certificate
	id      miaf.Identity
}

// load returns the SVID and the identity it names, re-reading the files
// when they changed. The leaf must follow the Margo rules and name a client.
func (s *svidSource) load() (*tls.Certificate, miaf.Identity, error) {
	stamp, err := filestamp.Of(s.certFile, s.keyFile)
	if err != nil {
		return nil, miaf.Identity{}, fault.Wrap(err, fault.Unavailable, "the SVID")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if stamp == s.stamp && s.current != nil {
		return s.current, s.id, nil
	}
	pair, err := tls.LoadX509KeyPair(s.certFile, s.keyFile)
	if err != nil {
		return nil, miaf.Identity{}, fault.Wrap(err, fault.Unavailable, "the SVID files %s / %s", s.certFile, s.keyFile)
	}
	leaf, err := x509.ParseCertificate(pair.Certificate[0])
	if err != nil {
		return nil, miaf.Identity{}, fault.Wrap(err, fault.Unavailable, "the SVID %s", s.certFile)
	}
	id, err := miaf.CheckLeaf(leaf, s.now())
	if err != nil {
		return nil, miaf.Identity{}, fault.Wrap(err, fault.Unavailable, "the SVID %s", s.certFile)
	}
	if !id.IsClient() {
		return nil, miaf.Identity{}, fault.New(fault.Unavailable, "the SVID %s names %s, not a WFM client", s.certFile, id)
	}
	pair.Leaf = leaf
	s.stamp, s.current, s.id = stamp, &pair, id
	return &pair, id, nil
}

// certificate is the tls.Config GetClientCertificate hook.
func (s *svidSource) certificate(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
	c, _, err := s.load()
	return c, err
}
