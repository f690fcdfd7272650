package dev.wharf.layers.registry;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.http.HttpRequest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;

/**
 * Writes a request's {@link HttpRequest.BodyPublisher} to a connection's stream, blocking until the publisher is
 * done: with the length the publisher declares, checked, or chunked when it declares none.
 *
 * <p>The JDK's publishers (byte arrays, strings, input streams) deliver their buffers on the thread that asks for
 * them, so the body is written on the caller's thread; a publisher that delivers on another thread is waited for.
 * One instance per body; not reusable.
 */
final class RequestBodyWriter implements Flow.Subscriber<ByteBuffer> {
    /** Methods whose empty body is still announced ({@code Content-Length: 0}), as Go's client does. */
    private static final Set<String> BODY_METHODS = Set.of("POST", "PUT", "PATCH");

    private final OutputStream out;
    private final boolean chunked;
    private final CompletableFuture<Long> done = new CompletableFuture<>();
    private Flow.Subscription subscription;
    private long written;

    private RequestBodyWriter(OutputStream out, boolean chunked) {
        this.out = out;
        this.chunked = chunked;
    }

    /** Tells whether the request carries a body (maybe an empty one that its method announces). */
    static boolean hasBody(HttpRequest request) {
        return length(request) != 0 || BODY_METHODS.contains(request.method());
    }

    /** The length the request's publisher declares: 0 without one, -1 when unknown. */
    static long length(HttpRequest request) {
        return request.bodyPublisher().map(HttpRequest.BodyPublisher::contentLength).orElse(0L);
    }

    /**
     * Writes the body of {@code length} bytes (-1: unknown, sent chunked).
     *
     * @throws IOException if the connection fails or the publisher fails or sends another length than it declared
     */
    static void write(HttpRequest.BodyPublisher publisher, long length, OutputStream out)
            throws IOException, InterruptedException {
        if (length == 0) {
            return;
        }
        RequestBodyWriter writer = new RequestBodyWriter(out, length < 0);
        publisher.subscribe(writer);
        long written;
        try {
            written = writer.done.get();
        } catch (InterruptedException e) {
            writer.cancel();
            throw e;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException("the request body failed: " + e.getCause(), e.getCause());
        }
        if (length >= 0 && written != length) {
            throw new IOException("the request body has " + written + " bytes but declared " + length);
        }
        if (length < 0) {
            out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        }
    }

    @Override
    public void onSubscribe(Flow.Subscription newSubscription) {
        subscription = newSubscription;
        newSubscription.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(ByteBuffer buffer) {
        if (done.isDone()) {
            return;
        }
        try {
            int n = buffer.remaining();
            if (n == 0) {
                return;
            }
            if (chunked) {
                out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            }
            if (buffer.hasArray()) {
                out.write(buffer.array(), buffer.arrayOffset() + buffer.position(), n);
                buffer.position(buffer.limit());
            } else {
                byte[] copy = new byte[n];
                buffer.get(copy);
                out.write(copy);
            }
            if (chunked) {
                out.write('\r');
                out.write('\n');
            }
            written += n;
        } catch (IOException e) {
            done.completeExceptionally(e);
            cancel();
        }
    }

    @Override
    public void onError(Throwable failure) {
        done.completeExceptionally(failure instanceof IOException ? failure
                : new IOException("the request body failed: " + failure, failure));
    }

    @Override
    public void onComplete() {
        done.complete(written);
    }

    private void cancel() {
        if (subscription != null) {
            subscription.cancel();
        }
        done.completeExceptionally(new InterruptedIOException("the request body was abandoned"));
    }
}
