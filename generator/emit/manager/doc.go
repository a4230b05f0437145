// Package manager emits what turns a Set of federated types into a deployable
// federation controller manager: its package main in cmd/manager (the runtime's
// manager.Main with the Set's types), its Deployment, the core CRDs and the
// kustomization that installs them with the Set's CRDs and RBAC (package rbac), and
// a Dockerfile. The generator runs it only when a manager is asked for.
package manager
