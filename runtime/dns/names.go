package dns

import (
	"fmt"
	"strings"

	mcdnsv1alpha1 "github.com/kubefed-gen/kubefed/runtime/apis/multiclusterdns/v1alpha1"
)

// maxNameLength is the longest DNS name, in its text form without the final dot.
const maxNameLength = 253

// CheckName says why name cannot be the name of a DNS record, or nil: it must
// have at most 253 characters, in labels of 1 to 63 letters, digits and
// hyphens that neither start nor end with a hyphen. With wildcard, a first
// label "*" is allowed too, as in an Ingress host.
func CheckName(name string, wildcard bool) error {
	switch {
	case name == "":
		return fmt.Errorf("the name is empty")
	case len(name) > maxNameLength:
		return fmt.Errorf("%s has %d characters, more than the %d a DNS name may have", name, len(name), maxNameLength)
	}
	labels := strings.Split(name, ".")
	for i, l := range labels {
		if i == 0 && wildcard && l == "*" && len(labels) > 1 {
			continue
		}
		if err := checkLabel(l); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	return nil
}

func checkLabel(l string) error {
	switch {
	case l == "":
		return fmt.Errorf("it has an empty label")
	case len(l) > 63:
		return fmt.Errorf("label %q has %d characters, more than 63", l, len(l))
	case l[0] == '-' || l[len(l)-1] == '-':
		return fmt.Errorf("label %q starts or ends with a hyphen", l)
	}
	for _, r := range l {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
			return fmt.Errorf("label %q has the character %q; only letters, digits and hyphens are allowed", l, r)
		}
	}
	return nil
}

// ServiceNames builds the DNS names of one ServiceDNSRecord, whose status holds
// the Domain's domain.
type ServiceNames struct {
	// prefix is <service or externalName>.<namespace>.<domainRef>.svc.
	prefix string
	domain string
}

// NamesOf returns the naming of rec.
func NamesOf(rec *mcdnsv1alpha1.ServiceDNSRecord) ServiceNames {
	service := rec.Name
	if rec.Spec.ExternalName != "" {
		service = rec.Spec.ExternalName
	}
	return ServiceNames{
		prefix: strings.Join([]string{service, rec.Namespace, rec.Spec.DomainRef, "svc"}, "."),
		// A Domain may be written with its final dot; the names never are.
		domain: strings.TrimSuffix(rec.Status.Domain, "."),
	}
}

// Global is <service>.<namespace>.<domainRef>.svc.<domain>.
func (n ServiceNames) Global() string { return n.prefix + "." + n.domain }

// Region is <service>.<namespace>.<domainRef>.svc.<region>.<domain>.
func (n ServiceNames) Region(region string) string {
	return n.prefix + "." + region + "." + n.domain
}

// Zone is <service>.<namespace>.<domainRef>.svc.<zone>.<region>.<domain>.
func (n ServiceNames) Zone(zone, region string) string {
	return n.prefix + "." + zone + "." + region + "." + n.domain
}

// Prefixed is <dnsPrefix>.<domain>.
func (n ServiceNames) Prefixed(dnsPrefix string) string { return dnsPrefix + "." + n.domain }
