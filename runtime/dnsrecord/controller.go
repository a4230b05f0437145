package dnsrecord

import (
	"context"
	"fmt"
	"net"
	"slices"
	"time"

	discoveryv1 "k8s.io/api/discovery/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/selection"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/util/workqueue"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/source"

	corev1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/core/v1beta1"
	mcdnsv1alpha1 "github.com/kubefed-gen/kubefed/runtime/apis/multiclusterdns/v1alpha1"
	"github.com/kubefed-gen/kubefed/runtime/cluster"
	"github.com/kubefed-gen/kubefed/runtime/dns"
)

// EndpointAPIs the controllers can write their DNSEndpoints in.
const (
	// ExternalDNSAPI is external-dns's DNSEndpoint, which its CRD source reads:
	// the default.
	ExternalDNSAPI = "externaldns.k8s.io/v1alpha1"
	// KubeFedAPI is KubeFed's own DNSEndpoint, for consumers patched to read it.
	KubeFedAPI = "multiclusterdns.kubefed.io/v1alpha1"
)

// Options of the DNS controllers.
type Options struct {
	// Namespace is the KubeFed namespace, which holds the Domains and the
	// KubeFedClusters.
	Namespace string
	// Services runs the ServiceDNSRecord controller (KubeFed's feature gate
	// CrossClusterServiceDiscovery), Ingresses the IngressDNSRecord controller
	// (FederatedIngress).
	Services, Ingresses bool
	// EndpointAPI is the apiVersion of the DNSEndpoints written: ExternalDNSAPI
	// (when empty) or KubeFedAPI.
	EndpointAPI string
	// Resolver resolves load-balancer host names; net.DefaultResolver when nil.
	Resolver dns.Resolver
	// MaxConcurrentReconciles of each controller (default 4).
	MaxConcurrentReconciles int
}

// resolveTimeout bounds one lookup of a load-balancer host name.
const resolveTimeout = 5 * time.Second

// MemberCache is the configuration member caches need for the controllers
// (merge it into cluster.Options.CacheByObject): the EndpointSlices of every
// Service, which carry no label of ours, with only what readiness needs.
// Federated Services and Ingresses are labelled kubefed.io/managed and cached
// by the default selector.
func MemberCache() map[client.Object]cache.ByObject {
	hasService, _ := labels.NewRequirement(discoveryv1.LabelServiceName, selection.Exists, nil)
	return map[client.Object]cache.ByObject{
		&discoveryv1.EndpointSlice{}: {
			Label:     labels.NewSelector().Add(*hasService),
			Transform: trimEndpointSlice,
		},
	}
}

// trimEndpointSlice keeps of an EndpointSlice its identity, labels, and each
// endpoint's readiness (with one address, standing for all of them).
func trimEndpointSlice(obj any) (any, error) {
	s, ok := obj.(*discoveryv1.EndpointSlice)
	if !ok {
		return obj, nil
	}
	trimmed := &discoveryv1.EndpointSlice{TypeMeta: s.TypeMeta, AddressType: s.AddressType}
	trimmed.Name, trimmed.Namespace, trimmed.UID = s.Name, s.Namespace, s.UID
	trimmed.ResourceVersion, trimmed.Labels = s.ResourceVersion, s.Labels
	trimmed.DeletionTimestamp = s.DeletionTimestamp
	for _, ep := range s.Endpoints {
		e := discoveryv1.Endpoint{Conditions: discoveryv1.EndpointConditions{Ready: ep.Conditions.Ready}}
		if len(ep.Addresses) > 0 {
			e.Addresses = ep.Addresses[:1]
		}
		trimmed.Endpoints = append(trimmed.Endpoints, e)
	}
	return trimmed, nil
}

