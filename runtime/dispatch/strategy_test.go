package dispatch

import (
	"context"
	"maps"
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	fedv1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/types/v1beta1"
)

// coOwner is a field manager other than federation's that writes member
// objects, as an autoscaler or a user's kubectl would.
const coOwner = "autoscaler"

// applyAs writes the fields of u with server-side apply as field manager coOwner.
func applyAs(t *testing.T, u *unstructured.Unstructured) {
	t.Helper()
	err := member.Client.Apply(context.Background(), client.ApplyConfigurationFromUnstructured(u), client.ForceOwnership, client.FieldOwner(coOwner))
	if err != nil {
		t.Fatalf("apply as %s: %v", coOwner, err)
	}
}

func getConfigMap(t *testing.T, key client.ObjectKey) *corev1.ConfigMap {
	t.Helper()
	cm := &corev1.ConfigMap{}
	if err := member.Reader.Get(context.Background(), key, cm); err != nil {
		t.Fatal(err)
	}
	return cm
}

// editByHand adds a data key, a label and a label of Kubernetes' own prefix to
// the member object with an update, as kubectl edit does, and a data key with
// server-side apply as coOwner.
func editByHand(t *testing.T, key client.ObjectKey) {
	t.Helper()
	cm := getConfigMap(t, key)
	cm.Data["by-hand"] = "x"
	cm.Labels["team"] = "x"
	cm.Labels["example.kubernetes.io/zone"] = "a"
	if err := member.Client.Update(context.Background(), cm, client.FieldOwner("kubectl-edit")); err != nil {
		t.Fatal(err)
	}
	u := &unstructured.Unstructured{Object: map[string]any{"data": map[string]any{"scale": "5"}}}
	u.SetAPIVersion("v1")
	u.SetKind("ConfigMap")
	u.SetNamespace(key.Namespace)
	u.SetName(key.Name)
	applyAs(t, u)
}

// TestReplaceRemovesWhatOthersAdded: under Apply fields others add stay; under
// Replace they go (except Kubernetes' own labels), in place, and once the
// member holds the desired object no further write is made, neither by the
// same dispatcher nor by a new one (as after a restart).
func TestReplaceRemovesWhatOthersAdded(t *testing.T) {
	ctx := context.Background()
	ns := namespace(t, 200)
	var w writes
	d := w.dispatcher()
	cm := configMap(ns, map[string]string{"color": "blue"})
	key := client.ObjectKeyFromObject(cm)
	if out := d.Ensure(ctx, member, cm, false, Apply); out.Status != fedv1beta1.ClusterPropagationOK {
		t.Fatalf("create: %+v", out)
	}
	uid := getConfigMap(t, key).UID
	editByHand(t, key)
	w.take()

	if out := d.Ensure(ctx, member, cm, false, Apply); out.Status != fedv1beta1.ClusterPropagationOK {
		t.Fatalf("ensure under Apply: %+v", out)
	}
	if got := w.take(); len(got) != 0 {
		t.Errorf("writes %v under Apply after others added fields, want none", got)
	}
	if data := getConfigMap(t, key).Data; data["by-hand"] != "x" || data["scale"] != "5" {
		t.Errorf("under Apply the member's data is %v, want the added keys kept", data)
	}
	others, err := OtherManagers(getConfigMap(t, key))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(others, func(m ManagerFields) bool {
		return m.Manager == coOwner && slices.Equal(m.Fields, []string{".data.scale"})
	}) {
		t.Errorf("other managers %+v, want %s owning .data.scale", others, coOwner)
	}

	if out := d.Ensure(ctx, member, cm, false, Replace); out.Status != fedv1beta1.ClusterPropagationOK {
		t.Fatalf("ensure under Replace: %+v", out)
	}
	if got := w.take(); !slices.Equal(got, []string{"update"}) {
		t.Errorf("writes %v under Replace, want one update", got)
	}
	replaced := getConfigMap(t, key)
	if !maps.Equal(replaced.Data, cm.Data) {
		t.Errorf("under Replace the member's data is %v, want exactly %v", replaced.Data, cm.Data)
	}
	if _, ok := replaced.Labels["team"]; ok {
		t.Errorf("under Replace the label added by hand is kept: %v", replaced.Labels)
	}
	if replaced.Labels["example.kubernetes.io/zone"] != "a" || replaced.Labels[fedv1beta1.ManagedLabel] != "true" {
		t.Errorf("labels %v, want the managed label and Kubernetes' own label kept", replaced.Labels)
	}
	if replaced.UID != uid {
		t.Errorf("the member object was created again (uid %s, was %s); Replace updates in place", replaced.UID, uid)
	}

	rv := replaced.ResourceVersion
	for _, dispatcher := range []*Dispatcher{d, w.dispatcher()} {
		if out := dispatcher.Ensure(ctx, member, cm, false, Replace); out.Status != fedv1beta1.ClusterPropagationOK {
			t.Fatalf("resync under Replace: %+v", out)
		}
	}
	if got := w.take(); len(got) != 0 {
		t.Errorf("writes %v on resync after Replace converged, want none", got)
	}
	if now := getConfigMap(t, key).ResourceVersion; now != rv {
		t.Errorf("resourceVersion %s after resync, was %s: the member was written", now, rv)
	}

	// A co-owner writing again is drift under Replace.
	editByHand(t, key)
	if out := d.Ensure(ctx, member, cm, false, Replace); out.Status != fedv1beta1.ClusterPropagationOK {
		t.Fatalf("ensure under Replace after a new edit: %+v", out)
	}
	if got := w.take(); !slices.Equal(got, []string{"update"}) {
		t.Errorf("writes %v, want one update removing the new edit", got)
	}
	if data := getConfigMap(t, key).Data; !maps.Equal(data, cm.Data) {
		t.Errorf("data %v, want exactly %v", data, cm.Data)
	}
}

