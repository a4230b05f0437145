package dnsstack

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/miekg/dns"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/kubefed-gen/kubefed/test/clusters"
)

// External-dns's coredns provider writes records under this etcd key prefix
// (its --coredns-prefix default); CoreDNS's etcd plugin is told to read there.
const etcdPrefix = "/skydns"

// Defaults of Options.
const (
	DefaultInterval    = time.Second
	DefaultOwnerID     = "kubefed-test"
	DefaultWaitTimeout = 30 * time.Second
)

// startTimeout bounds how long each process may take to answer after it starts.
const startTimeout = time.Minute

// stopTimeout is how long a process is given to exit after SIGTERM.
const stopTimeout = 10 * time.Second

// Options says what the stack serves and how fast it follows the host.
type Options struct {
	// Zone is the DNS zone CoreDNS serves and external-dns writes, such as
	// "example.com". Required.
	Zone string
	// Interval is external-dns's --interval, the time between two syncs; 0 means
	// DefaultInterval. Its loop ticks once a second, so less changes nothing.
	Interval time.Duration
	// OwnerID is external-dns's --txt-owner-id; empty means DefaultOwnerID.
	OwnerID string
	// WaitTimeout is how long WaitFor and WaitForNXDomain poll before failing;
	// 0 means DefaultWaitTimeout.
	WaitTimeout time.Duration
	// BinaryDir holds etcd, coredns and external-dns; empty means
	// clusters.BinaryDir().
	BinaryDir string
}

// Stack is a running etcd, CoreDNS and external-dns, reached with Lookup.
type Stack struct {
	// Zone is the zone served, without a trailing dot.
	Zone string
	// Addr is CoreDNS's address (host:port), over UDP and TCP.
	Addr string
	// EtcdURL is the client URL of the etcd holding the records.
	EtcdURL string
	// Dir holds the processes' files: their logs (<name>.log), the Corefile,
	// the kubeconfig external-dns reads and etcd's data.
	Dir string

	waitTimeout time.Duration
	procs       []*process
	stopping    atomic.Bool
	watchers    sync.WaitGroup
}

// process is one of the stack's programs and the file its output goes to.
type process struct {
	*clusters.Process
	log string
	// exitedEarly is set once the process is reported to have exited before
	// the stack stopped, with the end of its log.
	exitedEarly atomic.Bool
}

// Start starts etcd, CoreDNS and external-dns for opts.Zone against the host
// API server reached by host, which must already serve the DNSEndpoint CRD
// (see InstallUpstreamCRD), and returns once each of them answers. They stop
// when the test ends; one that exits before then fails the test.
func Start(t testing.TB, host *rest.Config, opts Options) *Stack {
	t.Helper()
	zone := strings.ToLower(strings.TrimSuffix(opts.Zone, "."))
	if zone == "" {
		t.Fatal("dnsstack: Options.Zone is required")
	}
	if opts.Interval <= 0 {
		opts.Interval = DefaultInterval
	}
	if opts.OwnerID == "" {
		opts.OwnerID = DefaultOwnerID
	}
	if opts.WaitTimeout <= 0 {
		opts.WaitTimeout = DefaultWaitTimeout
	}
	bin := opts.BinaryDir
	if bin == "" {
		var err error
		if bin, err = clusters.BinaryDir(); err != nil {
			t.Fatal(err)
		}
	}
	for name, script := range map[string]string{
		"etcd":         "hack/install-test-binaries.sh",
		"coredns":      "hack/install-dns-binaries.sh",
		"external-dns": "hack/install-dns-binaries.sh",
	} {
		if _, err := os.Stat(filepath.Join(bin, name)); err != nil {
			t.Fatalf("%s not found in %s: run %s (or 'make test-binaries') first", name, bin, script)
		}
	}

	s := &Stack{Zone: zone, Dir: t.TempDir(), waitTimeout: opts.WaitTimeout}
	t.Cleanup(func() { s.stop(t) })
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()

	if err := s.startEtcd(ctx, t, bin); err != nil {
		t.Fatal(err)
	}
	if err := s.startCoreDNS(ctx, t, bin); err != nil {
		t.Fatal(err)
	}
	if err := s.startExternalDNS(ctx, t, bin, host, opts); err != nil {
		t.Fatal(err)
	}
	return s
}

