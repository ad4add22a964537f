package fr.interieur.neogend.chart;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Checks on rendered manifests. Each check returns the problems it found (empty: all good), each
 * problem naming the object, so a failing test says what to fix.
 */
final class ManifestChecks {

    /** The apps' spring.lifecycle.timeout-per-shutdown-phase, in seconds. */
    static final int APP_SHUTDOWN_SECONDS = 25;

    static final List<String> STANDARD_LABELS = List.of(
            "app.kubernetes.io/name",
            "app.kubernetes.io/instance",
            "app.kubernetes.io/component",
            "app.kubernetes.io/part-of",
            "app.kubernetes.io/version",
            "app.kubernetes.io/managed-by",
            "helm.sh/chart");

    /** Names of variables that hold a secret: they must come from a Secret, never a literal. */
    static final Pattern SECRET_NAME =
            Pattern.compile("(?i).*(PASSWORD|PASSWD|SECRET|TOKEN|CREDENTIAL|API_?KEY|PRIVATE_?KEY).*");

    private static final Set<String> WORKLOADS = Set.of("Deployment", "StatefulSet", "DaemonSet", "Job", "ReplicaSet");
    private static final Set<String> RESTRICTED_VOLUME_TYPES = Set.of(
            "configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret");

    record Check(String name, Function<List<Map<String, Object>>, List<String>> run) {}

    static final List<Check> ALL = List.of(
            new Check("pods meet the restricted Pod Security Standard", ManifestChecks::restrictedPods),
            new Check("containers have probes and resources", ManifestChecks::probesAndResources),
            new Check("services are covered by NetworkPolicies", ManifestChecks::servicesCoveredByNetworkPolicies),
            new Check("a default-deny NetworkPolicy exists", ManifestChecks::defaultDenyPolicy),
            new Check("no secret in plain values", ManifestChecks::noPlainSecrets),
            new Check("image tags are pinned", ManifestChecks::pinnedImages),
            new Check("labels are standard and consistent", ManifestChecks::consistentLabels),
            new Check("termination grace covers preStop and the app's shutdown", ManifestChecks::gracefulTermination));

    /** Every check; the problems prefixed with the check's name. */
    static List<String> all(List<Map<String, Object>> objects) {
        List<String> problems = new ArrayList<>();
        for (Check check : ALL) {
            for (String p : check.run().apply(objects)) {
                problems.add("[" + check.name() + "] " + p);
            }
        }
        return problems;
    }

    // ---- restricted pods ------------------------------------------------------------------

    static List<String> restrictedPods(List<Map<String, Object>> objects) {
        List<String> problems = new ArrayList<>();
        for (Pod pod : pods(objects)) {
            Map<String, Object> spec = pod.spec();
            Map<String, Object> podSc = map(spec, "securityContext");
            for (String hostField : List.of("hostNetwork", "hostPID", "hostIPC")) {
                if (Boolean.TRUE.equals(spec.get(hostField))) {
                    problems.add(pod.id() + ": " + hostField + " is true");
                }
            }
            if (!Boolean.FALSE.equals(spec.get("automountServiceAccountToken"))) {
                problems.add(pod.id() + ": automountServiceAccountToken is not false");
            }
            for (Map<String, Object> volume : maps(spec.get("volumes"))) {
                for (String key : volume.keySet()) {
                    if (!key.equals("name") && !RESTRICTED_VOLUME_TYPES.contains(key)) {
                        problems.add(
                                pod.id() + ": volume " + volume.get("name") + " of type " + key + " is not allowed");
                    }
                }
            }
            for (Map<String, Object> c : pod.containers()) {
                String id = pod.id() + " container " + c.get("name");
                Map<String, Object> sc = map(c, "securityContext");
                Object runAsNonRoot =
                        sc.containsKey("runAsNonRoot") ? sc.get("runAsNonRoot") : podSc.get("runAsNonRoot");
                if (!Boolean.TRUE.equals(runAsNonRoot)) {
                    problems.add(id + ": runAsNonRoot is not true");
                }
                Object runAsUser = sc.containsKey("runAsUser") ? sc.get("runAsUser") : podSc.get("runAsUser");
                if (runAsUser == null || Objects.equals(number(runAsUser), 0L)) {
                    problems.add(id + ": runAsUser is not set to a non-root uid");
                }
                if (!Boolean.FALSE.equals(sc.get("allowPrivilegeEscalation"))) {
                    problems.add(id + ": allowPrivilegeEscalation is not false");
                }
                if (Boolean.TRUE.equals(sc.get("privileged"))) {
                    problems.add(id + ": privileged");
                }
                if (!Boolean.TRUE.equals(sc.get("readOnlyRootFilesystem"))) {
                    problems.add(id + ": readOnlyRootFilesystem is not true");
                }
                Map<String, Object> caps = map(sc, "capabilities");
                if (!list(caps.get("drop")).contains("ALL")) {
                    problems.add(id + ": capabilities do not drop ALL");
                }
                for (Object added : list(caps.get("add"))) {
                    if (!"NET_BIND_SERVICE".equals(added)) {
                        problems.add(id + ": adds capability " + added);
                    }
                }
                Map<String, Object> seccomp =
                        sc.containsKey("seccompProfile") ? map(sc, "seccompProfile") : map(podSc, "seccompProfile");
                Object type = seccomp.get("type");
                if (!"RuntimeDefault".equals(type) && !"Localhost".equals(type)) {
                    problems.add(id + ": seccompProfile is not RuntimeDefault");
                }
            }
        }
        return problems;
    }

