{{/*
Helpers of the NéoGEND chart. Every component (the five services and the gateway) is rendered by
the same helpers, called from one template per component with a context:
  dict "root" $ "name" "<component>" "kind" "grpc"|"gateway" "env" (dict NAME value …)
"env" holds the component's own non-secret variables (the addresses of the services it calls, …):
only names the application reads (each service's src/main/resources/application.yml,
gateway/src/main/resources/application.yml, platform/service-kit/…/neogend-service-defaults.yml).
*/}}

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
{{- $repo := printf "%s/%s" $v.repository .name -}}
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

{{- define "neogend.jdbcUrl" -}}
{{- $db := (index .root.Values .name).database -}}
{{- $pg := .root.Values.postgresql -}}
{{- $url := printf "jdbc:postgresql://%s:%v/%s" (default $pg.host $db.host) (default $pg.port $db.port) $db.name -}}
{{- if $pg.parameters -}}{{- $url = printf "%s?%s" $url $pg.parameters -}}{{- end -}}
{{- $url -}}
{{- end -}}

{{/* ConfigMap: every non-secret environment variable of the component. */}}
{{- define "neogend.configMap" -}}
{{- $root := .root -}}
{{- $v := index $root.Values .name -}}
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

{{- define "neogend.serviceAccount" -}}
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ include "neogend.componentName" . }}
  namespace: {{ .root.Release.Namespace }}
  labels:
    {{- include "neogend.labels" . | nindent 4 }}
# The pods never call the Kubernetes API.
automountServiceAccountToken: false
{{- end -}}

{{/* The one Deployment of every component. */}}
{{- define "neogend.deployment" -}}
{{- $root := .root -}}
{{- $v := index $root.Values .name -}}
{{- $sd := $root.Values.shutdown -}}
{{- if le (int $sd.terminationGracePeriodSeconds) (add (int $sd.preStopSleepSeconds) 25) -}}
{{- fail "shutdown.terminationGracePeriodSeconds must exceed shutdown.preStopSleepSeconds + 25 (the apps' timeout-per-shutdown-phase)" -}}
{{- end -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "neogend.componentName" . }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "neogend.labels" . | nindent 4 }}
spec:
  {{- if not $v.autoscaling.enabled }}
  replicas: {{ $v.replicaCount }}
  {{- end }}
  revisionHistoryLimit: 5
  selector:
    matchLabels:
      {{- include "neogend.selectorLabels" . | nindent 6 }}
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxSurge: 1
      maxUnavailable: 0
  template:
    metadata:
      labels:
        {{- include "neogend.labels" . | nindent 8 }}
      annotations:
        # A changed ConfigMap rolls the pods.
        checksum/config: {{ include "neogend.configMap" . | sha256sum }}
        {{- with $v.podAnnotations }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
    spec:
      serviceAccountName: {{ include "neogend.componentName" . }}
      automountServiceAccountToken: false
      enableServiceLinks: false
      terminationGracePeriodSeconds: {{ $sd.terminationGracePeriodSeconds }}
      securityContext:
        runAsNonRoot: true
        runAsUser: 10001
        runAsGroup: 10001
        fsGroup: 10001
        seccompProfile:
          type: RuntimeDefault
      {{- with $root.Values.image.pullSecrets }}
      imagePullSecrets:
        {{- range . }}
        - name: {{ . }}
        {{- end }}
      {{- end }}
      {{- with $root.Values.topologySpreadConstraints }}
      topologySpreadConstraints:
        {{- range . }}
        - {{ toYaml . | indent 10 | trim }}
          labelSelector:
            matchLabels:
              {{- include "neogend.selectorLabels" $ | nindent 14 }}
          matchLabelKeys:
            - pod-template-hash
        {{- end }}
      {{- end }}
      {{- with $v.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $v.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $v.affinity }}
      affinity:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      containers:
        - name: {{ .name }}
          image: {{ include "neogend.image" . | quote }}
          imagePullPolicy: {{ $root.Values.image.pullPolicy }}
          ports:
            {{- if eq .kind "grpc" }}
            - name: grpc
              containerPort: {{ $v.grpcPort }}
              protocol: TCP
            {{- end }}
            - name: http
              containerPort: {{ $v.httpPort }}
              protocol: TCP
            {{- if eq .kind "gateway" }}
            # probes and metrics: never on the public API port
            - name: management
              containerPort: {{ $v.managementPort }}
              protocol: TCP
            {{- end }}
          envFrom:
            - configMapRef:
                name: {{ include "neogend.componentName" . }}
          {{- if eq .kind "grpc" }}
          env:
            - name: NEOGEND_DB_PASSWORD
              valueFrom:
                secretKeyRef:
                  name: {{ $v.database.existingSecret }}
                  key: {{ $v.database.passwordKey }}
            {{- if $v.clientCredentials.existingSecret }}
            - name: NEOGEND_SERVICE_CLIENT_SECRET
              valueFrom:
                secretKeyRef:
                  name: {{ $v.clientCredentials.existingSecret }}
                  key: {{ $v.clientCredentials.key }}
            {{- end }}
          {{- end }}
          {{- if eq .kind "grpc" }}
          # The standard grpc.health.v1 service (spring.grpc.server.health.enabled; open to all callers).
          startupProbe:
            grpc:
              port: {{ $v.grpcPort }}
            periodSeconds: 5
            timeoutSeconds: 3
            failureThreshold: 36
          readinessProbe:
            grpc:
              port: {{ $v.grpcPort }}
            periodSeconds: 10
            timeoutSeconds: 3
            failureThreshold: 3
          livenessProbe:
            grpc:
              port: {{ $v.grpcPort }}
            periodSeconds: 20
            timeoutSeconds: 5
            failureThreshold: 3
          {{- else }}
          # Actuator health groups (management.endpoint.health.probes.enabled) on the management port.
          startupProbe:
            httpGet:
              path: /actuator/health/liveness
              port: management
            periodSeconds: 5
            timeoutSeconds: 3
            failureThreshold: 36
          readinessProbe:
            httpGet:
              path: /actuator/health/readiness
              port: management
            periodSeconds: 10
            timeoutSeconds: 3
            failureThreshold: 3
          livenessProbe:
            httpGet:
              path: /actuator/health/liveness
              port: management
            periodSeconds: 20
            timeoutSeconds: 5
            failureThreshold: 3
          {{- end }}
          lifecycle:
            # Native sleep action (Kubernetes >= 1.30): the image has no shell.
            preStop:
              sleep:
                seconds: {{ $sd.preStopSleepSeconds }}
          resources:
            {{- toYaml $v.resources | nindent 12 }}
          securityContext:
            runAsNonRoot: true
            runAsUser: 10001
            runAsGroup: 10001
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            privileged: false
            capabilities:
              drop:
                - ALL
            seccompProfile:
              type: RuntimeDefault
          volumeMounts:
            - name: tmp
              mountPath: /tmp
      volumes:
        # The only writable place: java.io.tmpdir (Tomcat's work folder, Netty's native libraries).
        - name: tmp
          emptyDir:
            sizeLimit: 256Mi
{{- end -}}

{{- define "neogend.service" -}}
{{- $root := .root -}}
{{- $v := index $root.Values .name -}}
apiVersion: v1
kind: Service
metadata:
  name: {{ include "neogend.componentName" . }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "neogend.labels" . | nindent 4 }}