// TestReplaceKeepsServerFields: fields the API server defaults and allocates
// (a Service's cluster IP, a Deployment's defaults) survive Replace and cause no
// further write; a field another manager set with server-side apply
// (replicas, as an autoscaler sets them) is kept under Apply and removed
// under Replace.
func TestReplaceKeepsServerFields(t *testing.T) {
	ctx := context.Background()
	ns := namespace(t, 201)
	var w writes
	d := w.dispatcher()

	svc := &corev1.Service{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: ns},
		Spec:       corev1.ServiceSpec{Ports: []corev1.ServicePort{{Port: 80}}, Selector: map[string]string{"app": "web"}},
	}
	if out := d.Ensure(ctx, member, svc, false, Replace); out.Status != fedv1beta1.ClusterPropagationOK {
		t.Fatalf("create service: %+v", out)
	}
	created := &corev1.Service{}
	if err := member.Reader.Get(ctx, client.ObjectKeyFromObject(svc), created); err != nil {
		t.Fatal(err)
	}
	created.Labels["team"] = "x"
	if err := member.Client.Update(ctx, created, client.FieldOwner("kubectl-edit")); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if out := d.Ensure(ctx, member, svc, false, Replace); out.Status != fedv1beta1.ClusterPropagationOK {
			t.Fatalf("replace service: %+v", out)
		}
	}
	if got := w.take(); !slices.Equal(got, []string{"create", "update"}) {
		t.Errorf("writes %v, want a create, one update removing the label, and nothing on resync", got)
	}
	replaced := &corev1.Service{}
	if err := member.Reader.Get(ctx, client.ObjectKeyFromObject(svc), replaced); err != nil {
		t.Fatal(err)
	}
	if replaced.Spec.ClusterIP == "" || replaced.Spec.ClusterIP != created.Spec.ClusterIP {
		t.Errorf("cluster IP %q after Replace, was %q: allocated fields must be kept", replaced.Spec.ClusterIP, created.Spec.ClusterIP)
	}
	if _, ok := replaced.Labels["team"]; ok {
		t.Errorf("labels %v, want the label added by hand removed", replaced.Labels)
	}

	deploy := &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: ns},
		Spec: appsv1.DeploymentSpec{
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "web"}},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "web", Image: "nginx", Ports: []corev1.ContainerPort{{ContainerPort: 80}}}}},
			},
		},
	}
	key := client.ObjectKeyFromObject(deploy)
	replicas := func() int32 {
		t.Helper()
		got := &appsv1.Deployment{}
		if err := member.Reader.Get(ctx, key, got); err != nil {
			t.Fatal(err)
		}
		return ptr.Deref(got.Spec.Replicas, -1)
	}
	if out := d.Ensure(ctx, member, deploy, false, Apply); out.Status != fedv1beta1.ClusterPropagationOK {
		t.Fatalf("create deployment: %+v", out)
	}
	scale := &unstructured.Unstructured{Object: map[string]any{"spec": map[string]any{"replicas": int64(5)}}}
	scale.SetAPIVersion("apps/v1")
	scale.SetKind("Deployment")
	scale.SetNamespace(ns)
	scale.SetName(deploy.Name)
	applyAs(t, scale)
	w.take()
	if out := d.Ensure(ctx, member, deploy, false, Apply); out.Status != fedv1beta1.ClusterPropagationOK {
		t.Fatalf("ensure deployment under Apply: %+v", out)
	}
	if got, n := w.take(), replicas(); len(got) != 0 || n != 5 {
		t.Errorf("under Apply: writes %v and %d replicas, want none and the co-owner's 5", got, n)
	}
	for range 2 {
		if out := d.Ensure(ctx, member, deploy, false, Replace); out.Status != fedv1beta1.ClusterPropagationOK {
			t.Fatalf("ensure deployment under Replace: %+v", out)
		}
	}
	if got, n := w.take(), replicas(); !slices.Equal(got, []string{"update"}) || n != 1 {
		t.Errorf("under Replace: writes %v and %d replicas, want one update and the default 1", got, n)
	}
	if out := w.dispatcher().Ensure(ctx, member, deploy, false, Replace); out.Status != fedv1beta1.ClusterPropagationOK {
		t.Fatalf("ensure deployment under Replace by a new dispatcher: %+v", out)
	}
	if got := w.take(); len(got) != 0 {
		t.Errorf("writes %v by a new dispatcher after Replace converged, want none (server defaults are not drift)", got)
	}
}

