package dev.usagestats.langchain4j;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * An attribution for the chat calls the current thread starts while the scope is open, for code
 * that cannot pass {@link UsageAttribution#options()} with each call (AI services, libraries).
 *
 * <pre>{@code
 * try (UsageScope scope = UsageScope.open("acme", "key-7f3a")) {
 *   assistant.chat("Hello"); // any ChatModel or StreamingChatModel call on this thread
 * }
 * }</pre>
 *
 * <p>The listener reads the scope in {@code onRequest}, which LangChain4j runs on the thread that
 * starts the call, and carries it to the response in the call's attributes: a streaming response
 * that completes on another thread is still attributed to the scope that started it. Scopes nest;
 * closing one restores the one it replaced. Close a scope on the thread that opened it.
 *
 * <p>javac's {@code -Xlint:try} notes that {@code scope} is not used inside the block; as with
 * OpenTelemetry's {@code Scope}, {@code @SuppressWarnings("try")} silences it.
 */
public final class UsageScope implements AutoCloseable {
  private static final ThreadLocal<@Nullable UsageAttribution> CURRENT = new ThreadLocal<>();

  private final UsageAttribution attribution;
  private final @Nullable UsageAttribution previous;
  private boolean closed;

  private UsageScope(UsageAttribution attribution, @Nullable UsageAttribution previous) {
    this.attribution = attribution;
    this.previous = previous;
  }

  /**
   * Opens a scope on the current thread.
   *
   * @throws IllegalArgumentException if a name is invalid
   */
  public static UsageScope open(String tenant, String apiKey) {
    return open(UsageAttribution.of(tenant, apiKey));
  }

  /** Opens a scope with {@code attribution} on the current thread. */
  public static UsageScope open(UsageAttribution attribution) {
    Objects.requireNonNull(attribution, "attribution");
    UsageScope scope = new UsageScope(attribution, CURRENT.get());
    CURRENT.set(attribution);
    return scope;
  }

  /** The attribution of the innermost scope open on the current thread, or null if none is. */
  public static @Nullable UsageAttribution current() {
    return CURRENT.get();
  }

  /** This scope's attribution. */
  public UsageAttribution attribution() {
    return attribution;
  }

  /** Restores the scope this one replaced. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (previous == null) {
      CURRENT.remove();
    } else {
      CURRENT.set(previous);
    }
  }
}
