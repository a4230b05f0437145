package discover

import "testing"

func TestEditDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{{"", "", 0}, {"abc", "", 3}, {"deploymnets", "deployments", 2}, {"kitten", "sitting", 3}} {
		if got := editDistance(tc.a, tc.b); got != tc.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestCloseMatches(t *testing.T) {
	aliases := map[string][]string{
		"deployments.apps": {"deployments", "deployment", "deploy"},
		"daemonsets.apps":  {"daemonsets", "ds"},
		"configmaps":       {"configmap", "cm"},
	}
	for _, tc := range []struct {
		arg  string
		want []string
	}{
		{"deploymnets", []string{"deployments.apps"}},
		{"conf", []string{"configmaps"}},
		{"zzz", []string{}},
	} {
		got := CloseMatches(tc.arg, aliases)
		if len(got) != len(tc.want) || (len(got) > 0 && got[0] != tc.want[0]) {
			t.Errorf("CloseMatches(%q) = %v, want %v", tc.arg, got, tc.want)
		}
	}
}
