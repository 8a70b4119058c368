package dev.usagestats.examples;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.usagestats.GroupBy;
import dev.usagestats.ModelShare;
import dev.usagestats.TrendSeries;
import dev.usagestats.UsageQuery;
import dev.usagestats.UsageReport;
import dev.usagestats.UsageStats;
import dev.usagestats.UsageStoreException;
import dev.usagestats.http.BadRequestException;
import dev.usagestats.http.PlanningRequest;
import dev.usagestats.http.ReportJson;
import dev.usagestats.http.UsageRequest;
import dev.usagestats.jdbc.JdbcUsageStore;
import dev.usagestats.micrometer.MicrometerUsageListener;
import dev.usagestats.micrometer.UsageStatsMetrics;
import dev.usagestats.prices.ExpenseReport;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Usage Statistics demo server: the web page and its JSON API over any {@link UsageStats}.
 *
 * <pre>{@code
 * try (UsageStats stats = UsageStats.builder().build();
 *     DemoServer server = DemoServer.builder(stats).port(8080).start()) {
 *   stats.record("acme", ApiKeys.fingerprint(secret), "public/deepseek-r1", 1200, 350);
 *   System.out.println(server.uri());   // open it in a browser
 * }
 * }</pre>
 *
 * <h2>Endpoints</h2>
 *
 * <ul>
 *   <li>{@code GET /}: the Usage Statistics page (with {@code /usage.js}, {@code /charts.js},
 *       {@code /latency.js}, {@code /planning.js} and {@code /usage.css}).
 *   <li>{@code GET /api/usage}: a report; the parameters are described on {@link UsageRequest}.
 *   <li>{@code GET /api/planning}: this week (or month) against the one before, per model; the
 *       parameters are described on {@link PlanningRequest}.
 *   <li>{@code GET /api/expenses.csv}, {@code GET /api/expenses.json}: the expense report of the
 *       same filters and range (per tenant, key and model, with the prices used), when the engine
 *       has a price book.
 *   <li>{@code GET /api/keys}: the API keys, with redacted display forms.
 *   <li>{@code GET /api/models}: the models, with chart colors.
 * </ul>
 *
 * A malformed parameter, a range the engine refuses, or an answer of more than {@link
 * Builder#maxPoints} points is answered with HTTP 400 and {@code {"error": "bad_request", "field":
 * ..., "value": ..., "message": ...}}. The server neither owns nor closes the {@link UsageStats};
 * where its data lives (memory only, or a store) is the caller's choice. Thread-safe; requests are
 * served by a small pool of daemon threads.
 */
