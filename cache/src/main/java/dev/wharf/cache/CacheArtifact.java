package dev.wharf.cache;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The config document of a wharf cache artifact: the step cache records one build exports for other machines, in
 * the JSON of {@link FileCacheStore}'s record files of format version 1, each with its image config inline (the
 * store's files name it by digest since version 2; a document must stand alone, and its format does not change).
 *
 * <pre>
 * {"format":"wharf-cache-config","version":1,
 *  "records":[{"format":"wharf-cache-record","version":1,"key":"sha256:...","keyVersion":1,"created":"...",
 *              "inputs":{...},"result":{"layers":[{"descriptor":{...},"diffId":"...","uncompressedSize":1}],
 *                                       "config":"..."}}, ...]}
 * </pre>
 *
 * <p>Stateless and thread-safe. Records are written sorted by key, so the same records always give the same bytes
 * (and an unchanged cache re-exported to a registry uploads nothing). Reading is strict: a record that is not what
 * wharf writes (or whose key does not match its inputs) makes the whole document untrustworthy; records of another
 * key format version are skipped, since no current key can match them. The artifact around it (an OCI manifest whose
 * layers are the records' layer blobs) is described in {@code dev.wharf.cache.remote}.
 */
public final class CacheArtifact {
    /** The media type of the config blob; the artifact's manifest names it as its config. */
    public static final String CONFIG_MEDIA_TYPE = "application/vnd.wharf.cache.config.v1+json";

    /** The largest config accepted: far above what thousands of steps need, far below a layer. */
    public static final long MAX_CONFIG_SIZE = 64L * 1024 * 1024;

    static final String FORMAT_NAME = "wharf-cache-config";
    static final int FORMAT_VERSION = 1;

    private static final RecordCodec CODEC = new RecordCodec();

    private CacheArtifact() {
    }

    /** Returns the config document listing {@code records} (duplicates by key collapse to one). */
    public static byte[] writeConfig(Collection<CacheRecord> records) {
        Map<CacheKey, CacheRecord> byKey = new TreeMap<>();
        records.forEach(r -> byKey.putIfAbsent(r.key(), r));
        ObjectNode root = CODEC.mapper().createObjectNode();
        root.put("format", FORMAT_NAME);
        root.put("version", FORMAT_VERSION);
        ArrayNode array = root.putArray("records");
        byKey.values().forEach(r -> array.add(CODEC.artifactTree(r)));
        try {
            return CODEC.mapper().writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize the cache config", e);
        }
    }

    /**
     * Reads a config document; each record is last used when it was created.
     *
     * @param source where the document came from, for messages (e.g. the registry reference)
     * @throws CacheException if the document is not a wharf cache config, is of a newer version, or holds a
     *     malformed record
     */
    public static List<CacheRecord> readConfig(byte[] bytes, String source) throws CacheException {
        JsonNode root;
        try {
            root = CODEC.mapper().readTree(bytes);
        } catch (IOException e) {
            throw corrupt(source, "not valid JSON (" + e.getMessage().lines().findFirst().orElse("") + ")", e);
        }
        if (root == null || !root.isObject() || !FORMAT_NAME.equals(root.path("format").asText(null))) {
            throw corrupt(source, "not a wharf cache config (\"format\" is not \"" + FORMAT_NAME + "\")", null);
        }
        JsonNode version = root.path("version");
        if (!version.isIntegralNumber() || version.intValue() < 1) {
            throw corrupt(source, "\"version\" is not a positive integer", null);
        }
        if (version.intValue() > FORMAT_VERSION) {
            throw new CacheException("the build cache at " + source + " has format version " + version.intValue()
                    + ", newer than this wharf's " + FORMAT_VERSION + "; upgrade wharf to use it");
        }
        JsonNode array = root.path("records");
        if (!array.isArray()) {
            throw corrupt(source, "\"records\" is not an array", null);
        }
        List<CacheRecord> records = new ArrayList<>();
        int index = 0;
        for (JsonNode node : array) {
            try {
                CacheRecord record = CODEC.readArtifactRecord(node);
                if (record.keyVersion() == KeyFormat.VERSION) {
                    records.add(record);
                }
            } catch (RecordCodec.NewerFormatException e) {
                // A newer wharf's record: no key of this version can match it.
            } catch (RecordCodec.CorruptRecordException e) {
                throw corrupt(source, "record " + index + " is malformed: " + e.getMessage(), e);
            }
            index++;
        }
        records.sort(Comparator.comparing(CacheRecord::key));
        return List.copyOf(records);
    }

    private static CacheException corrupt(String source, String why, Throwable cause) {
        return new CacheException("the build cache at " + source + " is corrupt: " + why
                + "; export it again with --cache-to", cause);
    }
}
