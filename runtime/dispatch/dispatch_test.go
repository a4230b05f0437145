package dispatch

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	fedv1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/types/v1beta1"
	"github.com/kubefed-gen/kubefed/runtime/desired"
	"github.com/kubefed-gen/kubefed/runtime/drift/drifttest"
	"github.com/kubefed-gen/kubefed/test/clusters"
)

// member is one real API server for every test of this package; memberConfig
// reaches it.
var (
	member       Member
	memberConfig *rest.Config
)

func TestMain(m *testing.M) {
	set, err := clusters.Start(clusters.Options{})
	if err != nil {
		panic(err)
	}
	memberConfig = set.Host.Config
	c, err := client.New(set.Host.Config, client.Options{Scheme: clientgoscheme.Scheme})
	if err != nil {
		panic(err)
	}
	// No cache here: Client and Reader both read the API server.
	member = Member{Name: drifttest.Cluster, Client: c, Reader: c, Origin: "host-uid/" + drifttest.Cluster}
	code := m.Run()
	if err := set.Stop(); err != nil {
		panic(err)
	}
	os.Exit(code)
}

// writes counts the member writes of a Dispatcher by verb.
type writes struct {
	mu    sync.Mutex
	verbs []string
}

func (w *writes) dispatcher() *Dispatcher {
	return &Dispatcher{Versions: NewVersions(), Observe: func(_, verb string, _ time.Duration, err error) {
		w.mu.Lock()
		defer w.mu.Unlock()
		if err == nil {
			w.verbs = append(w.verbs, verb)
		}
	}}
}

func (w *writes) take() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := w.verbs
	w.verbs = nil
	return out
}

// TestEnsureOverDriftTable puts each case's member object in place, as a former
// write of the same desired object would have left it (managed, same desired
// hash), and checks that Ensure writes exactly when the shared table says the
// member differs.
func TestEnsureOverDriftTable(t *testing.T) {
	ctx := context.Background()
	for i, tc := range drifttest.Cases(t) {
		t.Run(tc.Name, func(t *testing.T) {
			ns := namespace(t, i)
			target := typed(t, tc.TargetObject(), ns)
			want, err := desired.Object(target, tc.OverrideItems(), drifttest.Cluster)
			if err != nil {
				t.Fatal(err)
			}
			managed, err := withManagedMetadata(want, member.Origin, Apply)
			if err != nil {
				t.Fatal(err)
			}
			existing := typed(t, tc.MemberObject(), ns)
			existing.SetUID("")
			existing.SetResourceVersion("")
			existing.SetGeneration(0)
			existing.SetLabels(with(existing.GetLabels(), fedv1beta1.ManagedLabel, "true"))
			existing.SetAnnotations(with(with(existing.GetAnnotations(), fedv1beta1.DesiredHashAnnotation,
				managed.GetAnnotations()[fedv1beta1.DesiredHashAnnotation]), fedv1beta1.OriginAnnotation, member.Origin))
			if err := member.Client.Create(ctx, existing); err != nil {
				t.Fatal(err)
			}
			var w writes
			if out := w.dispatcher().Ensure(ctx, member, want, true, Apply); out.Status != fedv1beta1.ClusterPropagationOK {
				t.Fatalf("ensure: %+v", out)
			}
			got := w.take()
			if drifted := len(tc.Diff) > 0; drifted != slices.Contains(got, "update") {
				t.Errorf("member writes %v; the table says drift %v", got, tc.Diff)
			}
		})
	}
}

