package dev.usagestats;

/** A {@link UsageStore} could not do what was asked. */
public final class UsageStoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** With a message and the cause. */
  public UsageStoreException(String message, Throwable cause) {
    super(message, cause);
  }

  /** With a message. */
  public UsageStoreException(String message) {
    super(message);
  }
}
