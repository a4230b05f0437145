// Package drift decides whether a member object holds what federation wants it to
// hold, and where it does not. The sync controller writes only when Diff finds a
// difference, and kubefedctl status prints the same differences, so the two can
// never disagree.
//
// Semantics, decided once:
//
//   - Only what the desired object sets is compared. Fields that exist only in the
//     member (server defaults, status, fields other controllers own, labels and
//     annotations others add) are not drift.
//   - A field the template leaves empty is not compared: a string "", null, an
//     empty object or an empty list. Go types cannot tell such a field from an
//     absent one, and the API server drops most of them.
//   - In a typed desired object, a non-pointer number or bool at its zero value is
//     unset, and so is a zero int-or-string, quantity or timestamp; a pointer that
//     is set is compared even when it points at zero (spec.replicas: 0 is drift
//     against 3 replicas).
//   - A zero number or false that the member does not have at all is in sync: the
//     API server omits such values when it stores them.
//   - Lists are compared item by item for the desired length. A member list that is
//     longer than the desired one is in sync: the extra items are what others add
//     (injected sidecars, entries of lists merged by key), which server-side apply
//     leaves in place anyway.
//   - Scalars are compared by value: numbers numerically (1 == 1.0), quantities as
//     quantities (1000m == 1, as the API server stores them canonically),
//     everything else exactly. In an unstructured desired object a string is taken
//     for a quantity only when the member holds exactly its canonical form.
//   - Of the metadata only labels and annotations are compared; the rest (UID,
//     resourceVersion, managedFields, ...) is the member's own.
//
// These semantics are those of the update strategy Apply, under which fields
// others add are shared, not drift. Under Replace a member object also drifts
// when it holds a field that another field manager owns and federation does
// not; that is read from the object's managedFields (dispatch.ReplaceRemoves),
// not from values, so that the API server's defaults, which no manager owns,
// never count and never cause a write. Under ReadOnly a difference Diff finds
// is reported (Drifted) and never corrected.
package drift
