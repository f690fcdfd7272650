package dev.wharf.builder.differential;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Compares what wharf built with what BuildKit built, above their common base image: the image config fields a
 * Dockerfile sets, the history entries, the number of layers, every entry of every layer and the order of the
 * entries both sides' layers hold. Each difference has a stable key ({@code config.Env}, {@code history.2.created_by},
 * {@code layers.count}, {@code layer.1:/etc/passwd}, {@code layer.1.order}) that a case may list as expected.
 * Stateless.
 */
final class ImageComparison {
    /** The config fields a Dockerfile controls. */
    static final List<String> CONFIG_FIELDS = List.of("Env", "Cmd", "Entrypoint", "WorkingDir", "User",
            "ExposedPorts", "Volumes", "Labels", "StopSignal", "Healthcheck", "Shell", "OnBuild", "ArgsEscaped");

    /** One difference: its key and what differs (wharf's side first). */
    record Difference(String key, String detail) {
        @Override
        public String toString() {
            return key + ": " + detail;
        }
    }

    private ImageComparison() {
    }

    /**
     * Compares {@code wharf} with {@code buildkit}, skipping the first {@code wharfBase}/{@code buildkitBase} history
     * entries and {@code baseLayers} layers (the base image as each side imported it).
     */
    static List<Difference> compare(ImageSnapshot wharf, ImageSnapshot buildkit, int wharfBase, int buildkitBase,
            int baseLayers) {
        List<Difference> out = new ArrayList<>();
        JsonNode wc = wharf.config().path("config");
        JsonNode bc = buildkit.config().path("config");
        for (String field : CONFIG_FIELDS) {
            JsonNode w = empty(wc.get(field)) ? null : wc.get(field);
            JsonNode b = empty(bc.get(field)) ? null : bc.get(field);
            if (w == null ? b != null : !w.equals(b)) {
                out.add(new Difference("config." + field, "wharf " + w + " vs buildkit " + b));
            }
        }
        List<JsonNode> wh = wharf.history();
        List<JsonNode> bh = buildkit.history();
        wh = wh.subList(Math.min(wharfBase, wh.size()), wh.size());
        bh = bh.subList(Math.min(buildkitBase, bh.size()), bh.size());
        if (wh.size() != bh.size()) {
            out.add(new Difference("history.count", "wharf " + wh.size() + " " + createdBy(wh) + " vs buildkit "
                    + bh.size() + " " + createdBy(bh)));
        } else {
            for (int i = 0; i < wh.size(); i++) {
                for (String field : List.of("created_by", "empty_layer", "comment")) {
                    JsonNode w = empty(wh.get(i).get(field)) ? null : wh.get(i).get(field);
                    JsonNode b = empty(bh.get(i).get(field)) ? null : bh.get(i).get(field);
                    if (w == null ? b != null : !w.equals(b)) {
                        out.add(new Difference("history." + i + "." + field, "wharf " + w + " vs buildkit " + b));
                    }
                }
                if (!wh.get(i).hasNonNull("created")) {
                    out.add(new Difference("history." + i + ".created", "wharf has no created time"));
                }
            }
        }
        List<Map<String, LayerEntry>> wl = wharf.layers().subList(Math.min(baseLayers, wharf.layers().size()),
                wharf.layers().size());
        List<Map<String, LayerEntry>> bl = buildkit.layers().subList(Math.min(baseLayers,
                buildkit.layers().size()), buildkit.layers().size());
        if (wl.size() != bl.size()) {
            out.add(new Difference("layers.count", "wharf " + wl.size() + " vs buildkit " + bl.size()));
        }
        for (int i = 0; i < Math.min(wl.size(), bl.size()); i++) {
            List<String> wOrder = wl.get(i).keySet().stream().filter(bl.get(i)::containsKey).toList();
            List<String> bOrder = bl.get(i).keySet().stream().filter(wl.get(i)::containsKey).toList();
            if (!wOrder.equals(bOrder)) {
                // The entries both layers have, in each tar's order: BuildKit's differs write in Go's filepath.Walk
                // order, whiteouts where the names they delete are (other differences are reported by path below).
                out.add(new Difference("layer." + (i + 1) + ".order", "wharf " + wOrder + " vs buildkit " + bOrder));
            }
            TreeSet<String> paths = new TreeSet<>(wl.get(i).keySet());
            paths.addAll(bl.get(i).keySet());
            for (String path : paths) {
                LayerEntry w = wl.get(i).get(path);
                LayerEntry b = bl.get(i).get(path);
                if (w == null ? b != null : !w.equals(b)) {
                    out.add(new Difference("layer." + (i + 1) + ":/" + path, "wharf " + w + " vs buildkit " + b));
                }
            }
        }
        return out;
    }

    /**
     * The entries whose mtimes differ, for a case that compares them ({@code compare=mtimes}): a time from before
     * {@code buildStart} (seconds) must be the same on both sides (a lower layer's, a source's, SOURCE_DATE_EPOCH),
     * a later one only later on both (each side dates what it writes when it writes it). Keys:
     * {@code layer.N.mtime:/PATH}.
     */
    static List<Difference> compareMtimes(ImageSnapshot wharf, ImageSnapshot buildkit, int baseLayers,
            long buildStart) {
        List<Difference> out = new ArrayList<>();
        int layers = Math.min(wharf.mtimes().size(), buildkit.mtimes().size());
        for (int i = baseLayers; i < layers; i++) {
            Map<String, Long> b = buildkit.mtimes().get(i);
            for (Map.Entry<String, Long> w : wharf.mtimes().get(i).entrySet()) {
                Long other = b.get(w.getKey());
                if (other != null && !timeClass(w.getValue(), buildStart).equals(timeClass(other, buildStart))) {
                    out.add(new Difference("layer." + (i - baseLayers + 1) + ".mtime:/" + w.getKey(), "wharf "
                            + timeClass(w.getValue(), buildStart) + " vs buildkit " + timeClass(other, buildStart)));
                }
            }
        }
        return out;
    }

    /**
     * The entries whose header bytes differ, mtime and checksum aside ({@link RawHeaders}), for a case that compares
     * them ({@code compare=headers}): tools must read wharf's tar as they read BuildKit's. Keys:
     * {@code layer.N.header:/PATH}.
     */
    static List<Difference> compareHeaders(ImageSnapshot wharf, ImageSnapshot buildkit, int baseLayers) {
        List<Difference> out = new ArrayList<>();
        int layers = Math.min(wharf.headers().size(), buildkit.headers().size());
        for (int i = baseLayers; i < layers; i++) {
            Map<String, String> b = buildkit.headers().get(i);
            for (Map.Entry<String, String> w : wharf.headers().get(i).entrySet()) {
                String other = b.get(w.getKey());
                if (other != null && !other.equals(w.getValue())) {
                    out.add(new Difference("layer." + (i - baseLayers + 1) + ".header:/" + w.getKey(),
                            "wharf " + w.getValue().strip() + "\n    vs buildkit " + other.strip()));
                }
            }
        }
        return out;
    }

    private static String timeClass(long mtime, long buildStart) {
        return mtime >= buildStart ? "during the build" : Long.toString(mtime);
    }

    private static boolean empty(JsonNode node) {
        return node == null || node.isNull() || (node.isContainerNode() && node.isEmpty())
                || (node.isBoolean() && !node.asBoolean()) || (node.isTextual() && node.asText().isEmpty());
    }

    private static List<String> createdBy(List<JsonNode> history) {
        return history.stream().map(h -> h.path("created_by").asText()).toList();
    }
}
