package dev.contextwatch.processor.source;

import dev.contextwatch.core.model.EventRecord;

/**
 * An event as its client's adapter read it: with its usage columns filled, or refused with the
 * reason (a field that would poison a total), for the request's partial success.
 */
public record Reading(EventRecord event, String refusal) {

  public static Reading of(EventRecord event) {
    return new Reading(event, null);
  }

  public static Reading refused(String reason) {
    return new Reading(null, reason);
  }

  public boolean refused() {
    return refusal != null;
  }
}
