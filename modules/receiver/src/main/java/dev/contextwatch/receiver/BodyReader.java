package dev.contextwatch.receiver;

import dev.contextwatch.core.config.ReceiverConfig;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;

/**
 * Reads the body of one OTLP/HTTP request (chunked or not) under three bounds, before the request
 * takes its place among those in flight:
 *
 * <ul>
 *   <li>its size: beyond {@code maxBodyBytes} it is refused with 413 (at once when its declared
 *       length says so), and the rest of it is read and dropped so that the connection serves the
 *       next request;</li>
 *   <li>the bytes of every body held in memory, {@code maxBufferedBodyBytes}: a body that would
 *       pass it is refused with 429; what it took is given back when the request is answered. A
 *       body that declares its length takes all of it when its headers arrive, and is read into
 *       one buffer of that size (growing a buffer chunk by chunk copied every body several times);
 *       bytes beyond the declared length are taken as they arrive;</li>
 *   <li>its time: a body not complete {@code bodyTimeoutMs} after the headers is answered 408 and
 *       its connection closed (an HTTP/2 stream is reset instead, its connection serving others),
 *       so a client that sends headers and then nothing holds a connection for that long at most.</li>
 * </ul>
 */
final class BodyReader {
  private final Vertx vertx;
  private final ReceiverConfig config;
  private final InFlight inFlight;

  BodyReader(Vertx vertx, ReceiverConfig config, InFlight inFlight) {
    this.vertx = vertx;
    this.config = config;
    this.inFlight = inFlight;
  }

  /** Reads the body, then hands it to {@code ctx.next()} as {@link #body}; a refused body fails the context. */
  void read(RoutingContext ctx) {
    new Read(ctx).start();
  }

  static Buffer body(RoutingContext ctx) {
    return ctx.get(Read.KEY);
  }

  private final class Read {
    static final String KEY = "otlp.body";
    private final RoutingContext ctx;
    private final HttpServerRequest request;
    private Buffer body;
    private long reserved;
    private boolean refused;
    private long timer;

    Read(RoutingContext ctx) {
      this.ctx = ctx;
      this.request = ctx.request();
    }

    void start() {
      ctx.addEndHandler(v -> release());
      try {
        body = Buffer.buffer(takeDeclaredLength());
      } catch (OtlpException e) {
        refuse(e);
      }
      if (request.isEnded()) {
        complete();
        return;
      }
      timer = vertx.setTimer(config.bodyTimeoutMs(), id -> timedOut());
      request.handler(this::append).endHandler(v -> complete()).exceptionHandler(e -> vertx.cancelTimer(timer));
      request.resume();
    }

    private void append(Buffer chunk) {
      if (refused) {
        return;
      }
      try {
        if (body.length() + chunk.length() > config.maxBodyBytes()) {
          throw new OtlpException(413, "body exceeds the limit of " + config.maxBodyBytes() + " bytes");
        }
        take(body.length() + chunk.length() - reserved);
        body.appendBuffer(chunk);
      } catch (OtlpException e) {
        refuse(e);
      }
    }

    /** Takes the declared length and answers it (0 when none); one beyond {@code maxBodyBytes} is refused at once. */
    private int takeDeclaredLength() {
      long declared = declaredLength();
      if (declared > config.maxBodyBytes()) {
        throw new OtlpException(413, "body of " + declared + " bytes exceeds the limit of " + config.maxBodyBytes() + " bytes");
      }
      if (declared <= 0) {
        return 0;
      }
      take(declared);
      return (int) declared;
    }

    private long declaredLength() {
      String header = request.getHeader(HttpHeaders.CONTENT_LENGTH);
      try {
        return header == null ? -1 : Long.parseLong(header.trim());
      } catch (NumberFormatException e) {
        return -1;
      }
    }

    private void take(long bytes) {
      if (bytes > 0) {
        inFlight.reserve(bytes, config.maxBufferedBodyBytes());
        reserved += bytes;
      }
    }

    private void complete() {
      vertx.cancelTimer(timer);
      if (!refused) {
        ctx.put(KEY, body);
        ctx.next();
      }
    }

    /** Answers 408 unless already answered, then frees the connection the client is not using. */
    private void timedOut() {
      if (!refused) {
        refuse(new OtlpException(408, "request body not complete within " + config.bodyTimeoutMs() + " ms of its headers"));
      }
      if (request.version() == HttpVersion.HTTP_2) {
        request.response().reset();
      } else {
        request.connection().close();
      }
    }

    private void refuse(OtlpException refusal) {
      refused = true;
      body = null;
      release();
      ctx.fail(refusal);
    }

    private void release() {
      inFlight.release(reserved);
      reserved = 0;
    }
  }
}
