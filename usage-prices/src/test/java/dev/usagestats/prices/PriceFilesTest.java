package dev.usagestats.prices;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.usagestats.ModelPrice;
import dev.usagestats.PriceBook;
import dev.usagestats.PriceVersion;
import dev.usagestats.UsageStats;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PriceFilesTest {
  private static InputStream json(String text) {
    return new ByteArrayInputStream(text.replace('\'', '"').getBytes(StandardCharsets.UTF_8));
  }

  private static ModelPrice only(PriceBook book, String entry) {
    List<PriceVersion> v = book.listPrices(entry);
    assertThat(v).as(entry).hasSize(1);
    return v.get(0).price();
  }

  // ------------------------------------------------------------------ LiteLLM, the real file

  @Test
  void readLiteLlm_wholeRealFile() throws Exception {
    Path path = SharedData.file(SharedData.LITELLM);
    byte[] bytes = Files.readAllBytes(path);
    String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    assertThat(sha).as("the file as published, unchanged").isEqualTo(SharedData.LITELLM_SHA256);

    LoadedPrices loaded = PriceFiles.loadLiteLlm(path);
    PriceBook book = loaded.book();
    // 2,986 keys, sample_spec among them: each is loaded or skipped with a reason, none lost.
    assertThat(book.entries().size() + loaded.skipped().size()).isEqualTo(2986);
    assertThat(book.entries()).hasSize(2516);
    assertThat(loaded.tiersIgnored()).hasSize(359);
    assertThat(book.currency().getCurrencyCode()).isEqualTo("USD");
    assertThat(loaded.skipped())
        .contains(new SkippedEntry("sample_spec", "documents the fields; not a model"));
    assertThat(loaded.skipped())
        .filteredOn(s -> s.model().equals("256-x-256/dall-e-2"))
        .singleElement()
        .satisfies(s -> assertThat(s.reason()).startsWith("not priced per token"));
    assertThat(loaded.skipped()).allSatisfy(s -> assertThat(s.reason()).isNotBlank());

    // gpt-4o: $2.50 in, $1.25 cached, $10 out per million; batch and priority tiers ignored.
    ModelPrice gpt4o = only(book, "gpt-4o");
    assertThat(gpt4o.input()).isEqualByComparingTo("2.5");
    assertThat(gpt4o.cachedInput()).isEqualByComparingTo("1.25");
    assertThat(gpt4o.cacheCreationInput()).isEqualByComparingTo("2.5"); // none given: input
    assertThat(gpt4o.output()).isEqualByComparingTo("10");
    assertThat(gpt4o.reasoningOutput()).isNull();
    assertThat(gpt4o.ignoredTiers())
        .contains(
            "input_cost_per_token_batches",
            "output_cost_per_token_priority",
            "cache_read_input_token_cost_priority");

    // claude-sonnet-4-5: $3 in, $0.30 cache read, $3.75 cache write, $15 out; the 200k context
    // tier and the one-hour cache write are ignored and listed.
    ModelPrice sonnet = only(book, "claude-sonnet-4-5");
    assertThat(sonnet.input()).isEqualByComparingTo("3");
    assertThat(sonnet.cachedInput()).isEqualByComparingTo("0.3");
    assertThat(sonnet.cacheCreationInput()).isEqualByComparingTo("3.75");
    assertThat(sonnet.output()).isEqualByComparingTo("15");
    assertThat(loaded.tiersIgnored().get("claude-sonnet-4-5"))
        .contains(
            "input_cost_per_token_above_200k_tokens",
            "output_cost_per_token_above_200k_tokens",
            "cache_creation_input_token_cost_above_1hr");

    // deepseek/deepseek-chat: $0.28 in, $0.028 cache hit, $0 cache write, $0.42 out; no tiers.
    ModelPrice deepseek = only(book, "deepseek/deepseek-chat");
    assertThat(deepseek.input()).isEqualByComparingTo("0.28");
    assertThat(deepseek.cachedInput()).isEqualByComparingTo("0.028");
    assertThat(deepseek.cacheCreationInput()).isEqualByComparingTo("0");
    assertThat(deepseek.output()).isEqualByComparingTo("0.42");
    assertThat(loaded.tiersIgnored()).doesNotContainKey("deepseek/deepseek-chat");

    // gemini/gemini-2.5-pro: $1.25 in, $0.125 cached, $10 out; the 200k tier ignored.
    ModelPrice gemini = only(book, "gemini/gemini-2.5-pro");
    assertThat(gemini.input()).isEqualByComparingTo("1.25");
    assertThat(gemini.cachedInput()).isEqualByComparingTo("0.125");
    assertThat(gemini.output()).isEqualByComparingTo("10");
    assertThat(gemini.ignoredTiers()).contains("input_cost_per_token_above_200k_tokens");

    // Priced only by tiered_pricing: the first tier (from 0 tokens), the rest listed.
    ModelPrice qwenFlash = only(book, "dashscope/qwen-flash");
    assertThat(qwenFlash.input()).isEqualByComparingTo("0.05");
    assertThat(qwenFlash.output()).isEqualByComparingTo("0.4");
    assertThat(qwenFlash.ignoredTiers()).containsExactly("tiered_pricing");

    // Reasoning priced where the file gives it.
    assertThat(book.versions())
        .anySatisfy(v -> assertThat(v.price().reasoningOutput()).isNotNull());
  }

  // ------------------------------------------------------------------ our format

  static final String OWN =
      "{'format': 'usagestats-prices/1', 'currency': 'USD', 'entries': {"
          + " 'deepseek/deepseek-reasoner': {"
          + "   'aliases': ['public/deepseek-r1'],"
          + "   'prices': ["
          + "     {'input': '0.55', 'cachedInput': '0.14', 'output': '2.19'},"
          + "     {'effectiveFrom': '2026-11-15T16:00:00Z', 'input': '0.28', 'output': '0.42'}],"
          + "   'tenants': {'acme': [{'input': '0.20', 'output': '0.30', 'perCall': '0.0001'}]}},"
          + " 'qwen/qwen3-235b': {"
          + "   'patterns': ['public/qwen3(-.*)?'],"
          + "   'prices': [{'input': 0.2, 'output': 0.6, 'reasoningOutput': 1.2}]}},"
          + " 'models': ['public/deepseek-r1', 'public/qwen3']}";

  @Test
  void read_ownFormat() {
    PriceBook book = PriceFiles.read(json(OWN)).book();
    assertThat(book.entryFor("public/deepseek-r1")).contains("deepseek/deepseek-reasoner");
    assertThat(book.entryFor("public/qwen3-8k")).contains("qwen/qwen3-235b");
    assertThat(book.changes()).containsExactly(Instant.parse("2026-11-15T16:00:00Z"));
    PriceVersion before =
        book.priceAt("globex", "deepseek/deepseek-reasoner", Instant.parse("2026-11-15T15:45:00Z"));
    assertThat(before.price().cachedInput()).isEqualByComparingTo("0.14");
    assertThat(before.price().cacheCreationInput()).isEqualByComparingTo("0.55");
    PriceVersion after =
        book.priceAt("globex", "deepseek/deepseek-reasoner", Instant.parse("2026-11-15T16:00:00Z"));
    assertThat(after.price().output()).isEqualByComparingTo("0.42");
    PriceVersion acme =
        book.priceAt("acme", "deepseek/deepseek-reasoner", Instant.parse("2026-11-20T00:00:00Z"));
    assertThat(acme.tenant()).isEqualTo("acme");
    assertThat(acme.price().perCall()).isEqualByComparingTo("0.0001");
    assertThat(book.listPrices("qwen/qwen3-235b").get(0).price().reasoningOutput())
        .isEqualByComparingTo("1.2");
  }

  // ------------------------------------------------------------------ malformed files

  @Test
  void read_missingField_namesModelAndField() {
    assertThatThrownBy(
            () ->
                PriceFiles.read(
                    json("{'currency': 'USD', 'entries': {'m1': {'prices': [{'input': 1}]}}}")))
        .isInstanceOf(PriceFileException.class)
        .hasMessage("price file: model 'm1' field 'output' is missing")
        .satisfies(
            e -> {
              assertThat(((PriceFileException) e).model()).isEqualTo("m1");
              assertThat(((PriceFileException) e).field()).isEqualTo("output");
            });
  }

  @Test
  void readLiteLlm_negativePrice_namesModelAndField() {
    assertThatThrownBy(
            () ->
                PriceFiles.readLiteLlm(
                    json(
                        "{'gpt-x': {'input_cost_per_token': -1e-06,"
                            + " 'output_cost_per_token': 1e-06}}")))
        .isInstanceOf(PriceFileException.class)
        .hasMessage(
            "price file: model 'gpt-x' field 'input_cost_per_token' must be a number >= 0:"
                + " -0.000001");
  }

  @Test
  void readLiteLlm_nanPrice_namesModelAndField() {
    assertThatThrownBy(
            () ->
                PriceFiles.readLiteLlm(
                    json(
                        "{'gpt-x': {'input_cost_per_token': 1e-06,"
                            + " 'output_cost_per_token': NaN}}")))
        .isInstanceOf(PriceFileException.class)
        .hasMessageStartingWith(
            "price file: model 'gpt-x' field 'output_cost_per_token' must be a finite number");
  }

  @Test
  void read_textPriceNotANumber_namesModelAndField() {
    assertThatThrownBy(
            () ->
                PriceFiles.read(
                    json(
                        "{'currency': 'USD', 'entries': {'m1': {'prices':"
                            + " [{'input': 'NaN', 'output': 1}]}}}")))
        .hasMessage("price file: model 'm1' field 'input' must be a finite number >= 0: 'NaN'");
  }

  @Test
  void read_unknownCurrency() {
    assertThatThrownBy(() -> PriceFiles.read(json("{'currency': 'XYZ', 'entries': {}}")))
        .isInstanceOf(PriceFileException.class)
        .hasMessage("price file: field 'currency' must be an ISO 4217 code: XYZ");
  }

  @Test
  void read_badJson() {
    assertThatThrownBy(
            () -> PriceFiles.readLiteLlm(json("{'gpt-x': {'input_cost_per_token': 1e-06,")))
        .isInstanceOf(PriceFileException.class)
        .hasMessageStartingWith("price file: is not valid JSON:")
        .hasMessageContaining("line 1");
  }

  @Test
  void readLiteLlm_duplicateModel_namesIt() {
    String text =
        "{'gpt-x': {'input_cost_per_token': 1e-06, 'output_cost_per_token': 2e-06},\n"
            + " 'gpt-x': {'input_cost_per_token': 3e-06, 'output_cost_per_token': 4e-06}}";
    assertThatThrownBy(() -> PriceFiles.readLiteLlm(json(text)))
        .isInstanceOf(PriceFileException.class)
        .hasMessageStartingWith("price file: model 'gpt-x' appears twice (at line 2")
        .satisfies(e -> assertThat(((PriceFileException) e).model()).isEqualTo("gpt-x"));
  }

  @Test
  void read_duplicateModel_namesIt() {
    String text =
        "{'currency': 'USD', 'entries': {'m1': {'prices': [{'input': 1, 'output': 1}]},"
            + " 'm1': {'prices': [{'input': 2, 'output': 2}]}}}";
    assertThatThrownBy(() -> PriceFiles.read(json(text)))
        .hasMessageStartingWith("price file: model 'm1' appears twice");
  }

  @Test
  void read_unknownPriceField_namesModelAndField() {
    assertThatThrownBy(
            () ->
                PriceFiles.read(
                    json(
                        "{'currency': 'USD', 'entries': {'m1': {'prices':"
                            + " [{'input': 1, 'output': 1, 'inptu': 2}]}}}")))
        .hasMessage("price file: model 'm1' field 'inptu' is not a field of a price");
  }

  @Test
  void read_effectiveFromOffQuarterHour_namesModel() {
    assertThatThrownBy(
            () ->
                PriceFiles.read(
                    json(
                        "{'currency': 'USD', 'entries': {'m1': {'prices':"
                            + " [{'effectiveFrom': '2026-11-15T16:05:00Z', 'input': 1,"
                            + " 'output': 1}]}}}")))
        .hasMessageStartingWith(
            "price file: model 'm1' field 'effectiveFrom' effectiveFrom must be a 15-minute"
                + " boundary");
  }

  @Test
  void read_ambiguousPatternRefusedAtLoad() {
    String text =
        "{'currency': 'USD', 'entries': {"
            + " 'a': {'patterns': ['public/.*'], 'prices': [{'input': 1, 'output': 1}]},"
            + " 'b': {'patterns': ['.*-r1'], 'prices': [{'input': 2, 'output': 2}]}},"
            + " 'models': ['public/deepseek-r1']}";
    assertThatThrownBy(() -> PriceFiles.read(json(text)))
        .isInstanceOf(PriceFileException.class)
        .hasMessageContaining("model 'public/deepseek-r1' is ambiguous");
  }

  @Test
  void reload_malformedFile_bookInForceStays() {
    PriceBook good = PriceFiles.read(json(OWN)).book();
    try (UsageStats stats =
        UsageStats.builder()
            .clock(Clock.fixed(Instant.parse("2026-11-20T00:00:00Z"), java.time.ZoneOffset.UTC))
            .flushInterval(Duration.ZERO)
            .priceBook(good)
            .build()) {
      assertThatThrownBy(
              () ->
                  stats.priceBook(
                      PriceFiles.read(
                              json(
                                  "{'currency': 'USD', 'entries': {'m1': {'prices':"
                                      + " [{'input': -1, 'output': 1}]}}}"))
                          .book()))
          .isInstanceOf(PriceFileException.class);
      assertThat(stats.priceBook()).isSameAs(good);
    }
  }

  @Test
  void ignoredTiers_listedAsLoaded() {
    LoadedPrices p =
        PriceFiles.readLiteLlm(
            json(
                "{'m': {'input_cost_per_token': 1e-06, 'output_cost_per_token': 2e-06,"
                    + " 'input_cost_per_token_above_128k_tokens': 2e-06,"
                    + " 'output_cost_per_token_flex': 1e-06}}"));
    assertThat(p.tiersIgnored())
        .containsEntry(
            "m", Set.of("input_cost_per_token_above_128k_tokens", "output_cost_per_token_flex"));
    assertThat(p.book().listPrices("m").get(0).price().output()).isEqualTo(new BigDecimal("2"));
  }
}
