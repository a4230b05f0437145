package v1beta1

// Labels and annotations the runtime puts on objects, with KubeFed's names.
const (
	// ManagedLabel marks an object in a member cluster as propagated by the control
	// plane; only objects carrying it are updated or deleted there.
	ManagedLabel = "kubefed.io/managed"
	// OrphanAnnotation on a federated object set to "true" leaves its member objects
	// in place (without ManagedLabel) when it is deleted.
	OrphanAnnotation = "kubefed.io/orphan"
	// UpdateStrategyAnnotation on a federated object, or on a FederatedTypeConfig
	// for every object of its type, says how member objects are written: Apply
	// (the default), Replace, CreateOnly or ReadOnly (see dispatch.Strategy). The
	// federated object's annotation wins over its type's.
	UpdateStrategyAnnotation = "kubefed.io/update-strategy"
	// DesiredHashAnnotation on a member object holds a hash of what was last
	// propagated to it, so that a changed template or override is noticed without
	// keeping state in the host cluster.
	DesiredHashAnnotation = "kubefed.io/desired-hash"
	// OriginAnnotation on a member object says which federation wrote it for which
	// cluster: "<host cluster ID>/<KubeFedCluster name>". Updates, removal and
	// orphaning act only on objects whose origin is this host and this cluster. An
	// object with ManagedLabel but no origin (written by KubeFed, by an older
	// version, or labelled by hand) is taken over only by adoption, which records
	// the origin; until then it is neither changed nor deleted. An object of
	// another origin is another federation's, or the same cluster's joined under
	// another name: reported as a conflict, never changed or deleted.
	OriginAnnotation = "kubefed.io/origin"
	// SyncFinalizer keeps a federated object until its member objects are
	// deleted or orphaned. The manager's admission policy (config/admission)
	// puts it on at creation; the sync controller adds it otherwise.
	SyncFinalizer = "kubefed.io/sync-controller"
)
