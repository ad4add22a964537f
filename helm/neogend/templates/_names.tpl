{{/* Names, images and labels of the chart's objects. See _component.tpl for the map of the helpers. */}}

{{- define "neogend.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "neogend.fullname" -}}
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

{{- define "neogend.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Name of a component's objects (Deployment, Service, ConfigMap, …): <fullname>-<component>. */}}
{{- define "neogend.componentName" -}}
{{- printf "%s-%s" (include "neogend.fullname" .root) .name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The image tag: image.tag, else the chart's appVersion; "latest" is refused. */}}
{{- define "neogend.imageTag" -}}
{{- $tag := toString (default .Chart.AppVersion .Values.image.tag) -}}
{{- if or (eq $tag "latest") (eq $tag "") -}}
{{- fail "image.tag must be a pinned version (not empty, not \"latest\")" -}}
{{- end -}}
{{- $tag -}}
{{- end -}}

{{- define "neogend.image" -}}
{{- $v := .root.Values.image -}}
{{- $repo := printf "%s/%s" $v.repository (.image | default .name) -}}
{{- if $v.registry -}}{{- $repo = printf "%s/%s" $v.registry $repo -}}{{- end -}}
{{- printf "%s:%s" $repo (include "neogend.imageTag" .root) -}}
{{- end -}}

{{/* Selector labels: stable for the life of a release (never the version). */}}
{{- define "neogend.selectorLabels" -}}
app.kubernetes.io/name: {{ include "neogend.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .name }}
{{- end -}}

{{- define "neogend.labels" -}}
{{ include "neogend.selectorLabels" . }}
app.kubernetes.io/part-of: neogend
app.kubernetes.io/version: {{ include "neogend.imageTag" .root | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ include "neogend.chart" .root }}
{{- end -}}

{{/* Labels of objects that belong to no single component (default-deny policy, realm ConfigMap). */}}
{{- define "neogend.commonLabels" -}}
app.kubernetes.io/name: {{ include "neogend.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/part-of: neogend
app.kubernetes.io/version: {{ include "neogend.imageTag" . | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ include "neogend.chart" . }}
{{- end -}}
