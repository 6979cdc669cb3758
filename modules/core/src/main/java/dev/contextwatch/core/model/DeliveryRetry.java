package dev.contextwatch.core.model;

import java.util.UUID;

/**
 * A request to the checkpoint verticle, the owner of the webhook outbox, to put a delivery back in
 * the queue for one more attempt now ({@link dev.contextwatch.core.bus.Addresses#RETRY_DELIVERY}).
 */
public record DeliveryRetry(UUID id) {}
