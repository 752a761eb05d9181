package govcat.opensearch;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.logging.log4j.LogManager;
import org.opensearch.analysis.common.CommonAnalysisPlugin;
import org.opensearch.common.logging.LogConfigurator;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.http.HttpServerTransport;
import org.opensearch.index.mapper.MapperExtrasPlugin;
import org.opensearch.index.reindex.ReindexPlugin;
import org.opensearch.ingest.common.IngestCommonPlugin;
import org.opensearch.join.ParentJoinPlugin;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.painless.PainlessPlugin;
import org.opensearch.plugins.Plugin;
import org.opensearch.script.mustache.MustachePlugin;
import org.opensearch.search.aggregations.matrix.MatrixAggregationPlugin;
import org.opensearch.transport.Netty4Plugin;

/**
 * A single OpenSearch node for the test suite, embedded in a plain JVM.
 *
 * <p>Usage: {@code TestNode PORT_FILE KEY=VALUE...} where the KEY=VALUE pairs
 * are node settings (they override {@code config/opensearch.yml} under
 * {@code path.home}, which is required). Once the node has started, the HTTP
 * port it bound is written to PORT_FILE. TERM/INT close the node cleanly.
 *
 * <p>The node is created directly rather than through OpenSearch's bootstrap:
 * the modules come from the classpath (no distribution layout needed), and the
 * production-only bootstrap checks (refusal to run as root, vm.max_map_count,
 * ...) do not apply to a throwaway loopback node.
 */
public final class TestNode {

    /** The distribution modules on the classpath (see pom.xml). */
    private static final List<Class<? extends Plugin>> MODULES = List.of(
        Netty4Plugin.class,
        CommonAnalysisPlugin.class,
        MapperExtrasPlugin.class,
        PainlessPlugin.class,
        MustachePlugin.class,
        ReindexPlugin.class,
        IngestCommonPlugin.class,
        ParentJoinPlugin.class,
        MatrixAggregationPlugin.class
    );

    /** Node's constructor taking classpath plugins is protected. */
    private static final class EmbeddedNode extends Node {
        EmbeddedNode(Environment environment, Collection<Class<? extends Plugin>> plugins) {
            super(environment, plugins, true);
        }
    }

    private TestNode() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: TestNode PORT_FILE [KEY=VALUE...]");
            System.exit(2);
        }
        Path portFile = Paths.get(args[0]);
        Settings.Builder builder = Settings.builder();
        for (int i = 1; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            if (eq <= 0) {
                System.err.println("not a KEY=VALUE setting: " + args[i]);
                System.exit(2);
            }
            builder.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        Settings settings = builder.build();
        String home = settings.get("path.home");
        if (home == null) {
            System.err.println("path.home is required");
            System.exit(2);
        }

        Path configDir = Paths.get(home, "config");
        Environment environment = InternalSettingsPreparer.prepareEnvironment(
            settings, Map.of(), configDir, () -> "govcat-test");
        LogConfigurator.registerErrorListener();
        // As OpenSearch's bootstrap does; log4j2.properties uses %node_name.
        LogConfigurator.setNodeName(Node.NODE_NAME_SETTING.get(environment.settings()));
        LogConfigurator.configure(environment);
        // The plugin service expects these directories, even when empty.
        Files.createDirectories(environment.modulesFile());
        Files.createDirectories(environment.pluginsFile());

        Node node = new EmbeddedNode(environment, MODULES);
        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
                node.awaitClose(15, TimeUnit.SECONDS);
            } catch (Exception e) {
                e.printStackTrace();
            } finally {
                LogManager.shutdown();
                closed.countDown();
            }
        }, "govcat-test-node-shutdown"));

        try {
            node.start();
        } catch (Exception e) {
            e.printStackTrace();
            // Runs the shutdown hook, which closes what was started.
            System.exit(1);
        }

        int port = node.injector().getInstance(HttpServerTransport.class)
            .boundAddress().publishAddress().getPort();
        // Write then rename, so a reader never sees a half-written file.
        Path tmp = portFile.resolveSibling(portFile.getFileName() + ".tmp");
        Files.write(tmp, (port + "\n").getBytes(StandardCharsets.US_ASCII));
        Files.move(tmp, portFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);

        // Node threads are daemons: keep the JVM alive until shutdown.
        closed.await();
    }
}
