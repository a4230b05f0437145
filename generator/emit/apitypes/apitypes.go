package apitypes

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/dave/jennifer/jen"

	"github.com/kubefed-gen/kubefed/generator/emit"
	"github.com/kubefed-gen/kubefed/generator/model"
)

const (
	metav1  = "k8s.io/apimachinery/pkg/apis/meta/v1"
	runtime = "k8s.io/apimachinery/pkg/runtime"
	schema  = "k8s.io/apimachinery/pkg/runtime/schema"
	shared  = emit.SharedAPIPackage
)

// Write writes the API package to disk, where the controller-tools runtime loads it
// to generate deepcopy and CRDs from it.
func Write(ctx *emit.Context) error {
	pkg, dir := ctx.APIPackage(), ctx.APIDir()
	if err := emit.WriteGo(docFile(ctx), filepath.Join(dir, "doc.go")); err != nil {
		return err
	}
	if err := emit.WriteGo(registerFile(ctx), filepath.Join(dir, "zz_generated.register.go")); err != nil {
		return err
	}
	for _, t := range ctx.Set.Targets {
		f := emit.NewGoFile(pkg, ctx.Set.Version)
		f.ImportAlias(t.GoPackage, emit.ImportAlias(t.GoPackage))
		if err := typesFor(f, t); err != nil {
			return fmt.Errorf("%s: %w", t.Source, err)
		}
		accessorsFor(f, t)
		name := "zz_generated." + strings.ToLower(t.FederatedKind()) + ".go"
		if err := emit.WriteGo(f, filepath.Join(dir, name)); err != nil {
			return err
		}
	}
	return nil
}

// docFile carries the package markers: gengo-based client generators read
// +groupName from a file named doc.go, controller-tools reads the rest.
func docFile(ctx *emit.Context) *jen.File {
	f := jen.NewFilePathName(ctx.APIPackage(), ctx.Set.Version)
	f.HeaderComment(emit.Header)
	f.PackageComment(fmt.Sprintf("Package %s holds the federated types of %s/%s.", ctx.Set.Version, ctx.Set.Group, ctx.Set.Version))
	f.PackageComment("")
	f.PackageComment("+kubebuilder:object:generate=true")
	f.PackageComment("+groupName=" + ctx.Set.Group)
	return f
}

func registerFile(ctx *emit.Context) *jen.File {
	f := emit.NewGoFile(ctx.APIPackage(), ctx.Set.Version)
	var kinds []string
	for _, t := range ctx.Set.Targets {
		kinds = append(kinds, t.FederatedKind())
	}
	emit.AddRegistration(f, ctx.Set.Group, ctx.Set.Version, kinds)
	return f
}

func resourceMarker(t *model.Target) string {
	scope := "Cluster"
	if t.FederatedNamespaced() {
		scope = "Namespaced"
	}
	m := fmt.Sprintf("+kubebuilder:resource:path=%s,singular=%s,scope=%s,categories=federated",
		t.FederatedPlural(), strings.ToLower(t.FederatedKind()), scope)
	if shorts := t.FederatedShortNames(); len(shorts) > 0 {
		m += ",shortName=" + strings.Join(shorts, ";")
	}
	return m
}