func (s *Stack) startEtcd(ctx context.Context, t testing.TB, bin string) error {
	clientPort, err := clusters.FreePort()
	if err != nil {
		return err
	}
	peerPort, err := clusters.FreePort()
	if err != nil {
		return err
	}
	s.EtcdURL = "http://127.0.0.1:" + strconv.Itoa(clientPort)
	peerURL := "http://127.0.0.1:" + strconv.Itoa(peerPort)
	p, err := s.start(t, "etcd", filepath.Join(bin, "etcd"), []string{
		"--name=dns",
		"--data-dir=" + filepath.Join(s.Dir, "etcd"),
		"--listen-client-urls=" + s.EtcdURL,
		"--advertise-client-urls=" + s.EtcdURL,
		"--listen-peer-urls=" + peerURL,
		"--initial-advertise-peer-urls=" + peerURL,
		"--initial-cluster=dns=" + peerURL,
		// The records live as long as the test: losing them in a crash costs nothing.
		"--unsafe-no-fsync=true",
	}, nil)
	if err != nil {
		return err
	}
	return p.WaitHealthy(ctx, s.EtcdURL+"/health")
}

// corefile serves the zone from the records external-dns writes to etcd, on the
// loopback address only. Queries are not logged (the log plugin, which the
// binary has): WaitFor asks ten times a second, and the end of the log, printed
// when a test fails, would hold nothing else.
const corefile = `%[1]s:%[2]d {
	bind 127.0.0.1
	errors
	etcd %[1]s {
		path %[3]s
		endpoint %[4]s
	}
}
`

func (s *Stack) startCoreDNS(ctx context.Context, t testing.TB, bin string) error {
	port, err := freeUDPAndTCPPort()
	if err != nil {
		return err
	}
	s.Addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	conf := filepath.Join(s.Dir, "Corefile")
	if err := os.WriteFile(conf, fmt.Appendf(nil, corefile, s.Zone, port, etcdPrefix, s.EtcdURL), 0o644); err != nil {
		return err
	}
	p, err := s.start(t, "coredns", filepath.Join(bin, "coredns"), []string{"-conf", conf}, nil)
	if err != nil {
		return err
	}
	// The zone's SOA is answered from the Corefile alone, once the server listens.
	return p.WaitFor(ctx, "answer an SOA query for "+s.Zone+" on "+s.Addr, func(ctx context.Context) (bool, error) {
		a, err := s.Lookup(ctx, s.Zone, dns.TypeSOA)
		return err == nil && a.Rcode == dns.RcodeSuccess, nil
	})
}

func (s *Stack) startExternalDNS(ctx context.Context, t testing.TB, bin string, host *rest.Config, opts Options) error {
	kubeconfig := filepath.Join(s.Dir, "kubeconfig")
	if err := writeKubeconfig(kubeconfig, host); err != nil {
		return fmt.Errorf("write external-dns's kubeconfig: %w", err)
	}
	metricsPort, err := clusters.FreePort()
	if err != nil {
		return err
	}
	metrics := "127.0.0.1:" + strconv.Itoa(metricsPort)
	p, err := s.start(t, "external-dns", filepath.Join(bin, "external-dns"), []string{
		"--kubeconfig=" + kubeconfig,
		"--source=crd",
		"--crd-source-apiversion=externaldns.k8s.io/v1alpha1",
		"--crd-source-kind=DNSEndpoint",
		"--provider=coredns",
		"--coredns-prefix=" + etcdPrefix + "/",
		"--registry=txt",
		"--txt-owner-id=" + opts.OwnerID,
		"--policy=sync",
		"--domain-filter=" + s.Zone,
		"--interval=" + opts.Interval.String(),
		"--metrics-address=" + metrics,
	}, []string{"ETCD_URLS=" + s.EtcdURL})
	if err != nil {
		return err
	}
	return p.WaitHealthy(ctx, "http://"+metrics+"/healthz")
}

