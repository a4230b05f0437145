package federation

// WithMembers starts n members, clusters.MemberName(1) to MemberName(n), instead
// of two. Only member1 and member2 have MemberLabels.
func WithMembers(n int) Option {
	return func(s *settings) { s.clusters.Members = n }
}

// WithSharedEtcd makes the members keep their data in one etcd, each under a
// prefix of its own (see clusters.Options.SharedEtcd): cheaper when there are
// many, and each still a cluster of its own to the federation.
func WithSharedEtcd() Option {
	return func(s *settings) { s.clusters.SharedEtcd = true }
}

// MemberNames returns the names of the federation's members, in order.
func (f *Federation) MemberNames() []string {
	names := make([]string, len(f.Set.Members))
	for i, m := range f.Set.Members {
		names[i] = m.Name
	}
	return names
}
