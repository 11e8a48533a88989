package stored

import (
	"testing"
	"time"
)

// TestReadiness reads the readiness of a stored result in both shapes.
func TestReadiness(t *testing.T) {
	bare := `{"padlockSchema":"padlock.host/1","host":"example.org","endpoints":[{"grade":"A","details":{"protocols":[{"id":772}],"namedGroups":{"list":[{"id":4588}],"preference":true}},"padlockGrade":{"futureGrade":"T","futureGradeFrom":"2027-01-01T00:00:00Z"}}]}`
	wrapped := `{"schema":"padlock.fleet/1","host":` + bare + `}`
	for _, raw := range []string{bare, wrapped} {
		r := Readiness([]byte(raw), "A")
		if r == nil || !r.TLS13 || len(r.PQGroups) != 1 || r.PQGroups[0] != "X25519MLKEM768" || r.FutureGrade != "T" || !r.FutureGradeFrom.Equal(time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("%.40s…: %+v", raw, r)
		}
	}
	for _, raw := range []string{``, `null`, `{"schema":"padlock.fleet/1","error":"dns"}`, `[1]`} {
		if r := Readiness([]byte(raw), "A"); r != nil {
			t.Errorf("%q: %+v", raw, r)
		}
	}
}

// FuzzReadiness: any stored result, however broken, gives a readiness
// or nil, never a panic.
func FuzzReadiness(f *testing.F) {
	f.Add([]byte(`{"padlockSchema":"padlock.host/1","host":"example.org","endpoints":[{"grade":"A","details":{"protocols":[{"id":772}],"namedGroups":{"list":[{"id":4588}],"preference":true},"sims":{"results":[{"client":{"id":"chrome-137-win11","isReference":true},"protocolId":772,"namedGroupId":4588}]}}}]}`))
	f.Add([]byte(`{"schema":"padlock.fleet/1","host":{"endpoints":[{"details":{"protocols":[{"id":771}],"padlockExtensionsVia":771,"padlockExtensions":[23]},"padlockFacts":{"now":"2026-06-01T00:00:00Z","cert":{"notBefore":"2026-04-01T00:00:00Z","notAfter":"2027-04-01T00:00:00Z"}}}]}}`))
	f.Add([]byte(`{"host":null}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		Readiness(b, "A")
	})
}
