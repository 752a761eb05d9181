package org.elasticsearch.node;

import java.util.Collection;

import org.elasticsearch.env.Environment;
import org.elasticsearch.plugins.MockPluginsService;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.plugins.PluginsLoader;
import org.elasticsearch.plugins.PluginsService;

/**
 * An Elasticsearch node whose plugins are classes on the classpath, built the way
 * Elasticsearch's own integration tests build theirs (the test framework's MockNode):
 * {@link NodeConstruction} with a service provider whose plugin service is the test
 * framework's {@link MockPluginsService}. Unlike MockNode it swaps in no mock services
 * and needs none of the test framework's randomized-testing machinery.
 *
 * <p>It lives in Elasticsearch's package because the construction hooks it uses are
 * package-private there.
 */
public final class ClasspathPluginsNode extends Node {

    public ClasspathPluginsNode(Environment environment, Collection<Class<? extends Plugin>> plugins) {
        super(NodeConstruction.prepareConstruction(environment, null, new NodeServiceProvider() {
            @Override
            PluginsService newPluginService(Environment initialEnvironment, PluginsLoader pluginsLoader) {
                return new MockPluginsService(initialEnvironment.settings(), initialEnvironment, plugins);
            }
        }, true));
    }
}
