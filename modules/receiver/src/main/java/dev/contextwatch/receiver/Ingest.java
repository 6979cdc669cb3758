package dev.contextwatch.receiver;

import dev.contextwatch.core.bus.Addresses;
import dev.contextwatch.core.bus.StoreFailure;
import dev.contextwatch.core.cluster.Ownership;
import dev.contextwatch.core.config.ReceiverConfig;
import dev.contextwatch.core.metrics.Meters;
import io.micrometer.core.instrument.Timer;
import dev.contextwatch.core.model.IngestOutcome;
import dev.contextwatch.core.model.RecordBatch;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What both OTLP receivers (HTTP and gRPC) do with a request: check its token, decode its body and
 * hand the batch to the processor, succeeding only once the batch is committed. Failures come back as
 * the status to answer: 429 when the write path is saturated, 503 when nothing could be stored.
 */
final class Ingest {
  private static final Logger LOG = LoggerFactory.getLogger(Ingest.class);
  private static final String SCHEME = "Bearer";
  private final Vertx vertx;
  private final int storeTimeoutMs;
  private final byte[] expectedToken;
  private final OtlpDecoder decoder;
  /** Cluster mode only: null on a single node, whose path stays the one send below. */
  private final OwnerRouting routing;

  Ingest(Vertx vertx, ReceiverConfig config) {
    this.vertx = vertx;
    this.storeTimeoutMs = config.storeTimeoutMs();
    Ownership ownership = Ownership.of(vertx);
    this.routing = ownership.clustered() ? new OwnerRouting(vertx, ownership, storeTimeoutMs) : null;
    this.expectedToken = config.ingestToken().isEmpty() ? null : config.ingestToken().getBytes(StandardCharsets.UTF_8);
    this.decoder = new OtlpDecoder(config);
  }

  /**
   * Refuses a request whose Authorization header (gRPC: authorization metadata) is missing or
   * wrong. The scheme is case-insensitive (RFC 7235: {@code bearer} and {@code BEARER} are
   * Bearer), separated from the token by one or more spaces; the token is compared in constant time.
   */
  void authenticate(String authorization) {
    if (expectedToken == null) {
      return;
    }
    if (authorization == null) {
      throw new OtlpException(401, "missing Authorization: Bearer <ingest token>");
    }
    String credentials = authorization.strip();
    int space = credentials.indexOf(' ');
    if (space < 0 || !credentials.substring(0, space).equalsIgnoreCase(SCHEME)) {
      throw new OtlpException(401, "Authorization must be Bearer <ingest token>");
    }
    byte[] token = credentials.substring(space + 1).stripLeading().getBytes(StandardCharsets.UTF_8);
    if (!MessageDigest.isEqual(expectedToken, token)) {
      throw new OtlpException(401, "wrong ingest token in Authorization header");
    }
  }

  /** Decodes a request body (a body that is not an export request is a 400) and stores its batch. */
  Future<RecordBatch> store(OtlpSignal signal, Buffer body, OtlpEncoding encoding) {
    return store(signal.decode(decoder, body, encoding));
  }

  /** Stores an already decoded batch (a client's JSON delivery), succeeding once it is committed. */
  Future<RecordBatch> store(RecordBatch batch) {
    String signal = batch.signal().name().toLowerCase(Locale.ROOT);
    Meters.registry().counter("contextwatch_records_received_total", "signal", signal).increment(batch.size() + batch.rejected());
    Meters.registry().counter("contextwatch_records_rejected_total", "signal", signal).increment(batch.rejected());
    if (batch.size() == 0) {
      return Future.succeededFuture(batch);
    }
    if (routing != null) {
      return routing.send(batch).transform(reply -> answer(batch, reply.result(), reply.cause()));
    }
    return vertx.eventBus().<IngestOutcome>request(Addresses.INGEST, batch, new DeliveryOptions().setSendTimeout(storeTimeoutMs))
        .transform(reply -> answer(batch, reply.succeeded() ? reply.result().body() : null, reply.cause()));
  }

  /** The batch as stored, or the failure in the client's terms. */
  private Future<RecordBatch> answer(RecordBatch batch, IngestOutcome outcome, Throwable error) {
    return error == null ? Future.succeededFuture(withRefused(batch, outcome)) : Future.failedFuture(failure(error));
  }

  /** The batch with the records the processor refused counted in, for the answer's partial success. */
  private static RecordBatch withRefused(RecordBatch batch, IngestOutcome outcome) {
    if (outcome == null || outcome.refused() == 0) {
      return batch;
    }
    Meters.registry().counter("contextwatch_records_rejected_total", "signal", batch.signal().name().toLowerCase(Locale.ROOT))
        .increment(outcome.refused());
    String message = batch.rejected() == 0 ? outcome.refusalMessage() : batch.rejectionMessage() + "; " + outcome.refusalMessage();
    return new RecordBatch(batch.signal(), batch.events(), batch.points(), batch.spans(), batch.rejected() + outcome.refused(),
        message);
  }

  /** Times one OTLP request from arrival to answer, by protocol, signal and answer. */
  static void timed(String protocol, OtlpSignal signal, String status, long startNanos) {
    Timer.builder("contextwatch_otlp_request_seconds")
        .tags("protocol", protocol, "signal", signal.name().toLowerCase(Locale.ROOT), "status", status)
        .publishPercentileHistogram()
        .register(Meters.registry())
        .record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
  }

  /**
   * The answer to a batch that was not stored, in the user's terms: what the database or the
   * processor said goes to the server log, never to the client.
   */
  private OtlpException failure(Throwable error) {
    if (error instanceof ReplyException reply && reply.failureType() == ReplyFailure.RECIPIENT_FAILURE) {
      StoreFailure kind = StoreFailure.fromCode(reply.failureCode());
      if (kind != StoreFailure.SATURATED) {
        LOG.warn("event=store_failed failure={} detail=\"{}\"", kind, reply.getMessage());
      }
      return switch (kind) {
        case SATURATED -> new OtlpException(429, "not stored: the write queue is full; retry later");
        case REFUSED -> new OtlpException(400, "not stored: the database refused this request's records (the server log says why)");
        case UNAVAILABLE -> new OtlpException(503, "not stored: the database is unavailable; retry later");
      };
    }
    if (error instanceof ReplyException reply && reply.failureType() == ReplyFailure.TIMEOUT) {
      return new OtlpException(503, "not stored: the database did not confirm within " + storeTimeoutMs + " ms; retry later");
    }
    LOG.warn("event=store_failed failure=pipeline detail=\"{}\"", error.getMessage());
    return new OtlpException(503, "not stored: the pipeline is not running; retry later");
  }
}
