package org.securecomm.relay.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigResolveOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What cannot be run on the development machine (the container build, a Kubernetes cluster,
 * systemd, Prometheus and Grafana) is checked here for its cross-references: the deployment files
 * in ops/ must agree with each other, with the node's reference.conf and with the metric names the
 * node's code registers. Every check collects all its problems and names the file and the item.
 */
class DeploymentFilesTest {

    /** Metric families the operations brief of issue 6 names (some are added by other changes of the issue). */
    private static final Set<String> CONTRACT_METRICS = Set.of(
            "securecomm_websocket_connections", "securecomm_websocket_authenticated_connections",
            "securecomm_envelopes_enqueued_total", "securecomm_envelopes_pushed_total",
            "securecomm_envelopes_acknowledged_total", "securecomm_envelopes_expired_total",
            "securecomm_envelope_size_bytes", "securecomm_requests_seconds", "securecomm_frames_rejected_total",
            "securecomm_media_packets_in_total", "securecomm_media_packets_out_total",
            "securecomm_media_bytes_in_total", "securecomm_media_bytes_out_total", "securecomm_media_dropped_total",
            "securecomm_media_rooms", "securecomm_media_participants",
            "securecomm_federation_requests_seconds", "securecomm_federation_queue_depth",
            "securecomm_federation_queue_oldest_seconds", "securecomm_federation_last_success_timestamp_seconds",
            "securecomm_federation_pdus_delivered_total", "securecomm_federation_pdus_expired_total",
            "securecomm_federation_delivery_failures_total",
            "securecomm_mailboxes_active", "securecomm_mailbox_envelopes", "securecomm_mailbox_oldest_envelope_seconds",
            "securecomm_persistence_latency_seconds", "securecomm_shards", "securecomm_entities",
            "securecomm_cluster_members", "securecomm_cluster_unreachable_members", "securecomm_node_ready");

    /** Environment variables read by code rather than by reference.conf's ${?VAR} (documented in docs/operations.md). */
    private static final Set<String> EXTRA_VARIABLES = Set.of(
            "SECURECOMM_CASSANDRA_CONTACT_POINTS", "SECURECOMM_TURN_URLS", "SECURECOMM_CLUSTER_SEED_NODES",
            "SECURECOMM_CLUSTER_FORMATION", "SECURECOMM_ADMIN_TOKEN", "SECURECOMM_MANAGEMENT_HOSTNAME");

    /** Configuration keys of issue 6's shared contract that reference.conf may not carry yet. */
    private static final Set<String> CONTRACT_KEYS = Set.of(
            "securecomm.cluster.formation", "securecomm.admin.enabled", "securecomm.admin.interface",
            "securecomm.admin.port", "securecomm.admin.token-file");

    private static final String STATEFULSET_POD_NAME = "statefulset.kubernetes.io/pod-name";
    private static final String RELAY_APP = "securecomm-relay";
    private static final Pattern METRIC = Pattern.compile("\\b(securecomm_[a-z0-9_]+)");
    private static final Pattern VARIABLE = Pattern.compile("\\b(SECURECOMM_[A-Z0-9_]+)");

    private static Path root;
    private static List<Manifest> manifests;
    private static Config reference;
    private static String operationsDoc;
    private static String mainSources;

    /** One YAML document of ops/deploy/kubernetes and the file it came from. */
    private record Manifest(Path file, JsonNode node) {
        String kind() {
            return node.path("kind").asText();
        }

        String name() {
            return node.path("metadata").path("name").asText();
        }

        @Override
        public String toString() {
            return root.relativize(file) + " " + kind() + "/" + name();
        }
    }

    /** A container port: name, number, protocol. */
    private record Port(String name, int number, String protocol) {
    }

