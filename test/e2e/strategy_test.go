package e2e

import (
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
	"sigs.k8s.io/controller-runtime/pkg/client"

	typesv1beta1 "github.com/kubefed-gen/kubefed/cmd/controller-manager/apis/types/v1beta1"
	"github.com/kubefed-gen/kubefed/cmd/controller-manager/fedtypes"
	corev1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/core/v1beta1"
	fedv1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/types/v1beta1"
	"github.com/kubefed-gen/kubefed/runtime/dispatch"
	"github.com/kubefed-gen/kubefed/runtime/manager"
	"github.com/kubefed-gen/kubefed/runtime/propagation"
	"github.com/kubefed-gen/kubefed/test/federation"
)

// TestUpdateStrategies runs every update strategy against both kinds of sync
// controller for FederatedConfigMaps, typed and dynamic, as
// TestTypedAndDynamicAlike does.
func TestUpdateStrategies(t *testing.T) {
	for _, mode := range []string{"typed", "dynamic"} {
		t.Run(mode, func(t *testing.T) {
			types := fedtypes.Descriptors
			if mode == "dynamic" {
				types = federation.WithoutType("configmaps")
			}
			f := federation.StartWithTypes(t, manager.Options{}, types)
			if mode == "dynamic" {
				f.EnableDynamic(t, federation.TypeInfo(t, "configmaps"))
			}
			s := &strategyEnv{f: f, ns: "strategy"}
			f.FederateNamespace(t, s.ns, "member1", "member2")
			t.Run("Apply keeps fields others add, Replace removes them without further writes", s.applyThenReplace)
			t.Run("CreateOnly does not update after a template change", s.createOnly)
			t.Run("ReadOnly never creates, updates or deletes, and reports", s.readOnly)
			t.Run("objects this host did not write are untouched under every strategy", s.foreign)
			t.Run("an invalid strategy is reported and nothing is written", s.invalid)
			t.Run("the type's strategy applies to objects without their own", s.perType)
		})
	}
}

type strategyEnv struct {
	f  *federation.Federation
	ns string
}

// federated is a FederatedConfigMap of data color=blue placed on clusters,
// with the update strategy annotation when strategy is not empty.
func (s *strategyEnv) federated(t *testing.T, name, strategy string, clusters ...string) *typesv1beta1.FederatedConfigMap {
	t.Helper()
	fcm := &typesv1beta1.FederatedConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: s.ns, Name: name}}
	if strategy != "" {
		fcm.Annotations = map[string]string{fedv1beta1.UpdateStrategyAnnotation: strategy}
	}
	fcm.Spec.Template.Data = map[string]string{"color": "blue"}
	fcm.Spec.Placement = federation.PlacementOn(clusters...)
	if err := s.f.Host.Create(context.Background(), fcm); err != nil {
		t.Fatal(err)
	}
	return fcm
}

func (s *strategyEnv) member(t *testing.T, cluster, name string) *corev1.ConfigMap {
	t.Helper()
	cm := &corev1.ConfigMap{}
	if err := s.f.Members[cluster].Get(context.Background(), client.ObjectKey{Namespace: s.ns, Name: name}, cm); err != nil {
		t.Fatalf("%s in %s: %v", name, cluster, err)
	}
	return cm
}

// waitData waits until the member object's data is exactly want.
func (s *strategyEnv) waitData(t *testing.T, cluster, name string, want map[string]string) {
	t.Helper()
	waitMembers(t, s.f, fmt.Sprintf("data of %s", name), func(m client.Client) error {
		var got corev1.ConfigMap
		if err := m.Get(context.Background(), client.ObjectKey{Namespace: s.ns, Name: name}, &got); err != nil {
			return err
		}
		if !maps.Equal(got.Data, want) {
			return fmt.Errorf("data %v, want %v", got.Data, want)
		}
		return nil
	}, cluster)
}