    // ---- probes and resources -------------------------------------------------------------

    static List<String> probesAndResources(List<Map<String, Object>> objects) {
        List<String> problems = new ArrayList<>();
        for (Pod pod : pods(objects)) {
            for (Map<String, Object> c : pod.mainContainers()) {
                String id = pod.id() + " container " + c.get("name");
                Map<String, Object> ports = new LinkedHashMap<>();
                for (Map<String, Object> port : maps(c.get("ports"))) {
                    ports.put(String.valueOf(port.get("name")), port.get("containerPort"));
                }
                for (String probeName : List.of("startupProbe", "readinessProbe", "livenessProbe")) {
                    Map<String, Object> probe = map(c, probeName);
                    if (probe.isEmpty()) {
                        problems.add(id + ": no " + probeName);
                        continue;
                    }
                    List<String> handlers = new ArrayList<>();
                    for (String h : List.of("grpc", "httpGet", "tcpSocket", "exec")) {
                        if (probe.containsKey(h)) {
                            handlers.add(h);
                        }
                    }
                    if (handlers.size() != 1) {
                        problems.add(id + ": " + probeName + " has handlers " + handlers);
                        continue;
                    }
                    Object port = map(probe, handlers.get(0)).get("port");
                    boolean declared =
                            port instanceof String name ? ports.containsKey(name) : ports.containsValue(port);
                    if (!handlers.get(0).equals("exec") && !declared) {
                        problems.add(
                                id + ": " + probeName + " probes port " + port + ", not a declared container port");
                    }
                    if (handlers.get(0).equals("grpc") && !Objects.equals(ports.get("grpc"), port)) {
                        problems.add(
                                id + ": " + probeName + " is a gRPC probe on " + port + ", not on the port named grpc");
                    }
                }
                Map<String, Object> resources = map(c, "resources");
                for (String kind : List.of("requests", "limits")) {
                    Map<String, Object> amounts = map(resources, kind);
                    for (String resource : List.of("cpu", "memory")) {
                        if (amounts.get(resource) == null) {
                            problems.add(id + ": no " + kind + "." + resource);
                        }
                    }
                }
            }
        }
        return problems;
    }

    // ---- network policies -----------------------------------------------------------------

