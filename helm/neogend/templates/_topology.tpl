{{/* Who calls whom (files/topology.yaml) and where each service is reached. See _component.tpl for the map of the helpers. */}}

{{/*
Who calls whom over gRPC (docs/ARCHITECTURE.md, cross-service flows), from files/topology.yaml — the one
declaration of the topology, which the devstack reads too: the gateway calls every service. One source for
the egress of the caller and the ingress of the callee in the NetworkPolicies, and for the callees'
addresses ("neogend.calleeEnv"). Called with a dict holding "root".
*/}}
{{- define "neogend.callGraph" -}}
{{- $topology := .root.Files.Get "files/topology.yaml" | fromYaml -}}
{{- $names := list -}}
{{- range $topology.services }}{{ $names = append $names .name }}{{ end -}}
gateway: {{ toJson $names }}
{{- range $topology.services }}
{{ .name }}: {{ toJson .calls }}
{{- end }}
{{- end -}}

{{/*
The addresses of the services a component calls, as YAML (NEOGEND_<CALLEE>_GRPC: host:port), derived
from the call graph: a component is given the address of its callees only.
*/}}
{{- define "neogend.calleeEnv" -}}
{{- $graph := include "neogend.callGraph" . | fromYaml -}}
{{- $root := .root -}}
{{- range $callee := index $graph .name }}
{{ printf "NEOGEND_%s_GRPC" (upper $callee) }}: {{ include "neogend.grpcTarget" (dict "root" $root "name" $callee) | quote }}
{{- end }}
{{- end -}}

{{/* host:port of a service's gRPC port inside the namespace (what ManagedChannelBuilder.forTarget takes). */}}
{{- define "neogend.grpcTarget" -}}
{{- printf "%s:%v" (include "neogend.componentName" .) (index .root.Values .name).grpcPort -}}
{{- end -}}
