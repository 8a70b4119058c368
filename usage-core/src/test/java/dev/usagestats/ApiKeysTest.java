package dev.usagestats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

class ApiKeysTest {
  @Test
  void fingerprint_stableAndWithoutTheSecret() {
    String secret = "sk-proj-9f8e7d6c5b4a39281706";
    String id = ApiKeys.fingerprint(secret);
    assertThat(id).isEqualTo(ApiKeys.fingerprint(secret)).matches("key-[0-9a-f]{16}");
    assertThat(id).doesNotContain("9f8e7d").doesNotContain("proj");
    assertThat(ApiKeys.fingerprint(secret + "x")).isNotEqualTo(id);
  }

  @Test
  void redact_keepsPrefixAndLastFour() {
    assertThat(ApiKeys.redact("sk-proj-9f8e7d6c5b4a39281706")).isEqualTo("sk-...1706");
    assertThat(ApiKeys.redact("abcdefghijklmnop")).isEqualTo("...mnop");
  }

  @Test
  void redact_shortSecret_revealsNothingOfTheTail() {
    assertThat(ApiKeys.redact("sk-12345678")).isEqualTo("sk-...");
  }

  @Test
  void fingerprint_blank_rejected() {
    assertThatThrownBy(() -> ApiKeys.fingerprint(" "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("secret must not be blank");
  }

  @Test
  void totals_kTokensExact() {
    UsageTotals t = new UsageTotals(2, 0, 1234, 5, 0, 0, 0);
    assertThat(t.totalKTokens()).isEqualTo(new BigDecimal("1.239"));
    assertThat(t.inputKTokens()).isEqualTo(new BigDecimal("1.234"));
    assertThat(t.outputKTokens()).isEqualTo(new BigDecimal("0.005"));
  }
}
