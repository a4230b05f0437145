package dnsstack

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// Answer is what CoreDNS answered to one query.
type Answer struct {
	// Rcode is the response code: dns.RcodeSuccess, dns.RcodeNameError
	// (NXDOMAIN), ...
	Rcode int
	// Records is the answer section, in the order received: for an A query on
	// a name that is a CNAME, the CNAME and then the addresses of its target.
	Records []Record
}

// Record is one resource record of an answer.
type Record struct {
	// Name is the record's owner name, fully qualified (with a trailing dot).
	Name string
	// Type is the record's type: dns.TypeA, dns.TypeAAAA, dns.TypeCNAME, ...
	Type uint16
	// Value is the address of an A or AAAA record, the fully qualified target
	// of a CNAME, and the record's data as written in a zone file otherwise.
	Value string
	// TTL is the record's time to live, in seconds.
	TTL uint32
}

func (r Record) String() string {
	return fmt.Sprintf("%s %d %s %s", r.Name, r.TTL, dns.TypeToString[r.Type], r.Value)
}

// Values returns the values of every record, sorted: addresses and CNAME
// targets (which end with a dot) side by side.
func (a Answer) Values() []string {
	vs := make([]string, len(a.Records))
	for i, r := range a.Records {
		vs[i] = r.Value
	}
	slices.Sort(vs)
	return vs
}

// String gives the response code and the records, as in test failures.
func (a Answer) String() string {
	rs := make([]string, len(a.Records))
	for i, r := range a.Records {
		rs[i] = r.String()
	}
	return fmt.Sprintf("%s [%s]", dns.RcodeToString[a.Rcode], strings.Join(rs, "; "))
}

// lookupTimeout bounds one exchange with CoreDNS.
const lookupTimeout = 2 * time.Second

// Lookup asks CoreDNS for the records of type qtype (dns.TypeA, ...) of name,
// over UDP, and over TCP if the answer did not fit.
func (s *Stack) Lookup(ctx context.Context, name string, qtype uint16) (Answer, error) {
	q := new(dns.Msg)
	q.SetQuestion(dns.Fqdn(name), qtype)
	c := &dns.Client{Net: "udp", Timeout: lookupTimeout}
	r, _, err := c.ExchangeContext(ctx, q, s.Addr)
	if err == nil && r.Truncated {
		c.Net = "tcp"
		r, _, err = c.ExchangeContext(ctx, q, s.Addr)
	}
	if err != nil {
		return Answer{}, fmt.Errorf("query %s %s at %s: %w", dns.TypeToString[qtype], name, s.Addr, err)
	}
	a := Answer{Rcode: r.Rcode, Records: make([]Record, 0, len(r.Answer))}
	for _, rr := range r.Answer {
		h := rr.Header()
		rec := Record{Name: h.Name, Type: h.Rrtype, TTL: h.Ttl}
		switch rr := rr.(type) {
		case *dns.A:
			rec.Value = rr.A.String()
		case *dns.AAAA:
			rec.Value = rr.AAAA.String()
		case *dns.CNAME:
			rec.Value = rr.Target
		default:
			rec.Value = strings.TrimPrefix(rr.String(), h.String())
		}
		a.Records = append(a.Records, rec)
	}
	return a, nil
}

// WaitFor polls CoreDNS until a qtype query for name is answered NOERROR with
// exactly the values want, in any order (see Answer.Values: addresses, and
// CNAME targets with their trailing dot; for an alias, ask for dns.TypeA, as
// the package comment says why), and returns that answer. It fails
// the test with the last answer after Options.WaitTimeout, or at once if a
// process of the stack has exited.
func (s *Stack) WaitFor(t testing.TB, name string, qtype uint16, want ...string) Answer {
	t.Helper()
	want = slices.Sorted(slices.Values(want))
	return s.waitUntil(t, name, qtype, fmt.Sprintf("NOERROR with %q", want), func(a Answer) bool {
		return a.Rcode == dns.RcodeSuccess && slices.Equal(a.Values(), want)
	})
}

// WaitForNXDomain polls CoreDNS until an A query for name is answered NXDOMAIN:
// the name has no record of any type, nor has any name below it.
func (s *Stack) WaitForNXDomain(t testing.TB, name string) Answer {
	t.Helper()
	return s.waitUntil(t, name, dns.TypeA, "NXDOMAIN", func(a Answer) bool {
		return a.Rcode == dns.RcodeNameError
	})
}

// pollInterval is how often WaitFor asks again.
const pollInterval = 100 * time.Millisecond

func (s *Stack) waitUntil(t testing.TB, name string, qtype uint16, want string, match func(Answer) bool) Answer {
	t.Helper()
	deadline := time.Now().Add(s.waitTimeout)
	for {
		if err := s.exited(); err != nil {
			t.Fatal(err)
		}
		// Each query has its own timeout (lookupTimeout), so that the last one
		// before the deadline is not cut short and reported as the answer.
		a, err := s.Lookup(context.Background(), name, qtype)
		if err == nil && match(a) {
			return a
		}
		if time.Now().After(deadline) {
			got := a.String()
			if err != nil {
				got = err.Error()
			}
			t.Fatalf("%s %s: not answered %s within %s; last answer: %s", dns.TypeToString[qtype], name, want, s.waitTimeout, got)
		}
		time.Sleep(pollInterval)
	}
}