    static List<String> servicesCoveredByNetworkPolicies(List<Map<String, Object>> objects) {
        List<String> problems = new ArrayList<>();
        List<Map<String, Object>> policies = ofKind(objects, "NetworkPolicy");
        for (Map<String, Object> service : ofKind(objects, "Service")) {
            Map<String, Object> spec = map(service, "spec");
            Map<String, Object> selector = map(spec, "selector");
            String id = id(service);
            if (selector.isEmpty()) {
                problems.add(id + ": no selector");
                continue;
            }
            for (Map<String, Object> port : maps(spec.get("ports"))) {
                Object target = port.getOrDefault("targetPort", port.get("port"));
                boolean allowed = false;
                for (Map<String, Object> policy : policies) {
                    Map<String, Object> ps = map(policy, "spec");
                    if (!Objects.equals(namespace(policy), namespace(service))
                            || !list(ps.get("policyTypes")).contains("Ingress")
                            || !selects(map(ps, "podSelector"), selector)) {
                        continue;
                    }
                    for (Map<String, Object> rule : maps(ps.get("ingress"))) {
                        if (maps(rule.get("from")).isEmpty()) {
                            problems.add(id(policy) + ": an ingress rule without 'from' admits every source");
                            continue;
                        }
                        List<Map<String, Object>> rulePorts = maps(rule.get("ports"));
                        if (rulePorts.isEmpty()) {
                            problems.add(id(policy) + ": an ingress rule without ports admits every port");
                            continue;
                        }
                        for (Map<String, Object> rp : rulePorts) {
                            if (Objects.equals(String.valueOf(rp.get("port")), String.valueOf(target))) {
                                allowed = true;
                            }
                        }
                    }
                }
                if (!allowed) {
                    problems.add(id + ": port " + port.get("name") + " (" + target
                            + ") is reached by no NetworkPolicy ingress rule");
                }
            }
        }
        return problems;
    }

    static List<String> defaultDenyPolicy(List<Map<String, Object>> objects) {
        for (Map<String, Object> policy : ofKind(objects, "NetworkPolicy")) {
            Map<String, Object> spec = map(policy, "spec");
            Map<String, Object> podSelector = map(spec, "podSelector");
            if (map(podSelector, "matchLabels").isEmpty()
                    && list(podSelector.get("matchExpressions")).isEmpty()
                    && list(spec.get("policyTypes")).containsAll(List.of("Ingress", "Egress"))
                    && list(spec.get("ingress")).isEmpty()
                    && list(spec.get("egress")).isEmpty()) {
                return List.of();
            }
        }
        return List.of("no NetworkPolicy selects every pod and denies all ingress and egress");
    }

    // ---- secrets ----------------------------------------------------------------------------

    static List<String> noPlainSecrets(List<Map<String, Object>> objects) {
        List<String> problems = new ArrayList<>();
        for (Map<String, Object> secret : ofKind(objects, "Secret")) {
            problems.add(id(secret) + ": the chart renders a Secret (it must only reference existing ones)");
        }
        for (Map<String, Object> cm : ofKind(objects, "ConfigMap")) {
            for (String key : map(cm, "data").keySet()) {
                if (SECRET_NAME.matcher(key).matches()) {
                    problems.add(id(cm) + ": key " + key + " looks like a secret in a ConfigMap");
                }
            }
        }
        for (Pod pod : pods(objects)) {
            for (Map<String, Object> c : pod.containers()) {
                for (Map<String, Object> env : maps(c.get("env"))) {
                    String name = String.valueOf(env.get("name"));
                    if (!SECRET_NAME.matcher(name).matches()) {
                        continue;
                    }
                    if (env.containsKey("value")) {
                        problems.add(pod.id() + " container " + c.get("name") + ": " + name + " has a literal value");
                    } else if (map(map(env, "valueFrom"), "secretKeyRef").isEmpty()) {
                        problems.add(
                                pod.id() + " container " + c.get("name") + ": " + name + " is not from a secretKeyRef");
                    }
                }
            }
        }
        return problems;
    }

    // ---- images -----------------------------------------------------------------------------

    static List<String> pinnedImages(List<Map<String, Object>> objects) {
        List<String> problems = new ArrayList<>();
        for (Pod pod : pods(objects)) {
            for (Map<String, Object> c : pod.containers()) {
                String image = String.valueOf(c.get("image"));
                String tag = tag(image);
                if (image.contains("@sha256:")) {
                    continue;
                }
                if (tag == null || tag.isBlank() || tag.equals("latest")) {
                    problems.add(pod.id() + " container " + c.get("name") + ": image " + image + " has no pinned tag");
                }
            }
        }
        return problems;
    }

    /** The tag of an image reference, or null: the part after the last ':' of the last path segment. */
    static String tag(String image) {
        String lastSegment = image.substring(image.lastIndexOf('/') + 1);
        int colon = lastSegment.indexOf(':');
        return colon < 0 ? null : lastSegment.substring(colon + 1);
    }

    // ---- labels -----------------------------------------------------------------------------

