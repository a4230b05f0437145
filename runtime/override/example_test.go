package override_test

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	fedv1b1 "github.com/kubefed-gen/kubefed/runtime/apis/types/v1beta1"
	"github.com/kubefed-gen/kubefed/runtime/override"
)

func ExampleApply() {
	// spec.overrides of a FederatedDeployment, as a user writes them.
	overrides := []fedv1b1.GenericOverrideItem{{
		ClusterName: "eu-1",
		ClusterOverrides: []fedv1b1.ClusterOverride{
			{Path: "/spec/replicas", Value: &apiextensionsv1.JSON{Raw: []byte(`5`)}},
			{Path: "/spec/template/spec/containers/0/image", Value: &apiextensionsv1.JSON{Raw: []byte(`"nginx:2.0"`)}},
			{Op: fedv1b1.OverrideAdd, Path: "/metadata/annotations/example.com~1team", Value: &apiextensionsv1.JSON{Raw: []byte(`"blue"`)}},
		},
	}}

	// The template, copied for one cluster; it leaves replicas out.
	d := &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "demo"},
		Spec: appsv1.DeploymentSpec{Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
			Containers: []corev1.Container{{Name: "web", Image: "nginx:1.0"}},
		}}},
	}
	if err := override.Apply(d, override.For(overrides, "eu-1")); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(*d.Spec.Replicas, d.Spec.Template.Spec.Containers[0].Image, d.Annotations)

	// A typo is caught before anything reaches the member cluster.
	typo := []fedv1b1.ClusterOverride{{Path: "/spec/replicass", Value: &apiextensionsv1.JSON{Raw: []byte(`3`)}}}
	fmt.Println(override.Apply(d, typo))
	// Output:
	// 5 nginx:2.0 map[example.com/team:blue]
	// override 0 (replace /spec/replicass): result is not a valid apps/v1 Deployment: unknown field "spec.replicass"
}
