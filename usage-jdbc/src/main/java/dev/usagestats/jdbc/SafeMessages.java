package dev.usagestats.jdbc;

import dev.usagestats.ApiKeys;
import java.sql.SQLException;
import java.util.Collection;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Copies a driver's exception chain into one that is safe to log: drivers echo the values of a
 * failing row in their messages (PostgreSQL's {@code Detail: Failing row contains (...)} on the
 * second line and its batch entries with parameters inline, H2's {@code Value too long ...
 * 'value'}), and a value may be an API key id, even a secret a caller passed by mistake.
 *
 * <p>Each copy keeps the SQL state, vendor code, class name and stack trace, and the first line of
 * the message with any statement text cut, and every given API key id, and any other token that
 * {@link ApiKeys#looksLikeSecret looks like a secret}, shown {@link ApiKeys#redact redacted}.
 * Stateless and thread-safe.
 */
final class SafeMessages {
  /** PostgreSQL's {@code Batch entry 3 INSERT INTO ... VALUES (...) was aborted: ...}. */
  private static final Pattern BATCH_ENTRY =
      Pattern.compile("Batch entry (\\d+) .*? was aborted", Pattern.DOTALL);

  /** H2's {@code ...; SQL statement: ...}. */
  private static final Pattern H2_STATEMENT =
      Pattern.compile(";?\\s*SQL statement:.*", Pattern.DOTALL);

  /** Runs of characters a secret token is made of, long enough to be one. */
  private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_+/=-]{16,}");

  private static final int MAX_DEPTH = 8;

  private SafeMessages() {}

  /** A scrubbed copy of {@code e}, its causes, next exceptions and suppressed ones. */
  static SQLException scrub(SQLException e, Collection<String> apiKeys) {
    return (SQLException) copy(e, apiKeys, 0);
  }

  private static @Nullable Throwable copyOrNull(
      @Nullable Throwable t, Collection<String> apiKeys, int depth) {
    return t == null || depth >= MAX_DEPTH ? null : copy(t, apiKeys, depth);
  }

  private static Throwable copy(Throwable t, Collection<String> apiKeys, int depth) {
    String text = t.getClass().getName() + ": " + message(t.getMessage(), apiKeys);
    Throwable out;
    if (t instanceof SQLException s) {
      SQLException c = new SQLException(text, s.getSQLState(), s.getErrorCode());
      SQLException next = s.getNextException();
      if (next != null && next != s) {
        Throwable n = copyOrNull(next, apiKeys, depth + 1);
        if (n instanceof SQLException ns) c.setNextException(ns);
      }
      out = c;
    } else {
      out = new Exception(text);
    }
    out.setStackTrace(t.getStackTrace());
    Throwable cause = t.getCause();
    if (cause != null && cause != t) {
      Throwable copied = copyOrNull(cause, apiKeys, depth + 1);
      if (copied != null) out.initCause(copied);
    }
    for (Throwable s : t.getSuppressed()) {
      Throwable copied = copyOrNull(s, apiKeys, depth + 1);
      if (copied != null) out.addSuppressed(copied);
    }
    return out;
  }

  /** The first line, statement text cut, API key ids redacted. */
  static String message(@Nullable String message, Collection<String> apiKeys) {
    if (message == null) return "(no message)";
    String m = BATCH_ENTRY.matcher(message).replaceAll("Batch entry $1 was aborted");
    m = H2_STATEMENT.matcher(m).replaceAll("");
    int nl = m.indexOf('\n');
    if (nl >= 0) m = m.substring(0, nl);
    m = m.strip();
    for (String key : apiKeys) {
      // ids of 3 characters or fewer are no secrets, and would garble every message
      if (key.length() > 3 && !key.isBlank() && m.contains(key)) {
        m = m.replace(key, ApiKeys.redact(key));
      }
    }
    // and whatever else looks like a secret: a value cut short, or one the call did not name
    m = TOKEN.matcher(m).replaceAll(t -> Matcher.quoteReplacement(safe(t.group())));
    return m.length() > 500 ? m.substring(0, 500) + "..." : m;
  }

  private static String safe(String token) {
    return ApiKeys.looksLikeSecret(token) ? ApiKeys.redact(token) : token;
  }
}