// TestCreateOnlyNeverUpdates: CreateOnly creates a missing object, then never
// updates it, adopts nothing, and removal deletes it as usual.
func TestCreateOnlyNeverUpdates(t *testing.T) {
	ctx := context.Background()
	ns := namespace(t, 202)
	var w writes
	d := w.dispatcher()
	cm := configMap(ns, map[string]string{"color": "blue"})
	key := client.ObjectKeyFromObject(cm)
	if out := d.Ensure(ctx, member, cm, true, CreateOnly); out.Status != fedv1beta1.ClusterPropagationOK {
		t.Fatalf("create: %+v", out)
	}
	changed := configMap(ns, map[string]string{"color": "red"})
	editByHand(t, key)
	rv := getConfigMap(t, key).ResourceVersion
	w.take()
	for _, dispatcher := range []*Dispatcher{d, w.dispatcher()} {
		if out := dispatcher.Ensure(ctx, member, changed, true, CreateOnly); out.Status != fedv1beta1.ClusterPropagationOK {
			t.Fatalf("ensure with a changed template: %+v", out)
		}
	}
	if got := w.take(); len(got) != 0 {
		t.Errorf("writes %v under CreateOnly after a template change and an edit, want none", got)
	}
	if got := getConfigMap(t, key); got.ResourceVersion != rv || got.Data["color"] != "blue" {
		t.Errorf("member object changed under CreateOnly: resourceVersion %s (was %s), data %v", got.ResourceVersion, rv, got.Data)
	}

	unmanaged := configMap(ns, map[string]string{"color": "theirs"})
	unmanaged.Name = "theirs"
	if err := member.Client.Create(ctx, unmanaged.DeepCopy()); err != nil {
		t.Fatal(err)
	}
	ours := unmanaged.DeepCopy()
	ours.Data = map[string]string{"color": "ours"}
	if out := d.Ensure(ctx, member, ours, true, CreateOnly); out.Status != fedv1beta1.AlreadyExists || !strings.Contains(out.Message, "CreateOnly") {
		t.Errorf("ensure over an unmanaged object: %+v, want AlreadyExists naming CreateOnly", out)
	}
	if got := getConfigMap(t, client.ObjectKeyFromObject(unmanaged)); got.Data["color"] != "theirs" || got.Labels[fedv1beta1.ManagedLabel] != "" {
		t.Errorf("an unmanaged object was adopted under CreateOnly: data %v labels %v", got.Data, got.Labels)
	}

	if gone, out := d.Remove(ctx, member, cm); !gone {
		t.Logf("remove: %+v", out)
	}
	if err := member.Reader.Get(ctx, key, &corev1.ConfigMap{}); !apierrors.IsNotFound(err) {
		t.Errorf("object created under CreateOnly after remove: %v, want deleted", err)
	}
}

