// Package generator is the library behind kubefed-gen. Discovery (package discover)
// turns each requested target type into one neutral model.Target; one emitter per
// artefact (packages under emit/) turns the model into files. Generate writes the
// API package, then loads it once and runs deepcopy, CRDs, the typed descriptors,
// RBAC and the manager through one controller-tools runtime (emit.Run), then the
// clients; the CLI only parses flags and calls Generate.
package generator
