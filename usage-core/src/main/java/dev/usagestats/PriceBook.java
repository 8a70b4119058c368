package dev.usagestats;

import dev.usagestats.internal.Checks;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Currency;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.jspecify.annotations.Nullable;

/**
 * Prices of models in one currency, with their history: what a report's cost is computed from.
 * Immutable and thread-safe; build one with {@link #builder}, or load one with {@code
 * usage-prices}.
 *
 * <h2>Entries and versions</h2>
 *
 * A book holds price entries (for example {@code deepseek/deepseek-reasoner}). Each entry has a
 * history of list prices and, optionally, per tenant a history of negotiated prices; each price
 * ({@link PriceVersion}) is in force from its {@code effectiveFrom} until the next one of the same
 * history. A usage is priced with the tenant's negotiated price in force at its time if there is
 * one, else with the list price in force then; before an entry's first list price its usage is
 * unpriced.
 *
 * <h2>The grain of a price change: 15 minutes</h2>
 *
 * Usage is kept in 15-minute rollup slots (every real zone offset is a multiple of 15 minutes), so
 * a price applies to every slot whose start is at or after its {@code effectiveFrom}, and {@code
 * effectiveFrom} must be a 15-minute boundary (a multiple of 15 minutes since the epoch, such as
 * {@code 2026-11-15T18:15:00Z}): other instants are refused, never rounded, so that no price
 * silently applies to usage before the moment it was given for. A report whose bucket spans a
 * change prices each 15-minute slot at the price in force at its start.
 *
 * <h2>Model names</h2>
 *
 * A model name of the engine finds its entry in this order: an entry of the same name; an alias;
 * the patterns (regular expressions matched against the whole name, like Langfuse's {@code
 * matchPattern}). Names that two patterns of different entries match are ambiguous: {@link
 * Builder#build()} refuses a book in which a model name given with {@link Builder#models} is
 * ambiguous, and the engine checks its own model names when a book is set; a name first seen later
 * that is ambiguous is reported unpriced with the reason, never guessed.
 *
 * <pre>{@code
 * PriceBook book = PriceBook.builder(Currency.getInstance("USD"))
 *     .price("deepseek/deepseek-reasoner",
 *         ModelPrice.of(new BigDecimal("0.55"), new BigDecimal("2.19"))
 *             .withCachedInput(new BigDecimal("0.14")))
 *     .price("deepseek/deepseek-reasoner", Instant.parse("2026-11-15T16:00:00Z"),
 *         ModelPrice.of(new BigDecimal("0.28"), new BigDecimal("0.42")))
 *     .alias("public/deepseek-r1", "deepseek/deepseek-reasoner")
 *     .pattern("public/qwen3(-.*)?", "qwen/qwen3-235b")
 *     .price("qwen/qwen3-235b", ModelPrice.of(new BigDecimal("0.2"), new BigDecimal("0.6")))
 *     .tenantPrice("acme", "qwen/qwen3-235b", PriceBook.BEGINNING,
 *         ModelPrice.of(new BigDecimal("0.1"), new BigDecimal("0.3")))
 *     .build();
 * UsageReport r = stats.query(stats.newQuery().priceBook(book).build());
 * }</pre>
 */
public final class PriceBook {
  /** The effective-from of a price that has always applied: 0001-01-01T00:00:00Z. */
  public static final Instant BEGINNING = Checks.MIN_QUERY_INSTANT;

  /** The grain of price changes, in milliseconds: 15 minutes. */
  public static final long CHANGE_GRAIN_MILLIS = 15 * 60_000L;

  private final Currency currency;
  private final Map<String, List<PriceVersion>> list;
  private final Map<String, Map<String, List<PriceVersion>>> tenants;
  private final Map<String, String> aliases;
  private final Map<String, String> patterns;
  private final List<Pattern> compiled;
  private final List<String> compiledEntries;
  private final List<Instant> changes;

