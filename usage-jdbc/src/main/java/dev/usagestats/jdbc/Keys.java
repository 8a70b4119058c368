package dev.usagestats.jdbc;

import dev.usagestats.SeriesKey;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * The binary key columns: {@code series_hash} of the rollup and latency tables, and {@code part_id}
 * of the latency table. Stateless apart from a digest per thread; thread-safe.
 */
final class Keys {
  private static final ThreadLocal<MessageDigest> SHA256 =
      ThreadLocal.withInitial(
          () -> {
            try {
              return MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
              throw new IllegalStateException(e);
            }
          });

  private static final SecureRandom RANDOM = new SecureRandom();

  /** The key of the sums of all usage: all three names one space. */
  static final SeriesKey ALL_USAGE = modelSum(ReadSql.AGGREGATE);

  private Keys() {}

  /**
   * The first 16 bytes of SHA-256 over {@code tenant NUL apiKey NUL model}, UTF-8; for the model
   * sums (tenant and API key one space), two zero bytes and the first 14 of it, so that in the
   * primary key {@code (bucket_start, series_hash, grain)} a span's model sums lie together, before
   * its series rows (MariaDB clusters rows by it: a read of the model sums touches a page or two
   * per span, not one per model).
   */
  static byte[] seriesHash(SeriesKey key) {
    MessageDigest md = SHA256.get();
    md.reset();
    md.update(key.tenant().getBytes(StandardCharsets.UTF_8));
    md.update((byte) 0);
    md.update(key.apiKey().getBytes(StandardCharsets.UTF_8));
    md.update((byte) 0);
    md.update(key.model().getBytes(StandardCharsets.UTF_8));
    byte[] digest = md.digest();
    if (!isModelSum(key)) return Arrays.copyOf(digest, 16);
    byte[] hash = new byte[16];
    System.arraycopy(digest, 0, hash, 2, 14);
    return hash;
  }

  /**
   * Whether {@code key} names model sums (a model's, or all usage's): its tenant is one space, a
   * name no caller can use (the engine's peak aggregates, whose rows the store forms itself).
   */
  static boolean isModelSum(SeriesKey key) {
    return key.tenant().equals(ReadSql.AGGREGATE);
  }

  /** The key of a model's sums: tenant and API key one space. */
  static SeriesKey modelSum(String model) {
    return new SeriesKey(ReadSql.AGGREGATE, ReadSql.AGGREGATE, model);
  }

  /** A batch's latency part: the first 16 bytes of SHA-256 over its id, UTF-8. */
  static byte[] partId(String batchId) {
    MessageDigest md = SHA256.get();
    md.reset();
    return Arrays.copyOf(md.digest(batchId.getBytes(StandardCharsets.UTF_8)), 16);
  }

  /** A part for a row compaction writes: 16 random bytes, unlike any batch's or other fold's. */
  static byte[] newPartId() {
    byte[] b = new byte[16];
    RANDOM.nextBytes(b);
    return b;
  }
}
