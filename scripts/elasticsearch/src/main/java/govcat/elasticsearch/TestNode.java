package govcat.elasticsearch;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.logging.log4j.LogManager;
import org.elasticsearch.common.logging.LogConfigurator;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.http.HttpServerTransport;
import org.elasticsearch.node.ClasspathPluginsNode;
import org.elasticsearch.node.InternalSettingsPreparer;
import org.elasticsearch.node.Node;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.transport.netty4.Netty4Plugin;

/**
 * A single Elasticsearch node for the test suite, embedded in a plain JVM.
 *
 * <p>Usage: {@code TestNode PORT_FILE KEY=VALUE...} where the KEY=VALUE pairs are node settings
 * (they override {@code config/elasticsearch.yml} under {@code path.home}, which is required).
 * Once the node has started, the HTTP port it bound is written to PORT_FILE. TERM/INT close the
 * node cleanly.
 *
 * <p>The node is created directly rather than through Elasticsearch's bootstrap: its plugins
 * come from the classpath (no distribution layout needed), and the production-only bootstrap
 * checks (refusal to run as root, vm.max_map_count, ...) do not apply to a throwaway loopback
 * node.
 */
public final class TestNode {

    /** The plugins on the classpath (see pom.xml). */
    private static final List<Class<? extends Plugin>> PLUGINS = List.of(
        Netty4Plugin.class,       // HTTP and transport: without it the node has no REST API
        GovcatTestPlugin.class    // whitespace tokenizer and GET /
    );

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
        // As Elasticsearch's bootstrap does; log4j2.properties uses %node_name.
        LogConfigurator.setNodeName(Node.NODE_NAME_SETTING.get(environment.settings()));
        LogConfigurator.configure(environment, true);
        // The plugin service expects these directories, even when empty.
        Files.createDirectories(environment.modulesDir());
        Files.createDirectories(environment.pluginsDir());

        Node node = new ClasspathPluginsNode(environment, PLUGINS);
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