func TestEnsureCreatesOnceAndCorrectsDrift(t *testing.T) {
	ctx := context.Background()
	ns := namespace(t, 100)
	var w writes
	d := w.dispatcher()
	cm := configMap(ns, map[string]string{"k": "v"})
	if out := d.Ensure(ctx, member, cm, false, Apply); out.Status != fedv1beta1.ClusterPropagationOK {
		t.Fatalf("create: %+v", out)
	}
	if out := d.Ensure(ctx, member, cm, false, Apply); out.Status != fedv1beta1.ClusterPropagationOK {
		t.Fatalf("second ensure: %+v", out)
	}
	if got := w.take(); !slices.Equal(got, []string{"create"}) {
		t.Errorf("writes %v, want one create and nothing for the unchanged second ensure", got)
	}
	actual := &corev1.ConfigMap{}
	if err := member.Reader.Get(ctx, client.ObjectKeyFromObject(cm), actual); err != nil {
		t.Fatal(err)
	}
	if actual.Labels[fedv1beta1.ManagedLabel] != "true" || actual.Annotations[fedv1beta1.DesiredHashAnnotation] == "" {
		t.Errorf("member object lacks the managed label or desired hash: %v %v", actual.Labels, actual.Annotations)
	}
	// Someone edits the member: the next ensure puts the desired value back.
	actual.Data["k"] = "edited"
	if err := member.Client.Update(ctx, actual); err != nil {
		t.Fatal(err)
	}
	if out := d.Ensure(ctx, member, cm, false, Apply); out.Status != fedv1beta1.ClusterPropagationOK {
		t.Fatalf("ensure after drift: %+v", out)
	}
	if got := w.take(); !slices.Contains(got, "update") {
		t.Errorf("writes %v, want an update correcting the drift", got)
	}
	if err := member.Reader.Get(ctx, client.ObjectKeyFromObject(cm), actual); err != nil {
		t.Fatal(err)
	}
	if actual.Data["k"] != "v" {
		t.Errorf("data %v after correcting drift, want k=v", actual.Data)
	}
}

func TestEnsureAdoption(t *testing.T) {
	ctx := context.Background()
	ns := namespace(t, 101)
	theirs := configMap(ns, map[string]string{"k": "theirs"})
	if err := member.Client.Create(ctx, theirs.DeepCopy()); err != nil {
		t.Fatal(err)
	}
	var w writes
	d := w.dispatcher()
	ours := configMap(ns, map[string]string{"k": "ours"})
	if out := d.Ensure(ctx, member, ours, false, Apply); out.Status != fedv1beta1.AlreadyExists {
		t.Errorf("ensure without adoption: %+v, want AlreadyExists", out)
	}
	if got := w.take(); len(got) != 0 {
		t.Errorf("writes %v without adoption, want none", got)
	}
	if out := d.Ensure(ctx, member, ours, true, Apply); out.Status != fedv1beta1.ClusterPropagationOK {
		t.Errorf("ensure with adoption: %+v", out)
	}
	actual := &corev1.ConfigMap{}
	if err := member.Reader.Get(ctx, client.ObjectKeyFromObject(ours), actual); err != nil {
		t.Fatal(err)
	}
	if actual.Data["k"] != "ours" || actual.Labels[fedv1beta1.ManagedLabel] != "true" {
		t.Errorf("adopted object: data %v labels %v", actual.Data, actual.Labels)
	}
}

func TestRemoveDeletesOnlyManagedObjects(t *testing.T) {
	ctx := context.Background()
	ns := namespace(t, 102)
	var w writes
	d := w.dispatcher()
	managed := configMap(ns, map[string]string{"k": "v"})
	if out := d.Ensure(ctx, member, managed, false, Apply); out.Status != fedv1beta1.ClusterPropagationOK {
		t.Fatalf("create: %+v", out)
	}
	gone, out := d.Remove(ctx, member, managed)
	if gone || out.Status != fedv1beta1.WaitingForRemoval {
		// ConfigMaps have no finalizers, but the first call only issues the delete.
		t.Logf("remove: gone=%v %+v", gone, out)
	}
	if err := member.Reader.Get(ctx, client.ObjectKeyFromObject(managed), &corev1.ConfigMap{}); !apierrors.IsNotFound(err) {
		t.Errorf("managed object after remove: %v, want not found", err)
	}

	unmanaged := configMap(ns, map[string]string{"k": "v"})
	unmanaged.Name = "not-ours"
	if err := member.Client.Create(ctx, unmanaged.DeepCopy()); err != nil {
		t.Fatal(err)
	}
	w.take()
	if gone, out := d.Remove(ctx, member, unmanaged); !gone || out.Status != fedv1beta1.ClusterPropagationOK {
		t.Errorf("remove of an unmanaged object: gone=%v %+v, want done without touching it", gone, out)
	}
	if got := w.take(); len(got) != 0 {
		t.Errorf("writes %v removing an unmanaged object, want none", got)
	}
	if err := member.Reader.Get(ctx, client.ObjectKeyFromObject(unmanaged), &corev1.ConfigMap{}); err != nil {
		t.Errorf("unmanaged object after remove: %v, want it left in place", err)
	}
}