// TestReadOnlyNeverWrites: ReadOnly reports a missing object and one that
// differs, and never creates or updates.
func TestReadOnlyNeverWrites(t *testing.T) {
	ctx := context.Background()
	ns := namespace(t, 203)
	var w writes
	d := w.dispatcher()
	cm := configMap(ns, map[string]string{"color": "blue"})
	key := client.ObjectKeyFromObject(cm)
	if out := d.Ensure(ctx, member, cm, true, ReadOnly); out.Status != fedv1beta1.Missing || !strings.Contains(out.Message, "ReadOnly") {
		t.Errorf("ensure of a missing object: %+v, want Missing naming ReadOnly", out)
	}
	if err := member.Reader.Get(ctx, key, &corev1.ConfigMap{}); !apierrors.IsNotFound(err) {
		t.Errorf("object after ReadOnly ensure: %v, want none created", err)
	}

	byHand := configMap(ns, map[string]string{"color": "green"})
	if err := member.Client.Create(ctx, byHand); err != nil {
		t.Fatal(err)
	}
	out := d.Ensure(ctx, member, cm, true, ReadOnly)
	if out.Status != fedv1beta1.Drifted || !strings.Contains(out.Message, "/data/color") || out.Observed == nil {
		t.Errorf("ensure of a differing object: %+v, want Drifted naming /data/color, with the object observed", out)
	}
	if out := d.Ensure(ctx, member, configMap(ns, map[string]string{"color": "green"}), true, ReadOnly); out.Status != fedv1beta1.ClusterPropagationOK {
		t.Errorf("ensure of an object that holds the desired one: %+v, want OK", out)
	}
	if got := w.take(); len(got) != 0 {
		t.Errorf("writes %v under ReadOnly, want none", got)
	}
	if got := getConfigMap(t, key); got.ResourceVersion != byHand.ResourceVersion || got.Labels[fedv1beta1.ManagedLabel] != "" {
		t.Errorf("object changed under ReadOnly: resourceVersion %s (was %s), labels %v", got.ResourceVersion, byHand.ResourceVersion, got.Labels)
	}
}

// TestNoStrategyTouchesForeignObjects: an object another federation wrote, and
// one labelled managed by hand, are never written under any strategy.
func TestNoStrategyTouchesForeignObjects(t *testing.T) {
	ctx := context.Background()
	ns := namespace(t, 204)
	other := member
	other.Origin = "another-host/" + member.Name
	var w writes
	theirs := configMap(ns, map[string]string{"color": "theirs"})
	theirs.Name = "theirs"
	if out := w.dispatcher().Ensure(ctx, other, theirs, false, Apply); out.Status != fedv1beta1.ClusterPropagationOK {
		t.Fatalf("create by the other federation: %+v", out)
	}
	labelled := configMap(ns, map[string]string{"color": "by hand"})
	labelled.Name = "labelled"
	labelled.Labels = map[string]string{fedv1beta1.ManagedLabel: "true"}
	if err := member.Client.Create(ctx, labelled); err != nil {
		t.Fatal(err)
	}
	before := map[string]string{}
	for _, name := range []string{"theirs", "labelled"} {
		before[name] = getConfigMap(t, client.ObjectKey{Namespace: ns, Name: name}).ResourceVersion
	}
	w.take()
	d := w.dispatcher()
	for _, s := range Strategies {
		for _, name := range []string{"theirs", "labelled"} {
			want := configMap(ns, map[string]string{"color": "ours"})
			want.Name = name
			// Adoption is off for the labelled one: it would take it over.
			adopt := name == "theirs"
			out := d.Ensure(ctx, member, want, adopt, s)
			wantStatus := fedv1beta1.AlreadyExists
			if s == ReadOnly {
				wantStatus = fedv1beta1.Drifted
			}
			if out.Status != wantStatus {
				t.Errorf("%s, %s: %+v, want %s", s, name, out, wantStatus)
			}
			if s.Writes() {
				if gone, out := d.Remove(ctx, member, want); !gone || out.Status != fedv1beta1.ClusterPropagationOK {
					t.Errorf("%s, %s: remove: gone=%v %+v", s, name, gone, out)
				}
			}
		}
	}
	if got := w.take(); len(got) != 0 {
		t.Errorf("writes %v to objects this host did not write, want none", got)
	}
	for name, rv := range before {
		if got := getConfigMap(t, client.ObjectKey{Namespace: ns, Name: name}); got.ResourceVersion != rv {
			t.Errorf("%s was written: resourceVersion %s, was %s (data %v)", name, got.ResourceVersion, rv, got.Data)
		}
	}
}

