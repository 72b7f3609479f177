{{/*
Names and labels, as every chart writes them. Names are cut at 63
characters: they end up in DNS labels and label values.
*/}}
{{- define "kafka-sidecar.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "kafka-sidecar.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "kafka-sidecar.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "kafka-sidecar.selectorLabels" -}}
app.kubernetes.io/name: {{ include "kafka-sidecar.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "kafka-sidecar.labels" -}}
helm.sh/chart: {{ include "kafka-sidecar.chart" . }}
{{ include "kafka-sidecar.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/*
The environment variable that carries a cluster's SASL password:
KS_SASL_PASSWORD_ and the cluster's name in upper case, '-' and '.' as '_'
(cluster names allow letters, digits, '_', '-' and '.').
*/}}
{{- define "kafka-sidecar.saslPasswordEnv" -}}
{{- printf "KS_SASL_PASSWORD_%s" (. | upper | replace "-" "_" | replace "." "_") -}}
{{- end -}}

{{- define "kafka-sidecar.saslSecretName" -}}
{{- .Values.sasl.existingSecret | default (printf "%s-sasl" (include "kafka-sidecar.fullname" .)) -}}
{{- end -}}

{{/*
The clusters (config.clusters) that take their SASL password from the
Secret: those with a sasl section and no password_file.
*/}}
{{- define "kafka-sidecar.saslClusters" -}}
{{- range .Values.config.clusters -}}
{{- if and .sasl (not .sasl.password_file) }}
- {{ .name | quote }}
{{- end -}}
{{- end -}}
{{- end -}}

{{/*
A size in bytes, from the sidecar's units (64MiB, 10GB, 512B) or
Kubernetes quantities (10Gi, 500M, 1073741824); "" when it is neither (then
the size checks are skipped, and check-config or the API server judge it).
*/}}
{{- define "kafka-sidecar.bytes" -}}
{{- $s := toString . -}}
{{- $m := regexFind "^[0-9]+(\\.[0-9]+)?" $s -}}
{{- if $m -}}
{{- $unit := trimPrefix $m $s -}}
{{- $factors := dict "" 1 "B" 1 "KiB" 1024 "Ki" 1024 "MiB" 1048576 "Mi" 1048576 "GiB" 1073741824 "Gi" 1073741824 "TiB" 1099511627776 "Ti" 1099511627776 "KB" 1000 "k" 1000 "MB" 1000000 "M" 1000000 "GB" 1000000000 "G" 1000000000 "T" 1000000000000 -}}
{{- if hasKey $factors $unit -}}
{{- mulf (float64 $m) (get $factors $unit) | printf "%.0f" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/*
Checks across values that Kubernetes or the sidecar would only report once
the pod runs, or never. Included by the workload template.
*/}}
{{- define "kafka-sidecar.validate" -}}
{{- $v := .Values -}}
{{- if not (has $v.workload.kind (list "Deployment" "StatefulSet")) -}}
{{- fail (printf "workload.kind must be Deployment or StatefulSet, not %v" $v.workload.kind) -}}
{{- end -}}
{{- if not (has $v.persistence.type (list "pvc" "emptyDir")) -}}
{{- fail (printf "persistence.type must be pvc or emptyDir, not %v" $v.persistence.type) -}}
{{- end -}}
{{- if and (eq $v.workload.kind "Deployment") (eq $v.persistence.type "pvc") (ne (int $v.workload.replicas) 1) -}}
{{- fail (printf "workload.replicas is %v, but a Deployment's replicas share one PersistentVolumeClaim and two sidecars must never open the same buffer: use workload.kind StatefulSet (a volume per replica) or replicas 1" $v.workload.replicas) -}}
{{- end -}}
{{- if and $v.persistence.existingClaim (eq $v.workload.kind "StatefulSet") -}}
{{- fail "persistence.existingClaim is for a Deployment: a StatefulSet's replicas each get a claim from the template" -}}
{{- end -}}
{{- if and $v.sidecar.native $v.app.enabled (semverCompare "<1.29.0-0" .Capabilities.KubeVersion.Version) -}}
{{- fail (printf "sidecar.native needs Kubernetes 1.29 or later (native sidecar containers); this is %s: set sidecar.native=false" .Capabilities.KubeVersion.Version) -}}
{{- end -}}
{{- $grace := int $v.workload.terminationGracePeriodSeconds -}}
{{- $delay := ternary 0 (int $v.sidecar.preStopDelaySeconds) (and $v.sidecar.native $v.app.enabled) -}}
{{- if lt $grace (add $delay 15) -}}
{{- fail (printf "workload.terminationGracePeriodSeconds is %d: the sidecar needs up to 10 s to drain after SIGTERM plus time to checkpoint (and sidecar.preStopDelaySeconds, %d, before it): give at least %d" $grace $delay (add $delay 15)) -}}
{{- end -}}
{{- $admin := $v.config.admin -}}
{{- if not (and $admin $admin.port (gt (int $admin.port) 0)) -}}
{{- fail "config.admin.port must be set and not 0: the probes and the metrics Service use the admin server" -}}
{{- end -}}
{{- if or (hasPrefix "127." (toString $admin.address)) (has (toString $admin.address) (list "localhost" "::1" "[::1]")) -}}
{{- fail (printf "config.admin.address %s is a loopback address: the kubelet's probes and Prometheus could not reach it; use 0.0.0.0" $admin.address) -}}
{{- end -}}
{{- if not $v.config.clusters -}}
{{- fail "config.clusters needs at least one cluster: [{name: main, bootstrap: [\"kafka:9092\"]}]" -}}
{{- end -}}
{{- if not (kindIs "slice" $v.config.clusters) -}}
{{- fail "config.clusters is a list in the chart's values: [{name: main, bootstrap: [...]}, ...]" -}}
{{- end -}}
{{- range $i, $c := $v.config.clusters -}}
{{- if not (kindIs "map" $c) -}}
{{- fail (printf "config.clusters[%d] must be a mapping with name and bootstrap" $i) -}}
{{- end -}}
{{- $_ := required (printf "config.clusters[%d].name is required" $i) $c.name -}}
{{- if and $c.sasl (hasKey $c.sasl "password") -}}
{{- fail (printf "config.clusters[%d] (%s): sasl.password must not be in the values: the config is a ConfigMap. Put the password in sasl.passwords.%s (or the Secret sasl.existingSecret, key %s); the chart references it as ${%s}" $i $c.name $c.name $c.name (include "kafka-sidecar.saslPasswordEnv" $c.name)) -}}
{{- end -}}
{{- end -}}
{{- if $v.app.enabled -}}
{{- $_ := required "app.image.repository is required when app.enabled is true" $v.app.image.repository -}}
{{- end -}}
{{- if and $v.sasl.existingSecret $v.sasl.passwords -}}
{{- fail "give sasl.existingSecret or sasl.passwords, not both" -}}
{{- end -}}
{{- $dir := (default dict $v.config.buffer).dir -}}
{{- if and $dir (ne (toString $dir) $v.persistence.mountPath) -}}
{{- fail (printf "config.buffer.dir (%v) is set by the chart to persistence.mountPath (%s): leave it out" $dir $v.persistence.mountPath) -}}
{{- end -}}
{{- if eq $v.persistence.type "pvc" -}}
{{- $size := include "kafka-sidecar.bytes" $v.persistence.size -}}
{{- $max := include "kafka-sidecar.bytes" (default "10GiB" $v.config.buffer.max_bytes) -}}
{{- $segment := include "kafka-sidecar.bytes" (default "64MiB" $v.config.buffer.segment_bytes) -}}
{{- if and $size $max $segment -}}
{{- $need := mulf (len $v.config.clusters) (addf $max $segment) -}}
{{- if lt (float64 $size) $need -}}
{{- fail (printf "persistence.size %s is smaller than what the buffer may hold: %d cluster(s) x (config.buffer.max_bytes %s + one segment of %s); raise the size or lower max_bytes" (toString $v.persistence.size) (len $v.config.clusters) (toString (default "10GiB" $v.config.buffer.max_bytes)) (toString (default "64MiB" $v.config.buffer.segment_bytes))) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/*
The sidecar's config file, from config.* : clusters from a list to a
mapping by name, the SASL password as a ${VAR} reference to the sidecar's
environment, buffer.dir on the volume, empty optional sections left out.
Any other key passes through, so the sidecar (check-config) judges it.
*/}}
{{- define "kafka-sidecar.configFile" -}}
{{- $config := deepCopy .Values.config -}}
{{- $clusters := dict -}}
{{- range .Values.config.clusters -}}
{{- $cluster := omit . "name" -}}
{{- if and .sasl (not .sasl.password_file) -}}
{{- $password := printf "${%s}" (include "kafka-sidecar.saslPasswordEnv" .name) -}}
{{- $_ := set $cluster "sasl" (merge (dict "password" $password) .sasl) -}}
{{- end -}}
{{- $_ := set $clusters .name $cluster -}}
{{- end -}}
{{- $_ := set $config "clusters" $clusters -}}
{{- $_ := set $config "buffer" (merge (dict "dir" .Values.persistence.mountPath) (default dict $config.buffer)) -}}
{{- range $section := list "routes" "groups" "topics" "forward" -}}
{{- if not (get $config $section) -}}
{{- $_ := unset $config $section -}}
{{- end -}}
{{- end -}}
{{- toYaml $config -}}
{{- end -}}

{{/*
The sidecar container. Argument: the root context. Native (an init
container with restartPolicy Always) only beside an app container.
*/}}
{{- define "kafka-sidecar.sidecarContainer" -}}
{{- $v := .Values -}}
{{- $native := and $v.sidecar.native $v.app.enabled -}}
- name: {{ $v.sidecar.name }}
  image: "{{ $v.sidecar.image.repository }}:{{ $v.sidecar.image.tag | default .Chart.AppVersion }}"
  imagePullPolicy: {{ $v.sidecar.image.pullPolicy }}
  {{- if $native }}
  # A native sidecar: started before the app, stopped after it.
  restartPolicy: Always
  {{- end }}
  args: ["run", "--config", "/etc/kafka-sidecar/config.yaml"]
  ports:
    - name: admin
      containerPort: {{ $v.config.admin.port }}
      protocol: TCP
  {{- $saslClusters := include "kafka-sidecar.saslClusters" . | trim }}
  {{- if or $saslClusters $v.sidecar.env }}
  env:
    {{- range $v.config.clusters }}
    {{- if and .sasl (not .sasl.password_file) }}
    - name: {{ include "kafka-sidecar.saslPasswordEnv" .name }}
      valueFrom:
        secretKeyRef:
          name: {{ include "kafka-sidecar.saslSecretName" $ }}
          key: {{ .name }}
    {{- end }}
    {{- end }}
    {{- with $v.sidecar.env }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- end }}
  startupProbe:
    httpGet:
      path: /healthz
      port: admin
    {{- with $v.sidecar.startupProbe }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  livenessProbe:
    httpGet:
      path: /healthz
      port: admin
    {{- with $v.sidecar.livenessProbe }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  readinessProbe:
    httpGet:
      path: /readyz
      port: admin
    {{- with $v.sidecar.readinessProbe }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- if and (not $native) (gt (int $v.sidecar.preStopDelaySeconds) 0) }}
  lifecycle:
    preStop:
      # The app gets SIGTERM now too: keep accepting its last records.
      exec:
        command: ["sleep", "{{ int $v.sidecar.preStopDelaySeconds }}"]
  {{- end }}
  {{- with $v.sidecar.resources }}
  resources:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $v.sidecar.securityContext }}
  securityContext:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  volumeMounts:
    - name: config
      mountPath: /etc/kafka-sidecar
      readOnly: true
    - name: buffer
      mountPath: {{ $v.persistence.mountPath }}
    {{- if $v.tls.existingSecret }}
    - name: tls
      mountPath: {{ $v.tls.mountPath }}
      readOnly: true
    {{- end }}
    {{- with $v.sidecar.extraVolumeMounts }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
{{- end -}}

{{/*
The app container (app.enabled).
*/}}
{{- define "kafka-sidecar.appContainer" -}}
{{- $a := .Values.app -}}
- name: {{ $a.name }}
  image: "{{ $a.image.repository }}{{ with $a.image.tag }}:{{ . }}{{ end }}"
  imagePullPolicy: {{ $a.image.pullPolicy }}
  {{- with $a.command }}
  command:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $a.args }}
  args:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- if or $a.bootstrapServersEnv $a.env }}
  env:
    {{- with $a.bootstrapServersEnv }}
    - name: {{ . }}
      value: {{ $.Values.config.listener.advertised | default (printf "%s:%v" $.Values.config.listener.address $.Values.config.listener.port) | quote }}
    {{- end }}
    {{- with $a.env }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- end }}
  {{- with $a.envFrom }}
  envFrom:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $a.ports }}
  ports:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $a.livenessProbe }}
  livenessProbe:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $a.readinessProbe }}
  readinessProbe:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $a.resources }}
  resources:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $a.securityContext }}
  securityContext:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $a.volumeMounts }}
  volumeMounts:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end -}}

