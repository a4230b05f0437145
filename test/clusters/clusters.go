package clusters

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// HostName is the name of the host cluster's kubeconfig context.
const HostName = "host"

// MemberName returns the name of the i-th member cluster (counted from 1), which is
// also its kubeconfig context.
func MemberName(i int) string { return fmt.Sprintf("member%d", i) }

// Cluster is one running control plane.
type Cluster struct {
	// Name is the cluster's kubeconfig context name.
	Name string
	// Config reaches the cluster as an administrator.
	Config *rest.Config
	// Workloads is how the cluster runs pods; nil for a bare API server, which
	// runs none.
	Workloads *Workloads

	apiServer  *envtest.APIServer
	etcd       *envtest.Etcd // nil when the cluster keeps its data in the set's shared etcd
	components []*component  // kube-controller-manager, kube-scheduler, kwok
	workDir    string        // their kubeconfig, removed on stop

	// restartedAPIServer is the kube-apiserver RestartAPIServer started, which
	// envtest does not know of; nil before.
	restartedAPIServer *component
	apiServerArgs      []string // of the kube-apiserver KillAPIServer killed
}

// Set is a host cluster and its member clusters.
type Set struct {
	Host    *Cluster
	Members []*Cluster

	etcd *envtest.Etcd // the members' shared etcd, with Options.SharedEtcd
}

// Options says what to start.
type Options struct {
	// Members is how many member clusters to start besides the host.
	Members int
	// BinaryDir holds etcd, kube-apiserver and kubectl; empty means BinaryDir().
	BinaryDir string
	// HostCRDDirs are folders of CRD manifests installed into the host on start.
	HostCRDDirs []string
	// Workloads names, by cluster name (HostName, MemberName(i)), the clusters
	// that run pods, and on what nodes; the others are bare API servers.
	Workloads map[string]Workloads
	// SharedEtcd makes the members keep their data in one etcd, each under a
	// prefix of its own (kube-apiserver's --etcd-prefix), instead of running an
	// etcd each; the host keeps its own. Each member still has its own API
	// server, objects, resource versions and kube-system namespace UID (the
	// identity a federation knows it by), but its etcd is not its own to stop.
	SharedEtcd bool
}

// Start starts the host and member clusters concurrently and returns once every API
// server answers and, in clusters with Workloads, the controller manager and the
// scheduler answer and every node is Ready. On error, whatever was started is
// stopped again.
func Start(opts Options) (*Set, error) {
	dir := opts.BinaryDir
	if dir == "" {
		var err error
		if dir, err = BinaryDir(); err != nil {
			return nil, err
		}
	}
	set := &Set{Host: &Cluster{Name: HostName}}
	for i := 1; i <= opts.Members; i++ {
		set.Members = append(set.Members, &Cluster{Name: MemberName(i)})
	}
	if err := set.setWorkloads(opts.Workloads); err != nil {
		return nil, err
	}
	if len(opts.Workloads) > 0 {
		if err := requireBinaries(dir, workloadBinaries...); err != nil {
			return nil, err
		}
	}

	if opts.SharedEtcd && len(set.Members) > 0 {
		set.etcd = newEtcd(dir)
		if err := set.etcd.Start(); err != nil {
			return nil, fmt.Errorf("start the members' etcd: %w", err)
		}
	}

	all := set.All()
	errs := make([]error, len(all))
	var wg sync.WaitGroup
	for i, c := range all {
		etcd, crds := set.etcd, []string(nil)
		if c == set.Host {
			etcd, crds = nil, opts.HostCRDDirs
		}
		wg.Go(func() {
			if err := c.startControlPlane(dir, etcd, crds); err != nil {
				errs[i] = fmt.Errorf("start cluster %s: %w", c.Name, err)
				return
			}
			if c.Workloads != nil {
				if err := c.startWorkloads(dir); err != nil {
					errs[i] = fmt.Errorf("start workloads of cluster %s: %w", c.Name, err)
				}
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, errors.Join(err, set.Stop())
	}
	return set, nil
}

// All returns the host followed by the members.
func (s *Set) All() []*Cluster {
	return append([]*Cluster{s.Host}, s.Members...)
}

// Stop stops every cluster that is running, all at once, and removes their
// data. A cluster's controller manager, scheduler and kwok stop before its API
// server, and the members' shared etcd stops last.
func (s *Set) Stop() error {
	all := s.All()
	errs := make([]error, len(all)+1)
	var wg sync.WaitGroup
	for i, c := range all {
		wg.Go(func() { errs[i] = c.stop() })
	}
	wg.Wait()
	if s.etcd != nil {
		if err := s.etcd.Stop(); err != nil {
			errs[len(all)] = fmt.Errorf("stop the members' etcd: %w", err)
		}
		s.etcd = nil
	}
	return errors.Join(errs...)
}

// stop stops the cluster's workloads, then its API server and its own etcd.
func (c *Cluster) stop() error {
	var errs []error
	if err := c.stopWorkloads(); err != nil {
		errs = append(errs, fmt.Errorf("stop workloads of cluster %s: %w", c.Name, err))
	}
	if err := c.stopProcesses(); err != nil {
		errs = append(errs, fmt.Errorf("stop cluster %s: %w", c.Name, err))
	}
	return errors.Join(errs...)
}

// Kubeconfig returns a kubeconfig with one context per cluster, named after it; the
// current context is the host.
func (s *Set) Kubeconfig() *clientcmdapi.Config {
	return kubeconfig(s.Host.Name, s.All()...)
}

// kubeconfig returns a kubeconfig with one context per cluster, named after it,
// holding its administrator credentials.
func kubeconfig(current string, cs ...*Cluster) *clientcmdapi.Config {
	kc := clientcmdapi.NewConfig()
	for _, c := range cs {
		kc.Clusters[c.Name] = &clientcmdapi.Cluster{
			Server:                   c.Config.Host,
			CertificateAuthorityData: c.Config.CAData,
		}
		kc.AuthInfos[c.Name] = &clientcmdapi.AuthInfo{
			ClientCertificateData: c.Config.CertData,
			ClientKeyData:         c.Config.KeyData,
			Token:                 c.Config.BearerToken,
		}
		kc.Contexts[c.Name] = &clientcmdapi.Context{Cluster: c.Name, AuthInfo: c.Name}
	}
	kc.CurrentContext = current
	return kc
}

// WriteKubeconfig writes Kubeconfig to path, readable only by its owner since it
// holds administrator credentials. The file appears whole or not at all (written
// beside path, then renamed), so a reader polling for it never sees half of it.
func (s *Set) WriteKubeconfig(path string) error {
	data, err := clientcmd.Write(*s.Kubeconfig())
	if err != nil {
		return err
	}
	return WriteFileAtomic(path, data)
}

// WriteFileAtomic writes data to path with mode 0600 through a temporary file in the
// same folder and a rename, creating the folder if needed.
func WriteFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // fails harmlessly once renamed
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