func TestParseStrategy(t *testing.T) {
	for _, tc := range []struct {
		value string
		want  Strategy
		err   string
	}{
		{"", Apply, ""},
		{"Apply", Apply, ""},
		{"Replace", Replace, ""},
		{"CreateOnly", CreateOnly, ""},
		{"ReadOnly", ReadOnly, ""},
		{"replace", "", `unknown update strategy "replace": use one of Apply, Replace, CreateOnly, ReadOnly`},
	} {
		got, err := ParseStrategy(tc.value)
		if got != tc.want || (err == nil) != (tc.err == "") || (err != nil && err.Error() != tc.err) {
			t.Errorf("ParseStrategy(%q) = %q, %v; want %q, %q", tc.value, got, err, tc.want, tc.err)
		}
	}
}

func TestSystemKey(t *testing.T) {
	for key, want := range map[string]bool{
		"kubernetes.io/name":                true,
		"deployment.kubernetes.io/revision": true,
		"k8s.io/x":                          true,
		"node.k8s.io/x":                     true,
		"team":                              false,
		"example.com/kubernetes.io":         false,
		"notkubernetes.io/x":                false,
	} {
		if got := SystemKey(key); got != want {
			t.Errorf("SystemKey(%q) = %v, want %v", key, got, want)
		}
	}
}

// TestReplaceAfterTheCacheFellBehind: Replace's update is conditional on the
// version read; when the cache shows an older one, the update is decided again
// on what the API server holds, and succeeds.
func TestReplaceAfterTheCacheFellBehind(t *testing.T) {
	ctx := context.Background()
	ns := namespace(t, 205)
	var w writes
	d := w.dispatcher()
	cm := configMap(ns, map[string]string{"color": "blue"})
	key := client.ObjectKeyFromObject(cm)
	if out := d.Ensure(ctx, member, cm, false, Replace); out.Status != fedv1beta1.ClusterPropagationOK {
		t.Fatalf("create: %+v", out)
	}
	editByHand(t, key)
	stale := getConfigMap(t, key)
	// Another write the cache has not seen yet.
	newer := stale.DeepCopy()
	newer.Annotations["note"] = "newer"
	if err := member.Client.Update(ctx, newer, client.FieldOwner("kubectl-annotate")); err != nil {
		t.Fatal(err)
	}
	real, err := client.NewWithWatch(memberConfig, client.Options{Scheme: clientgoscheme.Scheme})
	if err != nil {
		t.Fatal(err)
	}
	lagging := member
	lagging.Client = interceptor.NewClient(real, interceptor.Funcs{
		Get: func(ctx context.Context, c client.WithWatch, k client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
			if k == key {
				stale.DeepCopyInto(obj.(*corev1.ConfigMap))
				return nil
			}
			return c.Get(ctx, k, obj, opts...)
		},
	})
	w.take()
	if out := w.dispatcher().Ensure(ctx, lagging, cm, false, Replace); out.Status != fedv1beta1.ClusterPropagationOK {
		t.Fatalf("ensure with a lagging cache: %+v", out)
	}
	if got := w.take(); !slices.Equal(got, []string{"update"}) {
		t.Errorf("successful writes %v, want one update after the conflict", got)
	}
	if got := getConfigMap(t, key); !maps.Equal(got.Data, cm.Data) || got.Annotations["note"] != "" {
		t.Errorf("data %v annotations %v, want exactly %v and no note", got.Data, got.Annotations, cm.Data)
	}
}
