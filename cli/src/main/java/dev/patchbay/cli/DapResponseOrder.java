/*
 * DAP puts a request's response before the events it causes: "the debug adapter first sends
 * the response and then a stopped event". The guest thread, resumed by a continue, next,
 * stepIn or stepOut, can reach its next stop (or its end) while the protocol thread is still
 * writing that request's response, and its stopped (or exited) event then went out first: a
 * client that starts listening once the response arrives, as most do, never saw the stop.
 *
 * LSP4J hands every incoming and every outgoing message through the wrapper given to its
 * launcher. This one notes each resume request as it arrives (before it is dispatched, so
 * before the guest can be resumed) and drops it once its response has been written; a stop
 * waits for the set to empty before it sends its event.
 *
 * Invariant: an id is in `pending` from the moment its request is read until its response
 * has been handed to the output stream.
 */
package dev.patchbay.cli;

import org.eclipse.lsp4j.jsonrpc.MessageConsumer;
import org.eclipse.lsp4j.jsonrpc.messages.RequestMessage;
import org.eclipse.lsp4j.jsonrpc.messages.ResponseMessage;

import java.util.HashSet;
import java.util.Set;
import java.util.function.Function;

final class DapResponseOrder implements Function<MessageConsumer, MessageConsumer> {
    private static final Set<String> RESUMES = Set.of("continue", "next", "stepIn", "stepOut", "stepBack", "reverseContinue");

    private final Object lock = new Object();
    private final Set<String> pending = new HashSet<>();

    @Override public MessageConsumer apply(MessageConsumer next) {
        return m -> {
            if (m instanceof RequestMessage r && RESUMES.contains(r.getMethod())) {
                synchronized (lock) {
                    pending.add(r.getId());
                }
            }
            next.consume(m);
            if (m instanceof ResponseMessage r) {
                synchronized (lock) {
                    if (pending.remove(r.getId())) lock.notifyAll();
                }
            }
        };
    }

    /**
     * Waits until every resume request read so far has had its response written, or the
     * timeout passed (a response that never comes must not hold a stop forever).
     *
     * @param millis the most to wait
     */
    void awaitResponses(long millis) {
        long until = System.nanoTime() + millis * 1_000_000L;
        synchronized (lock) {
            try {
                for (long left = millis; !pending.isEmpty() && left > 0; left = (until - System.nanoTime()) / 1_000_000L) {
                    lock.wait(left);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
