package dev.usagestats.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.usagestats.GroupBy;
import dev.usagestats.PlanningQuery;
import java.time.LocalDate;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PlanningRequestTest {
  private static final ZoneId UTC = ZoneId.of("UTC");

  @Test
  void toQuery_defaults_thisWeekPerModelInServerZone() {
    PlanningQuery q = PlanningRequest.toQuery(PlanningRequest.parameters(null), UTC);
    assertThat(q)
        .isEqualTo(new PlanningQuery(PlanningQuery.Period.WEEK, null, UTC, GroupBy.MODEL, null));
  }

  @Test
  void toQuery_everyParameter_taken() {
    PlanningQuery q =
        PlanningRequest.toQuery(
            PlanningRequest.parameters(
                "zone=Asia%2FKathmandu&period=month&groupBy=api_key&tenant=acme&date=2026-03-05"),
            UTC);
    assertThat(q)
        .isEqualTo(
            new PlanningQuery(
                PlanningQuery.Period.MONTH,
                LocalDate.of(2026, 3, 5),
                ZoneId.of("Asia/Kathmandu"),
                GroupBy.API_KEY,
                "acme"));
  }

  @ParameterizedTest
  @CsvSource({
    "period=day, period, 'period must be one of week, month: ''day'''",
    "groupBy=none, groupBy, 'groupBy must be one of model, api_key: ''none'''",
    "date=5.3.2026, date, 'date must be an ISO date such as 2026-03-05: ''5.3.2026'''",
    "zone=Mars, zone, 'zone must be a time zone id such as UTC or Europe/Berlin: ''Mars'''",
    "days=7, days, 'unknown parameter ''days''; known: date, groupBy, period, tenant, zone'"
  })
  void toQuery_malformed_refusedNamingParameterAndValue(String raw, String field, String message) {
    assertThatThrownBy(() -> PlanningRequest.toQuery(PlanningRequest.parameters(raw), UTC))
        .isInstanceOfSatisfying(
            BadRequestException.class, e -> assertThat(e.field()).isEqualTo(field))
        .hasMessage(message);
  }
}