    @BeforeAll
    static void load() throws IOException {
        root = repositoryRoot();
        manifests = new ArrayList<>();
        YAMLMapper yaml = new YAMLMapper();
        try (Stream<Path> files = Files.list(root.resolve("ops/deploy/kubernetes"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml")).sorted().toList()) {
                try (var documents = yaml.readerFor(JsonNode.class).<JsonNode>readValues(file.toFile())) {
                    while (documents.hasNextValue()) {
                        JsonNode node = documents.nextValue();
                        if (node != null && !node.isNull() && !node.isMissingNode()) {
                            manifests.add(new Manifest(file, node));
                        }
                    }
                }
            }
        }
        // All reference.conf files of the classpath (the node's and Pekko's), variables not applied:
        // the defaults an operator gets, whatever this machine's environment says.
        reference = ConfigFactory.parseResources("reference.conf").resolve(ConfigResolveOptions.noSystem());
        Path doc = root.resolve("docs/operations.md");
        operationsDoc = Files.exists(doc) ? Files.readString(doc) : "";
        try (Stream<Path> sources = Files.walk(root.resolve("relay-node/src/main/java"))) {
            mainSources = sources.filter(f -> f.toString().endsWith(".java")).map(DeploymentFilesTest::read)
                    .collect(Collectors.joining("\n"));
        }
    }

    // ---------------------------------------------------------------- Kubernetes manifests

    @Test
    void manifestsParseAndHoldTheExpectedObjects() {
        List<String> problems = new ArrayList<>();
        for (Manifest m : manifests) {
            if (m.node().path("apiVersion").asText().isEmpty() || m.kind().isEmpty()) {
                problems.add(m.file().getFileName() + ": a document without apiVersion or kind: " + m.node());
            } else if (!m.kind().equals("Kustomization") && m.name().isEmpty()) {
                problems.add(m + ": no metadata.name");
            }
        }
        for (String kind : List.of("ServiceAccount", "Role", "RoleBinding", "StatefulSet", "Service", "PodDisruptionBudget",
                "ConfigMap", "Deployment")) {
            if (manifests.stream().noneMatch(m -> m.kind().equals(kind))) {
                problems.add("ops/deploy/kubernetes: no " + kind);
            }
        }
        manifests.stream().filter(m -> m.kind().equals("Kustomization")).forEach(k -> {
            Set<String> listed = new TreeSet<>();
            k.node().path("resources").forEach(r -> listed.add(r.asText()));
            Set<String> present = manifests.stream().filter(m -> !m.kind().equals("Kustomization"))
                    .map(m -> m.file().getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
            if (!listed.equals(present)) {
                problems.add(k + ": resources " + listed + " differ from the manifest files " + present);
            }
        });
        assertNoProblems(problems);
    }

    @Test
    void everyServiceSelectsPodsAndTheirPorts() {
        List<String> problems = new ArrayList<>();
        for (Manifest service : ofKind("Service")) {
            JsonNode selector = service.node().path("spec").path("selector");
            if (!selector.isObject() || selector.isEmpty()) {
                problems.add(service + ": no selector");
                continue;
            }
            List<Manifest> selected = workloads().stream().filter(w -> selects(selector, w)).toList();
            if (selected.isEmpty()) {
                problems.add(service + ": selector " + selector + " matches no pod template's labels");
                continue;
            }
            for (JsonNode port : service.node().path("spec").path("ports")) {
                String protocol = port.path("protocol").asText("TCP");
                JsonNode target = port.has("targetPort") ? port.get("targetPort") : port.get("port");
                for (Manifest workload : selected) {
                    boolean found = containerPorts(workload).stream().anyMatch(p -> p.protocol().equals(protocol)
                            && (target.isInt() ? p.number() == target.asInt() : p.name().equals(target.asText())));
                    if (!found) {
                        problems.add(service + ": targetPort " + target.asText() + "/" + protocol + " is no container port of "
                                + workload + " (it has " + containerPorts(workload) + ")");
                    }
                }
            }
        }
        assertNoProblems(problems);
    }

    @Test
    void relayProbesUsePekkoManagementHealthPaths() {
        List<String> problems = new ArrayList<>();
        JsonNode container = relayContainer();
        Map<String, String> expected = Map.of("startupProbe", "/startup", "readinessProbe", "/ready", "livenessProbe", "/alive");
        List<Port> ports = containerPorts(relay());
        expected.forEach((probe, path) -> {
            JsonNode get = container.path(probe).path("httpGet");
            if (get.isMissingNode()) {
                problems.add(relay() + ": no " + probe + " with httpGet");
                return;
            }
            if (!get.path("path").asText().equals(path)) {
                problems.add(relay() + ": " + probe + " path is " + get.path("path").asText() + ", Pekko Management serves " + path);
            }
            if (!get.path("port").asText().equals("management")) {
                problems.add(relay() + ": " + probe + " port is " + get.path("port").asText() + ", not the named port management");
            }
        });
        Port management = ports.stream().filter(p -> p.name().equals("management")).findFirst().orElse(null);
        int managementPort = reference.hasPath("pekko.management.http.port") ? reference.getInt("pekko.management.http.port") : 7626;
        if (management == null || management.number() != managementPort || !management.protocol().equals("TCP")) {
            problems.add(relay() + ": container port management must be " + managementPort + "/TCP (pekko.management.http.port), is "
                    + management);
        }
        assertNoProblems(problems);
    }

    @Test
    void relayPodsFormTheClusterThroughKubernetesDiscovery() {
        List<String> problems = new ArrayList<>();
        Manifest relay = relay();
        JsonNode container = relayContainer();
        if (!RELAY_APP.equals(relay.node().path("spec").path("template").path("metadata").path("labels").path("app").asText())) {
            problems.add(relay + ": pod label app is not " + RELAY_APP + " (Kubernetes discovery selects app=" + RELAY_APP + ")");
        }
        for (String variable : List.of("SECURECOMM_CLUSTER_HOSTNAME", "SECURECOMM_MANAGEMENT_HOSTNAME")) {
            JsonNode env = env(container, variable);
            if (!"status.podIP".equals(env.path("valueFrom").path("fieldRef").path("fieldPath").asText())) {
                problems.add(relay + ": " + variable + " must come from the downward API (status.podIP), is " + env);
            }
        }
        if (!"bootstrap".equals(env(container, "SECURECOMM_CLUSTER_FORMATION").path("value").asText())) {
            problems.add(relay + ": SECURECOMM_CLUSTER_FORMATION must be bootstrap");
        }
        Config conf = relayApplicationConf(problems);
        if (conf != null) {
            String serviceName = conf.getString("pekko.management.cluster.bootstrap.contact-point-discovery.service-name");
            String selector = conf.hasPath("pekko.discovery.kubernetes-api.pod-label-selector")
                    ? conf.getString("pekko.discovery.kubernetes-api.pod-label-selector")
                    : reference.getString("pekko.discovery.kubernetes-api.pod-label-selector");
            if (!"kubernetes-api".equals(conf.getString("pekko.discovery.method"))) {
                problems.add("securecomm-relay-config application.conf: pekko.discovery.method is not kubernetes-api");
            }
            if (!selector.replace("%s", serviceName).equals("app=" + RELAY_APP)) {
                problems.add("securecomm-relay-config application.conf: the pod label selector " + selector + " with service-name "
                        + serviceName + " does not select app=" + RELAY_APP);
            }
            String portName = conf.getString("pekko.management.cluster.bootstrap.contact-point-discovery.port-name");
            if (containerPorts(relay).stream().noneMatch(p -> p.name().equals(portName))) {
                problems.add("securecomm-relay-config application.conf: bootstrap port-name " + portName + " is no container port");
            }
            int replicas = relay.node().path("spec").path("replicas").asInt(1);
            int required = conf.getInt("pekko.management.cluster.bootstrap.contact-point-discovery.required-contact-point-nr");
            if (required > replicas) {
                problems.add("securecomm-relay-config application.conf: required-contact-point-nr " + required + " > replicas " + replicas);
            }
        }
        if (!"Parallel".equals(relay.node().path("spec").path("podManagementPolicy").asText())) {
            problems.add(relay + ": podManagementPolicy must be Parallel (OrderedReady waits for pod 0 to be ready before"
                    + " starting pod 1, while bootstrap waits for several pods)");
        }
        assertNoProblems(problems);
    }

    @Test
    void relayPodsDrainWithinTheirGracePeriod() {
        List<String> problems = new ArrayList<>();
        Manifest relay = relay();
        JsonNode preStop = relayContainer().path("lifecycle").path("preStop");
        long preStopSeconds = 0;
        if (preStop.isMissingNode()) {
            problems.add(relay + ": no preStop hook (load balancers need a moment before the node drains)");
        } else {
            JsonNode command = preStop.path("exec").path("command");
            if (command.size() == 2 && command.get(0).asText().equals("sleep")) {
                preStopSeconds = Long.parseLong(command.get(1).asText());
            } else if (preStop.has("sleep")) {
                preStopSeconds = preStop.path("sleep").path("seconds").asLong();
            } else {
                problems.add(relay + ": preStop is not a sleep: " + preStop);
            }
        }
        long grace = relay.node().path("spec").path("template").path("spec").path("terminationGracePeriodSeconds").asLong(30);
        long shutdown = coordinatedShutdownBound().toSeconds();
        if (grace <= preStopSeconds + shutdown) {
            problems.add(relay + ": terminationGracePeriodSeconds " + grace + " is not above the preStop sleep (" + preStopSeconds
                    + " s) plus the coordinated shutdown's phase timeouts (" + shutdown + " s)");
        }
        assertNoProblems(problems);
    }

    @Test
    void roleBindingGrantsPodDiscoveryToTheRelayServiceAccount() {
        List<String> problems = new ArrayList<>();
        String serviceAccount = relay().node().path("spec").path("template").path("spec").path("serviceAccountName").asText();
        if (serviceAccount.isEmpty()) {
            problems.add(relay() + ": no serviceAccountName (the default account cannot list pods)");
        }
        if (ofKind("ServiceAccount").stream().noneMatch(a -> a.name().equals(serviceAccount))) {
            problems.add("ops/deploy/kubernetes: no ServiceAccount " + serviceAccount);
        }
        List<Manifest> bindings = ofKind("RoleBinding");
        Manifest binding = bindings.stream().filter(b -> {
            for (JsonNode subject : b.node().path("subjects")) {
                if (subject.path("kind").asText().equals("ServiceAccount") && subject.path("name").asText().equals(serviceAccount)) {
                    return true;
                }
            }
            return false;
        }).findFirst().orElse(null);
        if (binding == null) {
            problems.add("ops/deploy/kubernetes: no RoleBinding names the ServiceAccount " + serviceAccount);
        } else {
            JsonNode roleRef = binding.node().path("roleRef");
            Manifest role = ofKind("Role").stream().filter(r -> r.name().equals(roleRef.path("name").asText())).findFirst().orElse(null);
            if (!roleRef.path("kind").asText().equals("Role") || role == null) {
                problems.add(binding + ": roleRef " + roleRef + " names no Role of the manifests");
            } else {
                boolean podsReadable = false;
                for (JsonNode rule : role.node().path("rules")) {
                    Set<String> verbs = texts(rule.path("verbs"));
                    if (texts(rule.path("apiGroups")).contains("") && texts(rule.path("resources")).contains("pods")
                            && verbs.containsAll(Set.of("get", "watch", "list"))) {
                        podsReadable = true;
                    }
                }
                if (!podsReadable) {
                    problems.add(role + ": does not grant get, watch and list on pods");
                }
            }
        }
        assertNoProblems(problems);
    }

    @Test
    void disruptionBudgetCoversTheRelayPods() {
        List<String> problems = new ArrayList<>();
        List<Manifest> budgets = ofKind("PodDisruptionBudget");
        Manifest budget = budgets.stream().filter(b -> selects(b.node().path("spec").path("selector").path("matchLabels"), relay()))
                .findFirst().orElse(null);
        if (budget == null) {
            problems.add("ops/deploy/kubernetes: no PodDisruptionBudget whose selector matches " + relay());
        } else if (budget.node().path("spec").path("maxUnavailable").asInt(-1) != 1) {
            problems.add(budget + ": maxUnavailable must be 1");
        }
        assertNoProblems(problems);
    }

    @Test
    void referencedConfigMapsAndSecretsExistOrAreDocumented() {
        List<String> problems = new ArrayList<>();
        Set<String> secrets = ofKind("Secret").stream().map(Manifest::name).collect(Collectors.toSet());
        for (Manifest workload : workloads()) {
            JsonNode pod = workload.node().path("spec").path("template").path("spec");
            Map<String, Set<String>> usedConfigMaps = new LinkedHashMap<>();
            Map<String, Set<String>> usedSecrets = new LinkedHashMap<>();
            for (JsonNode volume : pod.path("volumes")) {
                if (volume.has("configMap")) {
                    usedConfigMaps.computeIfAbsent(volume.path("configMap").path("name").asText(), k -> new TreeSet<>())
                            .addAll(itemKeys(volume.path("configMap")));
                }
                if (volume.has("secret")) {
                    usedSecrets.computeIfAbsent(volume.path("secret").path("secretName").asText(), k -> new TreeSet<>())
                            .addAll(itemKeys(volume.path("secret")));
                }
            }
            for (JsonNode container : pod.path("containers")) {
                for (JsonNode env : container.path("env")) {
                    JsonNode from = env.path("valueFrom");
                    if (from.has("secretKeyRef")) {
                        usedSecrets.computeIfAbsent(from.path("secretKeyRef").path("name").asText(), k -> new TreeSet<>())
                                .add(from.path("secretKeyRef").path("key").asText());
                    }
                    if (from.has("configMapKeyRef")) {
                        usedConfigMaps.computeIfAbsent(from.path("configMapKeyRef").path("name").asText(), k -> new TreeSet<>())
                                .add(from.path("configMapKeyRef").path("key").asText());
                    }
                }
                for (JsonNode envFrom : container.path("envFrom")) {
                    if (envFrom.has("secretRef")) {
                        usedSecrets.computeIfAbsent(envFrom.path("secretRef").path("name").asText(), k -> new TreeSet<>());
                    }
                    if (envFrom.has("configMapRef")) {
                        usedConfigMaps.computeIfAbsent(envFrom.path("configMapRef").path("name").asText(), k -> new TreeSet<>());
                    }
                }
                for (JsonNode mount : container.path("volumeMounts")) {
                    String volume = mount.path("name").asText();
                    boolean declared = false;
                    for (JsonNode v : pod.path("volumes")) {
                        declared |= v.path("name").asText().equals(volume);
                    }
                    if (!declared) {
                        problems.add(workload + ": volumeMount " + volume + " names no volume of the pod");
                    }
                }
            }
            usedConfigMaps.forEach((name, keys) -> {
                Manifest configMap = ofKind("ConfigMap").stream().filter(c -> c.name().equals(name)).findFirst().orElse(null);
                if (configMap == null) {
                    problems.add(workload + ": ConfigMap " + name + " is not in ops/deploy/kubernetes");
                    return;
                }
                for (String key : keys) {
                    if (!configMap.node().path("data").has(key)) {
                        problems.add(workload + ": ConfigMap " + name + " has no key " + key);
                    }
                }
            });
            usedSecrets.forEach((name, keys) -> {
                if (secrets.contains(name)) {
                    return;
                }
                // Secrets hold operator-generated keys: created with kubectl (docs/operations.md), never shipped.
                if (!operationsDoc.contains(name)) {
                    problems.add(workload + ": Secret " + name + " is neither in ops/deploy/kubernetes nor documented in docs/operations.md");
                }
                for (String key : keys) {
                    if (!operationsDoc.contains(key)) {
                        problems.add(workload + ": key " + key + " of Secret " + name + " is not documented in docs/operations.md");
                    }
                }
            });
        }
        assertNoProblems(problems);
    }

    @Test
    void relayContainerPortsMatchTheNodesDefaults() {
        List<String> problems = new ArrayList<>();
        Map<String, Port> expected = expectedRelayPorts();
        Map<String, Port> actual = containerPorts(relay()).stream().collect(Collectors.toMap(Port::name, p -> p, (a, b) -> a,
                LinkedHashMap::new));
        if (!actual.equals(expected)) {
            problems.add(relay() + ": container ports " + actual.values() + " differ from reference.conf's " + expected.values());
        }
        JsonNode container = relayContainer();
        Map<String, String> portVariables = Map.of("SECURECOMM_HTTP_PORT", "http", "SECURECOMM_FEDERATION_PORT", "federation",
                "SECURECOMM_MEDIA_PORT", "media", "SECURECOMM_CLUSTER_PORT", "remoting");
        portVariables.forEach((variable, portName) -> {
            JsonNode env = env(container, variable);
            if (!env.isMissingNode() && Integer.parseInt(env.path("value").asText()) != expected.get(portName).number()) {
                problems.add(relay() + ": " + variable + "=" + env.path("value").asText() + " but container port " + portName + " is "
                        + expected.get(portName).number());
            }
        });
        // Artery's port defaults to 0 (a free one), so a cluster node must set it to the declared port.
        if (env(container, "SECURECOMM_CLUSTER_PORT").isMissingNode()) {
            problems.add(relay() + ": SECURECOMM_CLUSTER_PORT is not set (reference.conf picks a free port)");
        }
        int admin = reference.hasPath("securecomm.admin.port") ? reference.getInt("securecomm.admin.port") : 7627;
        if (actual.values().stream().anyMatch(p -> p.number() == admin)) {
            problems.add(relay() + ": declares the admin port " + admin + ", which must stay on loopback");
        }
        assertNoProblems(problems);
    }

    // ---------------------------------------------------------------- Dockerfile

    @Test
    void dockerfileExposesTheNodesPortsAndRunsMain() throws IOException {
        List<String> problems = new ArrayList<>();
        Path dockerfile = root.resolve("ops/deploy/docker/Dockerfile");
        List<String> lines = joinContinuations(Files.readAllLines(dockerfile));
        Set<String> exposed = new TreeSet<>();
        String entrypoint = null;
        for (String line : lines) {
            String trimmed = line.strip();
            if (trimmed.startsWith("EXPOSE ")) {
                for (String port : trimmed.substring(7).strip().split("\\s+")) {
                    exposed.add(port.contains("/") ? port.toLowerCase() : port + "/tcp");
                }
            } else if (trimmed.startsWith("ENTRYPOINT ")) {
                entrypoint = trimmed.substring(11).strip();
            }
        }
        Set<String> expected = expectedRelayPorts().values().stream()
                .map(p -> p.number() + "/" + p.protocol().toLowerCase()).collect(Collectors.toCollection(TreeSet::new));
        if (!exposed.equals(expected)) {
            problems.add("ops/deploy/docker/Dockerfile: EXPOSE " + exposed + " differs from the node's ports " + expected);
        }
        if (entrypoint == null) {
            problems.add("ops/deploy/docker/Dockerfile: no ENTRYPOINT");
        } else {
            List<String> args = new ArrayList<>();
            new ObjectMapper().readTree(entrypoint).forEach(a -> args.add(a.asText()));
            int main = args.indexOf("org.securecomm.relay.node.Main");
            if (args.isEmpty() || !args.get(0).equals("java") || main < 0 || main + 1 >= args.size() || !args.get(main + 1).equals("run")) {
                problems.add("ops/deploy/docker/Dockerfile: ENTRYPOINT " + args + " does not run java ... org.securecomm.relay.node.Main run");
            }
            String jar = launcherJar();
            if (args.stream().noneMatch(a -> a.contains(jar))) {
                problems.add("ops/deploy/docker/Dockerfile: ENTRYPOINT's class path does not name " + jar + " (bin/securecomm-relay's jar)");
            }
        }
        String text = String.join("\n", lines);
        if (!text.contains("-pl relay-node -am package")) {
            problems.add("ops/deploy/docker/Dockerfile: does not build with ./mvnw -B -DskipTests -pl relay-node -am package");
        }
        if (!Pattern.compile("(?m)^USER\\s+(?!root|0\\b)").matcher(text).find()) {
            problems.add("ops/deploy/docker/Dockerfile: runs as root (no USER line for an unprivileged user)");
        }
        assertNoProblems(problems);
    }

    // ---------------------------------------------------------------- systemd

    @Test
    void systemdUnitUsesTheShippedEnvironmentFileAndDrainsBeforeItsStopTimeout() throws IOException {
        List<String> problems = new ArrayList<>();
        Path unitFile = root.resolve("ops/deploy/systemd/securecomm-relay.service");
        Map<String, List<String>> unit = systemdDirectives(Files.readAllLines(unitFile));
        String where = "ops/deploy/systemd/securecomm-relay.service: ";
        for (String environmentFile : unit.getOrDefault("EnvironmentFile", List.of())) {
            String name = Path.of(environmentFile.replaceFirst("^-", "")).getFileName().toString();
            if (!Files.exists(unitFile.resolveSibling(name))) {
                problems.add(where + "EnvironmentFile " + environmentFile + " has no " + name + " in ops/deploy/systemd");
            }
        }
        if (!unit.containsKey("EnvironmentFile")) {
            problems.add(where + "no EnvironmentFile");
        }
        expectDirective(unit, "Restart", "always", where, problems);
        expectDirective(unit, "NoNewPrivileges", "yes", where, problems);
        expectDirective(unit, "ProtectSystem", "strict", where, problems);
        expectDirective(unit, "KillSignal", "SIGTERM", where, problems);
        if (first(unit, "User").isEmpty() || first(unit, "User").equals("root")) {
            problems.add(where + "no dedicated User");
        }
        if (!first(unit, "ReadWritePaths").contains("/var/lib/securecomm")) {
            problems.add(where + "ReadWritePaths does not name the data directory /var/lib/securecomm");
        }
        String nofile = first(unit, "LimitNOFILE");
        if (nofile.isEmpty() || (!nofile.equals("infinity") && Long.parseLong(nofile) < 65536)) {
            problems.add(where + "LimitNOFILE " + nofile + " is below 65536 (one descriptor per client connection)");
        }
        String stop = first(unit, "TimeoutStopSec");
        Duration shutdown = coordinatedShutdownBound();
        if (stop.isEmpty() || systemdSeconds(stop) <= shutdown.toSeconds()) {
            problems.add(where + "TimeoutStopSec " + stop + " is not above the coordinated shutdown's phase timeouts (" + shutdown.toSeconds()
                    + " s)");
        }
        String exec = first(unit, "ExecStart");
        if (!exec.endsWith("bin/securecomm-relay run")) {
            problems.add(where + "ExecStart " + exec + " does not run bin/securecomm-relay run");
        }
        assertNoProblems(problems);
    }

    @Test
    void environmentFileNamesOnlyVariablesTheNodeReadsAndAllOfThem() throws IOException {
        List<String> problems = new ArrayList<>();
        String envFile = Files.readString(root.resolve("ops/deploy/systemd/securecomm-relay.env"));
        String referenceText = read(root.resolve("relay-node/src/main/resources/reference.conf"));
        String launcher = read(root.resolve("bin/securecomm-relay"));
        Set<String> listed = new TreeSet<>();
        Matcher assignment = Pattern.compile("(?m)^#?\\s*(SECURECOMM_[A-Z0-9_]+)=").matcher(envFile);
        while (assignment.find()) {
            listed.add(assignment.group(1));
        }
        for (String variable : listed) {
            if (!referenceText.contains("${?" + variable + "}") && !launcher.contains(variable) && !EXTRA_VARIABLES.contains(variable)) {
                problems.add("ops/deploy/systemd/securecomm-relay.env: " + variable
                        + " is read by neither reference.conf, bin/securecomm-relay nor the node's code");
            }
        }
        Matcher read = Pattern.compile("\\$\\{\\?(SECURECOMM_[A-Z0-9_]+)}").matcher(referenceText);
        Set<String> known = new TreeSet<>(EXTRA_VARIABLES);
        while (read.find()) {
            known.add(read.group(1));
        }
        for (String variable : known) {
            if (!listed.contains(variable)) {
                problems.add("ops/deploy/systemd/securecomm-relay.env: does not list " + variable + " (read by the node)");
            }
            if (!operationsDoc.contains(variable)) {
                problems.add("docs/operations.md: does not mention " + variable);
            }
        }
        assertNoProblems(problems);
    }

    @Test
    void applicationConfExamplesUseKeysTheNodeKnows() throws IOException {
        List<String> problems = new ArrayList<>();
        Map<String, Config> examples = new LinkedHashMap<>();
        try (Stream<Path> files = Files.list(root.resolve("ops/deploy/systemd"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".conf") && f.getFileName().toString().startsWith("application"))
                    .sorted().toList()) {
                // ${?VAR} of the environment resolve to nothing here: only the file's own keys are checked.
                examples.put(root.relativize(file).toString(),
                        ConfigFactory.parseFile(file.toFile()).resolve(ConfigResolveOptions.noSystem()));
            }
        }
        Config relayConf = relayApplicationConf(problems);
        if (relayConf != null) {
            examples.put("ops/deploy/kubernetes ConfigMap securecomm-relay-config application.conf", relayConf);
        }
        if (examples.size() < 3) {
            problems.add("expected application-bootstrap.conf, application-seed-nodes.conf and the ConfigMap's application.conf, found "
                    + examples.keySet());
        }
        int managementPort = reference.getInt("pekko.management.http.port");
        examples.forEach((where, conf) -> {
            for (String path : leafPaths(conf.root(), "")) {
                if (!reference.hasPathOrNull(path) && !CONTRACT_KEYS.contains(path)
                        && !path.startsWith("pekko.discovery.config.services.")) {
                    problems.add(where + ": " + path + " is in no reference.conf (a misspelt key is silently ignored)");
                }
            }
            String formation = conf.hasPath("securecomm.cluster.formation") ? conf.getString("securecomm.cluster.formation") : "";
            if (!formation.equals("bootstrap") && !formation.equals("seed-nodes")) {
                problems.add(where + ": securecomm.cluster.formation must be bootstrap or seed-nodes, is '" + formation + "'");
            }
            if (formation.equals("seed-nodes")) {
                for (String seed : conf.getStringList("pekko.cluster.seed-nodes")) {
                    if (!seed.matches("pekko://securecomm@[^:/]+:25520")) {
                        problems.add(where + ": seed node " + seed + " is not pekko://securecomm@HOST:25520");
                    }
                }
            }
            if (formation.equals("bootstrap") && conf.hasPath("pekko.discovery.method")
                    && conf.getString("pekko.discovery.method").equals("config")) {
                String service = conf.getString("pekko.management.cluster.bootstrap.contact-point-discovery.service-name");
                String endpointsPath = "pekko.discovery.config.services." + service + ".endpoints";
                if (!conf.hasPath(endpointsPath)) {
                    problems.add(where + ": config discovery lists no " + endpointsPath);
                } else {
                    List<? extends Config> endpoints = conf.getConfigList(endpointsPath);
                    for (Config endpoint : endpoints) {
                        if (endpoint.getInt("port") != managementPort) {
                            problems.add(where + ": endpoint " + endpoint.root().render() + " is not on the management port "
                                    + managementPort + " (bootstrap filters other ports out)");
                        }
                    }
                    int required = conf.getInt("pekko.management.cluster.bootstrap.contact-point-discovery.required-contact-point-nr");
                    if (required > endpoints.size()) {
                        problems.add(where + ": required-contact-point-nr " + required + " > " + endpoints.size() + " endpoints");
                    }
                }
            }
        });
        assertNoProblems(problems);
    }

    // ---------------------------------------------------------------- Grafana and Prometheus

    @Test
    void dashboardUsesAPrometheusVariableAndKnownMetricsOfEveryFamily() throws IOException {
        List<String> problems = new ArrayList<>();
        Path file = root.resolve("ops/grafana/securecomm-relay.json");
        JsonNode dashboard = new ObjectMapper().readTree(file.toFile());
        String where = "ops/grafana/securecomm-relay.json: ";
        boolean variable = false;
        for (JsonNode v : dashboard.path("templating").path("list")) {
            variable |= v.path("type").asText().equals("datasource") && v.path("query").asText().equals("prometheus")
                    && v.path("name").asText().equals("datasource");
        }
        if (!variable) {
            problems.add(where + "no datasource variable named datasource of type prometheus");
        }
        Set<String> used = new TreeSet<>();
        for (JsonNode panel : dashboard.path("panels")) {
            if (panel.path("type").asText().equals("row")) {
                continue;
            }
            String title = panel.path("title").asText();
            if (!panel.path("datasource").path("uid").asText().equals("${datasource}")) {
                problems.add(where + "panel '" + title + "' does not use the ${datasource} variable");
            }
            if (panel.path("targets").isEmpty()) {
                problems.add(where + "panel '" + title + "' has no query");
            }
            for (JsonNode target : panel.path("targets")) {
                String expr = target.path("expr").asText();
                if (expr.isBlank()) {
                    problems.add(where + "panel '" + title + "' has an empty query");
                }
                Matcher m = METRIC.matcher(expr);
                while (m.find()) {
                    used.add(m.group(1));
                }
            }
        }
        for (String metric : used) {
            if (!isKnownMetric(metric)) {
                problems.add(where + metric + " is neither a metric of the operations contract nor registered in relay-node's main code");
            }
        }
        Set<String> families = used.stream().map(DeploymentFilesTest::baseName).collect(Collectors.toSet());
        for (String metric : CONTRACT_METRICS) {
            if (!families.contains(baseName(metric))) {
                problems.add(where + "no panel shows " + metric);
            }
        }
        String text = Files.readString(file);
        for (String jvm : List.of("jvm_memory_used_bytes", "jvm_gc_pause_seconds", "process_cpu_usage")) {
            if (!text.contains(jvm)) {
                problems.add(where + "no panel shows " + jvm);
            }
        }
        if (!text.contains("histogram_quantile(0.99") || !text.contains("securecomm_persistence_latency_seconds_bucket")) {
            problems.add(where + "no p99 of securecomm_persistence_latency_seconds_bucket");
        }
        assertNoProblems(problems);
    }

    @Test
    void alertRulesAreCompleteUseKnownMetricsAndAreDocumented() throws IOException {
        List<String> problems = new ArrayList<>();
        String where = "ops/prometheus/alerts.yml: ";
        JsonNode alerts = new YAMLMapper().readTree(root.resolve("ops/prometheus/alerts.yml").toFile());
        Set<String> used = new TreeSet<>();
        Set<String> names = new LinkedHashSet<>();
        for (JsonNode group : alerts.path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                String name = rule.path("alert").asText();
                if (name.isEmpty()) {
                    problems.add(where + "a rule without an alert name: " + rule);
                    continue;
                }
                names.add(name);
                for (String field : List.of("expr", "for")) {
                    if (rule.path(field).asText().isBlank()) {
                        problems.add(where + name + " has no " + field);
                    }
                }
                if (rule.path("labels").path("severity").asText().isEmpty()) {
                    problems.add(where + name + " has no severity label");
                }
                if (rule.path("annotations").path("summary").asText().isEmpty()) {
                    problems.add(where + name + " has no summary");
                }
                if (!operationsDoc.contains(name)) {
                    problems.add("docs/operations.md: does not explain the alert " + name);
                }
                Matcher m = METRIC.matcher(rule.path("expr").asText());
                while (m.find()) {
                    used.add(m.group(1));
                }
            }
        }
        for (String metric : used) {
            if (!isKnownMetric(metric)) {
                problems.add(where + metric + " is neither a metric of the operations contract nor registered in relay-node's main code");
            }
        }
        for (String metric : List.of("securecomm_node_ready", "securecomm_cluster_unreachable_members",
                "securecomm_mailbox_oldest_envelope_seconds", "securecomm_persistence_latency_seconds_bucket",
                "securecomm_federation_queue_depth", "securecomm_federation_last_success_timestamp_seconds",
                "securecomm_media_dropped_total", "securecomm_frames_rejected_total")) {
            if (!used.contains(metric)) {
                problems.add(where + "no alert on " + metric);
            }
        }
        assertFalse(names.isEmpty(), where + "no alerts");
        assertNoProblems(problems);
    }

