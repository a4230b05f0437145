// Package generator is the library behind kubefed-gen. Discovery (package discover)
// turns each requested target type into one neutral model.Target; one emitter per
// artefact (packages under emit/) turns the model into files. Generate wires them in
// order; the CLI only parses flags and calls Generate.
package generator