func TestOrphanReleasesTheObject(t *testing.T) {
	ctx := context.Background()
	ns := namespace(t, 103)
	d := (&writes{}).dispatcher()
	cm := configMap(ns, map[string]string{"k": "v"})
	if out := d.Ensure(ctx, member, cm, false, Apply); out.Status != fedv1beta1.ClusterPropagationOK {
		t.Fatalf("create: %+v", out)
	}
	if out := d.Orphan(ctx, member, cm); out.Status != fedv1beta1.ClusterPropagationOK {
		t.Fatalf("orphan: %+v", out)
	}
	actual := &corev1.ConfigMap{}
	if err := member.Reader.Get(ctx, client.ObjectKeyFromObject(cm), actual); err != nil {
		t.Fatalf("orphaned object: %v, want it left in place", err)
	}
	if _, ok := actual.Labels[fedv1beta1.ManagedLabel]; ok {
		t.Errorf("orphaned object still labelled managed: %v", actual.Labels)
	}
	if _, ok := actual.Annotations[fedv1beta1.DesiredHashAnnotation]; ok {
		t.Errorf("orphaned object still has the desired hash: %v", actual.Annotations)
	}
}

func namespace(t *testing.T, i int) string {
	t.Helper()
	name := "dispatch-" + strconv.Itoa(i)
	if err := member.Client.Create(context.Background(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	return name
}

func configMap(ns string, data map[string]string) *corev1.ConfigMap {
	return &corev1.ConfigMap{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: metav1.ObjectMeta{Name: "app", Namespace: ns},
		Data:       data,
	}
}

func typed(t *testing.T, u *unstructured.Unstructured, ns string) client.Object {
	t.Helper()
	o := drifttest.Typed(t, u)
	o.SetNamespace(ns)
	return o
}

func with(m map[string]string, k, v string) map[string]string {
	out := maps.Clone(m)
	if out == nil {
		out = map[string]string{}
	}
	out[k] = v
	return out
}

// TestForeignObjectsAreNeverTouched: an object written by another federation (or
// for another name of this cluster) is reported, never updated, deleted or
// orphaned.
func TestForeignObjectsAreNeverTouched(t *testing.T) {
	ctx := context.Background()
	ns := namespace(t, 104)
	other := member
	other.Origin = "another-host/" + member.Name
	var w writes
	theirs := configMap(ns, map[string]string{"k": "theirs"})
	if out := w.dispatcher().Ensure(ctx, other, theirs, false, Apply); out.Status != fedv1beta1.ClusterPropagationOK {
		t.Fatalf("create by the other federation: %+v", out)
	}
	w.take()
	d := w.dispatcher()
	ours := configMap(ns, map[string]string{"k": "ours"})
	for _, adopt := range []bool{false, true} {
		if out := d.Ensure(ctx, member, ours, adopt, Apply); out.Status != fedv1beta1.AlreadyExists || !strings.Contains(out.Message, "another-host") {
			t.Errorf("ensure (adopt %v) over another federation's object: %+v, want AlreadyExists naming its origin", adopt, out)
		}
	}
	if gone, out := d.Remove(ctx, member, ours); !gone || out.Status != fedv1beta1.ClusterPropagationOK {
		t.Errorf("remove: gone=%v %+v", gone, out)
	}
	if out := d.Orphan(ctx, member, ours); out.Status != fedv1beta1.ClusterPropagationOK {
		t.Errorf("orphan: %+v", out)
	}
	if got := w.take(); len(got) != 0 {
		t.Errorf("writes %v to another federation's object, want none", got)
	}
	actual := &corev1.ConfigMap{}
	if err := member.Reader.Get(ctx, client.ObjectKeyFromObject(theirs), actual); err != nil {
		t.Fatalf("the other federation's object: %v, want it in place", err)
	}
	if actual.Data["k"] != "theirs" || actual.Labels[fedv1beta1.ManagedLabel] != "true" || actual.Annotations[fedv1beta1.OriginAnnotation] != other.Origin {
		t.Errorf("the other federation's object was changed: data %v labels %v annotations %v", actual.Data, actual.Labels, actual.Annotations)
	}
}

// TestCopiedLabelIsNotOwnership: an object labelled managed by hand (no origin)
// is taken over only with adoption, and never deleted or orphaned before that.
func TestCopiedLabelIsNotOwnership(t *testing.T) {
	ctx := context.Background()
	ns := namespace(t, 105)
	labelled := configMap(ns, map[string]string{"k": "by hand"})
	labelled.Labels = map[string]string{fedv1beta1.ManagedLabel: "true"}
	if err := member.Client.Create(ctx, labelled.DeepCopy()); err != nil {
		t.Fatal(err)
	}
	var w writes
	d := w.dispatcher()
	ours := configMap(ns, map[string]string{"k": "ours"})
	if out := d.Ensure(ctx, member, ours, false, Apply); out.Status != fedv1beta1.AlreadyExists {
		t.Errorf("ensure without adoption: %+v, want AlreadyExists", out)
	}
	if gone, out := d.Remove(ctx, member, ours); !gone || out.Status != fedv1beta1.ClusterPropagationOK {
		t.Errorf("remove: gone=%v %+v", gone, out)
	}
	if got := w.take(); len(got) != 0 {
		t.Errorf("writes %v to a hand-labelled object without adoption, want none", got)
	}
	actual := &corev1.ConfigMap{}
	if err := member.Reader.Get(ctx, client.ObjectKeyFromObject(ours), actual); err != nil || actual.Data["k"] != "by hand" {
		t.Fatalf("hand-labelled object after ensure and remove: %v %v, want it untouched", actual.Data, err)
	}
	if out := d.Ensure(ctx, member, ours, true, Apply); out.Status != fedv1beta1.ClusterPropagationOK {
		t.Fatalf("ensure with adoption: %+v", out)
	}
	if err := member.Reader.Get(ctx, client.ObjectKeyFromObject(ours), actual); err != nil {
		t.Fatal(err)
	}
	if actual.Data["k"] != "ours" || actual.Annotations[fedv1beta1.OriginAnnotation] != member.Origin {
		t.Errorf("adopted object: data %v annotations %v, want our data and origin", actual.Data, actual.Annotations)
	}
}

// TestFailedReportsTimeouts checks that writes a member did not answer in time get
// KubeFed's *TimedOut reasons, and other failures keep theirs.
func TestFailedReportsTimeouts(t *testing.T) {
	deadline := &url.Error{Op: "Post", URL: "https://member/api", Err: context.DeadlineExceeded}
	gr := schema.GroupResource{Resource: "configmaps"}
	for _, tc := range []struct {
		status fedv1beta1.PropagationStatus
		err    error
		want   fedv1beta1.PropagationStatus
	}{
		{fedv1beta1.CreationFailed, fmt.Errorf("create: %w", deadline), fedv1beta1.CreationTimedOut},
		{fedv1beta1.UpdateFailed, fmt.Errorf("apply: %w", apierrors.NewTimeoutError("slow", 1)), fedv1beta1.UpdateTimedOut},
		{fedv1beta1.DeletionFailed, apierrors.NewServerTimeout(gr, "delete", 1), fedv1beta1.DeletionTimedOut},
		{fedv1beta1.CreationFailed, apierrors.NewForbidden(gr, "x", errors.New("no")), fedv1beta1.CreationFailed},
		{fedv1beta1.UpdateFailed, errors.New("connection refused"), fedv1beta1.UpdateFailed},
		// Reads have no *TimedOut reason of KubeFed's.
		{fedv1beta1.CachedRetrievalFailed, deadline, fedv1beta1.CachedRetrievalFailed},
	} {
		if got := failed(tc.status, tc.err); got.Status != tc.want || got.Message != tc.err.Error() {
			t.Errorf("failed(%s, %v) = %+v, want status %s", tc.status, tc.err, got, tc.want)
		}
	}
}

// TestRemoveRightAfterCreate: a cache that has not seen a fresh create yet must
// not make removal believe the object is gone.
func TestRemoveRightAfterCreate(t *testing.T) {
	ctx := context.Background()
	ns := namespace(t, 106)
	real, err := client.NewWithWatch(memberConfig, client.Options{Scheme: clientgoscheme.Scheme})
	if err != nil {
		t.Fatal(err)
	}
	lagging := member
	lagging.Client = interceptor.NewClient(real, interceptor.Funcs{
		Get: func(ctx context.Context, c client.WithWatch, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
			return apierrors.NewNotFound(schema.GroupResource{Resource: "configmaps"}, key.Name) // the cache lags
		},
	})
	d := (&writes{}).dispatcher()
	for _, orphan := range []bool{false, true} {
		cm := configMap(ns, map[string]string{"k": "v"})
		cm.Name = fmt.Sprintf("fresh-%v", orphan)
		if out := d.Ensure(ctx, lagging, cm, false, Apply); out.Status != fedv1beta1.ClusterPropagationOK {
			t.Fatalf("create: %+v", out)
		}
		actual := &corev1.ConfigMap{}
		if orphan {
			if out := d.Orphan(ctx, lagging, cm); out.Status != fedv1beta1.ClusterPropagationOK {
				t.Fatalf("orphan: %+v", out)
			}
			if err := member.Reader.Get(ctx, client.ObjectKeyFromObject(cm), actual); err != nil || actual.Labels[fedv1beta1.ManagedLabel] != "" {
				t.Errorf("orphaned right after its create: labels %v, err %v; want it in place without the managed label", actual.Labels, err)
			}
			continue
		}
		d.Remove(ctx, lagging, cm)
		if err := member.Reader.Get(ctx, client.ObjectKeyFromObject(cm), actual); !apierrors.IsNotFound(err) {
			t.Errorf("removed right after its create: %v, want it deleted", err)
		}
	}
}

// TestReleaseStray: a stray managed label without an origin is removed; objects
// with an origin, ours or another federation's, are left alone.
func TestReleaseStray(t *testing.T) {
	ctx := context.Background()
	ns := namespace(t, 107)
	d := (&writes{}).dispatcher()
	byHand := configMap(ns, map[string]string{"k": "v"})
	byHand.Name, byHand.Labels = "by-hand", map[string]string{fedv1beta1.ManagedLabel: "true"}
	theirs := configMap(ns, map[string]string{"k": "v"})
	theirs.Name = "theirs"
	other := member
	other.Origin = "another-host/" + member.Name
	if err := member.Client.Create(ctx, byHand.DeepCopy()); err != nil {
		t.Fatal(err)
	}
	if out := d.Ensure(ctx, other, theirs, false, Apply); out.Status != fedv1beta1.ClusterPropagationOK {
		t.Fatalf("create by another federation: %+v", out)
	}
	for _, obj := range []*corev1.ConfigMap{byHand, theirs} {
		if out := d.ReleaseStray(ctx, member, obj); out.Status != fedv1beta1.ClusterPropagationOK {
			t.Fatalf("release %s: %+v", obj.Name, out)
		}
	}
	for _, tc := range []struct {
		obj     *corev1.ConfigMap
		managed bool
	}{{byHand, false}, {theirs, true}} {
		actual := &corev1.ConfigMap{}
		if err := member.Reader.Get(ctx, client.ObjectKeyFromObject(tc.obj), actual); err != nil {
			t.Fatal(err)
		}
		if got := actual.Labels[fedv1beta1.ManagedLabel] == "true"; got != tc.managed {
			t.Errorf("%s labelled managed: %v, want %v", tc.obj.Name, got, tc.managed)
		}
	}
}
