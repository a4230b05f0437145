package discover

import (
	"sort"
	"strings"
)

// CloseMatches returns up to three names whose aliases are close to arg (a small
// edit distance, or arg is a prefix of at least three letters), closest first.
// aliases maps each name, e.g. deployments.apps, to what it may be called:
// deployments, deployment, deploy...
func CloseMatches(arg string, aliases map[string][]string) []string {
	arg = strings.ToLower(arg)
	best := map[string]int{}
	for name, as := range aliases {
		for _, a := range append(as, name) {
			a = strings.ToLower(a)
			if a == "" {
				continue
			}
			d := editDistance(arg, a)
			if d > max(2, len(arg)/4) && !(len(arg) >= 3 && strings.HasPrefix(a, arg)) {
				continue
			}
			if old, ok := best[name]; !ok || d < old {
				best[name] = d
			}
		}
	}
	names := make([]string, 0, len(best))
	for name := range best {
		names = append(names, name)
	}
	sort.Slice(names, func(i, j int) bool {
		if best[names[i]] != best[names[j]] {
			return best[names[i]] < best[names[j]]
		}
		return names[i] < names[j]
	})
	return names[:min(3, len(names))]
}

// editDistance is the Levenshtein distance of a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
