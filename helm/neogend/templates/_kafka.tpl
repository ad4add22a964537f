{{/*
telemetry.ingest: kafka (ADR 0025): telemetry's API pods append uploads to a topic of an existing Kafka
cluster; its writers, a Deployment of their own (same image), take them into PostgreSQL. See _component.tpl
for the map of the helpers. Called with the root context unless said otherwise.
*/}}

{{/* Values the templates cannot render sensibly: refused with the reason. Renders nothing. */}}
{{- define "neogend.kafkaChecks" -}}
{{- $k := .Values.telemetry.kafka -}}
{{- $w := $k.writers -}}
{{- if not $k.bootstrapServers -}}
{{- fail "telemetry.ingest: kafka needs telemetry.kafka.bootstrapServers (host:port,host:port of the existing cluster, e.g. <cluster>-kafka-bootstrap.<namespace>.svc:9093 for Strimzi)" -}}
{{- end -}}
{{- if gt (int $k.minInsyncReplicas) (int $k.replicationFactor) -}}
{{- fail "telemetry.kafka.minInsyncReplicas cannot exceed telemetry.kafka.replicationFactor: no upload could ever be acknowledged" -}}
{{- end -}}
{{- if and $k.sasl.enabled (not $k.sasl.existingSecret) -}}
{{- fail "telemetry.kafka.sasl.enabled needs telemetry.kafka.sasl.existingSecret (the Secret holding the SASL password; the chart never takes it as a value)" -}}
{{- end -}}
{{- if and $k.strimzi.topic.enabled (not $k.strimzi.clusterName) -}}
{{- fail "telemetry.kafka.strimzi.topic.enabled needs telemetry.kafka.strimzi.clusterName (the strimzi.io/cluster label of the KafkaTopic)" -}}
{{- end -}}
{{- $partitions := int $k.partitions -}}
{{- $per := int $w.consumersPerPod -}}
{{- if $w.autoscaling.enabled -}}
{{- $most := int $w.autoscaling.maxReplicas -}}
{{- if gt (mul $most $per) $partitions -}}
{{- fail (printf "telemetry.kafka.writers: autoscaling.maxReplicas (%d) x consumersPerPod (%d) = %d consumers for %d partitions (telemetry.kafka.partitions): a partition is consumed by one consumer of the group at a time, so %d consumers would sit idle. Lower maxReplicas or consumersPerPod, or raise the partitions." $most $per (mul $most $per) $partitions (sub (mul $most $per) $partitions)) -}}
{{- end -}}
{{- if gt (int $w.autoscaling.minReplicas) $most -}}
{{- fail "telemetry.kafka.writers.autoscaling.minReplicas cannot exceed maxReplicas" -}}
{{- end -}}
{{- else -}}
{{- $replicas := int $w.replicaCount -}}
{{- if gt (mul $replicas $per) $partitions -}}
{{- fail (printf "telemetry.kafka.writers: replicaCount (%d) x consumersPerPod (%d) = %d consumers for %d partitions (telemetry.kafka.partitions): a partition is consumed by one consumer of the group at a time, so %d consumers would sit idle. Lower replicaCount or consumersPerPod, or raise the partitions." $replicas $per (mul $replicas $per) $partitions (sub (mul $replicas $per) $partitions)) -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Kafka's security.protocol from tls.enabled and sasl.enabled; empty: PLAINTEXT (Kafka's default). */}}
{{- define "neogend.kafkaProtocol" -}}
{{- $k := .Values.telemetry.kafka -}}
{{- if and $k.tls.enabled $k.sasl.enabled -}}SASL_SSL
{{- else if $k.tls.enabled -}}SSL
{{- else if $k.sasl.enabled -}}SASL_PLAINTEXT
{{- end -}}
{{- end -}}

{{/* Where the cluster's CA (PEM) is mounted. */}}
{{- define "neogend.kafkaCaDir" -}}/etc/neogend/kafka-ca{{- end -}}

{{/*
The non-secret variables of kafka mode (ConfigMap), as YAML; called with dict "root" $ "consumers" N
(0: the API pods, which only append; N: the writers' pods). Each is bound in
services/telemetry/src/main/resources/application.yml (KafkaIngestSettingsTest checks the binding).
*/}}
{{- define "neogend.kafkaEnv" -}}
{{- $k := .root.Values.telemetry.kafka -}}
NEOGEND_TELEMETRY_INGEST: kafka
NEOGEND_TELEMETRY_RETENTION: {{ printf "%dd" (int .root.Values.telemetry.retentionDays) | quote }}
NEOGEND_KAFKA_BOOTSTRAP_SERVERS: {{ $k.bootstrapServers | quote }}
NEOGEND_KAFKA_TOPIC: {{ $k.topic | quote }}
NEOGEND_KAFKA_PARTITIONS: {{ $k.partitions | quote }}
NEOGEND_KAFKA_REPLICATION_FACTOR: {{ $k.replicationFactor | quote }}
NEOGEND_KAFKA_MIN_INSYNC_REPLICAS: {{ $k.minInsyncReplicas | quote }}
NEOGEND_KAFKA_CONSUMERS: {{ .consumers | quote }}
NEOGEND_KAFKA_DECLARE_TOPIC: {{ not $k.strimzi.topic.enabled | quote }}
{{- with include "neogend.kafkaProtocol" .root }}
NEOGEND_KAFKA_SECURITY_PROTOCOL: {{ . }}
{{- end }}
{{- if $k.sasl.enabled }}
NEOGEND_KAFKA_SASL_MECHANISM: {{ $k.sasl.mechanism | quote }}
{{- end }}
{{- if and $k.tls.enabled $k.tls.ca.existingSecret }}
NEOGEND_KAFKA_SSL_TRUSTSTORE_TYPE: PEM
NEOGEND_KAFKA_SSL_TRUSTSTORE_LOCATION: {{ printf "%s/%s" (include "neogend.kafkaCaDir" .root) $k.tls.ca.key | quote }}
{{- end }}
{{- end -}}