// editByHand adds a data key with an update, as kubectl edit does, and another
// with server-side apply as an autoscaler or another controller would.
func (s *strategyEnv) editByHand(t *testing.T, cluster, name string) {
	t.Helper()
	ctx := context.Background()
	m := s.f.Members[cluster]
	s.f.Eventually(t, "edit "+name+" by hand", func(ctx context.Context) error {
		var cm corev1.ConfigMap
		if err := m.Get(ctx, client.ObjectKey{Namespace: s.ns, Name: name}, &cm); err != nil {
			return err
		}
		cm.Data["by-hand"] = "x"
		return m.Update(ctx, &cm, client.FieldOwner("kubectl-edit"))
	})
	u := &unstructured.Unstructured{Object: map[string]any{"data": map[string]any{"scale": "5"}}}
	u.SetAPIVersion("v1")
	u.SetKind("ConfigMap")
	u.SetNamespace(s.ns)
	u.SetName(name)
	if err := m.Apply(ctx, client.ApplyConfigurationFromUnstructured(u), client.ForceOwnership, client.FieldOwner("autoscaler")); err != nil {
		t.Fatal(err)
	}
}

// deleteFederated deletes fcm and waits until it is gone.
func (s *strategyEnv) deleteFederated(t *testing.T, fcm *typesv1beta1.FederatedConfigMap) {
	t.Helper()
	if err := s.f.Host.Delete(context.Background(), fcm); err != nil {
		t.Fatal(err)
	}
	s.f.Eventually(t, "federated object gone", func(ctx context.Context) error {
		return expectNotFound(s.f.Host.Get(ctx, client.ObjectKeyFromObject(fcm), &typesv1beta1.FederatedConfigMap{}))
	})
}

