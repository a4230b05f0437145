package enable

import (
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/openapi3"
	controllertoolscrd "sigs.k8s.io/controller-tools/pkg/crd"
	"sigs.k8s.io/yaml"

	defaultcrds "github.com/kubefed-gen/kubefed/cmd/controller-manager/config/crd"
	"github.com/kubefed-gen/kubefed/cmd/kubefedctl/resolve"
	"github.com/kubefed-gen/kubefed/generator/discover/openapi"
	emitcrd "github.com/kubefed-gen/kubefed/generator/emit/crd"
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
// storage schema, without Go code.
func federatedCRDForCRD(t *resolve.Type, target *apiextensionsv1.CustomResourceDefinition) (*apiextensionsv1.CustomResourceDefinition, error) {
	var storage *apiextensionsv1.CustomResourceDefinitionVersion
	for i := range target.Spec.Versions {
		if target.Spec.Versions[i].Storage {
			storage = &target.Spec.Versions[i]
		}
	}
	if storage == nil || storage.Schema == nil || storage.Schema.OpenAPIV3Schema == nil {
		return nil, fmt.Errorf("CRD %s has no schema for its storage version; a federated type needs one for its template", target.Name)
	}
	return federatedCRD(t, storage.Schema.OpenAPIV3Schema)
}

// federatedCRDForBuiltin builds the Federated CRD of a type the API server itself
// serves (a built-in or aggregated type) from the schema of its kind in the
// server's OpenAPI v3 document of its group-version, without Go code.
func federatedCRDForBuiltin(t *resolve.Type, api openapi3.Root) (*apiextensionsv1.CustomResourceDefinition, error) {
	gv := t.Target.GroupVersion()
	doc, err := api.GVSpec(gv)
	if err != nil {
		var notFound *openapi3.GroupVersionNotFoundError
		if errors.As(err, &notFound) {
			return nil, fmt.Errorf("%s has no OpenAPI v3 schema: the host publishes no OpenAPI v3 document for %s, and the template's schema is built from it", t.Name, gv)
		}
		return nil, fmt.Errorf("read the host's OpenAPI v3 document of %s for %s: %w", gv, t.Name, err)
	}
	target, err := openapi.KindSchema(doc, t.Target.GroupVersionKind)
	if err != nil {
		var noSchema *openapi.NoSchemaError
		if errors.As(err, &noSchema) {
			return nil, fmt.Errorf("%s has no OpenAPI v3 schema: %v, and the template's schema is built from it", t.Name, err)
		}
		return nil, err
	}
	// Built-in types have map-type lists with optional keys, which a CRD refuses;
	// kubefed-gen relaxes them the same way for the default set.
	emitcrd.RelaxListMapKeys(target)
	return federatedCRD(t, target)
}

// federatedCRD builds the Federated CRD of t whose template has target's schema:
// its properties (and which of them are required) but apiVersion, kind and
// status, with metadata limited to labels and annotations. Placement, overrides, status, printer columns and the
// subresource are those every federated type shares, taken from the default
// FederatedConfigMap (the printer columns from the default FederatedDeployment
// for a type with spec.replicas), so that a Federated CRD built here has the
// shape of a generated one.
func federatedCRD(t *resolve.Type, target *apiextensionsv1.JSONSchemaProps) (*apiextensionsv1.CustomResourceDefinition, error) {
	shared, ok, err := defaultSetCRD("federatedconfigmaps", resolve.DefaultFederatedGroup)
	if err != nil || !ok {
		return nil, fmt.Errorf("the shared federated schema is missing from this build of kubefedctl: %v", err)
	}
	sharedSchema := shared.Spec.Versions[0].Schema.OpenAPIV3Schema
	sharedSpec := sharedSchema.Properties["spec"]

	targetSchema := target.DeepCopy()
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
		if slices.Contains(targetSchema.Required, name) {
			template.Required = append(template.Required, name)
		}
	}
	slices.Sort(template.Required)
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
	for _, s := range t.ShortNames {
		shortNames = append(shortNames, "f"+s)
	}
	version := shared.Spec.Versions[0]
	version.Name = t.Federated.Version
	if _, scalable := targetSchema.Properties["spec"].Properties["replicas"]; scalable {
		// A type with spec.replicas shows the replicas summed over the
		// clusters, as kubefed-gen's do; the default FederatedDeployment has
		// those columns.
		scalableCRD, ok, err := defaultSetCRD("federateddeployments", resolve.DefaultFederatedGroup)
		if err != nil || !ok {
			return nil, fmt.Errorf("the shared federated printer columns are missing from this build of kubefedctl: %v", err)
		}
		version.AdditionalPrinterColumns = scalableCRD.Spec.Versions[0].AdditionalPrinterColumns
	}
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

// crdSize is the size of crd as kubefed-gen measures the CRDs it writes (YAML).
func crdSize(crd *apiextensionsv1.CustomResourceDefinition) (int, error) {
	data, err := yaml.Marshal(crd)
	return len(data), err
}

// fitSize makes crd small enough for an API server to store, as kubefed-gen's
// --max-description-length 0 would: descriptions are kept whole, as kubefed-gen
// keeps them for the default set, unless the CRD is too large; then the
// template's descriptions are dropped. It returns the final size and whether
// descriptions were dropped.
func fitSize(crd *apiextensionsv1.CustomResourceDefinition) (int, bool, error) {
	size, err := crdSize(crd)
	if err != nil || size <= emitcrd.MaxObjectBytes {
		return size, false, err
	}
	spec := crd.Spec.Versions[0].Schema.OpenAPIV3Schema.Properties["spec"]
	template := spec.Properties["template"]
	description := template.Description
	controllertoolscrd.TruncateDescription(&template, 0)
	template.Description = description
	spec.Properties["template"] = template
	crd.Spec.Versions[0].Schema.OpenAPIV3Schema.Properties["spec"] = spec
	if size, err = crdSize(crd); err != nil {
		return size, true, err
	}
	if size > emitcrd.MaxObjectBytes {
		return size, true, fmt.Errorf("the Federated CRD %s is %d KiB even without descriptions, more than the %d KiB an API server stores in one object; nothing was installed",
			crd.Name, size/1024, emitcrd.MaxObjectBytes/1024)
	}
	return size, true, nil
}
