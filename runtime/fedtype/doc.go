// Package fedtype describes a federated type to the runtime: the Go types of a
// Federated<Kind> and of its target, their API coordinates, and the accessors the
// runtime reaches them through. Generated code instantiates For once per type;
// everything else in the runtime works on those descriptors.
package fedtype
