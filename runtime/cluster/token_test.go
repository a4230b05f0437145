package cluster

import (
	"encoding/base64"
	"testing"
	"time"
)

func TestParseToken(t *testing.T) {
	jwt := func(claims string) string {
		return "e30." + base64.RawURLEncoding.EncodeToString([]byte(claims)) + ".sig"
	}
	for _, tc := range []struct {
		token string
		ok    bool
	}{
		{jwt(`{"sub":"system:serviceaccount:ns:sa","iat":100,"exp":700}`), true},
		{jwt(`{"sub":"system:serviceaccount:ns:sa","nbf":100,"exp":700}`), true},
		{jwt(`{"sub":"system:serviceaccount:ns:sa","exp":700}`), false}, // no start
		{jwt(`{"sub":"system:serviceaccount:ns:sa","iat":100}`), false}, // no expiry, as KubeFed's Secret tokens
		{"opaque-token", false},
	} {
		c, ok := parseToken(tc.token)
		if ok != tc.ok {
			t.Errorf("parseToken(%s): ok %v, want %v", tc.token, ok, tc.ok)
			continue
		}
		if !ok {
			continue
		}
		if got, want := c.renewAt(0.8), time.Unix(100+480, 0); !got.Equal(want) {
			t.Errorf("renewAt(0.8) = %v, want %v", got, want)
		}
		if ns, name, ok := c.serviceAccount(); !ok || ns != "ns" || name != "sa" {
			t.Errorf("serviceAccount() = %q, %q, %v", ns, name, ok)
		}
	}
}
