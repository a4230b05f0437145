package clusters

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// How long a control-plane process may take to start, and to stop before it is
// killed. Starting is slow when many clusters start at once on a busy machine:
// 21 API servers take about 90 CPU seconds in all to start.
const (
	startTimeout = 5 * time.Minute
	stopTimeout  = time.Minute
)

// startAttempts is how often a cluster's control plane is started before Start
// gives up, each time on fresh ports and folders (envtest retries too): a port
// may be taken between being found free and being bound. A start that timed
// out is not tried again.
const startAttempts = 3

// attachOutput says whether the control planes' output goes to this process's
// stdout and stderr, as envtest's own variable asks.
func attachOutput() bool { return os.Getenv("KUBEBUILDER_ATTACH_CONTROL_PLANE_OUTPUT") == "true" }

// newEtcd returns an etcd, not started, that keeps its data in a new temporary
// folder (removed when it stops) and listens on a free loopback port.
func newEtcd(binDir string) *envtest.Etcd {
	e := &envtest.Etcd{Path: filepath.Join(binDir, "etcd"), StartTimeout: startTimeout, StopTimeout: stopTimeout}
	if attachOutput() {
		e.Out, e.Err = os.Stdout, os.Stderr
	}
	return e
}

// startControlPlane starts the cluster's etcd and kube-apiserver, or only its
// kube-apiserver when shared is an etcd already running, where the cluster keeps
// its data under a prefix of its own; then provisions an administrator (Config),
// waits until the API server has created its default namespace, and installs the
// CRDs found in crdDirs.
func (c *Cluster) startControlPlane(binDir string, shared *envtest.Etcd, crdDirs []string) error {
	var err error
	for attempt := 1; ; attempt++ {
		began := time.Now()
		if err = c.startProcesses(binDir, shared); err == nil {
			break
		}
		_ = c.stopProcesses() // what started did so on ports and folders given up now
		if attempt == startAttempts || time.Since(began) >= startTimeout {
			return fmt.Errorf("%w (attempt %d of %d)", err, attempt, startAttempts)
		}
	}

	admin, err := (&envtest.ControlPlane{APIServer: c.apiServer}).AddUser(
		envtest.User{Name: "admin", Groups: []string{"system:masters"}},
		// Tests write many objects at once; the client-go default of 5 QPS
		// would measure the client, not the API server.
		&rest.Config{QPS: 500, Burst: 1000})
	if err != nil {
		return fmt.Errorf("provision the administrator: %w", err)
	}
	cfg := admin.Config()
	if err := waitDefaultNamespace(cfg); err != nil {
		return err
	}
	if len(crdDirs) > 0 {
		if _, err := envtest.InstallCRDs(cfg, envtest.CRDInstallOptions{Paths: crdDirs, ErrorIfPathMissing: true}); err != nil {
			return fmt.Errorf("install CRDs: %w", err)
		}
	}
	c.Config = cfg
	return nil
}

// startProcesses starts the cluster's own etcd, unless shared is given, and its
// kube-apiserver, recording them on c even when they fail to start.
func (c *Cluster) startProcesses(binDir string, shared *envtest.Etcd) error {
	etcd := shared
	if etcd == nil {
		c.etcd = newEtcd(binDir)
		if err := c.etcd.Start(); err != nil {
			return fmt.Errorf("start etcd: %w", err)
		}
		etcd = c.etcd
	}
	c.apiServer = &envtest.APIServer{
		Path:         filepath.Join(binDir, "kube-apiserver"),
		EtcdURL:      etcd.URL,
		StartTimeout: startTimeout,
		StopTimeout:  stopTimeout,
	}
	if attachOutput() {
		c.apiServer.Out, c.apiServer.Err = os.Stdout, os.Stderr
	}
	args := c.apiServer.Configure()
	if shared != nil {
		// Every key the API server writes, and every key it reads or watches, is
		// under this prefix: the cluster's objects, namespaces and their UIDs
		// included, are its own. The trailing component keeps member1's prefix
		// from being a prefix of member10's.
		args.Set("etcd-prefix", "/"+c.Name+"/registry")
	}
	if err := c.apiServer.Start(); err != nil {
		return fmt.Errorf("start kube-apiserver: %w", err)
	}
	return nil
}

// stopProcesses stops the cluster's kube-apiserver, then its own etcd, and
// removes their folders; it does nothing for what never started.
func (c *Cluster) stopProcesses() error {
	var errs []error
	if c.restartedAPIServer != nil {
		if err := c.restartedAPIServer.stop(stopTimeout); err != nil {
			errs = append(errs, fmt.Errorf("stop the restarted kube-apiserver: %w", err))
		}
		c.restartedAPIServer = nil
	}
	if c.apiServer != nil {
		if err := c.apiServer.Stop(); err != nil {
			errs = append(errs, fmt.Errorf("stop kube-apiserver: %w", err))
		}
		c.apiServer = nil
	}
	if c.etcd != nil {
		if err := c.etcd.Stop(); err != nil {
			errs = append(errs, fmt.Errorf("stop etcd: %w", err))
		}
		c.etcd = nil
	}
	return errors.Join(errs...)
}

// waitDefaultNamespace waits until the API server has created the namespace
// default, which it does shortly after it first answers.
func waitDefaultNamespace(cfg *rest.Config) error {
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return err
	}
	var last error
	err = wait.PollUntilContextTimeout(context.Background(), 100*time.Millisecond, startTimeout, true, func(ctx context.Context) (bool, error) {
		_, last = cs.CoreV1().Namespaces().Get(ctx, corev1.NamespaceDefault, metav1.GetOptions{})
		return last == nil, nil
	})
	if err != nil {
		return fmt.Errorf("namespace default not created in time: %w", errors.Join(err, last))
	}
	return nil
}
