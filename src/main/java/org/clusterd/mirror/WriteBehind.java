package org.clusterd.mirror;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;

/**
 * Writes a large incoming file's data on a thread of its own, a bounded amount behind the thread that
 * reads the connection. That thread used to hash and write each payload itself, so while it copied
 * data into the page cache it read nothing and the owner's sends stalled, and while it waited for
 * data the disk work stood still (in a full copy both threads waited for the other more than they
 * worked). One writer per session: files arrive one after another, and their payloads are written in
 * the order they came.
 */
final class WriteBehind implements AutoCloseable {
    /** Bytes received but not yet written, at most. */
    static final int BEHIND_BYTES = 16 << 20;

    private final ExecutorService writer;
    private final Semaphore room = new Semaphore(BEHIND_BYTES);

    WriteBehind(String set) {
        writer = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "mirror-write-" + set);
            t.setDaemon(true);
            return t;
        });
    }

    /** Takes a payload of a file. */
    @FunctionalInterface
    interface Sink {
        void accept(byte[] payload) throws IOException;
    }

    /** One file's data on its way to {@code sink}; {@link #finish()} before its result is used. */
    final class File {
        private final Sink sink;
        /** The first failure of the sink; payloads after it are dropped. Written by the writer only. */
        private volatile IOException failure;
        private volatile boolean abandoned;

        private File(Sink sink) {
            this.sink = sink;
        }

        /** Queues a payload; waits while {@value #BEHIND_BYTES} bytes are still unwritten. */
        void accept(byte[] payload) throws IOException {
            if (failure != null) {
                return;
            }
            try {
                room.acquire(payload.length);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("waiting to write");
            }
            writer.execute(() -> {
                try {
                    if (failure == null && !abandoned) {
                        sink.accept(payload);
                    }
                } catch (IOException e) {
                    failure = e;
                } catch (RuntimeException e) {
                    failure = new IOException(e.toString(), e);
                } finally {
                    room.release(payload.length);
                }
            });
        }

        /** Waits until every payload queued is written; the first failure of the sink, or null. */
        IOException finish() throws IOException {
            await();
            return failure;
        }

        /** Drops what is still queued and waits until the writer no longer touches the file. */
        void abandon() {
            abandoned = true;
            try {
                await();
            } catch (IOException | java.util.concurrent.RejectedExecutionException e) {
                // the writer is gone: nothing of it touches the file any more
            }
        }

        private void await() throws IOException {
            Future<?> done = writer.submit(() -> { });
            try {
                done.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("waiting for the writer");
            } catch (ExecutionException e) {
                throw new IOException("writer failed", e.getCause());
            }
        }
    }

    /** A file whose payloads go to {@code sink}. */
    File open(Sink sink) {
        return new File(sink);
    }

    /** Ends the writer thread once what is queued is done. */
    @Override
    public void close() {
        writer.shutdown();
    }
}
