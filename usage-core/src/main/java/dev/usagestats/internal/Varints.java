package dev.usagestats.internal;

import java.util.Arrays;

/**
 * Unsigned variable-length integers, 7 bits a byte, low bits first: the one codec of the latency
 * encodings ({@link dev.usagestats.LatencyHistogram#encode()} and a memory slot's {@link
 * LatencySlots}). Public for the API package; not API.
 */
public final class Varints {
  private Varints() {}

  /**
   * Reads the integer at {@code pos[0]} and moves {@code pos[0]} past it.
   *
   * @throws IllegalArgumentException if the bytes end first or the integer is longer than 9 bytes
   */
  public static long read(byte[] b, int[] pos) {
    long v = 0;
    for (int shift = 0; shift < 63; shift += 7) {
      if (pos[0] >= b.length) throw new IllegalArgumentException("encoded value is truncated");
      int x = b[pos[0]++];
      v |= (long) (x & 0x7F) << shift;
      if ((x & 0x80) == 0) return v;
    }
    throw new IllegalArgumentException("encoded value has a variable-length integer too long");
  }

  /** A growable byte buffer to write into; reusable with {@link #reset()}. Not thread-safe. */
  public static final class Writer {
    private byte[] buf;
    private int len;

    public Writer(int capacity) {
      buf = new byte[Math.max(capacity, 16)];
    }

    /** Empties the buffer, keeping its capacity. */
    public Writer reset() {
      len = 0;
      return this;
    }

    /** Writes one byte as it is. */
    public void writeByte(int b) {
      ensure(1);
      buf[len++] = (byte) b;
    }

    /** Writes {@code v} (at least 0) as a variable-length integer. */
    public void write(long v) {
      ensure(10);
      while ((v & ~0x7FL) != 0) {
        buf[len++] = (byte) ((v & 0x7F) | 0x80);
        v >>>= 7;
      }
      buf[len++] = (byte) v;
    }

    /** Writes {@code n} bytes of {@code b} from {@code from} as they are. */
    public void writeBytes(byte[] b, int from, int n) {
      ensure(n);
      System.arraycopy(b, from, buf, len, n);
      len += n;
    }

    /** A copy of what was written. */
    public byte[] toArray() {
      return Arrays.copyOf(buf, len);
    }

    private void ensure(int more) {
      if (len + more > buf.length) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
    }
  }
}
