package dev.wharf.builder.exec;

import dev.wharf.builder.api.BuildEvent;
import dev.wharf.builder.api.CacheDestination;
import dev.wharf.builder.api.CacheSource;
import dev.wharf.builder.api.EngineException;
import dev.wharf.builder.api.ProgressListener;
import dev.wharf.builder.plan.BuildPlan;
import dev.wharf.builder.plan.PlannedStage;
import dev.wharf.builder.plan.StageBase;
import dev.wharf.cache.CacheRecord;
import dev.wharf.cache.StepResult;
import dev.wharf.cache.remote.RemoteCache;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.blob.BlobProvider;
import dev.wharf.layers.layer.LayerBlob;
import dev.wharf.layers.registry.RegistryClient;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * Exports a finished build's step cache records to every {@code --cache-to} destination: with {@code mode=min} the
 * records of the stages the final image is made of (the target stage and the stages it is built {@code FROM}),
 * with {@code mode=max} those of every stage built (BuildKit's {@code CacheExportModeMin}/{@code Max} in
 * {@code solver/exporter.go}, by stage rather than by vertex), their layers compressed as the destination says. A failed export is an error unless the destination
 * says {@code ignore-error=true}. Stateless.
 */
final class CacheExports {
    private CacheExports() {
    }

    /** Exports to each destination as one progress step numbered by {@code steps}. */
    static void export(List<CacheDestination> destinations, BuildPlan plan, Map<Integer, List<CacheRecord>> byStage,
                       BlobProvider blobs, LayerCompressor compressor, Supplier<RegistryClient> registry,
                       ProgressListener listener, IntSupplier steps) throws EngineException, InterruptedException {
        for (CacheDestination destination : destinations) {
            if (destination.type() == CacheSource.Type.INLINE) {
                continue; // written into the image's config by the build
            }
            RemoteCache cache = RemoteCaches.of(destination.type(), destination.location(), destination.tag(),
                    registry, "--cache-to");
            List<CacheRecord> records = new ArrayList<>();
            for (int stage : stages(plan, destination.mode())) {
                records.addAll(byStage.getOrDefault(stage, List.of()));
            }
            int step = steps.getAsInt();
            listener.onEvent(new BuildEvent.StepStarted(step, "", 0, 0, "exporting cache to " + cache.describe()));
            long start = System.nanoTime();
            try {
                cache.save(compressed(records, destination, compressor, blobs), blobs);
                listener.onEvent(new BuildEvent.StepDone(step, ImagePushes.since(start)));
            } catch (LayerException | RuntimeException e) {
                listener.onEvent(Cancellation.failed(step, e, ImagePushes.since(start)));
                if (Cancellation.causedBy(e)) {
                    throw Cancellation.of(e); // also with ignore-error: the build is cancelled, not the export
                }
                String message = "cannot export the build cache to " + cache.describe() + ": " + e.getMessage();
                if (!destination.ignoreError()) {
                    throw new EngineException(message + " (the image itself was built; add ignore-error=true to "
                            + "--cache-to to make this a warning)", e);
                }
                listener.onEvent(new BuildEvent.Warning(message));
            }
        }
    }

    /**
     * The records with their layers compressed as the destination says (BuildKit's cache exporters compress like
     * its image exporter, gzip by default): the store keeps a build's layers uncompressed.
     */
    private static List<CacheRecord> compressed(List<CacheRecord> records, CacheDestination destination,
                                                LayerCompressor compressor, BlobProvider blobs) throws LayerException {
        List<CacheRecord> out = new ArrayList<>();
        for (CacheRecord record : records) {
            List<LayerBlob> layers = new ArrayList<>();
            for (LayerBlob layer : record.result().layers()) {
                layers.add(compressor.cacheLayer(layer, destination.compression(), blobs));
            }
            out.add(new CacheRecord(record.key(), record.keyVersion(), record.inputs(),
                    StepResult.of(layers, record.result().config()), record.created(), record.lastUsed()));
        }
        return out;
    }

    /** The stage indices whose records a mode exports. */
    static Set<Integer> stages(BuildPlan plan, CacheDestination.Mode mode) {
        Set<Integer> out = new LinkedHashSet<>();
        if (mode == CacheDestination.Mode.MAX) {
            plan.stages().forEach(s -> out.add(s.index()));
            return out;
        }
        PlannedStage stage = plan.targetStage();
        while (stage != null && out.add(stage.index())) {
            stage = stage.base() instanceof StageBase.Stage parent ? plan.stage(parent.index()).orElse(null) : null;
        }
        return out;
    }
}
