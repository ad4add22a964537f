{{/* A component's configuration: its database URL and its ConfigMap. See _component.tpl for the map of the helpers. */}}

{{- define "neogend.jdbcUrl" -}}
{{- $db := (.values | default (index .root.Values .name)).database -}}
{{- $pg := .root.Values.postgresql -}}
{{- $url := printf "jdbc:postgresql://%s:%v/%s" (default $pg.host $db.host) (default $pg.port $db.port) $db.name -}}
{{- if $pg.parameters -}}{{- $url = printf "%s?%s" $url $pg.parameters -}}{{- end -}}
{{- $url -}}
{{- end -}}

{{/* ConfigMap: every non-secret environment variable of the component. */}}
{{- define "neogend.configMap" -}}
{{- $root := .root -}}
{{- $v := .values | default (index $root.Values .name) -}}
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ include "neogend.componentName" . }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "neogend.labels" . | nindent 4 }}
data:
  NEOGEND_HTTP_PORT: {{ $v.httpPort | quote }}
  {{- if eq .kind "gateway" }}
  NEOGEND_MANAGEMENT_PORT: {{ $v.managementPort | quote }}
  {{- end }}
  {{- if eq .kind "grpc" }}
  NEOGEND_GRPC_PORT: {{ $v.grpcPort | quote }}
  NEOGEND_DB_URL: {{ include "neogend.jdbcUrl" . | quote }}
  NEOGEND_DB_USER: {{ $v.database.user | quote }}
  {{- end }}
  NEOGEND_ISSUER_URI: {{ $root.Values.keycloak.issuerUri | quote }}
  {{- with $root.Values.keycloak.jwkSetUri }}
  NEOGEND_JWK_SET_URI: {{ . | quote }}
  {{- end }}
  NEOGEND_LOG_FORMAT: {{ $root.Values.logFormat | quote }}
  NEOGEND_TRACE_SAMPLING: {{ $root.Values.tracing.samplingProbability | quote }}
  {{- with $root.Values.tracing.otlpEndpoint }}
  NEOGEND_OTLP_TRACES_ENABLED: "true"
  NEOGEND_OTLP_TRACES_ENDPOINT: {{ . | quote }}
  {{- end }}
  {{- range $k, $val := .env }}
  {{ $k }}: {{ $val | quote }}
  {{- end }}
  {{- with $v.javaToolOptions }}
  JAVA_TOOL_OPTIONS: {{ . | quote }}
  {{- end }}
{{- end -}}