{{/*
SASL credentials, as container env entries: the password from its Secret only; sasl.jaas.config built by
Kubernetes from the variables defined before it ($(VAR) expansion), so no secret is in any manifest.
*/}}
{{- define "neogend.kafkaSecretEnv" -}}
{{- $s := .Values.telemetry.kafka.sasl -}}
{{- if $s.enabled }}
{{- if $s.username }}
- name: NEOGEND_KAFKA_SASL_USERNAME
  value: {{ $s.username | quote }}
{{- else }}
- name: NEOGEND_KAFKA_SASL_USERNAME
  valueFrom:
    secretKeyRef:
      name: {{ $s.existingSecret }}
      key: {{ $s.usernameKey }}
{{- end }}
- name: NEOGEND_KAFKA_SASL_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ $s.existingSecret }}
      key: {{ $s.passwordKey }}
- name: NEOGEND_KAFKA_SASL_JAAS_CONFIG
  value: {{ printf "%s required username=\"$(NEOGEND_KAFKA_SASL_USERNAME)\" password=\"$(NEOGEND_KAFKA_SASL_PASSWORD)\";" (ternary "org.apache.kafka.common.security.plain.PlainLoginModule" "org.apache.kafka.common.security.scram.ScramLoginModule" (eq $s.mechanism "PLAIN")) | quote }}
{{- end }}
{{- end -}}

{{- define "neogend.kafkaVolumeMounts" -}}
{{- $t := .Values.telemetry.kafka.tls -}}
{{- if and $t.enabled $t.ca.existingSecret }}
# the Kafka cluster's CA (PEM), for ssl.truststore.location
- name: kafka-ca
  mountPath: {{ include "neogend.kafkaCaDir" . }}
  readOnly: true
{{- end }}
{{- end -}}

{{- define "neogend.kafkaVolumes" -}}
{{- $t := .Values.telemetry.kafka.tls -}}
{{- if and $t.enabled $t.ca.existingSecret }}
- name: kafka-ca
  secret:
    secretName: {{ $t.ca.existingSecret }}
    items:
      - key: {{ $t.ca.key }}
        path: {{ $t.ca.key }}
{{- end }}
{{- end -}}

{{/* The writers' component context: the telemetry image and database, the writers' own sizes. */}}
{{- define "neogend.writersValues" -}}
{{- $t := .Values.telemetry -}}
{{- $w := $t.kafka.writers -}}
{{- $v := dict "replicaCount" $w.replicaCount "resources" $w.resources "autoscaling" $w.autoscaling "podDisruptionBudget" $t.podDisruptionBudget "database" $t.database "clientCredentials" (dict "existingSecret" "" "key" "") "javaToolOptions" $w.javaToolOptions "podAnnotations" $t.podAnnotations "nodeSelector" $t.nodeSelector "tolerations" $t.tolerations "affinity" $t.affinity "grpcPort" $t.grpcPort "httpPort" $t.httpPort -}}
{{- toYaml $v -}}
{{- end -}}

{{/*
telemetry-writers: service account, ConfigMap, Deployment (no Service: nothing calls them), autoscaler,
disruption budget, NetworkPolicy, PodMonitor. The same image and database as telemetry; gRPC health
probes as telemetry's; metrics (among them the lag) on their http port.
*/}}
{{- define "neogend.telemetryWriters" -}}
{{- $ctx := dict "root" . "name" "telemetry-writers" "kind" "grpc" "image" "telemetry" "kafka" true -}}
{{- $_ := set $ctx "values" (include "neogend.writersValues" . | fromYaml) -}}
{{- $_ = set $ctx "env" (include "neogend.kafkaEnv" (dict "root" . "consumers" .Values.telemetry.kafka.writers.consumersPerPod) | fromYaml) -}}
{{ include "neogend.serviceAccount" $ctx }}
---
{{ include "neogend.configMap" $ctx }}
---
{{ include "neogend.deployment" $ctx }}
{{- with include "neogend.hpa" $ctx }}
---
{{- . }}
{{- end }}
{{- with include "neogend.pdb" $ctx }}
---
{{- . }}
{{- end }}
{{- with include "neogend.writersNetworkPolicy" $ctx }}
---
{{- . }}
{{- end }}
{{- with include "neogend.podMonitor" $ctx }}
---
{{- . }}
{{- end }}
{{- end -}}

{{/* The readings' topic as a Strimzi KafkaTopic, when asked (the Topic Operator then owns it). */}}
{{- define "neogend.kafkaTopic" -}}
{{- $k := .Values.telemetry.kafka -}}
{{- if $k.strimzi.topic.enabled }}
apiVersion: kafka.strimzi.io/v1beta2
kind: KafkaTopic
metadata:
  name: {{ printf "%s-telemetry-readings" (include "neogend.fullname" .) | trunc 63 | trimSuffix "-" }}
  namespace: {{ default .Release.Namespace $k.strimzi.namespace }}
  labels:
    {{- include "neogend.labels" (dict "root" . "name" "telemetry") | nindent 4 }}
    strimzi.io/cluster: {{ $k.strimzi.clusterName }}
spec:
  topicName: {{ $k.topic }}
  partitions: {{ $k.partitions }}
  replicas: {{ $k.replicationFactor }}
  config:
    min.insync.replicas: {{ $k.minInsyncReplicas }}
    # positions leave the log when they leave the database (rule 20), not at the cluster's default
    retention.ms: {{ mul (int .Values.telemetry.retentionDays) 86400000 }}
{{- end }}
{{- end -}}
