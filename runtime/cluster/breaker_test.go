package cluster

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-logr/logr"
)

func TestBreaker(t *testing.T) {
	var served atomic.Int32
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		switch r.URL.Path {
		case "/hang":
			select {
			case <-r.Context().Done():
			case <-release:
			}
		case "/fail":
			http.Error(w, "failing", http.StatusInternalServerError)
		}
	}))
	defer srv.Close()
	defer close(release)

	b := &breaker{cluster: "member", log: logr.Discard()}
	c := &http.Client{Transport: b.wrap(http.DefaultTransport)}
	get := func(ctx context.Context, path string) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := c.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		return err
	}

	if err := get(context.Background(), "/fail"); err != nil || b.err() != nil {
		t.Fatalf("an answered error: request error %v, breaker %v; want an answer and a closed breaker", err, b.err())
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	if err := get(ctx, "/hang"); err == nil || b.err() != nil {
		t.Fatalf("a request its caller gave up: request error %v, breaker %v; want an error and a closed breaker", err, b.err())
	}

	ctx, cancel = context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := get(ctx, "/hang"); err == nil {
		t.Fatal("a hung request succeeded")
	}
	if !errors.Is(b.err(), ErrUnresponsive) {
		t.Fatalf("breaker after a request that got no answer: %v, want open", b.err())
	}

	before := served.Load()
	start := time.Now()
	err := get(context.Background(), "/")
	var timeout interface{ Timeout() bool }
	if !errors.Is(err, ErrUnresponsive) || !errors.As(err, &timeout) || !timeout.Timeout() {
		t.Errorf("request through an open breaker: %v, want one wrapping ErrUnresponsive that is a timeout", err)
	}
	if took := time.Since(start); took > time.Second || served.Load() != before {
		t.Errorf("request through an open breaker took %v and reached the server %d times; want at once, never", took, served.Load()-before)
	}

	if !b.reset() || b.reset() {
		t.Error("reset does not report whether the breaker was open")
	}
	if err := get(context.Background(), "/"); err != nil {
		t.Errorf("request after reset: %v", err)
	}
}
