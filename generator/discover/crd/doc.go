// Package crd turns a CustomResourceDefinition into Go API types, so that kubefed-gen
// can federate a CRD like any Go type: it writes a Go package for the CRD's storage
// version whose markers make controller-tools write the CRD's schema back, and the
// generator then loads that package with its Go type loader.
//
// The mapping keeps values and schema as they are: optional scalars and objects are
// pointers (absent is not zero), date-times and other formatted strings stay strings
// with their format, numbers become Number (the exact JSON number text), free-form
// values become apiextensionsv1.JSON or runtime.RawExtension with markers that state
// their schema. What cannot be reproduced is either refused with the field path or,
// when it only validates, dropped with a warning in Result.Warnings.
package crd
