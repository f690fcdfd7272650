package dev.wharf.builder.exec;

import dev.wharf.layers.Digest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * OCI ChainIDs (image-spec {@code config.md}, "Layer ChainID"): the name of the snapshot holding a stack of layers.
 * {@code ChainID(L0) = DiffID(L0)}, {@code ChainID(L0..n) = sha256(ChainID(L0..n-1) + " " + DiffID(Ln))}.
 * Stateless and thread-safe.
 */
final class ChainIds {
    private ChainIds() {
    }

    /** The chain ids of every prefix of {@code diffIds}, bottom first. */
    static List<Digest> of(List<Digest> diffIds) {
        List<Digest> out = new ArrayList<>();
        Digest chain = null;
        for (Digest diffId : diffIds) {
            chain = chain == null ? diffId
                    : Digest.sha256Of((chain + " " + diffId).getBytes(StandardCharsets.UTF_8));
            out.add(chain);
        }
        return List.copyOf(out);
    }

    /** The snapshot name of a chain id. */
    static String snapshotName(Digest chainId) {
        return "chain-" + chainId.hex();
    }
}
