/*
 * What a logpoint says at one hit, handed to Debugger.onLogpoint on the owner thread.
 */
package dev.patchbay.debug;

/**
 * One message of a logpoint.
 *
 * @param breakpoint the logpoint
 * @param hit its hit count at this message (every reach counts, {@link Breakpoint#hits()})
 * @param text the message with its {@code {expr}} parts replaced by their values (or by
 *     {@code <why not>} where a value could not be had); for a logpoint without a message, a
 *     description of the logpoint and its hit
 */
public record LogpointMessage(Breakpoint breakpoint, long hit, String text) {
    @Override public String toString() { return text; }
}
