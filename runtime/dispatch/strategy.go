package dispatch

import (
	"fmt"
	"strings"
)

// Strategy is how Ensure writes a member object: the value of
// fedv1beta1.UpdateStrategyAnnotation. Every strategy keeps the ownership rules:
// only objects this host wrote for the cluster are updated or deleted.
type Strategy string

const (
	// Apply writes the desired fields with server-side apply. Fields other
	// writers set (a key added by hand, replicas an autoscaler owns) are shared
	// and kept; a member object is written only when a desired field differs.
	Apply Strategy = "Apply"
	// Replace makes the member object exactly the desired object, updated in
	// place (never deleted and created again). Fields other field managers own
	// are removed, except what belongs to the API server and the member's
	// controllers: metadata other than labels and annotations (uid,
	// resourceVersion, finalizers, owner references, ...), labels and
	// annotations whose prefix is kubernetes.io or k8s.io (or a subdomain of
	// them), the status, and fields no manager owns (the API server's defaults
	// and allocations, which it sets again after an update). See ReplaceKeeps.
	Replace Strategy = "Replace"
	// CreateOnly creates the member object when it is missing and never updates
	// it; removal deletes it as under Apply. An object that exists and was not
	// written by this host is not adopted.
	CreateOnly Strategy = "CreateOnly"
	// ReadOnly never creates, updates or deletes a member object: it only
	// reports a missing object (Missing) or one that differs from the desired
	// object (Drifted). Deleting the federated object, or removing a cluster
	// from its placement, leaves member objects as they are.
	ReadOnly Strategy = "ReadOnly"
)

// Strategies are the valid strategies, the default first.
var Strategies = []Strategy{Apply, Replace, CreateOnly, ReadOnly}

// ParseStrategy reads the value of an update strategy annotation; empty is Apply.
func ParseStrategy(value string) (Strategy, error) {
	if value == "" {
		return Apply, nil
	}
	for _, s := range Strategies {
		if string(s) == value {
			return s, nil
		}
	}
	names := make([]string, len(Strategies))
	for i, s := range Strategies {
		names[i] = string(s)
	}
	return "", fmt.Errorf("unknown update strategy %q: use one of %s", value, strings.Join(names, ", "))
}

// Writes says whether the strategy ever writes to member clusters.
func (s Strategy) Writes() bool { return s != ReadOnly }
