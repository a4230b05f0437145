package host

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/kubefed-gen/kubefed/cmd/kubefedctl/resolve"
	corev1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/core/v1beta1"
)

// Host is a connection to the host cluster with one discovery snapshot.
type Host struct {
	// Namespace is the KubeFed namespace.
	Namespace string
	Dynamic   dynamic.Interface
	// Client reads and writes typed core.kubefed.io and built-in objects.
	Client client.Client
	// Discovery is the host's discovery client, which caches what it read; its
	// OpenAPIV3 documents give the schemas of built-in types.
	Discovery discovery.DiscoveryInterface
	Groups    []*restmapper.APIGroupResources
	Mapper    meta.RESTMapper
	// Resolver resolves TYPE arguments against Groups and the FederatedTypeConfigs
	// in Namespace.
	Resolver *resolve.Resolver
}

// Connect connects to the host cluster, takes a discovery snapshot and reads
// the FederatedTypeConfigs.
func (o *Options) Connect(ctx context.Context) (*Host, error) {
	cfg, err := o.RESTConfig(o.HostContext)
	if err != nil {
		return nil, err
	}
	cfg = rest.CopyConfig(cfg)
	cfg.UserAgent = "kubefedctl"
	if cfg.QPS == 0 {
		cfg.QPS, cfg.Burst = 50, 100
	}
	disco, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("host cluster: %w", err)
	}
	cached := memory.NewMemCacheClient(disco)
	groups, err := restmapper.GetAPIGroupResources(cached)
	if err != nil {
		// Some aggregated API being down should not stop us: keep what was found.
		if !discovery.IsGroupDiscoveryFailedError(err) || len(groups) == 0 {
			return nil, fmt.Errorf("discover the API of the host cluster: %w", err)
		}
	}
	h := &Host{Namespace: o.KubefedNamespace, Groups: groups, Mapper: restmapper.NewDiscoveryRESTMapper(groups), Discovery: cached}
	if h.Dynamic, err = dynamic.NewForConfig(cfg); err != nil {
		return nil, fmt.Errorf("host cluster: %w", err)
	}
	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		return nil, err
	}
	if err := corev1beta1.AddToScheme(scheme); err != nil {
		return nil, err
	}
	if h.Client, err = client.New(cfg, client.Options{Scheme: scheme, Mapper: h.Mapper}); err != nil {
		return nil, fmt.Errorf("host cluster: %w", err)
	}
	var configs corev1beta1.FederatedTypeConfigList
	if err := h.Client.List(ctx, &configs, client.InNamespace(h.Namespace)); err != nil && !meta.IsNoMatchError(err) {
		return nil, fmt.Errorf("list FederatedTypeConfigs in %s: %w", h.Namespace, err)
	}
	h.Resolver = resolve.New(groups, configs.Items)
	return h, nil
}

// ConnectAndResolve connects to the host and resolves TYPE, whose federated type
// need not be installed.
func (o *Options) ConnectAndResolve(ctx context.Context, typeArg string) (*Host, *resolve.Type, error) {
	h, err := o.Connect(ctx)
	if err != nil {
		return nil, nil, err
	}
	t, err := h.Resolver.Resolve(typeArg)
	if err != nil {
		return nil, nil, err
	}
	return h, t, nil
}

// ConnectForObject connects to the host and resolves the TYPE of a command that
// names one federated object, with the namespace it lives in (none for a
// cluster-scoped target).
func (o *Options) ConnectForObject(ctx context.Context, typeArg, namespaceFlag string) (*Host, *resolve.Type, string, error) {
	h, err := o.Connect(ctx)
	if err != nil {
		return nil, nil, "", err
	}
	t, err := h.ResolveInstalled(typeArg)
	if err != nil {
		return nil, nil, "", err
	}
	ns := ""
	if t.Target.Namespaced {
		ns = o.Namespace(namespaceFlag)
	}
	return h, t, ns, nil
}

// FederatedClient is the dynamic client of t's federated objects in namespace
// (all namespaces when empty, or for a cluster-scoped type).
func (h *Host) FederatedClient(t *resolve.Type, namespace string) dynamic.ResourceInterface {
	c := h.Dynamic.Resource(t.Federated.GroupVersionResource())
	if t.Federated.Namespaced && namespace != "" {
		return c.Namespace(namespace)
	}
	return c
}

// TargetClient is the dynamic client of t's target objects in namespace.
func (h *Host) TargetClient(t *resolve.Type, namespace string) dynamic.ResourceInterface {
	c := h.Dynamic.Resource(t.Target.GroupVersionResource())
	if t.Target.Namespaced && namespace != "" {
		return c.Namespace(namespace)
	}
	return c
}

// GetFederated reads the federated object of the target object namespace/name.
func (h *Host) GetFederated(ctx context.Context, t *resolve.Type, namespace, name string) (*unstructured.Unstructured, error) {
	key := t.FederatedKey(namespace, name)
	obj, err := h.FederatedClient(t, key.Namespace).Get(ctx, key.Name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil, fmt.Errorf("%s %s not found: %s %s is not federated (see `kubefedctl federate`)", t.Federated.Kind, resolve.FormatKey(key), t.Target.Kind, name)
	}
	if err != nil {
		return nil, fmt.Errorf("get %s %s: %w", t.Federated.Kind, resolve.FormatKey(key), err)
	}
	return obj, nil
}

// ResolveInstalled resolves arg and requires its federated type to be installed.
func (h *Host) ResolveInstalled(arg string) (*resolve.Type, error) {
	t, err := h.Resolver.Resolve(arg)
	if err != nil {
		return nil, err
	}
	if !t.Installed {
		return nil, t.NotInstalledError(arg)
	}
	return t, nil
}