// Setup adds the controllers Options asks for to mgr. The registry's member
// caches must have been built with MemberCache, the manager's scheme must know
// multiclusterdns.kubefed.io/v1alpha1 and externaldns.k8s.io/v1alpha1, and the
// host must serve the CRDs of the records and of the DNSEndpoint written.
func Setup(mgr ctrl.Manager, clusters *cluster.Registry, opts Options) error {
	if !opts.Services && !opts.Ingresses {
		return nil
	}
	if opts.Namespace == "" {
		opts.Namespace = corev1beta1.DefaultNamespace
	}
	if opts.MaxConcurrentReconciles <= 0 {
		opts.MaxConcurrentReconciles = 4
	}
	if opts.Resolver == nil {
		opts.Resolver = net.DefaultResolver
	}
	opts.Resolver = timeoutResolver{opts.Resolver}
	writer, err := newEndpointWriter(mgr.GetClient(), opts.EndpointAPI)
	if err != nil {
		return err
	}
	needed := []client.Object{writer.newObject()}
	if opts.Services {
		needed = append(needed, &mcdnsv1alpha1.ServiceDNSRecord{}, &mcdnsv1alpha1.Domain{})
	}
	if opts.Ingresses {
		needed = append(needed, &mcdnsv1alpha1.IngressDNSRecord{})
	}
	for _, obj := range needed {
		gvk, err := apiutil.GVKForObject(obj, mgr.GetScheme())
		if err != nil {
			return fmt.Errorf("DNS controllers: the manager's scheme: %w", err)
		}
		if _, err := mgr.GetRESTMapper().RESTMapping(gvk.GroupKind(), gvk.Version); err != nil {
			return fmt.Errorf("DNS controllers: the host does not serve %s (install the CRDs of runtime/config/crd): %w", gvk, err)
		}
	}
	// Domains and KubeFedClusters live in the KubeFed namespace alone: a cache of
	// that namespace, as the cluster registry keeps, rather than the manager's.
	nsCache, err := cache.New(mgr.GetConfig(), cache.Options{
		HTTPClient: mgr.GetHTTPClient(), Scheme: mgr.GetScheme(), Mapper: mgr.GetRESTMapper(),
		DefaultNamespaces: map[string]cache.Config{opts.Namespace: {}},
	})
	if err != nil {
		return fmt.Errorf("DNS controllers: cache of namespace %s: %w", opts.Namespace, err)
	}
	if err := mgr.Add(cacheRunnable{nsCache}); err != nil {
		return err
	}
	base := base{
		host: mgr.GetClient(), clusters: clusters, opts: opts, writer: writer, ns: nsCache,
		recorder: mgr.GetEventRecorder("kubefed-dns"),
	}
	if opts.Services {
		if err := setupService(mgr, base); err != nil {
			return fmt.Errorf("ServiceDNSRecord controller: %w", err)
		}
	}
	if opts.Ingresses {
		if err := setupIngress(mgr, base); err != nil {
			return fmt.Errorf("IngressDNSRecord controller: %w", err)
		}
	}
	return nil
}

// cacheRunnable makes the manager start a cache with its own, before any
// controller, and wait for it to sync.
type cacheRunnable struct{ cache.Cache }

func (c cacheRunnable) GetCache() cache.Cache { return c.Cache }

// timeoutResolver bounds each lookup.
type timeoutResolver struct{ dns.Resolver }

func (r timeoutResolver) LookupHost(ctx context.Context, host string) ([]string, error) {
	ctx, cancel := context.WithTimeout(ctx, resolveTimeout)
	defer cancel()
	return r.Resolver.LookupHost(ctx, host)
}

// recordLister lists the keys of every record of one kind, optionally only
// those keep accepts.
type recordLister func(ctx context.Context, keep func(client.Object) bool) []ctrl.Request

// clusterSources are the sources every record controller has besides its
// records: member clusters joining, leaving or changing readiness (registry),
// and their zones or region changing (KubeFedClusters).
func (b base) clusterSources(all recordLister) []source.Source {
	topologyChanged := predicate.Funcs{
		UpdateFunc: func(e event.UpdateEvent) bool {
			oldKFC, ok1 := e.ObjectOld.(*corev1beta1.KubeFedCluster)
			newKFC, ok2 := e.ObjectNew.(*corev1beta1.KubeFedCluster)
			if !ok1 || !ok2 {
				return true
			}
			oz, or := cluster.Topology(oldKFC)
			nz, nr := cluster.Topology(newKFC)
			return or != nr || !slices.Equal(oz, nz)
		},
	}
	return []source.Source{
		source.Func(func(ctx context.Context, q workqueue.TypedRateLimitingInterface[ctrl.Request]) error {
			b.clusters.OnChange(func(string) {
				if ctx.Err() != nil {
					return
				}
				for _, req := range all(ctx, nil) {
					q.Add(req)
				}
			})
			return nil
		}),
		source.Kind[client.Object](b.ns, &corev1beta1.KubeFedCluster{}, handler.EnqueueRequestsFromMapFunc(
			func(ctx context.Context, _ client.Object) []ctrl.Request { return all(ctx, nil) }), topologyChanged),
	}
}

// sameKeyIfRecord maps a member object to the record of its namespace and
// name, when there is one.
func sameKeyIfRecord(host client.Reader, newRecord func() client.Object) func(string) handler.EventHandler {
	return func(string) handler.EventHandler {
		return handler.EnqueueRequestsFromMapFunc(func(ctx context.Context, o client.Object) []ctrl.Request {
			return recordIfExists(ctx, host, newRecord, types.NamespacedName{Namespace: o.GetNamespace(), Name: o.GetName()})
		})
	}
}

func recordIfExists(ctx context.Context, host client.Reader, newRecord func() client.Object, key types.NamespacedName) []ctrl.Request {
	if key.Name == "" || host.Get(ctx, key, newRecord()) != nil {
		return nil
	}
	return []ctrl.Request{{NamespacedName: key}}
}
