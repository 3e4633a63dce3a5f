package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImportGraph holds the layout: domain imports nothing but the standard
// library and its own subpackages (which import only the standard library
// too), the adapters do not import each other, and the read models send
// nothing over HTTP.
func TestImportGraph(t *testing.T) {
	t.Parallel()
	const mod = "github.com/amity-im/amity/"
	forbidden := map[string][]string{
		"domain":       {"eventstore", "projections", "http", "cmd", "writer", "delivery"},
		"eventstore":   {"projections", "http", "cmd", "writer", "delivery"},
		"projections":  {"eventstore", "http", "cmd", "writer", "delivery"},
		"writer":       {"eventstore", "projections", "http", "cmd", "delivery"},
		"delivery":     {"eventstore", "projections", "http", "cmd", "writer"},
		"http":         {"eventstore", "projections", "cmd", "http/zim", "http/tencent", "writer"},
		"http/zim":     {"eventstore", "projections", "cmd", "http/tencent", "writer"},
		"http/tencent": {"eventstore", "projections", "cmd", "http/zim", "writer"},
		"http/native":  {"eventstore", "projections", "cmd", "http/zim", "http/tencent", "writer"},
	}
	for pkg, bad := range forbidden {
		out, err := exec.Command("go", "list", "-deps", mod+pkg).Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", pkg, err)
		}
		for _, dep := range strings.Fields(string(out)) {
			if pkg == "projections" && dep == "net/http" {
				t.Errorf("projections imports net/http; read models send nothing (delivery does)")
			}
			if pkg == "domain" && dep != mod+"domain" && !strings.HasPrefix(dep, mod+"domain/") && strings.Contains(strings.SplitN(dep, "/", 2)[0], ".") {
				t.Errorf("domain imports %s; it may use only the standard library", dep)
			}
			for _, b := range bad {
				if dep == mod+b || strings.HasPrefix(dep, mod+b+"/") {
					t.Errorf("%s imports %s", pkg, dep)
				}
			}
		}
	}
}
