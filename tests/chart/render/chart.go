package main

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"

	"github.com/Masterminds/semver"
	"github.com/ghodss/yaml"
)

// Metadata is Chart.yaml, with Helm's field names: templates read
// .Chart.Name, .Chart.AppVersion... and a misspelt field is an error, as in
// Helm (where .Chart is a struct too).
type Metadata struct {
	Name         string            `json:"name,omitempty"`
	Home         string            `json:"home,omitempty"`
	Sources      []string          `json:"sources,omitempty"`
	Version      string            `json:"version,omitempty"`
	Description  string            `json:"description,omitempty"`
	Keywords     []string          `json:"keywords,omitempty"`
	Maintainers  []*Maintainer     `json:"maintainers,omitempty"`
	Icon         string            `json:"icon,omitempty"`
	APIVersion   string            `json:"apiVersion,omitempty"`
	Condition    string            `json:"condition,omitempty"`
	Tags         string            `json:"tags,omitempty"`
	AppVersion   string            `json:"appVersion,omitempty"`
	Deprecated   bool              `json:"deprecated,omitempty"`
	Annotations  map[string]string `json:"annotations,omitempty"`
	KubeVersion  string            `json:"kubeVersion,omitempty"`
	Dependencies []interface{}     `json:"dependencies,omitempty"`
	Type         string            `json:"type,omitempty"`
}

type Maintainer struct {
	Name  string `json:"name,omitempty"`
	Email string `json:"email,omitempty"`
	URL   string `json:"url,omitempty"`
}

type template_ struct {
	name string // <chart>/templates/<path>, as Helm names it
	text string
}

type Chart struct {
	Metadata  *Metadata
	Values    map[string]interface{}
	Templates []template_
}

func loadChart(dir string) (*Chart, error) {
	raw, err := os.ReadFile(filepath.Join(dir, "Chart.yaml"))
	if err != nil {
		return nil, err
	}
	md := &Metadata{}
	if err := yaml.UnmarshalStrict(raw, md); err != nil {
		return nil, fmt.Errorf("cannot load Chart.yaml: %v", err)
	}
	if err := validateMetadata(md); err != nil {
		return nil, fmt.Errorf("validation: chart.metadata.%v", err)
	}
	values := map[string]interface{}{}
	if _, err := os.Stat(filepath.Join(dir, "values.yaml")); err == nil {
		if values, err = readValuesFile(filepath.Join(dir, "values.yaml")); err != nil {
			return nil, err
		}
	}
	c := &Chart{Metadata: md, Values: values}
	root := filepath.Join(dir, "templates")
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		text, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		c.Templates = append(c.Templates, template_{
			name: path.Join(md.Name, filepath.ToSlash(rel)),
			text: string(text),
		})
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(c.Templates, func(i, j int) bool { return c.Templates[i].name < c.Templates[j].name })
	return c, nil
}

// The checks of Helm's chart.Metadata.Validate that a chart of ours can fail.
func validateMetadata(md *Metadata) error {
	switch {
	case md.APIVersion == "":
		return fmt.Errorf("apiVersion is required")
	case md.APIVersion != "v2":
		return fmt.Errorf("apiVersion %q is not v2 (this renderer renders application charts only)", md.APIVersion)
	case md.Name == "":
		return fmt.Errorf("name is required")
	case md.Version == "":
		return fmt.Errorf("version is required")
	case md.Type != "" && md.Type != "application":
		return fmt.Errorf("type %q is not application", md.Type)
	}
	if _, err := semver.StrictNewVersion(md.Version); err != nil {
		return fmt.Errorf("version %q is invalid", md.Version)
	}
	return nil
}

func (c *Chart) checkKubeVersion(kv KubeVersion) error {
	if c.Metadata.KubeVersion == "" {
		return nil
	}
	constraint, err := semver.NewConstraint(c.Metadata.KubeVersion)
	if err != nil {
		return fmt.Errorf("chart %q has an invalid kubeVersion %q: %v", c.Metadata.Name, c.Metadata.KubeVersion, err)
	}
	v, err := semver.NewVersion(kv.Version)
	if err != nil {
		return err
	}
	if !constraint.Check(v) {
		return fmt.Errorf("chart requires kubeVersion: %s which is incompatible with Kubernetes %s",
			c.Metadata.KubeVersion, kv.Version)
	}
	return nil
}

// Capabilities is the little of Helm's chartutil.Capabilities a chart uses
// without a cluster.
type Capabilities struct {
	KubeVersion KubeVersion
	APIVersions VersionSet
	HelmVersion struct{ Version string }
}

type KubeVersion struct {
	Version string // "v1.30.0"
	Major   string
	Minor   string
}

func (kv KubeVersion) String() string     { return kv.Version }
func (kv KubeVersion) GitVersion() string { return kv.Version }

type VersionSet []string

// Has is true for "group/version" and "group/version/Kind" entries listed.
func (s VersionSet) Has(apiVersion string) bool {
	for _, v := range s {
		if v == apiVersion {
			return true
		}
	}
	return false
}

// What `helm template` assumes without --api-versions: the built-in groups.
var defaultAPIVersions = []string{
	"v1", "apps/v1", "batch/v1", "policy/v1", "autoscaling/v1", "autoscaling/v2",
	"networking.k8s.io/v1", "rbac.authorization.k8s.io/v1", "storage.k8s.io/v1",
	"apiextensions.k8s.io/v1", "coordination.k8s.io/v1", "scheduling.k8s.io/v1",
}

func newCapabilities(kubeVersion string, extra []string) (*Capabilities, error) {
	v, err := semver.NewVersion(kubeVersion)
	if err != nil {
		return nil, fmt.Errorf("invalid --kube-version %q: %v", kubeVersion, err)
	}
	caps := &Capabilities{
		KubeVersion: KubeVersion{
			Version: "v" + v.String(),
			Major:   fmt.Sprint(v.Major()),
			Minor:   fmt.Sprint(v.Minor()),
		},
		APIVersions: append(append(VersionSet{}, defaultAPIVersions...), extra...),
	}
	caps.HelmVersion.Version = "v3-compatible (kafka-sidecar chart-render)"
	return caps, nil
}