{{/*
The pod template of the Deployment or StatefulSet.
*/}}
{{- define "kafka-sidecar.podTemplate" -}}
{{- $v := .Values -}}
{{- $native := and $v.sidecar.native $v.app.enabled -}}
metadata:
  labels:
    {{- include "kafka-sidecar.selectorLabels" . | nindent 4 }}
    {{- with $v.workload.podLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  annotations:
    checksum/config: {{ include (print .Template.BasePath "/configmap.yaml") . | sha256sum }}
    {{- if and (not $v.sasl.existingSecret) (include "kafka-sidecar.saslClusters" . | trim) }}
    checksum/sasl: {{ include (print .Template.BasePath "/secret.yaml") . | sha256sum }}
    {{- end }}
    {{- with $v.workload.podAnnotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  {{- with $v.workload.serviceAccountName }}
  serviceAccountName: {{ . }}
  {{- end }}
  automountServiceAccountToken: {{ $v.workload.automountServiceAccountToken }}
  terminationGracePeriodSeconds: {{ int $v.workload.terminationGracePeriodSeconds }}
  {{- with $v.workload.priorityClassName }}
  priorityClassName: {{ . }}
  {{- end }}
  {{- with $v.workload.podSecurityContext }}
  securityContext:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $v.workload.imagePullSecrets }}
  imagePullSecrets:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- if or $native $v.workload.initContainers }}
  initContainers:
    {{- if $native }}
    {{- include "kafka-sidecar.sidecarContainer" . | nindent 4 }}
    {{- end }}
    {{- with $v.workload.initContainers }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- end }}
  containers:
    {{- if $v.app.enabled }}
    {{- include "kafka-sidecar.appContainer" . | nindent 4 }}
    {{- end }}
    {{- if not $native }}
    {{- include "kafka-sidecar.sidecarContainer" . | nindent 4 }}
    {{- end }}
  volumes:
    - name: config
      configMap:
        name: {{ include "kafka-sidecar.fullname" . }}
    {{- if eq $v.persistence.type "emptyDir" }}
    # WARNING: an emptyDir dies with the pod, and with it every record the
    # sidecar acknowledged but had not forwarded yet.
    - name: buffer
      {{- if or $v.persistence.emptyDir.medium $v.persistence.emptyDir.sizeLimit }}
      emptyDir:
        {{- with $v.persistence.emptyDir.medium }}
        medium: {{ . }}
        {{- end }}
        {{- with $v.persistence.emptyDir.sizeLimit }}
        sizeLimit: {{ . | quote }}
        {{- end }}
      {{- else }}
      emptyDir: {}
      {{- end }}
    {{- else if eq $v.workload.kind "Deployment" }}
    - name: buffer
      persistentVolumeClaim:
        claimName: {{ $v.persistence.existingClaim | default (printf "%s-buffer" (include "kafka-sidecar.fullname" .)) }}
    {{- end }}
    {{- if $v.tls.existingSecret }}
    - name: tls
      secret:
        secretName: {{ $v.tls.existingSecret }}
    {{- end }}
    {{- with $v.workload.extraVolumes }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- with $v.workload.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $v.workload.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $v.workload.affinity }}
  affinity:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end -}}

{{/*
The claim's spec, for the PersistentVolumeClaim and the volumeClaimTemplate.
*/}}
{{- define "kafka-sidecar.claimSpec" -}}
{{- $p := .Values.persistence -}}
accessModes:
  {{- toYaml $p.accessModes | nindent 2 }}
{{- if eq $p.storageClassName "-" }}
storageClassName: ""
{{- else if $p.storageClassName }}
storageClassName: {{ $p.storageClassName }}
{{- end }}
resources:
  requests:
    storage: {{ $p.size | quote }}
{{- end -}}
