package dev.wharf.layers.store;

import dev.wharf.layers.Descriptor;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A tiny program the concurrency test runs in other JVMs: tags one manifest under many names in a shared store, so
 * the test can check that no process loses another's update of {@code index.json}.
 *
 * <p>Arguments: root, manifest digest, manifest size, name prefix, count. Prints {@code ready} and waits for the
 * file {@code root/go} so all taggers start together.
 */
public final class TaggerMain {
    private TaggerMain() {
    }

    public static void main(String[] args) throws Exception {
        LocalStore store = LocalStore.open(Path.of(args[0]));
        Descriptor manifest = Descriptor.of(dev.wharf.layers.MediaTypes.OCI_MANIFEST,
                dev.wharf.layers.Digest.parse(args[1]), Long.parseLong(args[2]));
        String prefix = args[3];
        int count = Integer.parseInt(args[4]);
        System.out.println("ready");
        System.out.flush();
        while (!Files.exists(Path.of(args[0], "go"))) {
            Thread.sleep(1);
        }
        for (int i = 0; i < count; i++) {
            store.images().tag(ImageName.parse(prefix + ":" + i), manifest);
        }
        System.out.println("done");
    }
}
