{{/* A component's ServiceMonitor. See _component.tpl for the map of the helpers. */}}

{{- define "neogend.serviceMonitor" -}}
{{- $sm := .root.Values.metrics.serviceMonitor -}}
{{- if $sm.enabled }}
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: {{ include "neogend.componentName" . }}
  namespace: {{ .root.Release.Namespace }}
  labels:
    {{- include "neogend.labels" . | nindent 4 }}
    {{- with $sm.labels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  selector:
    matchLabels:
      {{- include "neogend.selectorLabels" . | nindent 6 }}
  endpoints:
    - port: {{ ternary "management" "http" (eq .kind "gateway") }}
      path: {{ $sm.path }}
      interval: {{ $sm.interval }}
{{- end }}
{{- end -}}

{{/* A PodMonitor, for pods no Service selects (telemetry's writers): same scrape settings. */}}
{{- define "neogend.podMonitor" -}}
{{- $sm := .root.Values.metrics.serviceMonitor -}}
{{- if $sm.enabled }}
apiVersion: monitoring.coreos.com/v1
kind: PodMonitor
metadata:
  name: {{ include "neogend.componentName" . }}
  namespace: {{ .root.Release.Namespace }}
  labels:
    {{- include "neogend.labels" . | nindent 4 }}
    {{- with $sm.labels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  selector:
    matchLabels:
      {{- include "neogend.selectorLabels" . | nindent 6 }}
  podMetricsEndpoints:
    - port: http
      path: {{ $sm.path }}
      interval: {{ $sm.interval }}
{{- end }}
{{- end -}}
