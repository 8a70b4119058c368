package dev.usagestats.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usagestats.PriceBook;
import dev.usagestats.PriceVersion;
import java.io.InputStream;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class DemoPricesTest {
  @Test
  void snapshot_isTheFileAsPublished_withItsLicence() throws Exception {
    try (InputStream in = DemoPrices.class.getResourceAsStream(DemoPrices.SNAPSHOT)) {
      String sha =
          HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(in.readAllBytes()));
      assertThat(sha).isEqualTo("f3586896abe7b20218409b88d8f9b9afe85b85c0de386e8ec7a0f14ac7f790ba");
    }
    try (InputStream in =
        DemoPrices.class.getResourceAsStream(
            "/dev/usagestats/examples/prices/LICENSE-litellm.txt")) {
      assertThat(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8))
          .contains("MIT License", "Copyright (c) 2023 Berri AI");
    }
  }

  @Test
  void book_pricesEveryDemoModel_withOneChange() {
    Instant change = Instant.parse("2026-11-21T18:15:00Z");
    PriceBook book = DemoPrices.book(change.plusSeconds(100)); // moved back to 18:15
    assertThat(book.changes()).containsExactly(change);
    for (String model : DemoCatalog.standard().models().keySet()) {
      assertThat(book.entryFor(model)).as(model).isPresent();
    }
    assertThat(book.entryFor("public/qwen3-235b")).contains(DemoPrices.QWEN);
    PriceVersion before = book.priceFor("acme", "public/deepseek-r1", change.minusSeconds(1));
    PriceVersion after = book.priceFor("acme", "public/deepseek-r1", change);
    assertThat(before.price().output()).isEqualByComparingTo("2.19");
    assertThat(after.price().output()).isEqualByComparingTo("0.42");
    assertThat(after.price().cachedInput()).isEqualByComparingTo("0.028");
  }
}
