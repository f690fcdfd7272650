package dev.wharf.layers.registry;

import dev.wharf.layers.blob.BlobWriter;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.function.LongConsumer;

/**
 * The body of a blob download, written into a {@link BlobWriter} (which hashes and stores it) by the HTTP client's
 * own threads as the buffers arrive, instead of being handed through {@code BodySubscribers.ofInputStream()} to a
 * reading thread: that hand-off (a blocking queue, a park and unpark per buffer, a copy into the reader's array)
 * was most of the client-side cost of a pull besides hashing.
 *
 * <p>The body it completes with is a stream with no bytes whose {@link InputStream#read()} waits until the download
 * ended and then returns -1, or throws what went wrong: the {@link IOException} of a dropped connection (the caller
 * resumes from the writer's size), or a {@link RegistryException} for content that cannot be right (more bytes than
 * the descriptor's size). Closing it before the end cancels the download.
 *
 * <p>Thread-safety: the writer is written only from {@link #onNext}, which the HTTP client calls for one buffer list
 * at a time (the Flow contract orders the calls); the caller may touch the writer again once {@code read()} has
 * returned or thrown, which happens after the last write (the completion future orders it).
 */
final class BlobSink implements HttpResponse.BodySubscriber<InputStream> {
    private final BlobWriter writer;
    private final long maxSize;
    private final LongConsumer progress;
    private final String what;
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private long toSkip;
    private volatile Flow.Subscription subscription;

    /**
     * @param maxSize the descriptor's size: a registry sending more is cut off, so it cannot fill the disk
     * @param skip bytes at the start of the body to drop (already written: a registry that ignored the Range)
     * @param progress told the bytes written so far after every buffer
     * @param what the call, for messages
     */
    BlobSink(BlobWriter writer, long maxSize, long skip, LongConsumer progress, String what) {
        this.writer = writer;
        this.maxSize = maxSize;
        this.toSkip = skip;
        this.progress = progress;
        this.what = what;
    }

    /** A sink that takes nothing and fails with {@code failure}: a response that cannot be used at all. */
    static BlobSink failing(RegistryException failure) {
        BlobSink sink = new BlobSink(null, 0, 0, bytes -> { }, "");
        sink.done.completeExceptionally(failure);
        return sink;
    }

    @Override
    public void onSubscribe(Flow.Subscription newSubscription) {
        subscription = newSubscription;
        if (done.isDone()) {
            newSubscription.cancel();
        } else {
            newSubscription.request(1);
        }
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
        if (done.isDone()) {
            return;
        }
        try {
            for (ByteBuffer buffer : buffers) {
                write(buffer);
            }
        } catch (IOException | RuntimeException e) {
            done.completeExceptionally(e);
            subscription.cancel();
            return;
        }
        progress.accept(writer.size());
        subscription.request(1);
    }

    private void write(ByteBuffer buffer) throws IOException {
        if (toSkip > 0) {
            int skipped = (int) Math.min(toSkip, buffer.remaining());
            buffer.position(buffer.position() + skipped);
            toSkip -= skipped;
        }
        int n = buffer.remaining();
        if (n == 0) {
            return;
        }
        if (writer.size() + n > maxSize) {
            throw new RegistryException(what + ": the registry sent more than the " + maxSize
                    + " bytes the descriptor gives; the registry or a proxy is serving different content");
        }
        if (buffer.hasArray()) {
            writer.write(buffer.array(), buffer.arrayOffset() + buffer.position(), n);
            buffer.position(buffer.limit());
        } else {
            byte[] copy = new byte[n];
            buffer.get(copy);
            writer.write(copy);
        }
    }

    @Override
    public void onError(Throwable failure) {
        done.completeExceptionally(failure instanceof IOException ? failure : new IOException(failure));
    }

    @Override
    public void onComplete() {
        if (toSkip > 0) {
            done.completeExceptionally(new EOFException(what + ": the body ended before the " + toSkip
                    + " bytes already stored were skipped"));
        } else {
            done.complete(null);
        }
    }

    @Override
    public CompletionStage<InputStream> getBody() {
        return CompletableFuture.completedFuture(new Completion());
    }

    /** The body handed to the endpoint: waits for the download's end. */
    private final class Completion extends InputStream {
        @Override
        public int read() throws IOException {
            try {
                done.get();
                return -1;
            } catch (InterruptedException e) {
                cancel(new InterruptedIOException(what + ": interrupted"));
                Thread.currentThread().interrupt();
                throw new InterruptedIOException(what + ": interrupted");
            } catch (ExecutionException e) {
                if (e.getCause() instanceof IOException io) {
                    throw io;
                }
                throw new IOException(what + ": " + e.getCause(), e.getCause());
            }
        }

        @Override
        public void close() {
            cancel(new IOException(what + ": abandoned"));
        }

        private void cancel(IOException reason) {
            if (done.completeExceptionally(reason)) {
                Flow.Subscription s = subscription;
                if (s != null) {
                    s.cancel();
                }
            }
        }
    }
}
