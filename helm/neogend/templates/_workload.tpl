{{/* A component's workload: service account, Deployment, Service, autoscaler, disruption budget. See _component.tpl for the map of the helpers. */}}

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

{{/* The device-credential tag key (ADR 0026), for telemetry's API pods (which issue) and the gateway (which checks). */}}
{{- define "neogend.tagKeyEnv" -}}
# the key device credentials are tagged with: from a Secret, never in a manifest
- name: NEOGEND_DEVICE_CREDENTIAL_TAG_KEY
  valueFrom:
    secretKeyRef:
      name: {{ .existingSecret }}
      key: {{ .key }}
{{- end -}}

{{/* The one Deployment of every component. */}}
{{- define "neogend.deployment" -}}
{{- $root := .root -}}
{{- $v := .values | default (index $root.Values .name) -}}
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
          {{- $tagKey := $root.Values.deviceCredentials.tagKey }}
          {{- if and (eq .kind "gateway") (or $v.rateLimit.redis.existingSecret $tagKey.existingSecret) }}
          env:
            {{- if $v.rateLimit.redis.existingSecret }}
            # the shared rate limit's Redis: its URL holds a password, so it comes from a Secret
            - name: NEOGEND_RATE_LIMIT_REDIS_URL
              valueFrom:
                secretKeyRef:
                  name: {{ $v.rateLimit.redis.existingSecret }}
                  key: {{ $v.rateLimit.redis.urlKey }}
            {{- end }}
            {{- if $tagKey.existingSecret }}
            {{- include "neogend.tagKeyEnv" $tagKey | nindent 12 }}
            {{- end }}
          {{- end }}
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
            {{- if and (eq .name "telemetry") $tagKey.existingSecret }}
            {{- include "neogend.tagKeyEnv" $tagKey | nindent 12 }}
            {{- end }}
            {{- if .kafka }}
            {{- include "neogend.kafkaSecretEnv" $root | nindent 12 }}
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
            {{- if .kafka }}
            {{- include "neogend.kafkaVolumeMounts" $root | nindent 12 }}
            {{- end }}
      volumes:
        # The only writable place: java.io.tmpdir (Tomcat's work folder, Netty's native libraries).
        - name: tmp
          emptyDir:
            sizeLimit: 256Mi
        {{- if .kafka }}
        {{- include "neogend.kafkaVolumes" $root | nindent 8 }}
        {{- end }}
{{- end -}}

{{- define "neogend.service" -}}
{{- $root := .root -}}
{{- $v := .values | default (index $root.Values .name) -}}
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
{{- $v := .values | default (index .root.Values .name) -}}
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
{{- $v := .values | default (index .root.Values .name) -}}
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
