package dns

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/netip"
	"slices"

	corev1 "k8s.io/api/core/v1"

	extdnsv1alpha1 "github.com/kubefed-gen/kubefed/runtime/apis/externaldns/v1alpha1"
	mcdnsv1alpha1 "github.com/kubefed-gen/kubefed/runtime/apis/multiclusterdns/v1alpha1"
)

// Resolver looks up the addresses of a load balancer's host name;
// *net.Resolver is one.
type Resolver interface {
	LookupHost(ctx context.Context, host string) ([]string, error)
}

// ExternalNameLabel is the label the records of a ServiceDNSRecord with an
// externalName carry, with the record's name as value, as in KubeFed.
const ExternalNameLabel = "serviceName"

// Records are the DNS records of one ServiceDNSRecord or IngressDNSRecord.
type Records struct {
	// Endpoints are the records, sorted by name and then type (A, AAAA,
	// CNAME), each with sorted, unique targets; nil when there are none.
	Endpoints []*extdnsv1alpha1.Endpoint
	// LeftOut says, one sentence each, what was left out of Endpoints and why:
	// load-balancer host names that do not resolve, zones and regions that
	// make invalid names.
	LeftOut []string
	// FromHostnames says some targets are the addresses of load-balancer host
	// names, which change without the member clusters noticing: the records
	// should be built again within a TTL.
	FromHostnames bool
}

// Reasons of an InvalidError.
const (
	// ReasonInvalidTTL: recordTTL is negative or above 2147483647.
	ReasonInvalidTTL = "InvalidTTL"
	// ReasonInvalidName: a name the whole record depends on is not a valid DNS name.
	ReasonInvalidName = "InvalidName"
)

// InvalidError is input a record cannot be built from; Reason is one of the
// Reason* constants, Message says what to change.
type InvalidError struct {
	Reason  string
	Message string
}

func (e *InvalidError) Error() string { return e.Message }

func invalid(reason, format string, args ...any) *InvalidError {
	return &InvalidError{Reason: reason, Message: fmt.Sprintf(format, args...)}
}

// TTL is the TTL of the records of a record whose recordTTL is ttl.
func TTL(ttl mcdnsv1alpha1.TTL) (extdnsv1alpha1.TTL, error) {
	switch {
	case ttl == 0:
		return extdnsv1alpha1.TTL(mcdnsv1alpha1.DefaultRecordTTL), nil
	case ttl < 0 || ttl > mcdnsv1alpha1.MaxRecordTTL:
		return 0, invalid(ReasonInvalidTTL, "recordTTL %d is out of range: it must be between 1 and %d seconds, or 0 for the default of %d",
			ttl, mcdnsv1alpha1.MaxRecordTTL, mcdnsv1alpha1.DefaultRecordTTL)
	}
	return extdnsv1alpha1.TTL(ttl), nil
}

// CheckService returns an *InvalidError when rec's spec, with the domain in its
// status, cannot give records: a TTL out of range, or a global or dnsPrefix
// name that is not a valid DNS name. Zones and regions are not checked: one
// that makes an invalid name leaves out only its cluster's names.
func CheckService(rec *mcdnsv1alpha1.ServiceDNSRecord) error {
	if _, err := TTL(rec.Spec.RecordTTL); err != nil {
		return err
	}
	names := NamesOf(rec)
	if err := CheckName(names.Global(), false); err != nil {
		return invalid(ReasonInvalidName, "the service's global name is not a valid DNS name: %v", err)
	}
	if p := rec.Spec.DNSPrefix; p != "" {
		if err := CheckName(names.Prefixed(p), false); err != nil {
			return invalid(ReasonInvalidName, "the dnsPrefix name is not a valid DNS name: %v", err)
		}
	}
	return nil
}

// CheckIngress returns an *InvalidError when rec's spec cannot give records: a
// TTL out of range or a host that is not a valid DNS name.
func CheckIngress(rec *mcdnsv1alpha1.IngressDNSRecord) error {
	if _, err := TTL(rec.Spec.RecordTTL); err != nil {
		return err
	}
	for _, h := range rec.Spec.Hosts {
		if err := CheckName(h, true); err != nil {
			return invalid(ReasonInvalidName, "host %q is not a valid DNS name: %v", h, err)
		}
	}
	return nil
}

