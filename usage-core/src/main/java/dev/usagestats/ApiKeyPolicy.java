package dev.usagestats;

/**
 * What the engine does with an API key id that looks like a provider secret ({@link
 * ApiKeys#looksLikeSecret}): a caller who passes the secret itself instead of an id. Set with
 * {@link UsageStats.Builder#apiKeyPolicy}. Whatever the policy, logs and exception messages show an
 * API key id only redacted.
 */
public enum ApiKeyPolicy {
  /**
   * Refuse the event (the default): {@link IllegalArgumentException} with the redacted form and a
   * pointer to {@link ApiKeys#fingerprint}; nothing is recorded, the event counts as rejected.
   */
  REFUSE,
  /**
   * Record under {@link ApiKeys#fingerprint} of the value instead, so the secret is never kept.
   * Costs one SHA-256 per such record: derive ids once, in the caller, where speed matters.
   */
  FINGERPRINT,
  /** Record the value as given (ids that happen to look like secrets). */
  ALLOW
}
