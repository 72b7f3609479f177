// chart-render renders a Helm chart the way `helm template` does, for the
// chart tests: Helm itself is not in the package registries we build from,
// but Go, text/template and sprig are, and they are what Helm renders with.
//
//	chart-render [-f values.yaml]... [--release-name N] [--namespace NS]
//	             [--kube-version vX.Y.Z] [--api-versions group/version]... CHART_DIR
//
// Prints every manifest as `---`, `# Source: <chart>/templates/<file>` and
// the manifest, ordered by kind as Helm installs them. Errors go to stderr
// in Helm's words ("execution error at (...): ...") and exit with 1.
//
// What is Helm's and kept here: values coalescing (chart defaults, then each
// -f file deep-merged over them, null deleting a key), numbers in values
// arriving in templates as float64 (values go through JSON, as in Helm),
// sprig's functions minus env/expandenv, include, tpl, required, fail,
// toYaml/fromYaml/toJson/fromJson, lookup (empty, as without a cluster),
// missingkey=zero with "<no value>" removed, partials (_*) not rendered,
// NOTES.txt rendered but not printed, the Chart.yaml checks (apiVersion v2,
// name, semver version, kubeVersion constraint). Not here: subcharts, --set,
// values.schema.json, .Files, hooks.
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
)

type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

func main() {
	var valueFiles, apiVersions stringList
	releaseName := flag.String("release-name", "release-name", "the release's name (.Release.Name)")
	namespace := flag.String("namespace", "default", "the release's namespace (.Release.Namespace)")
	kubeVersion := flag.String("kube-version", "v1.30.0", "the Kubernetes version in .Capabilities")
	flag.Var(&valueFiles, "f", "a values file merged over the chart's values.yaml (repeatable; later wins)")
	flag.Var(&apiVersions, "api-versions", "an extra API version in .Capabilities.APIVersions (repeatable)")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: %s [flags] CHART_DIR\n", os.Args[0])
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	out, err := run(flag.Arg(0), options{
		valueFiles:  valueFiles,
		releaseName: *releaseName,
		namespace:   *namespace,
		kubeVersion: *kubeVersion,
		apiVersions: apiVersions,
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "Error: %v\n", err)
		os.Exit(1)
	}
	fmt.Print(out)
}

type options struct {
	valueFiles  []string
	releaseName string
	namespace   string
	kubeVersion string
	apiVersions []string
}

func run(chartDir string, opts options) (string, error) {
	chart, err := loadChart(chartDir)
	if err != nil {
		return "", err
	}
	caps, err := newCapabilities(opts.kubeVersion, opts.apiVersions)
	if err != nil {
		return "", err
	}
	if err := chart.checkKubeVersion(caps.KubeVersion); err != nil {
		return "", err
	}
	user := map[string]interface{}{}
	for _, file := range opts.valueFiles {
		vals, err := readValuesFile(file)
		if err != nil {
			return "", err
		}
		user = mergeMaps(user, vals)
	}
	top := map[string]interface{}{
		"Chart": chart.Metadata,
		"Release": map[string]interface{}{
			"Name":      opts.releaseName,
			"Namespace": opts.namespace,
			"IsInstall": true,
			"IsUpgrade": false,
			"Revision":  1,
			"Service":   "Helm",
		},
		"Capabilities": caps,
		"Values":       coalesceValues(chart.Values, user),
	}
	rendered, err := render(chart, top)
	if err != nil {
		return "", err
	}
	manifests, err := sortManifests(rendered)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, m := range manifests {
		fmt.Fprintf(&b, "---\n# Source: %s\n%s\n", m.source, m.content)
	}
	return b.String(), nil
}
