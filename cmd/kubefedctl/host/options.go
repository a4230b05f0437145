package host

import (
	"fmt"

	"github.com/spf13/pflag"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	corev1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/core/v1beta1"
)

// Options say where the host cluster and its federation are: the flags every
// command shares, named as kubectl names them.
type Options struct {
	// Kubeconfig is the kubeconfig file; empty means $KUBECONFIG or ~/.kube/config.
	Kubeconfig string
	// HostContext is the kubeconfig context of the host; empty means the current one.
	HostContext string
	// KubefedNamespace is the namespace of the federation control plane in the host.
	KubefedNamespace string
}

// AddFlags binds the options to flags.
func (o *Options) AddFlags(f *pflag.FlagSet) {
	f.StringVar(&o.Kubeconfig, "kubeconfig", "", "path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)")
	f.StringVar(&o.HostContext, "host-cluster-context", "", "kubeconfig context of the host cluster (default: the current context)")
	f.StringVar(&o.KubefedNamespace, "kubefed-namespace", corev1beta1.DefaultNamespace, "namespace of the federation control plane in the host cluster")
}

// RESTConfig loads the kubeconfig context named kubeContext (the current one when
// empty).
func (o *Options) RESTConfig(kubeContext string) (*rest.Config, error) {
	cfg, err := o.clientConfig(kubeContext).ClientConfig()
	if err != nil {
		if kubeContext == "" {
			return nil, fmt.Errorf("load kubeconfig: %w", err)
		}
		return nil, fmt.Errorf("load kubeconfig context %q: %w", kubeContext, err)
	}
	return cfg, nil
}

// Namespace returns the namespace a command works in: flag when set, else the
// namespace of the host's kubeconfig context, else default (as kubectl does).
func (o *Options) Namespace(flag string) string {
	if flag != "" {
		return flag
	}
	ns, _, err := o.clientConfig(o.HostContext).Namespace()
	if err != nil || ns == "" {
		return metav1.NamespaceDefault
	}
	return ns
}

func (o *Options) clientConfig(kubeContext string) clientcmd.ClientConfig {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	rules.ExplicitPath = o.Kubeconfig
	return clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{CurrentContext: kubeContext})
}