  private PriceBook(Builder b) {
    this.currency = b.currency;
    Map<String, List<PriceVersion>> l = new TreeMap<>();
    b.list.forEach((e, v) -> l.put(e, List.copyOf(v.values())));
    this.list = java.util.Collections.unmodifiableMap(l);
    Map<String, Map<String, List<PriceVersion>>> t = new TreeMap<>();
    b.tenants.forEach(
        (tenant, byEntry) -> {
          Map<String, List<PriceVersion>> m = new TreeMap<>();
          byEntry.forEach((e, v) -> m.put(e, List.copyOf(v.values())));
          t.put(tenant, java.util.Collections.unmodifiableMap(m));
        });
    this.tenants = java.util.Collections.unmodifiableMap(t);
    this.aliases = java.util.Collections.unmodifiableMap(new TreeMap<>(b.aliases));
    this.patterns = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(b.patterns));
    List<Pattern> c = new ArrayList<>();
    List<String> ce = new ArrayList<>();
    b.patterns.forEach(
        (regex, entry) -> {
          c.add(Pattern.compile(regex));
          ce.add(entry);
        });
    this.compiled = List.copyOf(c);
    this.compiledEntries = List.copyOf(ce);
    TreeSet<Instant> ch = new TreeSet<>();
    for (PriceVersion v : versions()) {
      if (!v.effectiveFrom().equals(BEGINNING)) ch.add(v.effectiveFrom());
    }
    this.changes = List.copyOf(ch);
  }

  /** A new builder of a book in {@code currency}. */
  public static Builder builder(Currency currency) {
    return new Builder(Objects.requireNonNull(currency, "currency"));
  }

  /** A builder holding everything this book holds, to extend it (aliases, a price change). */
  public Builder toBuilder() {
    Builder b = new Builder(currency);
    for (PriceVersion v : versions()) {
      if (v.tenant() == null) b.price(v.entry(), v.effectiveFrom(), v.price());
      else b.tenantPrice(v.tenant(), v.entry(), v.effectiveFrom(), v.price());
    }
    aliases.forEach(b::alias);
    patterns.forEach(b::pattern);
    return b;
  }

  /** The currency of every price in this book. */
  public Currency currency() {
    return currency;
  }

  /** The names of the price entries, sorted. */
  public Set<String> entries() {
    return list.keySet();
  }

  /** Model names mapped to an entry by alias. */
  public Map<String, String> aliases() {
    return aliases;
  }

  /** Patterns (regular expressions over the whole model name) mapped to their entry, in order. */
  public Map<String, String> patterns() {
    return patterns;
  }

  /** Every price version: list prices per entry oldest first, then tenants' prices. */
  public List<PriceVersion> versions() {
    List<PriceVersion> out = new ArrayList<>();
    list.values().forEach(out::addAll);
    tenants.values().forEach(m -> m.values().forEach(out::addAll));
    return out;
  }

  /** The list prices of {@code entry}, oldest first; empty for an unknown entry. */
  public List<PriceVersion> listPrices(String entry) {
    return list.getOrDefault(Objects.requireNonNull(entry, "entry"), List.of());
  }

  /** Every effective-from instant other than {@link #BEGINNING}, in order, without repeats. */
  public List<Instant> changes() {
    return changes;
  }

  /**
   * The entry that prices {@code model}: an entry of that name, else an alias, else the one entry
   * whose patterns match it.
   *
   * @throws IllegalArgumentException if patterns of two entries match the name
   */
  public Optional<String> entryFor(String model) {
    Objects.requireNonNull(model, "model");
    if (list.containsKey(model)) return Optional.of(model);
    String alias = aliases.get(model);
    if (alias != null) return Optional.of(alias);
    String found = null;
    String foundPattern = null;
    for (int i = 0; i < compiled.size(); i++) {
      if (!compiled.get(i).matcher(model).matches()) continue;
      String entry = compiledEntries.get(i);
      if (found != null && !found.equals(entry)) {
        throw new IllegalArgumentException(
            "model '"
                + model
                + "' is ambiguous: pattern '"
                + foundPattern
                + "' maps it to "
                + found
                + " and pattern '"
                + compiled.get(i).pattern()
                + "' to "
                + entry);
      }
      found = entry;
      foundPattern = compiled.get(i).pattern();
    }
    return Optional.ofNullable(found);
  }

  /**
   * The price of {@code entry} for {@code tenant} at {@code at}: the tenant's negotiated price in
   * force then if any, else the list price in force then, else null.
   */
  public @Nullable PriceVersion priceAt(String tenant, String entry, Instant at) {
    Objects.requireNonNull(at, "at");
    Map<String, List<PriceVersion>> own = tenants.get(Objects.requireNonNull(tenant, "tenant"));
    if (own != null) {
      PriceVersion v = inForce(own.get(entry), at);
      if (v != null) return v;
    }
    return inForce(list.get(Objects.requireNonNull(entry, "entry")), at);
  }

  /**
   * The price that applies to {@code model}'s usage by {@code tenant} at {@code at}, or null if
   * none (no entry, or no price in force yet).
   *
   * @throws IllegalArgumentException if the model name is ambiguous
   */
  public @Nullable PriceVersion priceFor(String tenant, String model, Instant at) {
    Optional<String> entry = entryFor(model);
    return entry.isPresent() ? priceAt(tenant, entry.get(), at) : null;
  }

  private static @Nullable PriceVersion inForce(@Nullable List<PriceVersion> history, Instant at) {
    if (history == null) return null;
    PriceVersion found = null;
    for (PriceVersion v : history) {
      if (v.effectiveFrom().isAfter(at)) break;
      found = v;
    }
    return found;
  }

  /**
   * Checks that none of {@code models} is ambiguous.
   *
   * @throws IllegalArgumentException naming the first ambiguous model and both patterns
   */
  public void checkModels(Collection<String> models) {
    for (String m : Objects.requireNonNull(models, "models")) entryFor(m);
  }

  @Override
  public String toString() {
    return "PriceBook["
        + currency
        + ", "
        + list.size()
        + " entries, "
        + aliases.size()
        + " aliases, "
        + patterns.size()
        + " patterns, "
        + changes.size()
        + " changes]";
  }

  /** Builds a {@link PriceBook}; each setter checks its argument at once. Not thread-safe. */
  public static final class Builder {
    private final Currency currency;
    private final Map<String, TreeMap<Instant, PriceVersion>> list = new LinkedHashMap<>();
    private final Map<String, Map<String, TreeMap<Instant, PriceVersion>>> tenants =
        new LinkedHashMap<>();
    private final Map<String, String> aliases = new LinkedHashMap<>();
    private final Map<String, String> patterns = new LinkedHashMap<>();
    private final Set<String> models = new TreeSet<>();

    private Builder(Currency currency) {
      this.currency = currency;
    }

    /** A list price of {@code entry} that has always applied (from {@link #BEGINNING}). */
    public Builder price(String entry, ModelPrice price) {
      return price(entry, BEGINNING, price);
    }

    /**
     * A list price of {@code entry} in force from {@code effectiveFrom}.
     *
     * @throws IllegalArgumentException if {@code effectiveFrom} is not a 15-minute boundary, or the
     *     entry already has a list price from that instant
     */
    public Builder price(String entry, Instant effectiveFrom, ModelPrice price) {
      add(
          list.computeIfAbsent(entryName(entry), k -> new TreeMap<>()),
          entry,
          null,
          effectiveFrom,
          price);
      return this;
    }

    /**
     * A price negotiated by {@code tenant} for {@code entry}, in force from {@code effectiveFrom};
     * before it (and for entries it has none for) the tenant pays the list price.
     *
     * @throws IllegalArgumentException if {@code effectiveFrom} is not a 15-minute boundary, or the
     *     tenant already has a price of the entry from that instant
     */
    public Builder tenantPrice(
        String tenant, String entry, Instant effectiveFrom, ModelPrice price) {
      Checks.name("tenant", tenant);
      TreeMap<Instant, PriceVersion> history =
          tenants
              .computeIfAbsent(tenant, k -> new LinkedHashMap<>())
              .computeIfAbsent(entryName(entry), k -> new TreeMap<>());
      add(history, entry, tenant, effectiveFrom, price);
      return this;
    }

    private static void add(
        TreeMap<Instant, PriceVersion> history,
        String entry,
        @Nullable String tenant,
        Instant effectiveFrom,
        ModelPrice price) {
      Objects.requireNonNull(price, "price");
      checkEffectiveFrom(effectiveFrom);
      if (history.containsKey(effectiveFrom)) {
        throw new IllegalArgumentException(
            "effectiveFrom must be unique per entry"
                + (tenant == null ? "" : " and tenant " + tenant)
                + ": "
                + entry
                + " already has a price from "
                + effectiveFrom);
      }
      history.put(effectiveFrom, new PriceVersion(entry, tenant, effectiveFrom, price));
    }

    private static void checkEffectiveFrom(Instant effectiveFrom) {
      Objects.requireNonNull(effectiveFrom, "effectiveFrom");
      if (effectiveFrom.isBefore(BEGINNING) || !effectiveFrom.isBefore(Checks.MAX_QUERY_INSTANT)) {
        throw new IllegalArgumentException(
            "effectiveFrom must be in the years 0001 to 9999: " + effectiveFrom);
      }
      if (effectiveFrom.getNano() != 0
          || Math.floorMod(effectiveFrom.getEpochSecond(), CHANGE_GRAIN_MILLIS / 1000) != 0) {
        throw new IllegalArgumentException(
            "effectiveFrom must be a 15-minute boundary (prices apply per 15-minute slot): "
                + effectiveFrom);
      }
    }

    private static String entryName(String entry) {
      return Checks.name("entry", entry);
    }

    /**
     * Maps the model name {@code model} to {@code entry}.
     *
     * @throws IllegalArgumentException if the name already has an alias to another entry
     */
    public Builder alias(String model, String entry) {
      Checks.name("model", model);
      entryName(entry);
      String before = aliases.putIfAbsent(model, entry);
      if (before != null && !before.equals(entry)) {
        throw new IllegalArgumentException(
            "alias must map a model to one entry: '"
                + model
                + "' maps to "
                + before
                + " and to "
                + entry);
      }
      return this;
    }

    /**
     * Maps every model name that {@code regex} matches as a whole to {@code entry}.
     *
     * @throws IllegalArgumentException if the regular expression is not valid, or is already mapped
     *     to another entry
     */
    public Builder pattern(String regex, String entry) {
      Objects.requireNonNull(regex, "regex");
      entryName(entry);
      try {
        Pattern.compile(regex);
      } catch (PatternSyntaxException e) {
        throw new IllegalArgumentException(
            "pattern must be a regular expression: '" + regex + "' (" + e.getDescription() + ")",
            e);
      }
      String before = patterns.putIfAbsent(regex, entry);
      if (before != null && !before.equals(entry)) {
        throw new IllegalArgumentException(
            "pattern must map to one entry: '" + regex + "' maps to " + before + " and " + entry);
      }
      return this;
    }

    /**
     * Model names to check the mapping against when building: {@link #build()} refuses the book if
     * any of them is ambiguous.
     */
    public Builder models(Collection<String> models) {
      for (String m : Objects.requireNonNull(models, "models"))
        this.models.add(Checks.name("model", m));
      return this;
    }

    /**
     * Builds the book.
     *
     * @throws IllegalStateException if an alias, pattern or tenant price names an entry without a
     *     list price, an alias is also an entry's name, or a model given with {@link #models} is
     *     ambiguous
     */
    public PriceBook build() {
      aliases.forEach(
          (model, entry) -> {
            requireEntry("alias '" + model + "'", entry);
            if (list.containsKey(model) && !model.equals(entry)) {
              throw new IllegalStateException(
                  "alias must not be an entry's name: '"
                      + model
                      + "' is an entry and an alias of "
                      + entry);
            }
          });
      patterns.forEach((regex, entry) -> requireEntry("pattern '" + regex + "'", entry));
      tenants.forEach(
          (tenant, byEntry) ->
              byEntry.keySet().forEach(e -> requireEntry("tenant " + tenant + "'s price", e)));
      PriceBook book = new PriceBook(this);
      try {
        book.checkModels(models);
      } catch (IllegalArgumentException e) {
        throw new IllegalStateException(e.getMessage(), e);
      }
      return book;
    }

    private void requireEntry(String what, String entry) {
      if (!list.containsKey(entry)) {
        throw new IllegalStateException(
            what + " must name an entry with a list price: " + entry + " has none");
      }
    }
  }
}