// writesDuring counts the writes to a member object while fn runs: the
// resourceVersion changes a watch from its current version sees, and the write
// requests the controller sent to the cluster (an update that changes nothing
// leaves the resourceVersion as it is, but is a request all the same).
func (s *strategyEnv) writesDuring(t *testing.T, cluster, name string, fn func()) int {
	t.Helper()
	requests := func() float64 {
		return metricValue(t, "kubefed_member_writes_total", map[string]string{"cluster": cluster})
	}
	before := requests()
	defer func() {
		if n := requests() - before; n != 0 {
			t.Errorf("the controller sent %v write request(s) to %s, want none", n, cluster)
		}
	}()
	var cfg = s.f.Set.Host.Config
	for _, c := range s.f.Set.Members {
		if c.Name == cluster {
			cfg = c.Config
		}
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	rv := s.member(t, cluster, name).ResourceVersion
	w, err := cs.CoreV1().ConfigMaps(s.ns).Watch(context.Background(), metav1.ListOptions{
		FieldSelector: "metadata.name=" + name, ResourceVersion: rv,
	})
	if err != nil {
		t.Fatal(err)
	}
	fn()
	// A write made during fn is in the watch by the time the API server
	// answers a read that shows it: compare with the version now.
	now := s.member(t, cluster, name).ResourceVersion
	w.Stop()
	var versions []string
	for e := range w.ResultChan() {
		if e.Type == watch.Modified || e.Type == watch.Deleted || e.Type == watch.Added {
			versions = append(versions, e.Object.(metav1.Object).GetResourceVersion())
		}
	}
	if now != rv && len(versions) == 0 {
		t.Errorf("resourceVersion went from %s to %s, but the watch saw no write", rv, now)
		return 1
	}
	return len(versions)
}

func (s *strategyEnv) setAnnotation(t *testing.T, obj client.Object, value string) {
	t.Helper()
	update(t, s.f, obj, func() {
		a := obj.GetAnnotations()
		if a == nil {
			a = map[string]string{}
		}
		if value == "" {
			delete(a, fedv1beta1.UpdateStrategyAnnotation)
		} else {
			a[fedv1beta1.UpdateStrategyAnnotation] = value
		}
		obj.SetAnnotations(a)
	})
}

func (s *strategyEnv) applyThenReplace(t *testing.T) {
	ctx := context.Background()
	name := "apply-then-replace"
	fcm := s.federated(t, name, "", "member1")
	s.f.WaitStatus(t, fcm, map[string]fedv1beta1.PropagationStatus{"member1": ok})
	s.waitData(t, "member1", name, map[string]string{"color": "blue"})
	uid := s.member(t, "member1", name).UID
	s.editByHand(t, "member1", name)

	// Under Apply a template change is written, and the fields others own stay.
	update(t, s.f, fcm, func() { fcm.Spec.Template.Data["color"] = "green" })
	s.waitData(t, "member1", name, map[string]string{"color": "green", "by-hand": "x", "scale": "5"})
	s.f.WaitStatus(t, fcm, map[string]fedv1beta1.PropagationStatus{"member1": ok})

	// kubefedctl status shows who owns them.
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	if err := s.f.Set.WriteKubeconfig(kubeconfig); err != nil {
		t.Fatal(err)
	}
	out, stderr, err := runCtl(ctx, kubeconfig, "status", "configmaps", name, "-n", s.ns)
	if err != nil {
		t.Fatalf("kubefedctl status: %v\n%s", err, stderr)
	}
	for _, want := range []string{"Update strategy:", "Apply (the default)", "autoscaler (Apply): .data.scale", "kubectl-edit (Update): .data.by-hand"} {
		if !strings.Contains(out, want) {
			t.Errorf("kubefedctl status does not say %q:\n%s", want, out)
		}
	}

	// Under Replace they go, in place.
	s.setAnnotation(t, fcm, string(dispatch.Replace))
	s.waitData(t, "member1", name, map[string]string{"color": "green"})
	if got := s.member(t, "member1", name).UID; got != uid {
		t.Errorf("the member object was created again under Replace (uid %s, was %s)", got, uid)
	}
	s.f.WaitStatus(t, fcm, map[string]fedv1beta1.PropagationStatus{"member1": ok})

	// Reconciles after convergence write nothing: the placement changes twice
	// (the status shows each was processed), member1's object stays.
	writes := s.writesDuring(t, "member1", name, func() {
		update(t, s.f, fcm, func() { fcm.Spec.Placement = federation.PlacementOn("member1", "nowhere") })
		s.f.WaitStatus(t, fcm, map[string]fedv1beta1.PropagationStatus{"member1": ok, "nowhere": fedv1beta1.ClusterNotReady})
		update(t, s.f, fcm, func() { fcm.Spec.Placement = federation.PlacementOn("member1") })
		s.f.WaitStatus(t, fcm, map[string]fedv1beta1.PropagationStatus{"member1": ok})
	})
	if writes != 0 {
		t.Errorf("%d write(s) to the member object on resync after Replace converged, want 0", writes)
	}

	// A co-owner writing again is undone.
	s.editByHand(t, "member1", name)
	s.waitData(t, "member1", name, map[string]string{"color": "green"})
	s.deleteFederated(t, fcm)
	waitMembers(t, s.f, "deleted", absent(&corev1.ConfigMap{}, s.ns, name), "member1")
}

func (s *strategyEnv) createOnly(t *testing.T) {
	name := "create-only"
	fcm := s.federated(t, name, string(dispatch.CreateOnly), "member1")
	s.f.WaitStatus(t, fcm, map[string]fedv1beta1.PropagationStatus{"member1": ok})
	s.waitData(t, "member1", name, map[string]string{"color": "blue"})
	writes := s.writesDuring(t, "member1", name, func() {
		update(t, s.f, fcm, func() { fcm.Spec.Template.Data["color"] = "red" })
		s.f.WaitStatus(t, fcm, map[string]fedv1beta1.PropagationStatus{"member1": ok})
	})
	if writes != 0 {
		t.Errorf("%d write(s) to the member object under CreateOnly after a template change, want 0", writes)
	}
	if got := s.member(t, "member1", name).Data; got["color"] != "blue" {
		t.Errorf("data %v under CreateOnly after a template change, want the created blue", got)
	}
	// Removal deletes as usual.
	s.deleteFederated(t, fcm)
	waitMembers(t, s.f, "deleted", absent(&corev1.ConfigMap{}, s.ns, name), "member1")
}

func (s *strategyEnv) readOnly(t *testing.T) {
	ctx := context.Background()
	name := "read-only"
	byHand := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: s.ns, Name: name}, Data: map[string]string{"color": "green"}}
	if err := s.f.Members["member1"].Create(ctx, byHand); err != nil {
		t.Fatal(err)
	}
	var fcm *typesv1beta1.FederatedConfigMap
	writes := s.writesDuring(t, "member1", name, func() {
		fcm = s.federated(t, name, string(dispatch.ReadOnly), "member1", "member2")
		s.f.WaitStatus(t, fcm, map[string]fedv1beta1.PropagationStatus{"member1": fedv1beta1.Drifted, "member2": fedv1beta1.Missing})
		s.f.Eventually(t, "status messages", func(ctx context.Context) error {
			var got typesv1beta1.FederatedConfigMap
			if err := s.f.Host.Get(ctx, client.ObjectKeyFromObject(fcm), &got); err != nil {
				return err
			}
			cond := meta.FindStatusCondition(got.Status.Conditions, fedv1beta1.ConditionPropagation)
			if cond == nil || cond.Status != metav1.ConditionFalse || !strings.Contains(cond.Message, "member1: Drifted") {
				return fmt.Errorf("Propagation condition %+v, want False naming member1: Drifted", cond)
			}
			for _, c := range got.Status.Clusters {
				if c.Name == "member1" && !strings.Contains(c.Message, "/data/color") {
					return fmt.Errorf("member1's message %q does not name /data/color", c.Message)
				}
			}
			return nil
		})
		// Once the template matches, the cluster is OK.
		update(t, s.f, fcm, func() { fcm.Spec.Template.Data["color"] = "green" })
		s.f.WaitStatus(t, fcm, map[string]fedv1beta1.PropagationStatus{"member1": ok, "member2": fedv1beta1.Missing})
		// Leaving the placement and deletion delete nothing.
		update(t, s.f, fcm, func() { fcm.Spec.Placement = federation.PlacementOn("member2") })
		s.f.WaitStatus(t, fcm, map[string]fedv1beta1.PropagationStatus{"member2": fedv1beta1.Missing})
		s.deleteFederated(t, fcm)
	})
	if writes != 0 {
		t.Errorf("%d write(s) to the member object under ReadOnly, want 0", writes)
	}
	if got := s.member(t, "member1", name); got.Labels[fedv1beta1.ManagedLabel] != "" || got.Data["color"] != "green" {
		t.Errorf("member object changed under ReadOnly: labels %v data %v", got.Labels, got.Data)
	}
	waitMembers(t, s.f, "never created", absent(&corev1.ConfigMap{}, s.ns, name), "member2")
}