    static List<String> consistentLabels(List<Map<String, Object>> objects) {
        List<String> problems = new ArrayList<>();
        Set<Object> names = new java.util.HashSet<>();
        Set<Object> instances = new java.util.HashSet<>();
        for (Map<String, Object> o : objects) {
            Map<String, Object> labels = map(map(o, "metadata"), "labels");
            for (String label : STANDARD_LABELS) {
                if (label.equals("app.kubernetes.io/component")
                        && !WORKLOADS.contains(o.get("kind"))
                        && !o.get("kind").equals("Service")) {
                    continue; // namespace-wide objects (default deny) belong to no component
                }
                if (labels.get(label) == null
                        || String.valueOf(labels.get(label)).isBlank()) {
                    problems.add(id(o) + ": no label " + label);
                }
            }
            names.add(labels.get("app.kubernetes.io/name"));
            instances.add(labels.get("app.kubernetes.io/instance"));
        }
        if (names.size() > 1 || instances.size() > 1) {
            problems.add("objects disagree on app.kubernetes.io/name " + names + " or instance " + instances);
        }
        List<Map<String, Object>> workloads = new ArrayList<>();
        for (Map<String, Object> o : objects) {
            if (WORKLOADS.contains(o.get("kind"))) {
                workloads.add(o);
            }
        }
        for (Map<String, Object> w : workloads) {
            Map<String, Object> selector = map(map(map(w, "spec"), "selector"), "matchLabels");
            Map<String, Object> podLabels = map(map(map(map(w, "spec"), "template"), "metadata"), "labels");
            if (selector.isEmpty()) {
                problems.add(id(w) + ": empty selector");
            }
            if (!selects(Map.of("matchLabels", selector), podLabels)) {
                problems.add(id(w) + ": selector " + selector + " does not match its pod labels " + podLabels);
            }
            for (String label : STANDARD_LABELS) {
                if (podLabels.get(label) == null) {
                    problems.add(id(w) + ": pod template has no label " + label);
                }
            }
            for (String label :
                    List.of("app.kubernetes.io/name", "app.kubernetes.io/instance", "app.kubernetes.io/component")) {
                if (!Objects.equals(selector.get(label), podLabels.get(label))
                        || !Objects.equals(
                                podLabels.get(label),
                                map(map(w, "metadata"), "labels").get(label))) {
                    problems.add(id(w) + ": " + label + " differs between selector, pod template and object");
                }
            }
            for (Map<String, Object> c :
                    maps(map(map(map(w, "spec"), "template"), "spec").get("containers"))) {
                String tag = tag(String.valueOf(c.get("image")));
                if (!Objects.equals(tag, podLabels.get("app.kubernetes.io/version"))) {
                    problems.add(id(w) + ": app.kubernetes.io/version " + podLabels.get("app.kubernetes.io/version")
                            + " is not the image tag " + tag);
                }
            }
        }
        for (Map<String, Object> service : ofKind(objects, "Service")) {
            Map<String, Object> selector = map(map(service, "spec"), "selector");
            List<Map<String, Object>> matched = new ArrayList<>();
            for (Map<String, Object> w : workloads) {
                Map<String, Object> workloadSelector = map(map(map(w, "spec"), "selector"), "matchLabels");
                if (selects(
                        Map.of("matchLabels", selector),
                        map(map(map(map(w, "spec"), "template"), "metadata"), "labels"))) {
                    matched.add(w);
                    if (!selector.equals(workloadSelector)) {
                        problems.add(id(service) + ": selector " + selector + " is not the selector of " + id(w) + " "
                                + workloadSelector);
                    }
                }
            }
            if (matched.size() != 1) {
                problems.add(id(service) + ": selects " + matched.size() + " workloads (expected exactly one)");
            }
        }
        for (String kind : List.of("PodDisruptionBudget", "ServiceMonitor")) {
            for (Map<String, Object> o : ofKind(objects, kind)) {
                Map<String, Object> selector = map(map(o, "spec"), "selector");
                boolean any = workloads.stream()
                        .anyMatch(w ->
                                selects(selector, map(map(map(map(w, "spec"), "template"), "metadata"), "labels")));
                if (!any) {
                    problems.add(id(o) + ": selects no pods of the chart");
                }
            }
        }
        for (Map<String, Object> hpa : ofKind(objects, "HorizontalPodAutoscaler")) {
            Map<String, Object> target = map(map(hpa, "spec"), "scaleTargetRef");
            Map<String, Object> workload = workloads.stream()
                    .filter(w -> w.get("kind").equals(target.get("kind")) && name(w).equals(target.get("name")))
                    .findFirst()
                    .orElse(null);
            if (workload == null) {
                problems.add(id(hpa) + ": scales " + target + ", which is not rendered");
            } else if (map(workload, "spec").containsKey("replicas")) {
                problems.add(id(workload) + ": sets replicas although " + id(hpa) + " scales it");
            }
        }
        return problems;
    }