public final class DemoServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DemoServer.class);
  private static final String WEB = "/dev/usagestats/examples/web/";
  private static final Map<String, String[]> STATIC =
      Map.of(
          "/", new String[] {"index.html", "text/html; charset=utf-8"},
          "/index.html", new String[] {"index.html", "text/html; charset=utf-8"},
          "/usage.js", new String[] {"usage.js", "text/javascript; charset=utf-8"},
          "/charts.js", new String[] {"charts.js", "text/javascript; charset=utf-8"},
          "/latency.js", new String[] {"latency.js", "text/javascript; charset=utf-8"},
          "/planning.js", new String[] {"planning.js", "text/javascript; charset=utf-8"},
          "/usage.css", new String[] {"usage.css", "text/css; charset=utf-8"},
          "/favicon.svg", new String[] {"favicon.svg", "image/svg+xml"});
  private static final String CSP =
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
          + " connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

  private final UsageStats stats;
  private final Clock clock;
  private final ZoneId zone;
  private final int maxPoints;
  private final DemoCatalog catalog;
  private final ObjectMapper mapper = new ObjectMapper();
  private final ReportJson json = ReportJson.of(mapper);
  private final HttpServer http;
  private final FrontDoor door;
  private final ExecutorService executor;

  private DemoServer(Builder b) throws IOException {
    this.stats = b.stats;
    this.clock = b.clock;
    this.zone = b.zone;
    this.maxPoints = b.maxPoints;
    this.catalog = b.catalog;
    // The JDK server listens on a loopback port of its own; clients reach it through the door,
    // which answers a request target that is not a URI with the API's JSON error.
    this.http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    AtomicInteger threads = new AtomicInteger();
    this.executor =
        Executors.newFixedThreadPool(
            4,
            r -> {
              Thread t = new Thread(r, "usage-demo-http-" + threads.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    http.setExecutor(executor);
    http.createContext("/api/usage", get("/api/usage", this::usage));
    http.createContext("/api/planning", get("/api/planning", this::planning));
    http.createContext("/api/expenses.csv", get("/api/expenses.csv", e -> expenses(e, true)));
    http.createContext("/api/expenses.json", get("/api/expenses.json", e -> expenses(e, false)));
    http.createContext("/api/keys", get("/api/keys", this::keys));
    http.createContext("/api/models", get("/api/models", this::models));
    http.createContext("/", get(null, this::page));
    Supplier<String> metrics = b.metrics;
    if (metrics != null) {
      http.createContext(
          "/metrics",
          get(
              "/metrics",
              exchange ->
                  new Response(
                      200,
                      "text/plain; version=0.0.4; charset=utf-8",
                      metrics.get().getBytes(StandardCharsets.UTF_8))));
    }
    http.start();
    try {
      this.door =
          new FrontDoor(new InetSocketAddress(b.address, b.port), http.getAddress(), this::refusal);
    } catch (IOException | RuntimeException e) {
      http.stop(0);
      executor.shutdownNow();
      throw e;
    }
  }

  /** A builder for a server over {@code stats}. */
  public static Builder builder(UsageStats stats) {
    return new Builder(stats);
  }

  /** The page's address, for example {@code http://localhost:8080/}. */
  public URI uri() {
    return URI.create("http://localhost:" + port() + "/");
  }

  /** The port the server listens on (the chosen one when built with port 0). */
  public int port() {
    return door.port();
  }

  /** Stops serving; requests in flight get up to one second. Leaves the UsageStats open. */
  @Override
  public void close() {
    door.close();
    http.stop(1);
    executor.shutdownNow();
  }

  private Response usage(HttpExchange exchange) throws IOException {
    Map<String, String> params = UsageRequest.parameters(exchange.getRequestURI().getRawQuery());
    UsageQuery query = UsageRequest.toQuery(params, clock, zone);
    UsageReport report = UsageRequest.answer(stats, query, params, maxPoints);
    return Response.json(200, json.report(query, report));
  }

  private Response planning(HttpExchange exchange) {
    Map<String, String> params = PlanningRequest.parameters(exchange.getRequestURI().getRawQuery());
    return Response.json(200, json.planning(stats.plan(PlanningRequest.toQuery(params, zone))));
  }

  /**
   * The expense report of the page's filters (the same parameters as {@code /api/usage}; the view,
   * granularity and grouping do not change it), as a CSV download or as JSON.
   */
  private Response expenses(HttpExchange exchange, boolean csv) {
    Map<String, String> params = UsageRequest.parameters(exchange.getRequestURI().getRawQuery());
    UsageQuery query = UsageRequest.toQuery(params, clock, zone);
    if (query.priceBook() == null && stats.priceBook() == null) {
      return Response.json(
          400,
          json.error(
              "priceBook",
              null,
              "an expense report needs a price book: none is set on the engine"));
    }
    ExpenseReport report = ExpenseReport.of(UsageRequest.answer(stats, query, params));
    if (!csv) {
      return new Response(
          200, "application/json", report.toJson().getBytes(StandardCharsets.UTF_8));
    }
    String name =
        "expenses-"
            + LocalDate.ofInstant(report.from(), report.zone())
            + "-to-"
            + LocalDate.ofInstant(report.to().minusNanos(1), report.zone())
            + ".csv";
    exchange
        .getResponseHeaders()
        .set("Content-Disposition", "attachment; filename=\"" + name + "\"");
    return new Response(
        200,
        "text/csv; charset=utf-8; header=present",
        report.toCsv().getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The 400 body for a request target that is not a URI (the JDK server would answer it with an
   * HTML page): the query's parameter parser names the parameter where it can.
   */
  private byte[] refusal(String target, URISyntaxException reason) {
    int q = target.indexOf('?');
    ObjectNode body;
    try {
      if (q >= 0 && reason.getIndex() > q) UsageRequest.parameters(target.substring(q + 1));
      String field = q >= 0 && reason.getIndex() > q ? "query" : "path";
      body =
          json.error(
              field,
              target,
              field
                  + " must be percent-encoded, each % followed by two hex digits: "
                  + reason.getMessage());
    } catch (BadRequestException e) {
      body = json.error(e);
    }
    try {
      return mapper.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree always writes", e);
    }
  }

  private Response keys(HttpExchange exchange) {
    ArrayNode out = mapper.createArrayNode();
    Set<String> listed = new LinkedHashSet<>();
    for (DemoKey key : catalog.keys()) {
      listed.add(key.id());
      out.addObject()
          .put("id", key.id())
          .put("display", key.display())
          .put("name", key.name())
          .put("tenant", key.tenant());
    }
    UsageReport seen =
        stats.query(UsageQuery.builder().zone(zone).groupBy(GroupBy.API_KEY).build());
    for (TrendSeries s : seen.series()) {
      String id = s.apiKey();
      if (id != null && listed.add(id)) {
        out.addObject().put("id", id).put("display", id).put("name", id).putNull("tenant");
      }
    }
    return Response.json(200, out);
  }

  private Response models(HttpExchange exchange) {
    ArrayNode out = mapper.createArrayNode();
    Set<String> listed = new LinkedHashSet<>();
    catalog
        .models()
        .forEach(
            (name, color) -> {
              listed.add(name);
              out.addObject().put("name", name).put("color", color);
            });
    UsageReport seen = stats.query(UsageQuery.builder().zone(zone).build());
    for (ModelShare m : seen.distribution()) {
      if (listed.add(m.model())) out.addObject().put("name", m.model()).putNull("color");
    }
    return Response.json(200, out);
  }

  private Response page(HttpExchange exchange) throws IOException {
    String[] file = STATIC.get(exchange.getRequestURI().getPath());
    if (file == null) return notFound(exchange);
    try (InputStream in = DemoServer.class.getResourceAsStream(WEB + file[0])) {
      if (in == null) throw new IOException("missing resource " + WEB + file[0]);
      return new Response(200, file[1], in.readAllBytes());
    }
  }

  private Response notFound(HttpExchange exchange) {
    return Response.json(
        404,
        mapper
            .createObjectNode()
            .put("error", "not_found")
            .put("path", exchange.getRequestURI().getPath()));
  }

  /**
   * A handler for GET and HEAD that maps failures to JSON errors; with a {@code path}, only that
   * exact path is served (a context also matches longer paths).
   */
  private HttpHandler get(@Nullable String path, Endpoint endpoint) {
    return exchange -> {
      try (exchange) {
        Response response;
        String method = exchange.getRequestMethod();
        if (path != null && !path.equals(exchange.getRequestURI().getPath())) {
          response = notFound(exchange);
        } else if (!method.equals("GET") && !method.equals("HEAD")) {
          exchange.getResponseHeaders().set("Allow", "GET, HEAD");
          response =
              Response.json(
                  405,
                  mapper
                      .createObjectNode()
                      .put("error", "method_not_allowed")
                      .put("method", method));
        } else {
          try {
            response = endpoint.handle(exchange);
          } catch (BadRequestException e) {
            response = Response.json(400, json.error(e.field(), e.value(), e.getMessage()));
          } catch (UsageStoreException e) {
            log.warn("usage store unavailable", e);
            response =
                Response.json(
                    503,
                    mapper
                        .createObjectNode()
                        .put("error", "store_unavailable")
                        .put("message", e.getMessage()));
          } catch (RuntimeException e) {
            log.error("request failed: {}", exchange.getRequestURI(), e);
            response =
                Response.json(
                    500,
                    mapper
                        .createObjectNode()
                        .put("error", "internal")
                        .put("message", String.valueOf(e.getMessage())));
          }
        }
        send(exchange, response);
      } catch (IOException e) {
        log.debug("client went away: {}", e.toString());
      }
    };
  }

  private void send(HttpExchange exchange, Response response) throws IOException {
    JsonNode tree = response.json();
    byte[] body = tree == null ? response.body() : mapper.writeValueAsBytes(tree);
    var headers = exchange.getResponseHeaders();
    headers.set("Content-Type", response.type());
    headers.set("Cache-Control", "no-store");
    headers.set("X-Content-Type-Options", "nosniff");
    headers.set("Content-Security-Policy", CSP);
    boolean head = exchange.getRequestMethod().equals("HEAD");
    exchange.sendResponseHeaders(response.status(), head ? -1 : body.length);
    if (!head) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  @FunctionalInterface
  private interface Endpoint {
    Response handle(HttpExchange exchange) throws IOException;
  }

  private record Response(int status, String type, byte[] body, @Nullable JsonNode json) {
    Response(int status, String type, byte[] body) {
      this(status, type, body, null);
    }

    static Response json(int status, JsonNode json) {
      return new Response(status, "application/json", new byte[0], json);
    }
  }

  /** Builds and starts a {@link DemoServer}. Each setter checks its argument at once. */
  public static final class Builder {
    private final UsageStats stats;
    private Clock clock = Clock.systemUTC();
    private ZoneId zone = ZoneId.of("UTC");
    private int maxPoints = UsageRequest.DEFAULT_MAX_POINTS;
    private DemoCatalog catalog = DemoCatalog.standard();
    private InetAddress address = InetAddress.getLoopbackAddress();
    private int port = 8080;
    private @Nullable Supplier<String> metrics;

    private Builder(UsageStats stats) {
      this.stats = Objects.requireNonNull(stats, "stats");
    }

    /** The clock that says what "today" is; use the engine's clock (default system UTC). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** The zone of queries that name none (default UTC); the page sends the browser's zone. */
    public Builder zone(ZoneId zone) {
      this.zone = Objects.requireNonNull(zone, "zone");
      return this;
    }

    /**
     * The most points (buckets x series) one {@code /api/usage} answer holds (default {@link
     * UsageRequest#DEFAULT_MAX_POINTS}, 10,000: about 5 MB of JSON with latency); a larger answer
     * is refused with a 400 that names the limit and how to narrow the query.
     */
    public Builder maxPoints(int maxPoints) {
      if (maxPoints < 1) throw new IllegalArgumentException("maxPoints must be >= 1: " + maxPoints);
      this.maxPoints = maxPoints;
      return this;
    }

    /** The keys and models the page lists (default {@link DemoCatalog#standard()}). */
    public Builder catalog(DemoCatalog catalog) {
      this.catalog = Objects.requireNonNull(catalog, "catalog");
      return this;
    }

    /** The address to listen on (default the loopback address). */
    public Builder address(InetAddress address) {
      this.address = Objects.requireNonNull(address, "address");
      return this;
    }

    /** The port, 0 for any free one (default 8080). */
    public Builder port(int port) {
      if (port < 0 || port > 65_535) {
        throw new IllegalArgumentException("port must be between 0 and 65535: " + port);
      }
      this.port = port;
      return this;
    }

    /** Serves {@code /metrics} with this text, for example a Prometheus scrape (default none). */
    public Builder metrics(Supplier<String> metrics) {
      this.metrics = Objects.requireNonNull(metrics, "metrics");
      return this;
    }

    /**
     * Starts the server.
     *
     * @throws IOException if the port cannot be bound
     */
    public DemoServer start() throws IOException {
      return new DemoServer(this);
    }
  }

  /**
   * Runs the demo: 14 days of synthetic history, live traffic every second, and the page.
   *
   * <p>The port comes from the first argument, else the {@code demo.port} system property, else the
   * {@code PORT} environment variable, else 8080.
   */
  public static void main(String[] args) throws Exception {
    int port = port(args);
    Clock clock = Clock.systemUTC();
    DemoCatalog catalog = DemoCatalog.standard();
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    UsageStats stats = openStats(clock, registry);
    // Prices: LiteLLM's map as shipped, with DeepSeek R1's price changed a week ago, at local
    // midnight: the backfilled history shows both prices.
    ZoneId local = ZoneId.systemDefault();
    stats.priceBook(
        DemoPrices.book(
            LocalDate.now(clock.withZone(local)).minusDays(7).atStartOfDay(local).toInstant()));
    // The rhythm follows this machine's local hours, where the page is most likely looked at.
    TrafficGenerator traffic =
        new TrafficGenerator(stats, clock, catalog, 20261128L, ZoneId.systemDefault());
    if (stats.query(UsageQuery.lastTwoWeeks()).totals().calls() == 0) {
      var history = traffic.backfill(Duration.ofDays(14));
      System.out.println(
          "Backfilled 14 days: "
              + history.calls()
              + " calls, "
              + history.totalKTokens().toPlainString()
              + " K tokens");
    }
    ScheduledExecutorService live =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "usage-demo-traffic");
              t.setDaemon(true);
              return t;
            });
    live.scheduleAtFixedRate(
        () -> {
          try {
            traffic.tick();
          } catch (RuntimeException e) {
            log.warn("live traffic failed", e);
          }
        },
        1,
        1,
        TimeUnit.SECONDS);
    DemoServer server =
        DemoServer.builder(stats)
            .clock(clock)
            .catalog(catalog)
            .port(port)
            .metrics(registry::scrape)
            .start();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  live.shutdownNow();
                  server.close();
                  stats.close();
                  stopped.countDown();
                },
                "usage-demo-shutdown"));
    System.out.println("Usage Statistics: " + server.uri() + "  (Ctrl-C to stop)");
    stopped.await();
  }

  /**
   * The engine the demo runs on: rollups kept in an embedded H2 database (a file under {@code
   * target/usagestats-demo}, so history survives a restart; the backfill runs only while it holds
   * no usage for the last two weeks), meters in a Prometheus registry served at {@code /metrics}.
   */
  static UsageStats openStats(Clock clock, MeterRegistry registry) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(
        System.getProperty("demo.jdbcUrl", "jdbc:h2:file:./target/usagestats-demo/usage"));
    config.setMaximumPoolSize(4);
    HikariDataSource dataSource = new HikariDataSource(config);
    JdbcUsageStore store =
        JdbcUsageStore.builder(dataSource)
            .createSchema(true)
            .compactEvery(Duration.ofHours(1))
            .build();
    UsageStats stats =
        UsageStats.builder()
            .clock(clock)
            .store(store)
            .flushInterval(Duration.ofSeconds(2))
            .listener(MicrometerUsageListener.builder(registry).build())
            .build();
    new UsageStatsMetrics(stats).bindTo(registry);
    Runtime.getRuntime().addShutdownHook(new Thread(dataSource::close, "usage-demo-db-close"));
    return stats;
  }

  static int port(String[] args) {
    String value = args.length > 0 ? args[0] : System.getProperty("demo.port");
    String source = args.length > 0 ? "argument" : "demo.port";
    if (value == null) {
      value = System.getenv("PORT");
      source = "PORT";
    }
    if (value == null || value.isBlank()) return 8080;
    try {
      int port = Integer.parseInt(value.strip());
      if (port >= 0 && port <= 65_535) return port;
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(
        "port (" + source + ") must be a number from 0 to 65535: '" + value + "'");
  }
}
