package enable

import (
	"fmt"
	"io/fs"
	"strings"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	defaultcrds "github.com/kubefed-gen/kubefed/cmd/controller-manager/config/crd"
	"github.com/kubefed-gen/kubefed/cmd/kubefedctl/resolve"
)

// defaultSetCRD returns the Federated CRD the default controller manager was
// generated with for the federated resource plural, if it is in the default set.
func defaultSetCRD(plural, group string) (*apiextensionsv1.CustomResourceDefinition, bool, error) {
	data, err := fs.ReadFile(defaultcrds.Bases, "bases/"+group+"_"+plural+".yaml")
	if err != nil {
		return nil, false, nil
	}
	var crd apiextensionsv1.CustomResourceDefinition
	if err := yaml.UnmarshalStrict(data, &crd); err != nil {
		return nil, false, fmt.Errorf("embedded CRD %s.%s: %w", plural, group, err)
	}
	return &crd, true, nil
}

// federatedCRDForCRD builds the Federated CRD of a CRD target from the target's
// storage schema, without Go code: the template is the target's schema (its
// metadata limited to labels and annotations), placement, overrides and status are
// those every federated type shares, taken from the default FederatedConfigMap.
func federatedCRDForCRD(t *resolve.Type, target *apiextensionsv1.CustomResourceDefinition) (*apiextensionsv1.CustomResourceDefinition, error) {
	shared, ok, err := defaultSetCRD("federatedconfigmaps", resolve.DefaultFederatedGroup)
	if err != nil || !ok {
		return nil, fmt.Errorf("the shared federated schema is missing from this build of kubefedctl: %v", err)
	}
	sharedSchema := shared.Spec.Versions[0].Schema.OpenAPIV3Schema
	sharedSpec := sharedSchema.Properties["spec"]

	var storage *apiextensionsv1.CustomResourceDefinitionVersion
	for i := range target.Spec.Versions {
		if target.Spec.Versions[i].Storage {
			storage = &target.Spec.Versions[i]
		}
	}
	if storage == nil || storage.Schema == nil || storage.Schema.OpenAPIV3Schema == nil {
		return nil, fmt.Errorf("CRD %s has no schema for its storage version; a federated type needs one for its template", target.Name)
	}
	targetSchema := storage.Schema.OpenAPIV3Schema.DeepCopy()
	template := apiextensionsv1.JSONSchemaProps{
		Type:                   "object",
		Description:            fmt.Sprintf("Template is the %s to propagate; name and namespace are the federated object's.", t.Target.Kind),
		Properties:             map[string]apiextensionsv1.JSONSchemaProps{"metadata": sharedSpec.Properties["template"].Properties["metadata"]},
		XPreserveUnknownFields: targetSchema.XPreserveUnknownFields,
	}
	for name, prop := range targetSchema.Properties {
		switch name {
		case "apiVersion", "kind", "metadata", "status":
			continue
		}
		template.Properties[name] = prop
	}
	spec := apiextensionsv1.JSONSchemaProps{
		Type: "object",
		Properties: map[string]apiextensionsv1.JSONSchemaProps{
			"template":  template,
			"placement": sharedSpec.Properties["placement"],
			"overrides": sharedSpec.Properties["overrides"],
		},
	}
	schema := sharedSchema.DeepCopy()
	schema.Description = fmt.Sprintf("%s federates %s (%s).", t.Federated.Kind, t.Target.Kind, t.Target.GroupVersion())
	schema.Properties["spec"] = spec

	scope := apiextensionsv1.ClusterScoped
	if t.Federated.Namespaced {
		scope = apiextensionsv1.NamespaceScoped
	}
	var shortNames []string
	for _, s := range target.Spec.Names.ShortNames {
		shortNames = append(shortNames, "f"+s)
	}
	version := shared.Spec.Versions[0]
	version.Name = t.Federated.Version
	version.Schema = &apiextensionsv1.CustomResourceValidation{OpenAPIV3Schema: schema}
	return &apiextensionsv1.CustomResourceDefinition{
		TypeMeta:   metav1.TypeMeta{APIVersion: apiextensionsv1.SchemeGroupVersion.String(), Kind: "CustomResourceDefinition"},
		ObjectMeta: metav1.ObjectMeta{Name: t.Federated.Plural + "." + t.Federated.Group},
		Spec: apiextensionsv1.CustomResourceDefinitionSpec{
			Group: t.Federated.Group,
			Names: apiextensionsv1.CustomResourceDefinitionNames{
				Plural: t.Federated.Plural, Singular: strings.ToLower(t.Federated.Kind), Kind: t.Federated.Kind,
				ListKind: t.Federated.Kind + "List", ShortNames: shortNames, Categories: []string{"federated"},
			},
			Scope:    scope,
			Versions: []apiextensionsv1.CustomResourceDefinitionVersion{version},
		},
	}, nil
}
