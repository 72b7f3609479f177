package main

import (
	"fmt"
	"os"

	"github.com/ghodss/yaml"
)

// readValuesFile reads YAML through JSON as Helm does (sigs.k8s.io/yaml,
// whose ancestor ghodss/yaml this is): numbers become float64 and keys
// strings, so templates see exactly the types they would see in Helm.
func readValuesFile(file string) (map[string]interface{}, error) {
	raw, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	vals := map[string]interface{}{}
	if err := yaml.Unmarshal(raw, &vals); err != nil {
		return nil, fmt.Errorf("failed to parse %s: %v", file, err)
	}
	if vals == nil {
		vals = map[string]interface{}{}
	}
	return vals, nil
}

// mergeMaps merges b over a, recursing into maps; b's value wins otherwise
// (a null included, which coalesceValues then turns into a deletion). This
// is how Helm combines several -f files.
func mergeMaps(a, b map[string]interface{}) map[string]interface{} {
	out := make(map[string]interface{}, len(a))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		if vm, ok := v.(map[string]interface{}); ok {
			if om, ok := out[k].(map[string]interface{}); ok {
				out[k] = mergeMaps(om, vm)
				continue
			}
		}
		out[k] = v
	}
	return out
}

// coalesceValues lays the user's values over the chart's defaults as Helm's
// chartutil.CoalesceValues does: tables merge key by key, anything else the
// user gave replaces the default, and a null the user gave removes the key.
func coalesceValues(defaults, user map[string]interface{}) map[string]interface{} {
	out := make(map[string]interface{}, len(defaults))
	for k, v := range defaults {
		out[k] = v
	}
	for k, uv := range user {
		if uv == nil {
			delete(out, k)
			continue
		}
		um, userIsMap := uv.(map[string]interface{})
		dv, present := out[k]
		if !present {
			out[k] = removeNulls(uv)
			continue
		}
		dm, defaultIsMap := dv.(map[string]interface{})
		switch {
		case userIsMap && defaultIsMap:
			out[k] = coalesceValues(dm, um)
		case userIsMap != defaultIsMap && dv != nil:
			// Helm warns and lets the user's value win.
			fmt.Fprintf(os.Stderr, "coalesce.go: warning: cannot overwrite table with non table for %s (%v)\n", k, dv)
			out[k] = removeNulls(uv)
		default:
			out[k] = removeNulls(uv)
		}
	}
	return out
}

// A null inside a table that has no default counterpart is dropped too.
func removeNulls(v interface{}) interface{} {
	m, ok := v.(map[string]interface{})
	if !ok {
		return v
	}
	out := make(map[string]interface{}, len(m))
	for k, x := range m {
		if x != nil {
			out[k] = removeNulls(x)
		}
	}
	return out
}