// ServiceRecords returns the records of a ServiceDNSRecord from its spec and its
// status (domain and clusters), as the package documentation describes. The
// error is an *InvalidError, for input CheckService refuses.
func ServiceRecords(ctx context.Context, rec *mcdnsv1alpha1.ServiceDNSRecord, r Resolver) (Records, error) {
	ttl, err := TTL(rec.Spec.RecordTTL)
	if err != nil {
		return Records{}, err
	}
	if len(rec.Status.DNS) == 0 && rec.Spec.DNSPrefix == "" {
		return Records{}, nil
	}
	if err := CheckService(rec); err != nil {
		return Records{}, err
	}
	var labels map[string]string
	if rec.Spec.ExternalName != "" {
		labels = map[string]string{ExternalNameLabel: rec.Name}
	}
	b := newBuilder(ctx, r, ttl, labels)
	names := NamesOf(rec)
	global := names.Global()
	for _, c := range rec.Status.DNS {
		targets := b.targets(c.Cluster, c.LoadBalancer)
		// A cluster's zone and region names exist only with a region; one
		// without is in the global name alone.
		if c.Region != "" {
			region := names.Region(c.Region)
			if err := CheckName(region, false); err != nil {
				b.leaveOut("cluster %s: region %q makes an invalid name, so its region and zone names are left out: %v", c.Cluster, c.Region, err)
			} else {
				for _, z := range c.Zones {
					zone := names.Zone(z, c.Region)
					if err := CheckName(zone, false); err != nil {
						b.leaveOut("cluster %s: zone %q makes an invalid name, so it is left out: %v", c.Cluster, z, err)
						continue
					}
					b.add(zone, targets, region)
				}
				b.add(region, targets, global)
			}
		}
		b.add(global, targets, "")
	}
	if p := rec.Spec.DNSPrefix; p != "" {
		b.add(names.Prefixed(p), addresses{}, global)
	}
	return b.records(), nil
}

// IngressRecords returns the records of an IngressDNSRecord: every host an
// address record of the load balancers of every cluster in its status. The
// error is an *InvalidError, for input CheckIngress refuses.
func IngressRecords(ctx context.Context, rec *mcdnsv1alpha1.IngressDNSRecord, r Resolver) (Records, error) {
	if err := CheckIngress(rec); err != nil {
		return Records{}, err
	}
	ttl, _ := TTL(rec.Spec.RecordTTL)
	b := newBuilder(ctx, r, ttl, nil)
	var all addresses
	for _, c := range rec.Status.DNS {
		t := b.targets(c.Cluster, c.LoadBalancer)
		all.v4, all.v6 = append(all.v4, t.v4...), append(all.v6, t.v6...)
	}
	for _, h := range rec.Spec.Hosts {
		b.add(h, all, "")
	}
	return b.records(), nil
}

// addresses are the IPv4 and IPv6 targets of a name.
type addresses struct{ v4, v6 []string }

func (a addresses) empty() bool { return len(a.v4) == 0 && len(a.v6) == 0 }

// builder collects the records of one DNS record object, merging those of one
// name.
type builder struct {
	ctx      context.Context
	resolver Resolver
	ttl      extdnsv1alpha1.TTL
	labels   map[string]string
	// byName are the targets of each name, by record type.
	byName   map[string]map[string][]string
	resolved map[string]resolution
	leftOut  []string
	fromHost bool
}

type resolution struct {
	addrs []string
	err   error
}

func newBuilder(ctx context.Context, r Resolver, ttl extdnsv1alpha1.TTL, labels map[string]string) *builder {
	return &builder{ctx: ctx, resolver: r, ttl: ttl, labels: labels, byName: map[string]map[string][]string{}, resolved: map[string]resolution{}}
}

func (b *builder) leaveOut(format string, args ...any) {
	b.leftOut = append(b.leftOut, fmt.Sprintf(format, args...))
}

