package web

import (
	"encoding/json"
	"sort"
	"strings"
	"testing"
)

// TestOpenAPIMatchesRoutes: every path and method of the OpenAPI document
// is a route of the table, and every /api route with a method is in the
// document.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Servers []struct{ URL string }                `json:"servers"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(openAPIDocument, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.1") || len(doc.Servers) != 1 || doc.Servers[0].URL != "/api" {
		t.Fatalf("openapi %q servers %v: want 3.1 with the server /api", doc.OpenAPI, doc.Servers)
	}
	inDoc := map[string]bool{}
	for path, ops := range doc.Paths {
		for method := range ops {
			if method == "parameters" || method == "summary" || method == "description" {
				continue
			}
			inDoc[strings.ToUpper(method)+" /api"+path] = true
		}
	}
	e := newTestEnv(t)
	inTable := map[string]bool{}
	for _, rt := range e.server.routes() {
		if rt.kind != kindAPI || !strings.Contains(rt.pattern, " ") {
			continue // the catch-all answers only not-found
		}
		inTable[rt.pattern] = true
	}
	var missing, extra []string
	for p := range inTable {
		if !inDoc[p] {
			missing = append(missing, p)
		}
	}
	for p := range inDoc {
		if !inTable[p] {
			extra = append(extra, p)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing) > 0 {
		t.Errorf("routes not in openapi.json: %v", missing)
	}
	if len(extra) > 0 {
		t.Errorf("openapi.json operations with no route: %v", extra)
	}
	if len(inTable) < 12 {
		t.Errorf("the table has %d API routes, want at least 12", len(inTable))
	}
}
