package dev.usagestats.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.model.chat.ChatRequestOptions;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

@SuppressWarnings("try")
class UsageScopeTest {
  @Test
  void open_nestsAndRestores() {
    assertThat(UsageScope.current()).isNull();
    try (UsageScope outer = UsageScope.open("acme", "key-1")) {
      assertThat(UsageScope.current()).isEqualTo(UsageAttribution.of("acme", "key-1"));
      try (UsageScope inner = UsageScope.open("globex", "key-2")) {
        assertThat(UsageScope.current()).isEqualTo(inner.attribution());
      }
      assertThat(UsageScope.current()).isEqualTo(outer.attribution());
    }
    assertThat(UsageScope.current()).isNull();
  }

  @Test
  void close_twiceRestoresOnce() {
    try (UsageScope outer = UsageScope.open("acme", "key-1")) {
      UsageScope inner = UsageScope.open("globex", "key-2");
      inner.close();
      inner.close();
      assertThat(UsageScope.current()).isEqualTo(outer.attribution());
    }
  }

  @Test
  void current_isPerThread() throws Exception {
    try (UsageScope scope = UsageScope.open("acme", "key-1")) {
      assertThat(CompletableFuture.supplyAsync(UsageScope::current).get()).isNull();
    }
  }

  @Test
  void open_invalidNames() {
    assertThatThrownBy(() -> UsageScope.open(" ", "key-1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("tenant must not be blank: ' '");
    assertThatThrownBy(() -> UsageScope.open("acme", null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("apiKey");
    assertThat(UsageScope.current()).isNull();
  }

  @Test
  void options_carryTheAttributionUnderItsKey() {
    UsageAttribution who = UsageAttribution.of("acme", "key-1");
    ChatRequestOptions options = who.options();
    assertThat(options.listenerAttributes()).containsEntry(UsageAttribution.ATTRIBUTE_KEY, who);
  }
}