    @Test
    void operationsGuideExplainsEveryMetric() {
        List<String> problems = new ArrayList<>();
        assertFalse(operationsDoc.isEmpty(), "docs/operations.md is missing");
        for (String metric : CONTRACT_METRICS) {
            if (!operationsDoc.contains(metric)) {
                problems.add("docs/operations.md: does not explain " + metric);
            }
        }
        assertNoProblems(problems);
    }

    /**
     * The metrics the contract names must really be registered by the node, or the dashboard and
     * alerts watch nothing. Fails until every new metric of issue 6 is in relay-node's main code.
     */
    @Test
    void everyContractMetricIsRegisteredByTheNode() {
        List<String> missing = CONTRACT_METRICS.stream().filter(m -> !registeredInMainCode(m)).sorted().toList();
        assertTrue(missing.isEmpty(), () -> "metrics of the operations contract not registered in relay-node/src/main/java: " + missing);
    }

    // ---------------------------------------------------------------- helpers

    private static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !(Files.isDirectory(dir.resolve("ops")) && Files.isDirectory(dir.resolve("relay-node")))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("no repository root (a folder with ops/ and relay-node/) above " + Path.of("").toAbsolutePath());
        }
        return dir;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void assertNoProblems(List<String> problems) {
        assertTrue(problems.isEmpty(), () -> problems.size() + " problem(s):\n  " + String.join("\n  ", problems));
    }

    private static List<Manifest> ofKind(String kind) {
        return manifests.stream().filter(m -> m.kind().equals(kind)).toList();
    }

    private static List<Manifest> workloads() {
        return manifests.stream().filter(m -> Set.of("StatefulSet", "Deployment", "DaemonSet").contains(m.kind())).toList();
    }

    private static Manifest relay() {
        List<Manifest> relays = workloads().stream()
                .filter(w -> RELAY_APP.equals(w.node().path("spec").path("template").path("metadata").path("labels").path("app").asText()))
                .toList();
        assertEquals(1, relays.size(), "ops/deploy/kubernetes: expected one workload with pod label app=" + RELAY_APP + ", found " + relays);
        return relays.get(0);
    }

    private static JsonNode relayContainer() {
        JsonNode containers = relay().node().path("spec").path("template").path("spec").path("containers");
        assertEquals(1, containers.size(), relay() + ": expected one container");
        return containers.get(0);
    }

    /** Whether a selector's labels are all on the workload's pods (the StatefulSet controller adds the pod-name label). */
    private static boolean selects(JsonNode selector, Manifest workload) {
        if (!selector.isObject() || selector.isEmpty()) {
            return false;
        }
        JsonNode labels = workload.node().path("spec").path("template").path("metadata").path("labels");
        var fields = selector.fields();
        while (fields.hasNext()) {
            var label = fields.next();
            String value = label.getValue().asText();
            if (labels.path(label.getKey()).asText().equals(value)) {
                continue;
            }
            if (label.getKey().equals(STATEFULSET_POD_NAME) && workload.kind().equals("StatefulSet")
                    && value.startsWith(workload.name() + "-")) {
                String ordinal = value.substring(workload.name().length() + 1);
                if (ordinal.matches("\\d+") && Integer.parseInt(ordinal) < workload.node().path("spec").path("replicas").asInt(1)) {
                    continue;
                }
            }
            return false;
        }
        return true;
    }

    private static List<Port> containerPorts(Manifest workload) {
        List<Port> ports = new ArrayList<>();
        for (JsonNode container : workload.node().path("spec").path("template").path("spec").path("containers")) {
            for (JsonNode port : container.path("ports")) {
                ports.add(new Port(port.path("name").asText(), port.path("containerPort").asInt(), port.path("protocol").asText("TCP")));
            }
        }
        return ports;
    }

    private static JsonNode env(JsonNode container, String name) {
        for (JsonNode env : container.path("env")) {
            if (env.path("name").asText().equals(name)) {
                return env;
            }
        }
        return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }

    private static Set<String> texts(JsonNode array) {
        Set<String> texts = new TreeSet<>();
        array.forEach(n -> texts.add(n.asText()));
        return texts;
    }

    private static Set<String> itemKeys(JsonNode source) {
        Set<String> keys = new TreeSet<>();
        source.path("items").forEach(i -> keys.add(i.path("key").asText()));
        return keys;
    }

    private static Config relayApplicationConf(List<String> problems) {
        Manifest configMap = ofKind("ConfigMap").stream().filter(c -> c.name().equals("securecomm-relay-config")).findFirst().orElse(null);
        if (configMap == null || !configMap.node().path("data").has("application.conf")) {
            problems.add("ops/deploy/kubernetes: no ConfigMap securecomm-relay-config with application.conf");
            return null;
        }
        return ConfigFactory.parseString(configMap.node().path("data").path("application.conf").asText())
                .resolve(ConfigResolveOptions.noSystem());
    }

    /** The node's listening ports by the container port names of the manifests, from reference.conf. */
    private static Map<String, Port> expectedRelayPorts() {
        Map<String, Port> ports = new LinkedHashMap<>();
        ports.put("http", new Port("http", reference.getInt("securecomm.http.port"), "TCP"));
        ports.put("federation", new Port("federation", reference.getInt("securecomm.federation.port"), "TCP"));
        ports.put("media", new Port("media", reference.getInt("securecomm.media.port"), "UDP"));
        // Artery's default is 0 (free port); 25520 is Pekko's conventional port and the documented one.
        ports.put("remoting", new Port("remoting", 25520, "TCP"));
        ports.put("management", new Port("management",
                reference.hasPath("pekko.management.http.port") ? reference.getInt("pekko.management.http.port") : 7626, "TCP"));
        return ports;
    }

    /** The longest a coordinated shutdown can take: every phase running into its timeout. */
    private static Duration coordinatedShutdownBound() {
        Config shutdown = reference.getConfig("pekko.coordinated-shutdown");
        Duration fallback = shutdown.getDuration("default-phase-timeout");
        Duration total = Duration.ZERO;
        ConfigObject phases = shutdown.getObject("phases");
        for (String phase : phases.keySet()) {
            Config c = shutdown.getConfig("phases").getConfig("\"" + phase + "\"");
            if (c.hasPath("enabled") && !c.getBoolean("enabled")) {
                continue;
            }
            total = total.plus(c.hasPath("timeout") ? c.getDuration("timeout") : fallback);
        }
        return total;
    }

    private static String launcherJar() {
        Matcher m = Pattern.compile("(securecomm-relay-node-[^\"/]+\\.jar)").matcher(read(root.resolve("bin/securecomm-relay")));
        assertTrue(m.find(), "bin/securecomm-relay names no securecomm-relay-node jar");
        return m.group(1);
    }

    private static List<String> joinContinuations(List<String> lines) {
        List<String> joined = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : lines) {
            if (line.strip().startsWith("#") && current.length() == 0) {
                continue;
            }
            if (line.endsWith("\\")) {
                current.append(line, 0, line.length() - 1).append(' ');
            } else {
                joined.add(current.append(line).toString());
                current.setLength(0);
            }
        }
        return joined;
    }

    private static Map<String, List<String>> systemdDirectives(List<String> lines) {
        Map<String, List<String>> directives = new LinkedHashMap<>();
        for (String line : lines) {
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#") || trimmed.startsWith(";") || trimmed.startsWith("[")) {
                continue;
            }
            int eq = trimmed.indexOf('=');
            if (eq > 0) {
                directives.computeIfAbsent(trimmed.substring(0, eq).strip(), k -> new ArrayList<>()).add(trimmed.substring(eq + 1).strip());
            }
        }
        return directives;
    }

    private static String first(Map<String, List<String>> unit, String key) {
        List<String> values = unit.getOrDefault(key, List.of());
        return values.isEmpty() ? "" : values.get(values.size() - 1);
    }

    private static void expectDirective(Map<String, List<String>> unit, String key, String value, String where, List<String> problems) {
        if (!first(unit, key).equals(value)) {
            problems.add(where + key + " is '" + first(unit, key) + "', expected " + value);
        }
    }

    /** systemd time spans as used here: "120", "120s", "2min". */
    private static long systemdSeconds(String span) {
        Matcher m = Pattern.compile("(\\d+)\\s*(s|sec|min|m)?").matcher(span.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("unsupported time span " + span);
        }
        long n = Long.parseLong(m.group(1));
        return m.group(2) != null && m.group(2).startsWith("m") ? n * 60 : n;
    }

    private static List<String> leafPaths(ConfigObject object, String prefix) {
        List<String> paths = new ArrayList<>();
        for (Map.Entry<String, ConfigValue> entry : object.entrySet()) {
            String path = prefix + quoteIfNeeded(entry.getKey());
            if (entry.getValue().valueType() == ConfigValueType.OBJECT) {
                paths.addAll(leafPaths((ConfigObject) entry.getValue(), path + "."));
            } else {
                paths.add(path);
            }
        }
        return paths;
    }

    private static String quoteIfNeeded(String key) {
        return key.matches("[A-Za-z0-9_-]+") ? key : "\"" + key + "\"";
    }

    /** The metric without the suffixes Prometheus adds: _bucket/_count/_sum/_max, _total, _seconds. */
    private static String baseName(String metric) {
        String name = metric.replaceFirst("_(bucket|count|sum|max)$", "");
        name = name.replaceFirst("_total$", "");
        return name.replaceFirst("_seconds$", "");
    }

    private static boolean isKnownMetric(String metric) {
        String base = baseName(metric);
        return CONTRACT_METRICS.stream().anyMatch(c -> baseName(c).equals(base)) || registeredInMainCode(metric);
    }

    /** Whether a meter of this name (or its base name, as Micrometer takes it) is built in relay-node's main code. */
    private static boolean registeredInMainCode(String metric) {
        Set<String> candidates = new LinkedHashSet<>();
        String name = metric;
        candidates.add(name);
        name = name.replaceFirst("_(bucket|count|sum|max)$", "");
        candidates.add(name);
        name = name.replaceFirst("_total$", "");
        candidates.add(name);
        name = name.replaceFirst("_seconds$", "");
        candidates.add(name);
        for (String candidate : Set.copyOf(candidates)) {
            candidates.add(candidate.replace('_', '.'));
        }
        return candidates.stream().anyMatch(c -> mainSources.contains("\"" + c + "\""));
    }
}
