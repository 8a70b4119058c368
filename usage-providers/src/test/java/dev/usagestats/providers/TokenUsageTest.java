package dev.usagestats.providers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TokenUsageTest {
  @Test
  void constructor_negativeCount() {
    assertThatThrownBy(() -> new TokenUsage(-5, 0, 0, 0, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("inputTokens must be >= 0: -5");
    assertThatThrownBy(() -> new TokenUsage(0, -1, 0, 0, 0))
        .hasMessage("outputTokens must be >= 0: -1");
    assertThatThrownBy(() -> new TokenUsage(9, 0, -2, 0, 0))
        .hasMessage("cachedInputTokens must be >= 0: -2");
    assertThatThrownBy(() -> new TokenUsage(9, 0, 0, -3, 0))
        .hasMessage("cacheCreationInputTokens must be >= 0: -3");
    assertThatThrownBy(() -> new TokenUsage(9, 9, 0, 0, -4))
        .hasMessage("reasoningTokens must be >= 0: -4");
  }

  @Test
  void constructor_cachePartsAboveInput() {
    assertThatThrownBy(() -> new TokenUsage(10, 0, 6, 5, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "cachedInputTokens + cacheCreationInputTokens must be <= inputTokens (10): 6 + 5");
    assertThat(new TokenUsage(10, 0, 5, 5, 0).uncachedInputTokens()).isZero();
  }

  @Test
  void constructor_hugePartsDoNotOverflowTheCheck() {
    assertThatThrownBy(() -> new TokenUsage(10, 0, Long.MAX_VALUE, Long.MAX_VALUE, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void constructor_reasoningAboveOutput() {
    assertThatThrownBy(() -> new TokenUsage(0, 3, 0, 0, 4))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("reasoningTokens must be <= outputTokens (3): 4");
  }

  @Test
  void plus_addsEachCount() {
    TokenUsage a = new TokenUsage(100, 50, 20, 10, 5);
    TokenUsage b = new TokenUsage(1, 2, 0, 1, 2);
    assertThat(a.plus(b)).isEqualTo(new TokenUsage(101, 52, 20, 11, 7));
    assertThat(a.plus(TokenUsage.ZERO)).isEqualTo(a);
    assertThat(a.plus(b).totalTokens()).isEqualTo(153);
  }

  @Test
  void plus_overflow() {
    TokenUsage big = TokenUsage.of(Long.MAX_VALUE, 0);
    assertThatThrownBy(() -> big.plus(TokenUsage.of(1, 0))).isInstanceOf(ArithmeticException.class);
  }
}