// start starts a process whose output goes to Dir/<name>.log, and watches it:
// an exit before the stack stops fails the test.
func (s *Stack) start(t testing.TB, name, path string, args, env []string) (*process, error) {
	logPath := filepath.Join(s.Dir, name+".log")
	f, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cp, err := clusters.StartProcess(name, path, args, env, f)
	if err != nil {
		f.Close()
		return nil, err
	}
	p := &process{Process: cp, log: logPath}
	s.procs = append(s.procs, p)
	s.watchers.Go(func() {
		<-p.Done()
		f.Close()
		if !s.stopping.Load() {
			p.exitedEarly.Store(true)
			t.Errorf("dnsstack: %s exited while the test ran (%v); the end of %s:\n%s", name, p.ExitErr(), logPath, lastLines(logPath, logLines))
		}
	})
	return p, nil
}

// exited returns an error naming the first process that has exited, if any;
// the end of its log is printed apart, as soon as it exits.
func (s *Stack) exited() error {
	for _, p := range s.procs {
		select {
		case <-p.Done():
			return fmt.Errorf("dnsstack: %s has exited (%v)", p.Name(), p.ExitErr())
		default:
		}
	}
	return nil
}

// stop stops the processes, the last started first, and prints the end of each
// log if the test failed (but once only for one that exited early).
func (s *Stack) stop(t testing.TB) {
	s.stopping.Store(true)
	for i := len(s.procs) - 1; i >= 0; i-- {
		p := s.procs[i]
		select {
		case <-p.Done():
			continue // reported when it exited
		default:
		}
		if err := p.Stop(stopTimeout); err != nil {
			t.Errorf("dnsstack: stop %s: %v", p.Name(), err)
		}
	}
	s.watchers.Wait()
	if t.Failed() {
		for _, p := range s.procs {
			if p.exitedEarly.Load() {
				continue
			}
			t.Logf("dnsstack: the end of %s:\n%s", p.log, lastLines(p.log, logLines))
		}
	}
}

// logLines is how many lines of a log end up in a test's output.
const logLines = 30

// lastLines returns the last n lines of the file at path.
func lastLines(path string, n int) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Sprintf("(cannot read: %v)", err)
	}
	lines := bytes.Split(bytes.TrimRight(data, "\n"), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return string(bytes.Join(lines, []byte("\n")))
}

// freeUDPAndTCPPort returns a loopback port free for TCP (never handed out
// before, see clusters.FreePort) and for UDP, as a DNS server needs both.
func freeUDPAndTCPPort() (int, error) {
	for range 10 {
		port, err := clusters.FreePort()
		if err != nil {
			return 0, err
		}
		l, err := net.ListenPacket("udp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		if err != nil {
			continue
		}
		l.Close()
		return port, nil
	}
	return 0, fmt.Errorf("find a loopback port free for both UDP and TCP: none in 10 tries")
}

// writeKubeconfig writes a kubeconfig reaching the server cfg reaches with the
// same credentials: client certificates or a bearer token, inline or in files.
func writeKubeconfig(path string, cfg *rest.Config) error {
	// A kubeconfig's relative file names are relative to the kubeconfig; a
	// rest.Config's, to the working directory.
	wd, err := os.Getwd()
	if err != nil {
		return err
	}
	abs := func(name string) string {
		if name == "" || filepath.IsAbs(name) {
			return name
		}
		return filepath.Join(wd, name)
	}
	kc := clientcmdapi.NewConfig()
	kc.Clusters["host"] = &clientcmdapi.Cluster{
		Server:                   cfg.Host,
		CertificateAuthority:     abs(cfg.CAFile),
		CertificateAuthorityData: cfg.CAData,
		InsecureSkipTLSVerify:    cfg.Insecure,
		TLSServerName:            cfg.ServerName,
	}
	kc.AuthInfos["host"] = &clientcmdapi.AuthInfo{
		ClientCertificate:     abs(cfg.CertFile),
		ClientCertificateData: cfg.CertData,
		ClientKey:             abs(cfg.KeyFile),
		ClientKeyData:         cfg.KeyData,
		Token:                 cfg.BearerToken,
		TokenFile:             abs(cfg.BearerTokenFile),
		Username:              cfg.Username,
		Password:              cfg.Password,
	}
	kc.Contexts["host"] = &clientcmdapi.Context{Cluster: "host", AuthInfo: "host"}
	kc.CurrentContext = "host"
	data, err := clientcmd.Write(*kc)
	if err != nil {
		return err
	}
	return clusters.WriteFileAtomic(path, data)
}