// targets are the addresses of a cluster's load balancer: its IPs, and the
// addresses its host names resolve to.
func (b *builder) targets(cluster string, lb corev1.LoadBalancerStatus) addresses {
	var out addresses
	addIP := func(s string) bool {
		ip, err := netip.ParseAddr(s)
		if err != nil {
			return false
		}
		if ip = ip.Unmap(); ip.Is4() {
			out.v4 = append(out.v4, ip.String())
		} else {
			out.v6 = append(out.v6, ip.String())
		}
		return true
	}
	for _, ing := range lb.Ingress {
		if ing.IP != "" && !addIP(ing.IP) {
			b.leaveOut("cluster %s: load-balancer address %q is not an IP address", cluster, ing.IP)
		}
		if ing.Hostname == "" {
			continue
		}
		res := b.resolve(ing.Hostname)
		if res.err != nil {
			b.leaveOut("cluster %s: load-balancer host name %s does not resolve: %v", cluster, ing.Hostname, res.err)
			continue
		}
		b.fromHost = true
		for _, a := range res.addrs {
			if !addIP(a) {
				b.leaveOut("cluster %s: load-balancer host name %s resolves to %q, which is not an IP address", cluster, ing.Hostname, a)
			}
		}
	}
	return out
}

// resolve looks host up once per builder.
func (b *builder) resolve(host string) resolution {
	if res, ok := b.resolved[host]; ok {
		return res
	}
	var res resolution
	switch {
	case b.resolver == nil:
		res.err = errors.New("no resolver")
	default:
		res.addrs, res.err = b.resolver.LookupHost(b.ctx, host)
		if res.err == nil && len(res.addrs) == 0 {
			res.err = errors.New("no addresses")
		}
	}
	b.resolved[host] = res
	return res
}

// add records name: an A and an AAAA record of targets, or, without targets,
// a CNAME to up (nothing when up is empty).
func (b *builder) add(name string, targets addresses, up string) {
	byType := b.byName[name]
	if byType == nil {
		byType = map[string][]string{}
		b.byName[name] = byType
	}
	switch {
	case !targets.empty():
		byType[extdnsv1alpha1.RecordTypeA] = append(byType[extdnsv1alpha1.RecordTypeA], targets.v4...)
		byType[extdnsv1alpha1.RecordTypeAAAA] = append(byType[extdnsv1alpha1.RecordTypeAAAA], targets.v6...)
	case up != "":
		byType[extdnsv1alpha1.RecordTypeCNAME] = append(byType[extdnsv1alpha1.RecordTypeCNAME], up)
	}
}

// typeOrder is the order of the records of one name.
var typeOrder = []string{extdnsv1alpha1.RecordTypeA, extdnsv1alpha1.RecordTypeAAAA, extdnsv1alpha1.RecordTypeCNAME}

// records merges the records of each name, as KubeFed's DedupeAndMergeEndpoints
// does: a name with addresses keeps no CNAME; targets sorted and unique; names
// without targets left out.
func (b *builder) records() Records {
	out := Records{FromHostnames: b.fromHost}
	for _, name := range slices.Sorted(maps.Keys(b.byName)) {
		byType := b.byName[name]
		hasAddresses := len(byType[extdnsv1alpha1.RecordTypeA])+len(byType[extdnsv1alpha1.RecordTypeAAAA]) > 0
		for _, typ := range typeOrder {
			if typ == extdnsv1alpha1.RecordTypeCNAME && hasAddresses {
				continue
			}
			targets := slices.Compact(slices.Sorted(slices.Values(byType[typ])))
			if len(targets) == 0 {
				continue
			}
			ep := &extdnsv1alpha1.Endpoint{DNSName: name, Targets: targets, RecordType: typ, RecordTTL: b.ttl}
			if len(b.labels) > 0 {
				ep.Labels = maps.Clone(b.labels)
			}
			out.Endpoints = append(out.Endpoints, ep)
		}
	}
	if len(b.leftOut) > 0 {
		out.LeftOut = slices.Compact(slices.Sorted(slices.Values(b.leftOut)))
	}
	return out
}
