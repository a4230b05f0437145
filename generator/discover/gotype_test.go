package discover

import (
	"strings"
	"sync"
	"testing"
)

const testdata = "github.com/kubefed-gen/kubefed/generator/discover/testdata/"

// sharedLoader has read every package the tests below ask for in one pass, which
// type-checks k8s.io/api and apimachinery once rather than once per test.
var sharedLoader = sync.OnceValues(func() (*Loader, error) {
	l := NewLoader()
	return l, l.Load(testdata+"widgets/v1alpha1", testdata+"bad", "k8s.io/api/core/v1", "k8s.io/api/apps/v1")
})

func loader(t *testing.T) *Loader {
	t.Helper()
	if testing.Short() {
		t.Skip("loads k8s.io/api and the test packages from source with go/packages; make test runs it")
	}
	l, err := sharedLoader()
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestPackageWithMarkers(t *testing.T) {
	targets, err := loader(t).Package(testdata + "widgets/v1alpha1")
	if err != nil {
		t.Fatal(err)
	}
	if len(targets) != 2 {
		t.Fatalf("got %d targets, want Gadget and Widget", len(targets))
	}
	gadget, widget := targets[0], targets[1]

	if widget.Kind != "Widget" || widget.Group != "widgets.example.com" || widget.Version != "v1alpha1" {
		t.Errorf("widget GVK = %v", widget.GroupVersionKind)
	}
	if widget.Plural != "widgets" || !widget.Namespaced || !widget.Scalable {
		t.Errorf("widget plural=%q namespaced=%v scalable=%v, want widgets, true, true", widget.Plural, widget.Namespaced, widget.Scalable)
	}
	if got := widget.FederatedShortNames(); len(got) != 1 || got[0] != "fwd" {
		t.Errorf("widget federated short names = %v, want [fwd]", got)
	}
	// Status and unexported fields are not part of a template.
	if len(widget.Fields) != 1 || widget.Fields[0].Name != "Spec" {
		t.Errorf("widget template fields = %v, want only Spec", widget.Fields)
	}

	// Status comes back typed as remote status.
	if widget.Status == nil || widget.Status.Name.Name != "WidgetStatus" {
		t.Errorf("widget status type = %v, want WidgetStatus", widget.Status)
	}

	if gadget.Plural != "gadgetry" || gadget.Namespaced || gadget.Scalable {
		t.Errorf("gadget plural=%q namespaced=%v scalable=%v, want gadgetry, false, false", gadget.Plural, gadget.Namespaced, gadget.Scalable)
	}
	if len(gadget.Fields) != 1 || gadget.Fields[0].Name != "Parts" || gadget.Fields[0].Tag != "parts,omitempty" {
		t.Errorf("gadget template fields = %+v, want Parts with its json tag", gadget.Fields)
	}
}

func TestBuiltinTargets(t *testing.T) {
	l := loader(t)
	ns, err := l.Builtin("namespaces")
	if err != nil {
		t.Fatal(err)
	}
	// The scope comes from the +genclient:nonNamespaced marker of k8s.io/api.
	if ns.Namespaced || !ns.FederatedNamespaced() {
		t.Errorf("namespace: namespaced=%v federated namespaced=%v, want false, true", ns.Namespaced, ns.FederatedNamespaced())
	}
	deploy, err := l.GoType("k8s.io/api/apps/v1.Deployment")
	if err != nil {
		t.Fatal(err)
	}
	if deploy.Resource() != "deployments.apps" || !deploy.Scalable || deploy.ShortNames[0] != "deploy" {
		t.Errorf("deployment: resource=%s scalable=%v short names=%v", deploy.Resource(), deploy.Scalable, deploy.ShortNames)
	}
	if deploy.Status == nil || deploy.Status.Name.String() != "k8s.io/api/apps/v1.DeploymentStatus" {
		t.Errorf("deployment status type = %v, want k8s.io/api/apps/v1.DeploymentStatus", deploy.Status)
	}
	cm, err := l.Builtin("configmaps")
	if err != nil {
		t.Fatal(err)
	}
	if cm.Status != nil {
		t.Errorf("configmap status type = %v, want none", cm.Status)
	}
}

func TestBadGoTypes(t *testing.T) {
	tests := []struct{ ref, want string }{
		{testdata + "bad.NotAStruct", "is a Alias, not a struct"},
		{testdata + "bad.NoMeta", "has no embedded metav1.ObjectMeta"},
		{testdata + "bad.WithChan", "field Spec.Events has type chan int"},
		{testdata + "bad.BadScope", "scope must be Namespaced or Cluster"},
		{testdata + "bad.Missing", "has no type Missing"},
		{"example.com/not/there.Thing", "load Go package example.com/not/there"},
		{"Deployment", "want import/path.TypeName"},
	}
	l := loader(t)
	for _, tt := range tests {
		t.Run(tt.ref, func(t *testing.T) {
			_, err := l.GoType(tt.ref)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got error %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestPackageWithoutMarkers(t *testing.T) {
	_, err := loader(t).Package("k8s.io/api/core/v1")
	if err == nil || !strings.Contains(err.Error(), "no type carries the +kubefed:federate marker") {
		t.Fatalf("got %v", err)
	}
}

// TestPackageMetAsImport asks for a package that was loaded only as an import of
// others: it must come with all its types, not only those its importers use.
func TestPackageMetAsImport(t *testing.T) {
	pkg, err := loader(t).load(metav1Pkg)
	if err != nil {
		t.Fatal(err)
	}
	if pkg.Types["APIResourceList"] == nil {
		t.Errorf("%s has only the types its importers use, %d of them", metav1Pkg, len(pkg.Types))
	}
}
