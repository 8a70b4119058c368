package dev.usagestats.benchmarks;

/**
 * Prebuilt names of {@code n} series (tenant, API key id, model), so that no benchmark builds a
 * string while it is measured.
 *
 * <p>Two copies of every name: {@link #setupTenant} and friends create the series during setup,
 * {@link #tenant} and friends are what the measured call passes. The copies are equal but not the
 * same instances, so a lookup compares characters as it would for names that arrive with a request;
 * their hash codes are cached, as they would be for a host that reuses its strings.
 */
final class SeriesNames {
  static final String[] MODELS = {
    "public/deepseek-r1",
    "public/qwen3-235b-a22b",
    "public/llama-3.3-70b-instruct",
    "public/glm-4.6",
    "public/kimi-k2-instruct"
  };

  private static final int TENANTS = 10;

  final int size;
  final String[] tenant;
  final String[] apiKey;
  final String[] model;
  final String[] setupTenant;
  final String[] setupApiKey;
  final String[] setupModel;

  SeriesNames(int size) {
    if (size < 1) throw new IllegalArgumentException("size must be >= 1: " + size);
    this.size = size;
    tenant = new String[size];
    apiKey = new String[size];
    model = new String[size];
    setupTenant = new String[size];
    setupApiKey = new String[size];
    setupModel = new String[size];
    for (int i = 0; i < size; i++) {
      setupTenant[i] = "tenant-" + (i % TENANTS);
      setupApiKey[i] = String.format("ak-%08x", 0x3f9c0000 + i * 7919);
      setupModel[i] = MODELS[i % MODELS.length];
      tenant[i] = copyOf(setupTenant[i]);
      apiKey[i] = copyOf(setupApiKey[i]);
      model[i] = copyOf(setupModel[i]);
    }
  }

  /** An equal string that is not the same instance, with its hash code already computed. */
  private static String copyOf(String s) {
    String c = new String(s.toCharArray());
    c.hashCode();
    s.hashCode();
    return c;
  }
}
