package dev.wharf.layers.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.layers.Digest;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.Platform;
import dev.wharf.layers.store.ImageName;
import dev.wharf.layers.store.LocalStore;
import dev.wharf.layers.store.TestImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults injected by a proxy in front of a real registry: a connection dropped mid-blob (resumed with a Range
 * request), a corrupted blob (clear error, nothing stored), 500 then 200 (retried), a registry that keeps failing
 * or is not there (bounded retries, clear error).
 */
class RegistryFaultTest {
    private static final Platform AMD64 = Platform.of("linux", "amd64");

    @TempDir
    static Path registryDir;

    @TempDir
    static Path seedDir;

    private static LocalRegistry registry;
    private static FaultProxy proxy;
    private static TestImages.Written big;
    private static TestImages.Written small;

    @TempDir
    Path target;

    @BeforeAll
    static void startRegistry() throws Exception {
        registry = LocalRegistry.start(registryDir, new LocalRegistry.NoAuth());
        proxy = FaultProxy.start(registry.host());
        LocalStore seed = LocalStore.open(seedDir);
        big = RegistryTestImages.withLayerOfSize(seed, AMD64, 400_000, 7);
        small = TestImages.write(seed, "small.txt");
        ImagePusher pusher = new ImagePusher(client(3));
        pusher.push(seed, big.manifest(), registry.reference("faults/big:1"), Optional.empty());
        pusher.push(seed, small.manifest(), registry.reference("faults/small:1"), Optional.empty());
    }

