package dev.contextwatch.core.model;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * A webhook delivery as the outbox holds it, without the endpoint's URL or secret: the reply to a
 * {@link DeliveryRetry}, and a row of {@link dev.contextwatch.core.db.ReadModels#WEBHOOK_DELIVERIES}.
 */
public record WebhookDelivery(UUID id, String endpoint, String eventType, String sessionId, String project, String status,
    int attempts, Instant nextAttemptAt, String lastError, Integer lastStatusCode, Instant createdAt, Instant deliveredAt,
    JsonObject payload) {

  /** The columns {@link #of} reads, those of the published read model. */
  public static final String COLUMNS = "id, endpoint, event_type, session_id, project, status, attempts, next_attempt_at, "
      + "last_error, last_status_code, created_at, delivered_at, payload";

  public static WebhookDelivery of(Row row) {
    return new WebhookDelivery(row.getUUID("id"), row.getString("endpoint"), row.getString("event_type"),
        row.getString("session_id"), row.getString("project"), row.getString("status"), row.getInteger("attempts"),
        instant(row, "next_attempt_at"), row.getString("last_error"), row.getInteger("last_status_code"),
        instant(row, "created_at"), instant(row, "delivered_at"), (JsonObject) row.getJson("payload"));
  }

  private static Instant instant(Row row, String column) {
    OffsetDateTime value = row.getOffsetDateTime(column);
    return value == null ? null : value.toInstant();
  }
}
