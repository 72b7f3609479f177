package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig"
	"github.com/ghodss/yaml"
)

// Helm wraps the message of `required` so that its error report shows the
// message alone; fail's message comes through sprig as a plain error.
const (
	warnStart = "HELM_ERR_START"
	warnEnd   = "HELM_ERR_END"
)

var warnRegex = regexp.MustCompile(warnStart + `(.*)` + warnEnd)

// funcMap is Helm's: sprig's text functions without env and expandenv
// (a chart must not read the machine it is rendered on) plus Helm's own.
// include and tpl are bound to the template set in render.
func funcMap() template.FuncMap {
	f := sprig.TxtFuncMap()
	delete(f, "env")
	delete(f, "expandenv")
	extra := template.FuncMap{
		"toYaml":   toYAML,
		"fromYaml": fromYAML,
		"toJson":   toJSON,
		"fromJson": fromJSON,
		// Without a cluster Helm's lookup finds nothing.
		"lookup": func(string, string, string, string) (map[string]interface{}, error) {
			return map[string]interface{}{}, nil
		},
		"required": required,
		"include":  func(string, interface{}) string { return "not implemented" },
		"tpl":      func(string, interface{}) interface{} { return "not implemented" },
	}
	for k, v := range extra {
		f[k] = v
	}
	return f
}

func toYAML(v interface{}) string {
	data, err := yaml.Marshal(v)
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(string(data), "\n")
}

func fromYAML(str string) map[string]interface{} {
	m := map[string]interface{}{}
	if err := yaml.Unmarshal([]byte(str), &m); err != nil {
		m["Error"] = err.Error()
	}
	return m
}

func toJSON(v interface{}) string {
	data, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(data)
}

func fromJSON(str string) map[string]interface{} {
	m := map[string]interface{}{}
	if err := json.Unmarshal([]byte(str), &m); err != nil {
		m["Error"] = err.Error()
	}
	return m
}

// required fails on nil and on the empty string, nothing else (false and 0
// pass), as in Helm.
func required(warn string, val interface{}) (interface{}, error) {
	if val == nil {
		return val, errors.New(warnStart + warn + warnEnd)
	}
	if s, ok := val.(string); ok && s == "" {
		return val, errors.New(warnStart + warn + warnEnd)
	}
	return val, nil
}

// render executes every template that is not a partial and returns the
// output by template name. top is the root context (.Values, .Release...).
func render(c *Chart, top map[string]interface{}) (map[string]string, error) {
	t := template.New("gotpl")
	t.Option("missingkey=zero")
	includeDepth := map[string]int{}
	funcs := funcMap()
	funcs["include"] = func(name string, data interface{}) (string, error) {
		if includeDepth[name] > 1000 {
			return "", fmt.Errorf("rendering template has a nested reference name: %s", name)
		}
		includeDepth[name]++
		defer func() { includeDepth[name]-- }()
		var b strings.Builder
		err := t.ExecuteTemplate(&b, name, data)
		return b.String(), err
	}
	funcs["tpl"] = func(text string, vals map[string]interface{}) (string, error) {
		name := "tpl"
		if tm, ok := vals["Template"].(map[string]interface{}); ok {
			if n, ok := tm["Name"].(string); ok {
				name = n
			}
		}
		// A copy of the set, so that the string sees every define and
		// replaces no template of the chart.
		clone, err := t.Clone()
		if err != nil {
			return "", err
		}
		if _, err := clone.New(name).Parse(text); err != nil {
			return "", fmt.Errorf("error during tpl function execution for %q: %v", text, err)
		}
		var b strings.Builder
		if err := clone.ExecuteTemplate(&b, name, vals); err != nil {
			return "", fmt.Errorf("error during tpl function execution for %q: %v", text, err)
		}
		return strings.ReplaceAll(b.String(), "<no value>", ""), nil
	}
	t.Funcs(funcs)

	for _, tpl := range c.Templates {
		if _, err := t.New(tpl.name).Parse(tpl.text); err != nil {
			return nil, cleanupParseError(tpl.name, err)
		}
	}
	out := map[string]string{}
	for _, tpl := range executionOrder(c.Templates) {
		if strings.HasPrefix(path.Base(tpl.name), "_") {
			continue
		}
		vals := make(map[string]interface{}, len(top)+1)
		for k, v := range top {
			vals[k] = v
		}
		vals["Template"] = map[string]interface{}{
			"Name":     tpl.name,
			"BasePath": path.Join(c.Metadata.Name, "templates"),
		}
		var b strings.Builder
		if err := t.ExecuteTemplate(&b, tpl.name, vals); err != nil {
			return nil, cleanupExecError(tpl.name, err)
		}
		out[tpl.name] = strings.ReplaceAll(b.String(), "<no value>", "")
	}
	return out, nil
}

// executionOrder is Helm's sortTemplates: deeper paths first, then names in
// reverse order. It decides which template's error a broken chart reports.
func executionOrder(templates []template_) []template_ {
	out := append([]template_(nil), templates...)
	sort.SliceStable(out, func(i, j int) bool {
		di, dj := strings.Count(out[i].name, "/"), strings.Count(out[j].name, "/")
		if di != dj {
			return di > dj
		}
		return out[i].name > out[j].name
	})
	return out
}

func cleanupParseError(name string, err error) error {
	tokens := strings.Split(err.Error(), ": ")
	if len(tokens) == 1 {
		return fmt.Errorf("parse error in (%s): %s", name, err)
	}
	return fmt.Errorf("parse error at (%s): %s", tokens[1], tokens[len(tokens)-1])
}

func cleanupExecError(name string, err error) error {
	var execErr template.ExecError
	if !errors.As(err, &execErr) {
		return err
	}
	tokens := strings.SplitN(err.Error(), ": ", 3)
	if len(tokens) != 3 {
		return fmt.Errorf("execution error in (%s): %s", name, err)
	}
	if parts := warnRegex.FindStringSubmatch(tokens[2]); len(parts) >= 2 {
		return fmt.Errorf("execution error at (%s): %s", tokens[1], parts[1])
	}
	return err
}
