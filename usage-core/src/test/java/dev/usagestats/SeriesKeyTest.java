package dev.usagestats;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SeriesKeyTest {
  /**
   * Keys named alike, held with a bucket index as the readers' maps hold them, keep distinct
   * hashes: with the names' plain hash, (model-1, b + 31) and (model-2, b) collide by the thousand.
   */
  @Test
  void hashCode_keysNamedAlikeWithBuckets_rarelyCollide() {
    record Cell(SeriesKey key, int bucket) {}
    Set<Integer> hashes = new HashSet<>();
    int cells = 0;
    for (int m = 0; m < 20; m++) {
      SeriesKey k = new SeriesKey("", "", "model-" + m);
      for (int b = 0; b < 336; b++, cells++) hashes.add(new Cell(k, b).hashCode());
    }
    assertThat(hashes).hasSizeGreaterThan(cells * 99 / 100);
  }

  @Test
  void hashCode_equalKeys_equalHashes() {
    assertThat(new SeriesKey("t", "k", "m").hashCode())
        .isEqualTo(new SeriesKey("t", "k", "m").hashCode());
    assertThat(new SeriesKey("t", "k", "m")).isEqualTo(new SeriesKey("t", "k", "m"));
  }
}
