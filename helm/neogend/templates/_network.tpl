{{/* A component's NetworkPolicy, from the call graph. See _component.tpl for the map of the helpers. */}}

{{/*
The component's NetworkPolicy: ingress from its callers only (the gateway: from the ingress
controller), egress to DNS, Keycloak, its database and the services it calls.
*/}}
{{- define "neogend.networkPolicy" -}}
{{- $root := .root -}}
{{- $name := .name -}}
{{- $v := .values | default (index $root.Values $name) -}}
{{- $np := $root.Values.networkPolicy -}}
{{- $graph := include "neogend.callGraph" . | fromYaml -}}
{{- if $np.enabled }}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ include "neogend.componentName" . }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "neogend.labels" . | nindent 4 }}
spec:
  podSelector:
    matchLabels:
      {{- include "neogend.selectorLabels" . | nindent 6 }}
  policyTypes:
    - Ingress
    - Egress
  ingress:
    {{- if eq .kind "gateway" }}
    - from:
        {{- toYaml $np.gatewayFrom | nindent 8 }}
      ports:
        - port: http
          protocol: TCP
    {{- else }}
    {{- range $caller, $callees := $graph }}
    {{- if has $name $callees }}
    - from:
        - podSelector:
            matchLabels:
              {{- include "neogend.selectorLabels" (dict "root" $root "name" $caller) | nindent 14 }}
      ports:
        - port: grpc
          protocol: TCP
    {{- end }}
    {{- end }}
    {{- end }}
    {{- if $root.Values.metrics.serviceMonitor.enabled }}
    - from:
        {{- toYaml $np.prometheusFrom | nindent 8 }}
      ports:
        - port: {{ ternary "management" "http" (eq .kind "gateway") }}
          protocol: TCP
    {{- end }}
  egress:
    - to:
        {{- toYaml $np.dns.to | nindent 8 }}
      ports:
        - port: 53
          protocol: UDP
        - port: 53
          protocol: TCP
    - to:
        {{- toYaml $np.keycloak.to | nindent 8 }}
      ports:
        {{- toYaml $np.keycloak.ports | nindent 8 }}
    {{- if $root.Values.tracing.otlpEndpoint }}
    - to:
        {{- toYaml $np.otlp.to | nindent 8 }}
      ports:
        {{- toYaml $np.otlp.ports | nindent 8 }}
    {{- end }}
    {{- if eq .kind "grpc" }}
    - to:
        {{- toYaml $np.postgresql.to | nindent 8 }}
      ports:
        - port: {{ default $root.Values.postgresql.port $v.database.port }}
          protocol: TCP
    {{- end }}
    {{- if .kafka }}
    # ingest: kafka — the brokers of the readings' log
    - to:
        {{- toYaml $np.kafka.to | nindent 8 }}
      ports:
        {{- toYaml $np.kafka.ports | nindent 8 }}
    {{- end }}
    {{- range $callee := index $graph $name }}
    - to:
        - podSelector:
            matchLabels:
              {{- include "neogend.selectorLabels" (dict "root" $root "name" $callee) | nindent 14 }}
      ports:
        - port: {{ (index $root.Values $callee).grpcPort }}
          protocol: TCP
    {{- end }}
    {{- if and (eq .kind "gateway") $v.rateLimit.redis.existingSecret }}
    - to:
        {{- toYaml $np.redis.to | nindent 8 }}
      ports:
        {{- toYaml $np.redis.ports | nindent 8 }}
    {{- end }}
    {{- if eq $name "order" }}
    - to:
        {{- toYaml $np.supplier.to | nindent 8 }}
      ports:
        {{- toYaml $np.supplier.ports | nindent 8 }}
    {{- end }}
{{- end }}
{{- end -}}

{{/*
telemetry's writers (ingest: kafka): nothing calls them — ingress only for Prometheus when metrics are
scraped; egress to DNS, their PostgreSQL, the brokers and the collector when tracing. No Keycloak, no other
service: they take no request and call nobody.
*/}}
{{- define "neogend.writersNetworkPolicy" -}}
{{- $root := .root -}}
{{- $v := .values -}}
{{- $np := $root.Values.networkPolicy -}}
{{- if $np.enabled }}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ include "neogend.componentName" . }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "neogend.labels" . | nindent 4 }}
spec:
  podSelector:
    matchLabels:
      {{- include "neogend.selectorLabels" . | nindent 6 }}
  policyTypes:
    - Ingress
    - Egress
  {{- if $root.Values.metrics.serviceMonitor.enabled }}
  ingress:
    - from:
        {{- toYaml $np.prometheusFrom | nindent 8 }}
      ports:
        - port: http
          protocol: TCP
  {{- else }}
  ingress: []
  {{- end }}
  egress:
    - to:
        {{- toYaml $np.dns.to | nindent 8 }}
      ports:
        - port: 53
          protocol: UDP
        - port: 53
          protocol: TCP
    {{- if $root.Values.tracing.otlpEndpoint }}
    - to:
        {{- toYaml $np.otlp.to | nindent 8 }}
      ports:
        {{- toYaml $np.otlp.ports | nindent 8 }}
    {{- end }}
    - to:
        {{- toYaml $np.postgresql.to | nindent 8 }}
      ports:
        - port: {{ default $root.Values.postgresql.port $v.database.port }}
          protocol: TCP
    # the brokers of the readings' log
    - to:
        {{- toYaml $np.kafka.to | nindent 8 }}
      ports:
        {{- toYaml $np.kafka.ports | nindent 8 }}
{{- end }}
{{- end -}}