// foreign: an object another federation wrote is never changed or deleted under
// any strategy; an object labelled managed by hand is not adopted under the
// strategies that never update (CreateOnly, ReadOnly).
func (s *strategyEnv) foreign(t *testing.T) {
	ctx := context.Background()
	type existing struct {
		name, strategy string
		obj            *corev1.ConfigMap
		fcm            *typesv1beta1.FederatedConfigMap
		want           fedv1beta1.PropagationStatus
	}
	var cases []*existing
	for _, st := range dispatch.Strategies {
		lower := strings.ToLower(string(st))
		theirs := &existing{name: "foreign-" + lower, strategy: string(st), want: fedv1beta1.AlreadyExists, obj: &corev1.ConfigMap{
			ObjectMeta: metav1.ObjectMeta{
				Labels:      map[string]string{fedv1beta1.ManagedLabel: "true"},
				Annotations: map[string]string{fedv1beta1.OriginAnnotation: "another-host/member1"},
			},
			Data: map[string]string{"color": "theirs"},
		}}
		if st == dispatch.ReadOnly {
			theirs.want = fedv1beta1.Drifted // read and compared, never written
		}
		cases = append(cases, theirs)
		if !st.Writes() || st == dispatch.CreateOnly {
			labelled := &existing{name: "labelled-" + lower, strategy: string(st), want: theirs.want, obj: &corev1.ConfigMap{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{fedv1beta1.ManagedLabel: "true"}},
				Data:       map[string]string{"color": "by hand"},
			}}
			cases = append(cases, labelled)
		}
	}
	for _, c := range cases {
		c.obj.Namespace, c.obj.Name = s.ns, c.name
		if err := s.f.Members["member1"].Create(ctx, c.obj); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range cases {
		c.fcm = s.federated(t, c.name, c.strategy, "member1")
	}
	for _, c := range cases {
		s.f.WaitStatus(t, c.fcm, map[string]fedv1beta1.PropagationStatus{"member1": c.want})
	}
	// The other federation's objects are never written; a hand-labelled one
	// may lose its stray label when no federated object is behind it (see
	// dispatch.ReleaseStray), but is never adopted or changed otherwise.
	untouched := func(when string) {
		for _, c := range cases {
			got := s.member(t, "member1", c.name)
			switch {
			case strings.HasPrefix(c.name, "foreign-") && got.ResourceVersion != c.obj.ResourceVersion:
				t.Errorf("%s: %s (%s) was written: resourceVersion %s, was %s; labels %v annotations %v data %v",
					when, c.name, c.strategy, got.ResourceVersion, c.obj.ResourceVersion, got.Labels, got.Annotations, got.Data)
			case !maps.Equal(got.Data, c.obj.Data) || got.Annotations[fedv1beta1.OriginAnnotation] != c.obj.Annotations[fedv1beta1.OriginAnnotation]:
				t.Errorf("%s: %s (%s) was changed: annotations %v data %v", when, c.name, c.strategy, got.Annotations, got.Data)
			}
		}
	}
	untouched("while propagated")
	for _, c := range cases {
		s.deleteFederated(t, c.fcm)
	}
	untouched("after deletion")
}

