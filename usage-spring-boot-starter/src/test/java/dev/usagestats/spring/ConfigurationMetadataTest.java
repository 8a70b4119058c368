package dev.usagestats.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The IDE metadata that spring-boot-configuration-processor generates from the properties. */
class ConfigurationMetadataTest {

  @Test
  void metadata_everyUsagestatsProperty_typedAndDescribed() throws Exception {
    JsonNode metadata;
    try (InputStream in =
        getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
      assertThat(in).as("metadata generated at compile time").isNotNull();
      metadata = new ObjectMapper().readTree(in);
    }
    Map<String, String> types = new TreeMap<>();
    for (JsonNode p : metadata.get("properties")) {
      String name = p.get("name").asText();
      if (!name.startsWith("usagestats.")) continue;
      assertThat(p.path("description").asText()).as(name).isNotBlank().endsWith(".");
      types.put(name, p.get("type").asText());
    }

    assertThat(types)
        .containsExactlyInAnyOrderEntriesOf(
            Map.ofEntries(
                Map.entry("usagestats.enabled", "java.lang.Boolean"),
                Map.entry("usagestats.zone", "java.time.ZoneId"),
                Map.entry("usagestats.retention", "java.time.Duration"),
                Map.entry("usagestats.minute-retention", "java.time.Duration"),
                Map.entry("usagestats.max-series", "java.lang.Integer"),
                Map.entry("usagestats.max-future-skew", "java.time.Duration"),
                Map.entry("usagestats.flush-interval", "java.time.Duration"),
                Map.entry("usagestats.close-timeout", "java.time.Duration"),
                Map.entry("usagestats.node-id", "java.lang.String"),
                Map.entry("usagestats.max-pending-rows", "java.lang.Long"),
                Map.entry("usagestats.api-key-policy", "dev.usagestats.ApiKeyPolicy"),
                Map.entry("usagestats.store.jdbc.enabled", "java.lang.Boolean"),
                Map.entry("usagestats.store.jdbc.table-prefix", "java.lang.String"),
                Map.entry("usagestats.store.jdbc.create-schema", "java.lang.Boolean"),
                Map.entry("usagestats.store.jdbc.compact-after", "java.time.Duration"),
                Map.entry("usagestats.store.jdbc.compact-every", "java.time.Duration"),
                Map.entry("usagestats.store.jdbc.ledger-retention", "java.time.Duration"),
                Map.entry("usagestats.metrics.enabled", "java.lang.Boolean"),
                Map.entry("usagestats.metrics.api-key-tag", "java.lang.Boolean"),
                Map.entry("usagestats.metrics.tenant-tag", "java.lang.Boolean"),
                Map.entry("usagestats.metrics.token-meter", "dev.usagestats.micrometer.TokenMeter"),
                Map.entry("usagestats.metrics.max-meter-series", "java.lang.Integer"),
                Map.entry("usagestats.metrics.operation-name", "java.lang.String"),
                Map.entry("usagestats.health.max-flush-age", "java.time.Duration"),
                Map.entry("usagestats.attribution.tenant", "java.lang.String"),
                Map.entry("usagestats.attribution.api-key", "java.lang.String"),
                Map.entry("usagestats.spring-ai.enabled", "java.lang.Boolean"),
                Map.entry("usagestats.langchain4j.enabled", "java.lang.Boolean")));
  }
}
