package discover

import (
	"fmt"
	"strings"

	"sigs.k8s.io/controller-tools/pkg/markers"
)

// Federate is the +kubefed:federate marker: put it on a Go type (a Kubernetes
// object with metav1.ObjectMeta) to have kubefed-gen federate it.
type Federate struct {
	// Plural overrides the resource name (default: the kind, lowercased and pluralised).
	Plural string `marker:",optional"`
	// ShortName lists short names of the target; the federated type gets each with an f prefix.
	ShortName []string `marker:",optional"`
	// Scope is Namespaced (default) or Cluster.
	Scope string `marker:",optional"`
}

// FederateMarker is the definition of +kubefed:federate, declared once with its help.
var FederateMarker = markers.Must(markers.MakeDefinition("kubefed:federate", markers.DescribesType, Federate{}))

// MarkerRegistry holds every marker kubefed-gen reads, with help text, so that
// `kubefed-gen markers` can print it.
var MarkerRegistry = func() *markers.Registry {
	reg := &markers.Registry{}
	if err := reg.Register(FederateMarker); err != nil {
		panic(err) // a broken declaration above; caught by any test
	}
	reg.AddHelp(FederateMarker, &markers.DefinitionHelp{
		Category: "kubefed",
		DetailedHelp: markers.DetailedHelp{
			Summary: "federates this type: kubefed-gen emits Federated<Kind> for it",
			Details: "Put it on a struct type that embeds metav1.ObjectMeta, in a package whose doc.go names its API group with +groupName=. " +
				"Example: // +kubefed:federate:shortName=wd,scope=Namespaced",
		},
		FieldHelp: map[string]markers.DetailedHelp{
			"plural":    {Summary: "resource name of the type (default: kind lowercased and pluralised)"},
			"shortName": {Summary: "short names of the type; the federated type gets each prefixed with f"},
			"scope":     {Summary: "Namespaced (default) or Cluster"},
		},
	})
	return reg
}()

// federateMarker returns the parsed +kubefed:federate marker among comment lines, if any.
func federateMarker(lines []string) (*Federate, error) {
	for _, line := range lines {
		line = strings.TrimSpace(line)
		if line != "+"+FederateMarker.Name && !strings.HasPrefix(line, "+"+FederateMarker.Name+":") {
			continue
		}
		v, err := FederateMarker.Parse(line)
		if err != nil {
			return nil, fmt.Errorf("marker %q: %w", line, err)
		}
		f := v.(Federate)
		if f.Scope != "" && f.Scope != "Namespaced" && f.Scope != "Cluster" {
			return nil, fmt.Errorf("marker %q: scope must be Namespaced or Cluster", line)
		}
		return &f, nil
	}
	return nil, nil
}