spec:
  type: ClusterIP
  selector:
    {{- include "neogend.selectorLabels" . | nindent 4 }}
  ports:
    {{- if eq .kind "grpc" }}
    - name: grpc
      port: {{ $v.grpcPort }}
      targetPort: grpc
      protocol: TCP
      appProtocol: grpc
    {{- end }}
    {{- if or (eq .kind "gateway") $root.Values.metrics.serviceMonitor.enabled }}
    - name: http
      port: {{ $v.httpPort }}
      targetPort: http
      protocol: TCP
      appProtocol: http
    {{- end }}
    {{- if and (eq .kind "gateway") $root.Values.metrics.serviceMonitor.enabled }}
    # for the ServiceMonitor only: the Ingress routes the http port, NetworkPolicy admits Prometheus here
    - name: management
      port: {{ $v.managementPort }}
      targetPort: management
      protocol: TCP
      appProtocol: http
    {{- end }}
{{- end -}}

{{- define "neogend.hpa" -}}
{{- $v := index .root.Values .name -}}
{{- if $v.autoscaling.enabled }}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ include "neogend.componentName" . }}
  namespace: {{ .root.Release.Namespace }}
  labels:
    {{- include "neogend.labels" . | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ include "neogend.componentName" . }}
  minReplicas: {{ $v.autoscaling.minReplicas }}
  maxReplicas: {{ $v.autoscaling.maxReplicas }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ $v.autoscaling.targetCPUUtilizationPercentage }}
  behavior:
    scaleDown:
      stabilizationWindowSeconds: 300
{{- end }}
{{- end -}}

{{- define "neogend.pdb" -}}
{{- $v := index .root.Values .name -}}
{{- if $v.podDisruptionBudget.enabled }}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "neogend.componentName" . }}
  namespace: {{ .root.Release.Namespace }}
  labels:
    {{- include "neogend.labels" . | nindent 4 }}
spec:
  maxUnavailable: {{ $v.podDisruptionBudget.maxUnavailable }}
  selector:
    matchLabels:
      {{- include "neogend.selectorLabels" . | nindent 6 }}
{{- end }}
{{- end -}}

{{/*
The component's NetworkPolicy: ingress from its callers only (the gateway: from the ingress
controller), egress to DNS, Keycloak, its database and the services it calls.
*/}}
{{- define "neogend.networkPolicy" -}}
{{- $root := .root -}}
{{- $name := .name -}}
{{- $v := index $root.Values $name -}}
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
    {{- range $callee := index $graph $name }}
    - to:
        - podSelector:
            matchLabels:
              {{- include "neogend.selectorLabels" (dict "root" $root "name" $callee) | nindent 14 }}
      ports:
        - port: {{ (index $root.Values $callee).grpcPort }}
          protocol: TCP
    {{- end }}
    {{- if eq $name "order" }}
    - to:
        {{- toYaml $np.supplier.to | nindent 8 }}
      ports:
        {{- toYaml $np.supplier.ports | nindent 8 }}
    {{- end }}
{{- end }}
{{- end -}}

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
