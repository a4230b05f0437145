// Package chart writes a Helm chart of the controller manager: the install
// manifests of config/default (which the other emitters of the same run wrote),
// with the settings a Helm user expects to change turned into values. The chart
// is made from those manifests rather than written on its own, so that the two
// ways of installing cannot drift apart.
package chart
