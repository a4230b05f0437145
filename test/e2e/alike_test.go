package e2e

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	typesv1beta1 "github.com/kubefed-gen/kubefed/cmd/controller-manager/apis/types/v1beta1"
	"github.com/kubefed-gen/kubefed/cmd/controller-manager/fedtypes"
	corev1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/core/v1beta1"
	fedv1beta1 "github.com/kubefed-gen/kubefed/runtime/apis/types/v1beta1"
	"github.com/kubefed-gen/kubefed/runtime/manager"
	"github.com/kubefed-gen/kubefed/test/federation"
)

// After deletion of the federated object, a member object is gone, kept
// unmanaged (orphaned), kept as it was (not ours to touch), or kept with its data
// and only a stray managed label removed (released: labelled by hand, never ours).
const (
	gone      = "gone"
	orphaned  = "orphaned"
	untouched = "untouched"
	released  = "released"
)

// behaviour is one case of what the sync controller does with a FederatedConfigMap
// whose template has data color=blue.
type behaviour struct {
	name string
	// existing are member objects there before the federated object, by cluster.
	existing  map[string]*corev1.ConfigMap
	placement []string
	overrides []fedv1beta1.GenericOverrideItem
	orphan    bool
	// noAdoption turns adoptResources off in the KubeFedConfig for the case.
	noAdoption bool
	// drift changes member1's object by hand once propagated; it must be undone.
	drift bool

	wantStatus map[string]fedv1beta1.PropagationStatus
	// wantColor is the color each member's object holds once propagated.
	wantColor map[string]string
	// afterDelete is what becomes of each member's object.
	afterDelete map[string]string
}

var behaviours = []behaviour{{
	name:      "template with an override, drift corrected",
	placement: []string{"member1", "member2"},
	overrides: []fedv1beta1.GenericOverrideItem{{ClusterName: "member2", ClusterOverrides: []fedv1beta1.ClusterOverride{
		{Path: "/data/color", Value: jsonValue("red")},
	}}},
	drift:       true,
	wantStatus:  map[string]fedv1beta1.PropagationStatus{"member1": ok, "member2": ok},
	wantColor:   map[string]string{"member1": "blue", "member2": "red"},
	afterDelete: map[string]string{"member1": gone, "member2": gone},
}, {
	name:        "an unmanaged object is adopted",
	existing:    map[string]*corev1.ConfigMap{"member1": {Data: map[string]string{"color": "old"}}},
	placement:   []string{"member1"},
	wantStatus:  map[string]fedv1beta1.PropagationStatus{"member1": ok},
	wantColor:   map[string]string{"member1": "blue"},
	afterDelete: map[string]string{"member1": gone},
}, {
	name: "another federation's object is left alone",
	existing: map[string]*corev1.ConfigMap{"member1": {
		ObjectMeta: metav1.ObjectMeta{
			Labels:      map[string]string{fedv1beta1.ManagedLabel: "true"},
			Annotations: map[string]string{fedv1beta1.OriginAnnotation: "another-host/member1"},
		},
		Data: map[string]string{"color": "theirs"},
	}},
	placement:   []string{"member1", "member2"},
	wantStatus:  map[string]fedv1beta1.PropagationStatus{"member1": fedv1beta1.AlreadyExists, "member2": ok},
	wantColor:   map[string]string{"member1": "theirs", "member2": "blue"},
	afterDelete: map[string]string{"member1": untouched, "member2": gone},
}, {
	name: "an object labelled managed by hand is left alone without adoption",
	existing: map[string]*corev1.ConfigMap{"member1": {
		ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{fedv1beta1.ManagedLabel: "true"}},
		Data:       map[string]string{"color": "theirs"},
	}},
	placement:   []string{"member1", "member2"},
	noAdoption:  true,
	wantStatus:  map[string]fedv1beta1.PropagationStatus{"member1": fedv1beta1.AlreadyExists, "member2": ok},
	wantColor:   map[string]string{"member1": "theirs", "member2": "blue"},
	afterDelete: map[string]string{"member1": released, "member2": gone},
}, {
	name:        "orphaned on deletion",
	placement:   []string{"member1", "member2"},
	orphan:      true,
	wantStatus:  map[string]fedv1beta1.PropagationStatus{"member1": ok, "member2": ok},
	wantColor:   map[string]string{"member1": "blue", "member2": "blue"},
	afterDelete: map[string]string{"member1": orphaned, "member2": orphaned},
}, {
	name:      "an override that cannot apply",
	placement: []string{"member1", "member2"},
	overrides: []fedv1beta1.GenericOverrideItem{{ClusterName: "member2", ClusterOverrides: []fedv1beta1.ClusterOverride{
		{Path: "/data/color/shade", Value: jsonValue("dark")},
	}}},
	wantStatus:  map[string]fedv1beta1.PropagationStatus{"member1": ok, "member2": fedv1beta1.ApplyOverridesFailed},
	wantColor:   map[string]string{"member1": "blue"},
	afterDelete: map[string]string{"member1": gone, "member2": gone},
}, {
	name:        "a cluster that is not joined",
	placement:   []string{"member1", "nowhere"},
	wantStatus:  map[string]fedv1beta1.PropagationStatus{"member1": ok, "nowhere": fedv1beta1.ClusterNotReady},
	wantColor:   map[string]string{"member1": "blue"},
	afterDelete: map[string]string{"member1": gone},
}}

