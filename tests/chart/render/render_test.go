package main

import (
	"strings"
	"testing"
)

// The fixture chart exercises what the kafka-sidecar chart relies on and
// where Helm's behaviour is easy to get wrong.

func renderFixture(t *testing.T, files ...string) string {
	t.Helper()
	for i, f := range files {
		files[i] = "testdata/" + f
	}
	out, err := run("testdata/fixture", options{
		valueFiles: files, releaseName: "rel", namespace: "ns", kubeVersion: "v1.30.0",
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestOrderSourcesAndEmptyDocuments(t *testing.T) {
	out := renderFixture(t)
	want := []string{
		"---\n# Source: fixture/templates/configmap.yaml\napiVersion: v1\nkind: Secret\n",
		"---\n# Source: fixture/templates/configmap.yaml\napiVersion: v1\nkind: ConfigMap\n",
		"---\n# Source: fixture/templates/service.yaml\napiVersion: v1\nkind: Service\n",
		// A comment-only document is kept, as Helm keeps it, after every kind.
		"---\n# Source: fixture/templates/configmap.yaml\n# a comment-only document\n",
	}
	at := 0
	for _, w := range want {
		i := strings.Index(out[at:], w)
		if i < 0 {
			t.Fatalf("missing or out of install order: %q\n%s", w, out)
		}
		at += i + len(w)
	}
	if strings.Count(out, "---\n") != 4 {
		t.Errorf("expected 4 manifests (the empty template output dropped):\n%s", out)
	}
	if strings.Contains(out, "Not printed") {
		t.Error("NOTES.txt printed")
	}
}

func TestValuesAreHelmTyped(t *testing.T) {
	out := renderFixture(t)
	for _, w := range []string{
		"port-kind: float64", // numbers from values go through JSON
		"- port: 9644",
		`big: "1e+06"`, // and print as Helm prints them
		`missing: ""`,  // missingkey=zero, "<no value>" removed
		`message: "hello rel"`,
		"template: fixture/templates/configmap.yaml",
		`roundtrip: "1"`,
		"name: fixture-rel",
	} {
		if !strings.Contains(out, w) {
			t.Errorf("missing %q in\n%s", w, out)
		}
	}
}

func TestValueFilesMergeAndNullDeletes(t *testing.T) {
	out := renderFixture(t, "override-a.yaml")
	if !strings.Contains(out, "    keep: kept\n    list:\n    - c\n") || strings.Contains(out, "drop") {
		t.Errorf("nested merge or null deletion wrong:\n%s", out)
	}
	out = renderFixture(t, "override-a.yaml", "override-b.yaml")
	if !strings.Contains(out, "x: eWVz") {
		t.Errorf("later file should win and set needed:\n%s", out)
	}
}

func TestRequiredReportsLikeHelm(t *testing.T) {
	_, err := run("testdata/fixture", options{
		valueFiles:  []string{"testdata/override-b.yaml", "testdata/needed-empty.yaml"},
		releaseName: "rel", namespace: "ns", kubeVersion: "v1.30.0",
	})
	want := "execution error at (fixture/templates/required.yaml:2:10): strict mode wants .Values.needed"
	if err == nil || err.Error() != want {
		t.Fatalf("got %v, want %q", err, want)
	}
}

func TestKubeVersionConstraint(t *testing.T) {
	_, err := run("testdata/fixture", options{releaseName: "rel", namespace: "ns", kubeVersion: "v1.19.4"})
	want := "chart requires kubeVersion: >=1.20.0-0 which is incompatible with Kubernetes v1.19.4"
	if err == nil || err.Error() != want {
		t.Fatalf("got %v, want %q", err, want)
	}
}

func TestCoalesceKeepsDefaultsAndDropsNulls(t *testing.T) {
	got := coalesceValues(
		map[string]interface{}{"a": map[string]interface{}{"x": 1.0, "y": 2.0}, "b": "keep"},
		map[string]interface{}{"a": map[string]interface{}{"y": nil, "z": 3.0}, "c": map[string]interface{}{"n": nil}},
	)
	a := got["a"].(map[string]interface{})
	if a["x"] != 1.0 || a["z"] != 3.0 || len(a) != 2 || got["b"] != "keep" || len(got["c"].(map[string]interface{})) != 0 {
		t.Errorf("coalesce: %v", got)
	}
}