func typesFor(f *jen.File, t *model.Target) error {
	fk := t.FederatedKind()
	f.Comment(fmt.Sprintf("%s federates %s (%s): its template is propagated to the member", fk, t.Kind, t.APIVersion()))
	f.Comment("clusters its placement selects, changed per cluster by its overrides.")
	f.Comment("")
	f.Comment("+genclient")
	if !t.FederatedNamespaced() {
		f.Comment("+genclient:nonNamespaced")
	}
	f.Comment("+kubebuilder:object:root=true")
	f.Comment("+kubebuilder:subresource:status")
	f.Comment(resourceMarker(t))
	f.Comment("+kubebuilder:printcolumn:name=\"Clusters\",type=integer,JSONPath=`.status.placedClusters`,description=\"Clusters the object is placed on\"")
	f.Comment("+kubebuilder:printcolumn:name=\"Ready\",type=integer,JSONPath=`.status.readyClusters`,description=\"Placed clusters whose object is ready (healthy, with status collection)\"")
	if t.Scalable {
		f.Comment("+kubebuilder:printcolumn:name=\"Replicas\",type=integer,JSONPath=`.status.replicas`,description=\"Replicas asked for, summed over the clusters\"")
		f.Comment("+kubebuilder:printcolumn:name=\"Ready-Replicas\",type=integer,JSONPath=`.status.readyReplicas`,description=\"Ready replicas, summed over the clusters\"")
	}
	f.Comment("+kubebuilder:printcolumn:name=\"Propagation\",type=string,JSONPath=`.status.conditions[?(@.type==\"Propagation\")].status`")
	f.Comment("+kubebuilder:printcolumn:name=\"Age\",type=date,JSONPath=`.metadata.creationTimestamp`")
	f.Type().Id(fk).Struct(
		jen.Qual(metav1, "TypeMeta").Tag(map[string]string{"json": ",inline"}),
		jen.Qual(metav1, "ObjectMeta").Tag(map[string]string{"json": "metadata,omitempty"}),
		jen.Line(),
		jen.Id("Spec").Id(fk+"Spec").Tag(map[string]string{"json": "spec,omitempty"}),
		jen.Id("Status").Qual(shared, "GenericFederatedStatus").Tag(map[string]string{"json": "status,omitempty"}),
	)

	f.Comment(fmt.Sprintf("%sSpec is what to propagate and where.", fk))
	f.Type().Id(fk+"Spec").Struct(
		jen.Comment(fmt.Sprintf("Template is the %s to propagate; name and namespace are the federated object's.", t.Kind)),
		jen.Comment("+optional"),
		jen.Id("Template").Id(t.TemplateName()).Tag(map[string]string{"json": "template,omitempty"}),
		jen.Comment("Placement selects the member clusters."),
		jen.Comment("+optional"),
		jen.Id("Placement").Qual(shared, "Placement").Tag(map[string]string{"json": "placement,omitempty"}),
		jen.Comment("Overrides change the template per member cluster, one entry per cluster."),
		jen.Comment("+optional"),
		jen.Comment("+listType=map"),
		jen.Comment("+listMapKey=clusterName"),
		jen.Id("Overrides").Index().Qual(shared, "GenericOverrideItem").Tag(map[string]string{"json": "overrides,omitempty"}),
	)

	fields := []jen.Code{
		jen.Comment("Metadata holds the labels and annotations of the propagated object."),
		jen.Comment("+optional"),
		jen.Id("Metadata").Qual(shared, "TemplateMetadata").Tag(map[string]string{"json": "metadata,omitempty"}),
	}
	for _, fd := range t.Fields {
		typ, err := typeCode(fd.Type)
		if err != nil {
			return fmt.Errorf("field %s: %w", fd.Name, err)
		}
		for _, c := range trimComments(fd.Comments) {
			fields = append(fields, jen.Comment(c))
		}
		field := jen.Id(fd.Name).Add(typ)
		if fd.Name == "" {
			field = jen.Add(typ)
		}
		if fd.Tag != "" {
			field.Tag(map[string]string{"json": fd.Tag})
		}
		fields = append(fields, field)
	}
	f.Comment(fmt.Sprintf("%s is what a template sets of a %s (%s): all but type, name, namespace and status.", t.TemplateName(), t.Kind, t.APIVersion()))
	f.Type().Id(t.TemplateName()).Struct(fields...)

	f.Comment(fmt.Sprintf("%sList is a list of %s.", fk, fk))
	f.Comment("")
	f.Comment("+kubebuilder:object:root=true")
	f.Type().Id(fk+"List").Struct(
		jen.Qual(metav1, "TypeMeta").Tag(map[string]string{"json": ",inline"}),
		jen.Qual(metav1, "ListMeta").Tag(map[string]string{"json": "metadata,omitempty"}),
		jen.Id("Items").Index().Id(fk).Tag(map[string]string{"json": "items"}),
	)
	return nil
}

