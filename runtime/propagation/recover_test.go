package propagation

import (
	"strings"
	"sync"
	"testing"
)

func TestGoRecovering(t *testing.T) {
	var wg sync.WaitGroup
	var got error
	goRecovering(t.Context(), &wg, func() { panic("boom") }, func(err error) { got = err })
	wg.Wait()
	if got == nil || !strings.Contains(got.Error(), "boom") {
		t.Errorf("recovered %v, want the panic as an error", got)
	}
}
