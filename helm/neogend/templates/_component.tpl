{{/*
The chart's entry point for a component, and the map of its helpers. Every component (the five
services and the gateway) is rendered by the same helpers, called from one template per component with a context:
  dict "root" $ "name" "<component>" "kind" "grpc"|"gateway" "env" (dict NAME value …)
"env" holds the component's own non-secret variables (the addresses of the services it calls, …):
only names the application reads (each service's src/main/resources/application.yml,
gateway/src/main/resources/application.yml, platform/service-kit/…/neogend-service-defaults.yml).
*/}}

{{/*
The helpers, by concern: _names.tpl (names, images, labels), _topology.tpl (call graph, callee
addresses), _config.tpl (database URL, ConfigMap), _workload.tpl (service account, Deployment, Service,
HPA, PDB), _network.tpl (NetworkPolicy), _monitoring.tpl (ServiceMonitor, PodMonitor), _kafka.tpl
(telemetry.ingest: kafka: its variables, Secrets and CA, the writers' Deployment, the KafkaTopic). A
context may carry "values" (the component's values, else .Values.<name>), "image" (the image's name, else
<name>) and "kafka" (mount the Kafka credentials): the writers, "telemetry-writers", run telemetry's image.
*/}}

{{/* Everything a component is made of, in one call from its template. */}}
{{- define "neogend.component" -}}
{{ include "neogend.serviceAccount" . }}
---
{{ include "neogend.configMap" . }}
---
{{ include "neogend.deployment" . }}
---
{{ include "neogend.service" . }}
{{- with include "neogend.hpa" . }}
---
{{- . }}
{{- end }}
{{- with include "neogend.pdb" . }}
---
{{- . }}
{{- end }}
{{- with include "neogend.networkPolicy" . }}
---
{{- . }}
{{- end }}
{{- with include "neogend.serviceMonitor" . }}
---
{{- . }}
{{- end }}
{{- end -}}
