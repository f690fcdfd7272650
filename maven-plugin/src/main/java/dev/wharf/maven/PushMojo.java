package dev.wharf.maven;

import dev.wharf.builder.api.BuildEngine;
import dev.wharf.builder.api.BuildEvent;
import dev.wharf.builder.api.EngineException;
import dev.wharf.builder.api.EngineOptions;
import dev.wharf.builder.api.OutputCompression;
import dev.wharf.builder.api.PushSummary;
import dev.wharf.builder.api.RegistrySettings;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.apache.maven.execution.MavenSession;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Component;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.settings.crypto.SettingsDecrypter;

/**
 * The {@code wharf:push} goal: pushes the images of the local wharf store named by {@code tags} (what
 * {@code wharf:build} tagged) to the registries their names say, as {@code docker push} does; blobs a registry
 * already has are not uploaded again. Credentials come from {@code settings.xml} {@code <server>}s whose id is the
 * registry host, else from {@code ~/.docker/config.json}.
 *
 * <p>A mojo instance is used for one execution by one thread, as Maven does; it holds no static state.
 */
@Mojo(name = "push", defaultPhase = LifecyclePhase.DEPLOY, threadSafe = true)
public class PushMojo extends CompressionParameters {
    /** The names to push, {@code registry/name[:tag]}; on the command line, separated by commas. */
    @Parameter(property = "wharf.tags")
    List<String> tags = new ArrayList<>();

    /** Skips the goal. */
    @Parameter(property = "wharf.skip", defaultValue = "false")
    boolean skip;

    /** Registries ({@code host[:port]}) reached over plain HTTP; loopback registries always may be. */
    @Parameter(property = "wharf.insecureRegistries")
    List<String> insecureRegistries = new ArrayList<>();

    /** The wharf store the images are in; by default as for the {@code wharf} command. */
    @Parameter(property = "wharf.storeRoot")
    File storeRoot;

    @Parameter(defaultValue = "${session}", readonly = true, required = true)
    MavenSession session;

    @Component
    SettingsDecrypter decrypter;

    /** Makes the engine; tests replace it. */
    Function<EngineOptions, BuildEngine> engines = BuildEngine::create;

    @Override
    public void execute() throws MojoFailureException {
        if (skip) {
            getLog().info("Skipping wharf:push (wharf.skip)");
            return;
        }
        List<String> names = tags == null ? List.of()
                : tags.stream().filter(t -> t != null && !t.isBlank()).map(String::strip).toList();
        if (names.isEmpty()) {
            throw new MojoFailureException("Nothing to push: set <tags> or -Dwharf.tags to the image names, e.g. "
                    + "registry.example.com/team/app:1.0");
        }
        EngineOptions options = EngineOptions.of(storeRoot == null
                ? EngineOptions.defaultStoreRoot(System.getenv(), Path.of(System.getProperty("user.home")))
                : storeRoot.toPath()).withRegistry(registrySettings(session, decrypter, insecureRegistries));
        OutputCompression layers = layerCompression();
        try (BuildEngine engine = engines.apply(options)) {
            for (String name : names) {
                PushSummary pushed = engine.push(name, layers, event -> {
                    if (event instanceof BuildEvent.BlobTransferred b) {
                        getLog().debug(b.digest() + (b.moved() ? ": Pushed" : ": Layer already exists"));
                    }
                });
                getLog().info("Pushed " + pushed.reference() + ": digest: " + pushed.digest() + " size: "
                        + pushed.size() + " (" + pushed.blobsUploaded() + " blobs uploaded)");
            }
        } catch (EngineException e) {
            throw new MojoFailureException("Image push failed: " + e.getMessage(), e);
        }
    }

    /** Docker's defaults, the {@code settings.xml} servers and the insecure registries. */
    static RegistrySettings registrySettings(MavenSession session, SettingsDecrypter decrypter,
                                             List<String> insecure) {
        RegistrySettings settings = MavenRegistryLogins.settings(
                RegistrySettings.defaults(System.getenv(), Path.of(System.getProperty("user.home"))),
                session == null ? null : session.getSettings(), decrypter);
        for (String host : insecure == null ? List.<String>of() : insecure) {
            if (host != null && !host.isBlank()) {
                settings = settings.withInsecureRegistry(host.strip());
            }
        }
        return settings;
    }
}
