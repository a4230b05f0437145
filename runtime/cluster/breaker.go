package cluster

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/go-logr/logr"
)

// ErrUnresponsive is what requests to a member fail with, without being sent,
// while its breaker is open: an earlier request got no answer in time and no
// health check of the member has passed since. errors.Is finds it through the
// clients' wrapping.
var ErrUnresponsive = errors.New("member cluster is not answering")

// breaker is a circuit breaker on the requests to one member.
//
// Why: the sync controllers' workers are shared by every member. A member that
// accepts connections but never answers (a hung API server, a path that drops
// packets) makes each request to it wait for its whole timeout, and every worker
// that writes there waits with it, while the healthy members' work queues up
// behind them. So the first request that gets no answer in time opens the
// breaker; from then on requests to the member fail at once, and the workers move
// on. A health probe that passes closes it again. Probes do not go through the
// breaker (they are how it closes) and have their own timeout.
//
// A request that gets any answer, even an error, leaves the breaker closed: the
// member is there, and its answer says what is wrong.
type breaker struct {
	cluster string
	log     logr.Logger

	mu   sync.Mutex
	open *unresponsiveError // nil while closed
}

// unresponsiveError says why a member's breaker is open.
type unresponsiveError struct {
	cluster string
	since   time.Time
	cause   string
}

func (e *unresponsiveError) Error() string {
	return fmt.Sprintf("cluster %s did not answer in time (%s, at %s); requests to it fail fast until a health check of it passes",
		e.cluster, e.cause, e.since.Format(time.RFC3339))
}

func (e *unresponsiveError) Is(target error) bool { return target == ErrUnresponsive }

// Timeout reports that the member did not answer in time, as net.Error does, so
// that code telling timeouts from other failures sees one.
func (e *unresponsiveError) Timeout() bool { return true }

// err returns why requests must not be sent, or nil.
func (b *breaker) err() error {
	if b == nil {
		return nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.open == nil {
		return nil
	}
	return b.open
}

// trip opens the breaker, if it is closed.
func (b *breaker) trip(cause string) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.open != nil {
		return
	}
	b.open = &unresponsiveError{cluster: b.cluster, since: time.Now(), cause: truncate(cause, 300)}
	b.log.Info("member cluster does not answer; requests to it fail fast until a health check passes", "cause", b.open.cause)
}

// reset closes the breaker and says whether it was open.
func (b *breaker) reset() bool {
	if b == nil {
		return false
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	was := b.open != nil
	b.open = nil
	return was
}

// wrap returns a RoundTripper that sends requests through next while b is
// closed, and opens b when one gets no answer in time.
func (b *breaker) wrap(next http.RoundTripper) http.RoundTripper {
	return breakerTransport{b: b, next: next}
}

type breakerTransport struct {
	b    *breaker
	next http.RoundTripper
}

func (t breakerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := t.b.err(); err != nil {
		if req.Body != nil {
			req.Body.Close() // a RoundTripper closes the body, even on error
		}
		return nil, err
	}
	resp, err := t.next.RoundTrip(req)
	if err != nil && unanswered(req.Context(), err) {
		t.b.trip(fmt.Sprintf("%s %s: %v", req.Method, req.URL.Path, err))
	}
	return resp, err
}

// unanswered says whether a request failed because its time ran out, rather than
// because its caller gave up or the member refused it.
func unanswered(ctx context.Context, err error) bool {
	if errors.Is(ctx.Err(), context.Canceled) {
		return false
	}
	var netErr net.Error
	return errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &netErr) && netErr.Timeout())
}