    // ---- graceful termination ---------------------------------------------------------------

    static List<String> gracefulTermination(List<Map<String, Object>> objects) {
        List<String> problems = new ArrayList<>();
        for (Pod pod : pods(objects)) {
            Object grace = pod.spec().get("terminationGracePeriodSeconds");
            long graceSeconds = grace == null ? 30 : number(grace);
            for (Map<String, Object> c : pod.mainContainers()) {
                Map<String, Object> preStop = map(map(c, "lifecycle"), "preStop");
                Map<String, Object> sleep = map(preStop, "sleep");
                if (sleep.isEmpty()) {
                    problems.add(pod.id() + " container " + c.get("name") + ": no preStop sleep");
                    continue;
                }
                long sleepSeconds = number(sleep.get("seconds"));
                if (graceSeconds <= sleepSeconds + APP_SHUTDOWN_SECONDS) {
                    problems.add(
                            pod.id() + ": terminationGracePeriodSeconds " + graceSeconds + " is not more than preStop "
                                    + sleepSeconds + " s + " + APP_SHUTDOWN_SECONDS + " s of app shutdown");
                }
            }
        }
        return problems;
    }

    // ---- helpers ----------------------------------------------------------------------------

    record Pod(String id, Map<String, Object> spec) {
        List<Map<String, Object>> mainContainers() {
            return maps(spec.get("containers"));
        }

        List<Map<String, Object>> containers() {
            List<Map<String, Object>> all = new ArrayList<>(maps(spec.get("initContainers")));
            all.addAll(mainContainers());
            return all;
        }
    }

    static List<Pod> pods(List<Map<String, Object>> objects) {
        List<Pod> pods = new ArrayList<>();
        for (Map<String, Object> o : objects) {
            Object kind = o.get("kind");
            if (WORKLOADS.contains(kind)) {
                pods.add(new Pod(id(o), map(map(map(o, "spec"), "template"), "spec")));
            } else if ("CronJob".equals(kind)) {
                pods.add(new Pod(id(o), map(map(map(map(map(o, "spec"), "jobTemplate"), "spec"), "template"), "spec")));
            } else if ("Pod".equals(kind)) {
                pods.add(new Pod(id(o), map(o, "spec")));
            }
        }
        return pods;
    }

    /** Whether a label selector (matchLabels only; an empty selector selects all) selects these labels. */
    static boolean selects(Map<String, Object> selector, Map<String, Object> labels) {
        if (!list(selector.get("matchExpressions")).isEmpty()) {
            return false; // not used by the chart: treated as not matching, so a check fails loudly
        }
        for (Map.Entry<String, Object> e : map(selector, "matchLabels").entrySet()) {
            if (!Objects.equals(String.valueOf(e.getValue()), String.valueOf(labels.get(e.getKey())))) {
                return false;
            }
        }
        return true;
    }

    static List<Map<String, Object>> ofKind(List<Map<String, Object>> objects, String kind) {
        return objects.stream().filter(o -> kind.equals(o.get("kind"))).toList();
    }

    static String name(Map<String, Object> o) {
        return String.valueOf(map(o, "metadata").get("name"));
    }

    static Object namespace(Map<String, Object> o) {
        return map(o, "metadata").get("namespace");
    }

    static String id(Map<String, Object> o) {
        return o.get("kind") + "/" + name(o);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Map<String, Object> parent, String key) {
        Object value = parent == null ? null : parent.get(key);
        return value instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    static List<Object> list(Object value) {
        return value instanceof List<?> l ? new ArrayList<>(l) : List.of();
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> maps(Object value) {
        List<Map<String, Object>> result = new ArrayList<>();
        for (Object o : list(value)) {
            if (o instanceof Map<?, ?> m) {
                result.add((Map<String, Object>) m);
            }
        }
        return result;
    }

    static long number(Object value) {
        if (value instanceof Number n) {
            return n.longValue();
        }
        return Long.parseLong(String.valueOf(value));
    }

    private ManifestChecks() {}
}