// trimComments drops blank lines at either end of a doc comment.
func trimComments(lines []string) []string {
	for len(lines) > 0 && strings.TrimSpace(lines[0]) == "" {
		lines = lines[1:]
	}
	for len(lines) > 0 && strings.TrimSpace(lines[len(lines)-1]) == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// accessorsFor emits the methods the runtime reaches a Federated<Kind> through.
func accessorsFor(f *jen.File, t *model.Target) {
	fk, target := t.FederatedKind(), jen.Qual(t.GoPackage, t.GoName)
	recv := jen.Id("in").Op("*").Id(fk)
	fieldName := func(fd model.Field) string {
		if fd.Name != "" {
			return fd.Name
		}
		return fd.Type.Name.Name // an embedded field is named after its type
	}

	build := []jen.Code{
		jen.Id("tpl").Op(":=").Id("in").Dot("Spec").Dot("Template").Dot("DeepCopy").Call(),
		jen.Id("out").Op(":=").Op("&").Add(target).Values(),
		jen.List(jen.Id("out").Dot("APIVersion"), jen.Id("out").Dot("Kind")).Op("=").List(jen.Lit(t.APIVersion()), jen.Lit(t.Kind)),
		jen.Id("out").Dot("Name").Op("=").Id("in").Dot("Name"),
	}
	if t.Namespaced {
		build = append(build, jen.Id("out").Dot("Namespace").Op("=").Id("in").Dot("Namespace"))
	}
	build = append(build, jen.List(jen.Id("out").Dot("Labels"), jen.Id("out").Dot("Annotations")).Op("=").
		List(jen.Id("tpl").Dot("Metadata").Dot("Labels"), jen.Id("tpl").Dot("Metadata").Dot("Annotations")))
	for _, fd := range t.Fields {
		build = append(build, jen.Id("out").Dot(fieldName(fd)).Op("=").Id("tpl").Dot(fieldName(fd)))
	}
	build = append(build, jen.Return(jen.Id("out")))
	f.Comment(fmt.Sprintf("TargetObject returns the %s the template describes, before overrides.", t.Kind))
	f.Func().Params(recv.Clone()).Id("TargetObject").Params().Op("*").Add(target).Block(build...)

	tpl := jen.Dict{
		jen.Id("Metadata"): jen.Qual(shared, "TemplateMetadata").Values(jen.Dict{
			jen.Id("Labels"):      jen.Id("obj").Dot("Labels"),
			jen.Id("Annotations"): jen.Id("obj").Dot("Annotations"),
		}),
	}
	for _, fd := range t.Fields {
		tpl[jen.Id(fieldName(fd))] = jen.Id("obj").Dot(fieldName(fd))
	}
	f.Comment("SetTemplate makes the template a copy of obj, keeping only what a template holds.")
	f.Func().Params(recv.Clone()).Id("SetTemplate").Params(jen.Id("obj").Op("*").Add(target)).Block(
		jen.Id("obj").Op("=").Id("obj").Dot("DeepCopy").Call(),
		jen.Id("in").Dot("Spec").Dot("Template").Op("=").Id(t.TemplateName()).Values(tpl),
	)

	f.Comment("Placement returns the placement of the federated object.")
	f.Func().Params(recv.Clone()).Id("Placement").Params().Op("*").Qual(shared, "Placement").Block(
		jen.Return(jen.Op("&").Id("in").Dot("Spec").Dot("Placement")))
	f.Comment("ClusterOverrides returns the per-cluster overrides of the federated object.")
	f.Func().Params(recv.Clone()).Id("ClusterOverrides").Params().Index().Qual(shared, "GenericOverrideItem").Block(
		jen.Return(jen.Id("in").Dot("Spec").Dot("Overrides")))
	f.Comment("FederatedStatus returns the status of the federated object for the runtime to fill in.")
	f.Func().Params(recv.Clone()).Id("FederatedStatus").Params().Op("*").Qual(shared, "GenericFederatedStatus").Block(
		jen.Return(jen.Op("&").Id("in").Dot("Status")))

	if st := t.Status; st != nil {
		status := jen.Qual(st.Name.Package, st.Name.Name)
		f.Comment(fmt.Sprintf("RemoteStatus returns the status of the %s in cluster as status", t.Kind))
		f.Comment("collection last read it from the member (status.clusters[].remoteStatus); ok")
		f.Comment("is false when there is none. The cluster's entry says how current it is")
		f.Comment("(health, stale, lastObservedTime).")
		f.Func().Params(recv.Clone()).Id("RemoteStatus").Params(jen.Id("cluster").String()).
			Params(jen.Id("status").Op("*").Add(status), jen.Id("ok").Bool(), jen.Err().Error()).Block(
			jen.Return(jen.Qual(shared, "DecodeRemoteStatus").Types(status.Clone()).Call(jen.Op("&").Id("in").Dot("Status"), jen.Id("cluster"))))
	}
}
