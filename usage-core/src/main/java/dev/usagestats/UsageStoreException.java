package dev.usagestats;

/**
 * A store could not do what was asked. {@link #isPermanent()} tells a refusal that will not pass on
 * a retry (a constraint, a value out of range, data too long) from a failure worth retrying (a lost
 * connection, a timeout, a deadlock, a serialization failure).
 */
public final class UsageStoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final boolean permanent;

  /** A failure worth retrying, with a message and the cause. */
  public UsageStoreException(String message, Throwable cause) {
    this(message, cause, false);
  }

  /** A failure worth retrying, with a message. */
  public UsageStoreException(String message) {
    super(message);
    this.permanent = false;
  }

  /**
   * With a message, the cause, and whether the store refused the content for good.
   *
   * @param permanent true if retrying the same content would fail the same way: the engine then
   *     splits a refused batch to find the rows the store refuses, sets those aside (counted in
   *     {@link EngineStats#refusedRows()}) and writes the rest
   */
  public UsageStoreException(String message, Throwable cause, boolean permanent) {
    super(message, cause);
    this.permanent = permanent;
  }

  /** Whether the store refused the content for good: retrying it unchanged would fail again. */
  public boolean isPermanent() {
    return permanent;
  }
}
