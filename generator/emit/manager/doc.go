// Package manager emits what turns a Set of federated types into a deployable
// federation controller manager: its main.go (the runtime's manager.Main with the
// Set's types), least-privilege RBAC for the host cluster derived from the Set,
// install manifests with kustomizations, and a Dockerfile. It writes nothing unless
// the Context asks for a manager.
package manager