// TestTypedAndDynamicAlike runs one table of behaviours against both kinds of sync
// controller for FederatedConfigMaps: the typed one the default manager is built
// with, and the dynamic one a manager built without it starts from the
// FederatedTypeConfig. Both must do exactly the same.
func TestTypedAndDynamicAlike(t *testing.T) {
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
			ns := "alike"
			f.FederateNamespace(t, ns, "member1", "member2")
			for i, c := range behaviours {
				t.Run(c.name, func(t *testing.T) { c.run(t, f, ns, fmt.Sprintf("case-%d", i)) })
			}
		})
	}
}

func (c behaviour) run(t *testing.T, f *federation.Federation, ns, name string) {
	ctx := context.Background()
	if c.noAdoption {
		setAdoption(t, f, corev1beta1.Disabled)
		defer setAdoption(t, f, corev1beta1.Enabled)
	}
	key := client.ObjectKey{Namespace: ns, Name: name}
	for cluster, cm := range c.existing {
		cm := cm.DeepCopy()
		cm.Namespace, cm.Name = ns, name
		if err := f.Members[cluster].Create(ctx, cm); err != nil {
			t.Fatal(err)
		}
	}
	fcm := &typesv1beta1.FederatedConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}
	fcm.Spec.Template.Data = map[string]string{"color": "blue"}
	fcm.Spec.Placement = federation.PlacementOn(c.placement...)
	fcm.Spec.Overrides = c.overrides
	if c.orphan {
		fcm.Annotations = map[string]string{fedv1beta1.OrphanAnnotation: "true"}
	}
	if err := f.Host.Create(ctx, fcm); err != nil {
		t.Fatal(err)
	}
	f.WaitStatus(t, fcm, c.wantStatus)
	color := func(cluster, want string) func(client.Client) error {
		return func(m client.Client) error {
			var got corev1.ConfigMap
			if err := m.Get(ctx, key, &got); err != nil {
				return err
			}
			if got.Data["color"] != want {
				return fmt.Errorf("color %q, want %q", got.Data["color"], want)
			}
			return nil
		}
	}
	for _, cluster := range slices.Sorted(maps.Keys(c.wantColor)) {
		waitMembers(t, f, "propagated", color(cluster, c.wantColor[cluster]), cluster)
	}
	for _, cluster := range []string{"member1", "member2"} {
		if _, placed := c.wantColor[cluster]; !placed {
			waitMembers(t, f, "not propagated", absent(&corev1.ConfigMap{}, ns, name), cluster)
		}
	}
	if c.drift {
		var drifted corev1.ConfigMap
		if err := f.Members["member1"].Get(ctx, key, &drifted); err != nil {
			t.Fatal(err)
		}
		drifted.Data["color"] = "green"
		if err := f.Members["member1"].Update(ctx, &drifted); err != nil {
			t.Fatal(err)
		}
		waitMembers(t, f, "drift corrected", color("member1", c.wantColor["member1"]), "member1")
	}

	if err := f.Host.Delete(ctx, fcm); err != nil {
		t.Fatal(err)
	}
	f.Eventually(t, "federated object gone", func(ctx context.Context) error {
		return expectNotFound(f.Host.Get(ctx, key, &typesv1beta1.FederatedConfigMap{}))
	})
	for _, cluster := range slices.Sorted(maps.Keys(c.afterDelete)) {
		switch c.afterDelete[cluster] {
		case gone:
			waitMembers(t, f, "deleted", absent(&corev1.ConfigMap{}, ns, name), cluster)
		case orphaned, untouched, released:
			var got corev1.ConfigMap
			if err := f.Members[cluster].Get(ctx, key, &got); err != nil {
				t.Fatalf("%s: %v", cluster, err)
			}
			_, managed := got.Labels[fedv1beta1.ManagedLabel]
			if c.afterDelete[cluster] == orphaned && managed {
				t.Errorf("%s: orphaned object still managed: %v", cluster, got.Labels)
			}
			if c.afterDelete[cluster] == released && (managed || got.Data["color"] != c.existing[cluster].Data["color"]) {
				t.Errorf("%s: a hand-labelled object was changed beyond its stray label: labels %v data %v", cluster, got.Labels, got.Data)
			}
			if c.afterDelete[cluster] == untouched && (!managed || got.Annotations[fedv1beta1.OriginAnnotation] != c.existing[cluster].Annotations[fedv1beta1.OriginAnnotation] ||
				got.Data["color"] != c.existing[cluster].Data["color"]) {
				t.Errorf("%s: another federation's object was changed: labels %v annotations %v data %v", cluster, got.Labels, got.Annotations, got.Data)
			}
		}
	}
}