    @AfterAll
    static void stopRegistry() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        if (registry != null) {
            registry.close();
        }
    }

    @AfterEach
    void clearFaults() {
        proxy.rule((method, path) -> FaultProxy.Fault.PASS);
        proxy.takeRequests();
    }

    private static RegistryClient client(int attempts) {
        return RegistryClient.create(RegistryOptions.defaults()
                .withRetry(new RetryPolicy(attempts, Duration.ofMillis(10), Duration.ofMillis(40))));
    }

    private static ImageReference viaProxy(String pathAndTag) throws InvalidReferenceException {
        return ImageReference.parse(proxy.host() + "/" + pathAndTag);
    }

    @Test
    void connectionDroppedMidBlob_isResumedWithARangeRequest() throws Exception {
        Digest layer = big.layers().get(0).digest();
        String layerPath = "/v2/faults/big/blobs/" + layer;
        AtomicInteger gets = new AtomicInteger();
        proxy.rule((method, path) -> method.equals("GET") && path.equals(layerPath) && gets.getAndIncrement() == 0
                ? FaultProxy.Fault.droppingAfter(150_000) : FaultProxy.Fault.PASS);

        LocalStore store = LocalStore.open(target);
        new ImagePuller(client(3)).pull(viaProxy("faults/big:1"), AMD64, store, ImageName.parse("big:1"));

        store.blobs().verify(layer);
        List<String> blobGets = proxy.takeRequests().stream().filter(r -> r.startsWith("GET " + layerPath)).toList();
        assertEquals(2, blobGets.size(), blobGets::toString);
        assertTrue(blobGets.get(1).matches("GET " + layerPath + " bytes=\\d+-"), blobGets::toString);
        long resumedAt = Long.parseLong(blobGets.get(1).replaceAll(".*bytes=(\\d+)-", "$1"));
        assertTrue(resumedAt > 0 && resumedAt <= 150_000, "resumed at " + resumedAt);
    }

    @Test
    void resumeFromAServerWithoutRanges_skipsWhatWasAlreadyWritten() throws Exception {
        Digest layer = big.layers().get(0).digest();
        String layerPath = "/v2/faults/big/blobs/" + layer;
        AtomicInteger gets = new AtomicInteger();
        proxy.rule((method, path) -> !(method.equals("GET") && path.equals(layerPath)) ? FaultProxy.Fault.PASS
                : gets.getAndIncrement() == 0 ? FaultProxy.Fault.droppingAfter(100_000)
                : FaultProxy.Fault.ignoringRange());

        LocalStore store = LocalStore.open(target);
        new ImagePuller(client(3)).pull(viaProxy("faults/big:1"), AMD64, store, ImageName.parse("big:1"));

        store.blobs().verify(layer);
        assertEquals(2, gets.get());
    }

    @Test
    void failedUploadChunk_restartsTheBlobUpload() throws Exception {
        LocalStore seed = LocalStore.open(target.resolve("seed"));
        TestImages.Written image = RegistryTestImages.withLayerOfSize(seed, AMD64, 250_000, 11);
        AtomicInteger patches = new AtomicInteger();
        proxy.rule((method, path) -> method.equals("PATCH") && patches.getAndIncrement() == 1
                ? FaultProxy.Fault.withStatus(500) : FaultProxy.Fault.PASS);
        RegistryClient client = RegistryClient.create(RegistryOptions.defaults().withChunkedUploads(64 * 1024,
                100_000).withRetry(new RetryPolicy(3, Duration.ofMillis(10), Duration.ofMillis(20))));

        ImagePusher.PushResult result = new ImagePusher(client).push(seed, image.manifest(),
                viaProxy("faults/chunks:1"), Optional.empty());

        assertEquals(2, result.blobsUploaded());
        List<String> requests = proxy.takeRequests();
        assertEquals(3, requests.stream().filter(r -> r.startsWith("POST /v2/faults/chunks/blobs/uploads/")).count(),
                "config, then the layer twice: " + requests);
        assertTrue(client.blobExists(registry.reference("faults/chunks"), image.layers().get(0).digest()));
    }

    @Test
    void corruptedBlob_failsClearly_andStoresNothing() throws Exception {
        Digest layer = big.layers().get(0).digest();
        proxy.rule((method, path) -> method.equals("GET") && path.endsWith("/blobs/" + layer)
                ? FaultProxy.Fault.corrupting() : FaultProxy.Fault.PASS);

        LocalStore store = LocalStore.open(target);
        LayerException e = assertThrows(LayerException.class, () -> new ImagePuller(client(3))
                .pull(viaProxy("faults/big:1"), AMD64, store, ImageName.parse("big:1")));

        assertTrue(e.getMessage().startsWith("blob digest mismatch: expected " + layer), e.getMessage());
        assertFalse(store.blobs().exists(layer), "a blob that does not verify is never stored");
        try (Stream<Path> staged = Files.list(store.blobs().layout().ingestDir())) {
            assertEquals(List.of(), staged.toList(), "no partial download is left behind");
        }
        assertTrue(store.images().resolve(ImageName.parse("big:1")).isEmpty(), "the name is not set");
    }

    @Test
    void serverErrorThenSuccess_isRetried() throws Exception {
        AtomicInteger manifestGets = new AtomicInteger();
        Digest config = small.config().digest();
        AtomicInteger configGets = new AtomicInteger();
        proxy.rule((method, path) -> {
            if (method.equals("GET") && path.equals("/v2/faults/small/manifests/1")
                    && manifestGets.getAndIncrement() == 0) {
                return FaultProxy.Fault.withStatus(500);
            }
            if (method.equals("GET") && path.endsWith("/blobs/" + config) && configGets.getAndIncrement() < 2) {
                return FaultProxy.Fault.withStatus(503);
            }
            return FaultProxy.Fault.PASS;
        });

        LocalStore store = LocalStore.open(target);
        new ImagePuller(client(3)).pull(viaProxy("faults/small:1"), AMD64, store, ImageName.parse("small:1"));

        assertEquals(2, manifestGets.get());
        assertEquals(3, configGets.get());
        store.blobs().verify(config);
    }

    @Test
    void rateLimiting_honoursRetryAfter() throws Exception {
        AtomicInteger manifestGets = new AtomicInteger();
        proxy.rule((method, path) -> path.equals("/v2/faults/small/manifests/1")
                && manifestGets.getAndIncrement() == 0 ? FaultProxy.Fault.rateLimited("1") : FaultProxy.Fault.PASS);
        RegistryClient client = RegistryClient.create(RegistryOptions.defaults()
                .withRetry(new RetryPolicy(2, Duration.ofMillis(1), Duration.ofSeconds(5))));

        long start = System.nanoTime();
        client.pullManifest(viaProxy("faults/small:1"));

        assertEquals(2, manifestGets.get());
        assertTrue(System.nanoTime() - start >= 900_000_000L, "waited the second Retry-After asked for");
    }

    @Test
    void layerDownloads_runInParallel_withinTheLimit() throws Exception {
        LocalStore seed = LocalStore.open(target.resolve("seed"));
        TestImages.Written wide = TestImages.write(seed, "l1", "l2", "l3", "l4", "l5", "l6");
        new ImagePusher(client(1)).push(seed, wide.manifest(), registry.reference("faults/wide:1"),
                Optional.empty());
        proxy.rule((method, path) -> method.equals("GET") && path.contains("/blobs/")
                ? FaultProxy.Fault.delayed(150) : FaultProxy.Fault.PASS);
        proxy.takeMaxInFlight();

        RegistryClient client = RegistryClient.create(RegistryOptions.defaults().withMaxConcurrentTransfers(2));
        PullResult pulled = new ImagePuller(client).pull(viaProxy("faults/wide:1"), AMD64,
                LocalStore.open(target.resolve("pulled")), ImageName.parse("wide:1"));

        assertEquals(7, pulled.blobsDownloaded(), "config and six layers");
        assertEquals(2, proxy.takeMaxInFlight(), "two transfers at a time, never more");
    }

    @Test
    void persistentServerErrors_stopAfterTheRetryBudget() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        proxy.rule((method, path) -> {
            calls.incrementAndGet();
            return FaultProxy.Fault.withStatus(503);
        });

        RegistryException e = assertThrows(RegistryException.class,
                () -> client(4).pullManifest(viaProxy("faults/small:1")));

        assertEquals(4, calls.get());
        assertEquals(503, e.statusCode());
        assertTrue(e.getMessage().contains("registry answered HTTP 503"), e.getMessage());
    }

    @Test
    void persistentServerErrorsOnTheUploadStart_spendOneRetryBudget() throws Exception {
        // The POST that starts an upload is retried by the caller; the whole-upload restart is only for steps that
        // are not (PATCH, final PUT), so a failing POST is tried as many times as the budget says, not its square.
        LocalStore seed = LocalStore.open(target.resolve("seed"));
        TestImages.Written image = TestImages.write(seed, "post-fails.txt");
        AtomicInteger posts = new AtomicInteger();
        proxy.rule((method, path) -> {
            if (!method.equals("POST")) {
                return FaultProxy.Fault.PASS;
            }
            posts.incrementAndGet();
            return FaultProxy.Fault.withStatus(503);
        });

        RegistryException e = assertThrows(RegistryException.class, () -> client(4).pushBlob(
                viaProxy("faults/post"), image.layers().get(0), seed.blobs(), Optional.empty()));

        assertEquals(503, e.statusCode(), e.getMessage());
        assertEquals(4, posts.get(), "one budget of attempts for the upload start, not one per restart");
    }

    @Test
    void connectTimeouts_areRetriedUnlikeRefusals() {
        // Go counts ETIMEDOUT temporary and BuildKit retries it; the JDK reports it as a ConnectException too.
        assertTrue(RegistryCaller.isRefusedConnect(new java.net.ConnectException("Connection refused")));
        assertTrue(RegistryCaller.isRefusedConnect(new java.io.IOException(new java.net.NoRouteToHostException(
                "No route to host"))));
        assertFalse(RegistryCaller.isRefusedConnect(new java.net.ConnectException("Connection timed out")));
        assertFalse(RegistryCaller.isRefusedConnect(new java.net.http.HttpConnectTimeoutException(
                "HTTP connect timed out")));
        assertFalse(RegistryCaller.isRefusedConnect(new java.net.SocketTimeoutException("Read timed out")));
    }

    @Test
    void refusedRegistryPort_failsAtOnceAsBuildKitDoes() throws Exception {
        ImageReference nowhere = ImageReference.parse("127.0.0.1:" + LocalRegistry.freePort() + "/x/y:1");

        long start = System.nanoTime();
        RegistryException e = assertThrows(RegistryException.class,
                () -> client(4).pullManifest(nowhere));
        long millis = (System.nanoTime() - start) / 1_000_000;

        // BuildKit's retry handler leaves a refused connect alone (Go calls it non-temporary): the peer fails
        // "load metadata" in 0.4 s. client(4) would wait 30 ms between attempts, so one attempt it must be.
        assertTrue(e.getMessage().startsWith("pull manifest " + nowhere.name() + ":1: cannot reach "
                + nowhere.registryHost()), e.getMessage());
        assertTrue(e.getMessage().contains("after 1 attempt;"), e.getMessage());
        assertTrue(millis < 2_000, millis + " ms");
        // containerd's resolver over Go's net/http, as BuildKit ends "failed to resolve source metadata" with: it
        // HEADs the manifest first (wharf GETs it at once), and at a loopback registry nobody named insecure it
        // tries https first, falling back to http only on an answer in plain HTTP: a refused port is reported with
        // the https URL (the peer: Head "https://127.0.0.1:5999/v2/x/manifests/latest").
        assertEquals(java.util.Optional.of("failed to do request: Head \"https://" + nowhere.registryHost()
                + "/v2/x/y/manifests/1\": dial tcp " + nowhere.registryHost() + ": connect: connection refused"),
                e.goReason());
    }

    @Test
    void refusedLoopbackPort_namedInsecure_orByName_isWordedAsDockerdsBuildKit() throws Exception {
        String port = Integer.toString(LocalRegistry.freePort());
        ImageReference insecure = ImageReference.parse("127.0.0.1:" + port + "/x/y:1");
        RegistryClient plain = RegistryClient.create(RegistryOptions.defaults()
                .withInsecureRegistries(java.util.Set.of("127.0.0.1:" + port))
                .withRetry(new RetryPolicy(2, Duration.ofMillis(10), Duration.ofMillis(40))));

        RegistryException named = assertThrows(RegistryException.class, () -> plain.pullManifest(insecure));
        // dockerd makes a registry named in insecure-registries plain HTTP from the start (PlainHTTP).
        assertEquals(java.util.Optional.of("failed to do request: Head \"http://127.0.0.1:" + port
                + "/v2/x/y/manifests/1\": dial tcp 127.0.0.1:" + port + ": connect: connection refused"),
                named.goReason());

        // Go's dialer names the address it dialed, not the name (the peer: dial tcp 127.0.0.1:5999 for
        // localhost:5999), where /etc/hosts gives localhost an IPv4 address first.
        java.net.InetAddress first = java.net.InetAddress.getAllByName("localhost")[0];
        org.junit.jupiter.api.Assumptions.assumeTrue(first instanceof java.net.Inet4Address,
                "localhost resolves to " + first + " first");
        ImageReference byName = ImageReference.parse("localhost:" + port + "/x/y:1");
        RegistryException local = assertThrows(RegistryException.class, () -> client(2).pullManifest(byName));
        assertEquals(java.util.Optional.of("failed to do request: Head \"https://localhost:" + port
                + "/v2/x/y/manifests/1\": dial tcp " + first.getHostAddress() + ":" + port
                + ": connect: connection refused"), local.goReason());
    }

    @Test
    void refusedRegistryPort_failsAPushAtOnceToo() throws Exception {
        ImageReference nowhere = ImageReference.parse("127.0.0.1:" + LocalRegistry.freePort() + "/x/y:1");
        byte[] content = "blob".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        dev.wharf.layers.Descriptor blob = dev.wharf.layers.Descriptor.of(
                dev.wharf.layers.MediaTypes.OCI_LAYER_GZIP, Digest.sha256Of(content), content.length);
        dev.wharf.layers.blob.BlobProvider source = new dev.wharf.layers.blob.BlobProvider() {
            @Override
            public java.io.InputStream open(Digest digest) {
                return new java.io.ByteArrayInputStream(content);
            }

            @Override
            public Optional<dev.wharf.layers.blob.BlobInfo> info(Digest digest) {
                return Optional.empty();
            }

            @Override
            public boolean exists(Digest digest) {
                return true;
            }
        };

        RegistryException e = assertThrows(RegistryException.class,
                () -> client(4).pushBlob(nowhere, blob, source, Optional.empty()));

        assertTrue(e.getMessage().contains("after 1 attempt;"), e.getMessage());
        // BuildKit's pusher, like its resolver, tries https first at a loopback registry.
        assertTrue(e.goReason().orElseThrow().startsWith("failed to do request: Head \"https://"
                + nowhere.registryHost() + "/v2/x/y/blobs/sha256:"), e.goReason().toString());
    }

    @Test
    void registryHostThatDoesNotResolve_failsAtOnceNamingTheHost() throws Exception {
        // .invalid never resolves (RFC 2606), so the lookup fails on any network.
        ImageReference nowhere = ImageReference.parse("wharf-no-such-host.invalid/x/y:1");

        RegistryException e = assertThrows(RegistryException.class, () -> client(5).pullManifest(nowhere));

        assertTrue(e.getMessage().contains("cannot resolve the registry host wharf-no-such-host.invalid"),
                e.getMessage());
        assertEquals(java.util.Optional.of("failed to do request: Head \"https://wharf-no-such-host.invalid/v2/x/y/"
                + "manifests/1\": dial tcp: lookup wharf-no-such-host.invalid: no such host"), e.goReason());
    }

    @Test
    void blobRedirectedElsewhere_isFollowed() throws Exception {
        Digest layer = small.layers().get(0).digest();
        proxy.rule((method, path) -> method.equals("GET") && path.endsWith("/blobs/" + layer)
                ? FaultProxy.Fault.redirectingTo(registry.host()) : FaultProxy.Fault.PASS);

        LocalStore store = LocalStore.open(target);
        new ImagePuller(client(1)).pull(viaProxy("faults/small:1"), AMD64, store, ImageName.parse("small:1"));

        store.blobs().verify(layer);
        assertEquals(1, proxy.takeRequests().stream().filter(r -> r.endsWith("/blobs/" + layer)).count());
    }

    @Test
    void manifestWithAWrongDigestHeader_isRejected() throws Exception {
        proxy.rule((method, path) -> path.contains("/manifests/") ? FaultProxy.Fault.corrupting()
                : FaultProxy.Fault.PASS);

        RegistryException e = assertThrows(RegistryException.class,
                () -> client(1).pullManifest(viaProxy("faults/small:1")));

        assertTrue(e.getMessage().contains("the registry says the manifest has digest " + small.manifest().digest()),
                e.getMessage());
    }
}
