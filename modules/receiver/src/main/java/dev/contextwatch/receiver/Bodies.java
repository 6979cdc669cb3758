package dev.contextwatch.receiver;

import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/** Request body decoding: gzip inflation that stops at the body limit, so a gzip bomb costs nothing. */
final class Bodies {
  private Bodies() {}

  static Buffer gunzip(Buffer compressed, int limit) {
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(compressed.getBytes()))) {
      ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(limit, Math.max(1024, compressed.length() * 4)));
      byte[] chunk = new byte[16384];
      for (int n; (n = in.read(chunk)) > 0; ) {
        if (out.size() + n > limit) {
          throw new OtlpException(413, "inflated body exceeds the limit of " + limit + " bytes");
        }
        out.write(chunk, 0, n);
      }
      return Buffer.buffer(out.toByteArray());
    } catch (ZipException | java.io.EOFException e) {
      throw new OtlpException(400, "body is not valid gzip: " + Refusal.detail(e, "corrupt or truncated"));
    } catch (IOException e) {
      throw new OtlpException(400, "cannot inflate body: " + Refusal.detail(e, "corrupt or truncated"));
    }
  }
}