func (s *strategyEnv) invalid(t *testing.T) {
	name := "invalid"
	fcm := s.federated(t, name, "Sometimes", "member1")
	s.f.Eventually(t, "InvalidUpdateStrategy reported", func(ctx context.Context) error {
		var got typesv1beta1.FederatedConfigMap
		if err := s.f.Host.Get(ctx, client.ObjectKeyFromObject(fcm), &got); err != nil {
			return err
		}
		cond := meta.FindStatusCondition(got.Status.Conditions, fedv1beta1.ConditionPropagation)
		if cond == nil || cond.Status != metav1.ConditionFalse || cond.Reason != propagation.ReasonInvalidUpdateStrategy ||
			!strings.Contains(cond.Message, fedv1beta1.UpdateStrategyAnnotation) || !strings.Contains(cond.Message, `"Sometimes"`) {
			return fmt.Errorf("Propagation condition %+v, want False %s naming the annotation and its value", cond, propagation.ReasonInvalidUpdateStrategy)
		}
		return nil
	})
	waitMembers(t, s.f, "nothing written", absent(&corev1.ConfigMap{}, s.ns, name), "member1")
	s.setAnnotation(t, fcm, string(dispatch.Apply))
	s.f.WaitStatus(t, fcm, map[string]fedv1beta1.PropagationStatus{"member1": ok})
	s.waitData(t, "member1", name, map[string]string{"color": "blue"})
	s.deleteFederated(t, fcm)
	waitMembers(t, s.f, "deleted", absent(&corev1.ConfigMap{}, s.ns, name), "member1")
}

// perType: the FederatedTypeConfig's annotation sets the strategy of every
// object of the type that has none of its own.
func (s *strategyEnv) perType(t *testing.T) {
	ctx := context.Background()
	info := federation.TypeInfo(t, "configmaps")
	ftc := &corev1beta1.FederatedTypeConfig{}
	key := client.ObjectKey{Namespace: federation.KubefedNamespace, Name: info.Name}
	if err := s.f.Host.Get(ctx, key, ftc); err != nil {
		// A manager built with the type runs without one.
		ftc = info.TypeConfig(federation.KubefedNamespace, corev1beta1.Enabled)
		if err := s.f.Host.Create(ctx, ftc); err != nil {
			t.Fatal(err)
		}
	}
	s.setAnnotation(t, ftc, string(dispatch.ReadOnly))
	defer s.setAnnotation(t, ftc, "")
	name := "per-type"
	fcm := s.federated(t, name, "", "member1")
	s.f.WaitStatus(t, fcm, map[string]fedv1beta1.PropagationStatus{"member1": fedv1beta1.Missing})
	// The object's own annotation wins.
	s.setAnnotation(t, fcm, string(dispatch.Apply))
	s.f.WaitStatus(t, fcm, map[string]fedv1beta1.PropagationStatus{"member1": ok})
	s.waitData(t, "member1", name, map[string]string{"color": "blue"})
	s.deleteFederated(t, fcm)
	waitMembers(t, s.f, "deleted", absent(&corev1.ConfigMap{}, s.ns, name), "member1")
}
