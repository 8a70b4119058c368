package dev.usagestats.langchain4j;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Speaks the wire formats of OpenAI chat completions ({@code /openai/v1/chat/completions}),
 * Anthropic messages ({@code /anthropic/v1/messages}) and Gemini generateContent ({@code
 * /gemini/v1beta/models/M:generateContent}), blocking and as server-sent events, on 127.0.0.1. What
 * it answers for a call is the {@link Reply} registered under the call id found in the request's
 * last message ({@code call-123}), or under 0 if it names none.
 */
final class FakeProviderServer implements AutoCloseable {
  private static final Pattern CALL_ID = Pattern.compile("call-(\\d+)");
  private static final Pattern STREAM = Pattern.compile("\"stream\"\\s*:\\s*true");

  /** What the server sends for one call. */
  enum Behaviour {
    OK,
    HTTP_500,
    SLOW,
    /** OpenAI only: an answer without usage, as some OpenAI-compatible servers give. */
    NO_USAGE
  }

  /**
   * One planned answer. For OpenAI, {@code input} is {@code prompt_tokens} (cached included) and
   * {@code cacheWrite} is unused; for Anthropic, {@code input} is {@code input_tokens} (caches
   * excluded) and {@code reasoning} is unused; for Gemini, {@code input} is {@code
   * promptTokenCount} (cached included), {@code output} is {@code candidatesTokenCount} (thoughts
   * excluded), {@code reasoning} is {@code thoughtsTokenCount} and {@code cacheWrite} is unused.
   */
  record Reply(
      Behaviour behaviour,
      String model,
      long input,
      long output,
      long cacheRead,
      long cacheWrite,
      long reasoning) {}

  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final Map<Integer, Reply> replies = new ConcurrentHashMap<>();
  private final Map<Integer, Boolean> served = new ConcurrentHashMap<>();

  FakeProviderServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    server.setExecutor(executor);
    server.createContext("/openai/v1/chat/completions", this::openAi);
    server.createContext("/anthropic/v1/messages", this::anthropic);
    server.createContext("/gemini/v1beta/models/", this::gemini);
    server.start();
  }

  String openAiBaseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/openai/v1";
  }

  String anthropicBaseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/anthropic/v1/";
  }

  /** Plans the answer to a call; call id 0 answers requests that name no call. */
  String geminiBaseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/gemini/v1beta";
  }

  void plan(int callId, Reply reply) {
    replies.put(callId, reply);
  }

  /** How many distinct calls the server answered (or started to). */
  int served() {
    return served.size();
  }

  private void openAi(HttpExchange exchange) throws IOException {
    String body = read(exchange);
    Reply r = reply(body);
    if (!misbehave(exchange, r, "{\"error\":{\"message\":\"boom\",\"type\":\"server_error\"}}")) {
      return;
    }
    String usage =
        r.behaviour() == Behaviour.NO_USAGE
            ? "null"
            : "{\"prompt_tokens\":%d,\"completion_tokens\":%d,\"total_tokens\":%d,"
                    .formatted(r.input(), r.output(), r.input() + r.output())
                + "\"prompt_tokens_details\":{\"cached_tokens\":%d,\"audio_tokens\":0},"
                    .formatted(r.cacheRead())
                + "\"completion_tokens_details\":{\"reasoning_tokens\":%d,\"audio_tokens\":0}}"
                    .formatted(r.reasoning());
    if (STREAM.matcher(body).find()) {
      String head =
          "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,"
              + "\"model\":\""
              + r.model()
              + "\",";
      sse(
          exchange,
          List.of(
              "data: "
                  + head
                  + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\","
                  + "\"content\":\"Hel\"},\"finish_reason\":null}],\"usage\":null}",
              "data: "
                  + head
                  + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo\"},"
                  + "\"finish_reason\":null}],\"usage\":null}",
              "data: "
                  + head
                  + "\"choices\":[{\"index\":0,\"delta\":{},"
                  + "\"finish_reason\":\"stop\"}],\"usage\":null}",
              "data: " + head + "\"choices\":[],\"usage\":" + usage + "}",
              "data: [DONE]"));
    } else {
      json(
          exchange,
          200,
          "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1,\"model\":\""
              + r.model()
              + "\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
              + "\"content\":\"Hello\"},\"finish_reason\":\"stop\"}],\"usage\":"
              + usage
              + "}");
    }
  }

  private void anthropic(HttpExchange exchange) throws IOException {
    String body = read(exchange);
    Reply r = reply(body);
    if (!misbehave(
        exchange,
        r,
        "{\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"boom\"}}")) {
      return;
    }
    String cache =
        "\"cache_creation_input_tokens\":%d,\"cache_read_input_tokens\":%d"
            .formatted(r.cacheWrite(), r.cacheRead());
    if (STREAM.matcher(body).find()) {
      sse(
          exchange,
          List.of(
              "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":"
                  + "\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[],"
                  + "\"model\":\""
                  + r.model()
                  + "\",\"stop_reason\":null,"
                  + "\"stop_sequence\":null,\"usage\":{\"input_tokens\":"
                  + r.input()
                  + ","
                  + cache
                  + ",\"output_tokens\":1}}}",
              "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,"
                  + "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}",
              "event: ping\ndata: {\"type\":\"ping\"}",
              "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
                  + "\"delta\":{\"type\":\"text_delta\",\"text\":\"Hello\"}}",
              "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}",
              "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":"
                  + "\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":"
                  + r.output()
                  + "}}",
              "event: message_stop\ndata: {\"type\":\"message_stop\"}"));
    } else {
      json(
          exchange,
          200,
          "{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\""
              + r.model()
              + "\",\"content\":[{\"type\":\"text\",\"text\":\"Hello\"}],"
              + "\"stop_reason\":\"end_turn\",\"stop_sequence\":null,\"usage\":{\"input_tokens\":"
              + r.input()
              + ","
              + cache
              + ",\"output_tokens\":"
              + r.output()
              + "}}");
    }
  }

  private void gemini(HttpExchange exchange) throws IOException {
    String body = read(exchange);
    Reply r = reply(body);
    if (!misbehave(
        exchange, r, "{\"error\":{\"code\":500,\"message\":\"boom\",\"status\":\"INTERNAL\"}}")) {
      return;
    }
    String usage =
        "{\"promptTokenCount\":%d,\"cachedContentTokenCount\":%d,\"candidatesTokenCount\":%d,"
                .formatted(r.input(), r.cacheRead(), r.output())
            + "\"thoughtsTokenCount\":%d,\"totalTokenCount\":%d}"
                .formatted(r.reasoning(), r.input() + r.output() + r.reasoning());
    String candidate =
        "{\"content\":{\"parts\":[{\"text\":\"%s\"}],\"role\":\"model\"},\"index\":0%s}";
    String model = ",\"modelVersion\":\"" + r.model() + "\"}";
    if (exchange.getRequestURI().getPath().endsWith(":streamGenerateContent")) {
      // Every chunk carries usage so far; the last one the totals.
      String early =
          "{\"promptTokenCount\":%d,\"candidatesTokenCount\":1,\"totalTokenCount\":%d}"
              .formatted(r.input(), r.input() + 1);
      sse(
          exchange,
          List.of(
              "data: {\"candidates\":["
                  + candidate.formatted("Hel", "")
                  + "],\"usageMetadata\":"
                  + early
                  + model,
              "data: {\"candidates\":["
                  + candidate.formatted("lo", ",\"finishReason\":\"STOP\"")
                  + "],\"usageMetadata\":"
                  + usage
                  + model));
    } else {
      json(
          exchange,
          200,
          "{\"candidates\":["
              + candidate.formatted("Hello", ",\"finishReason\":\"STOP\"")
              + "],\"usageMetadata\":"
              + usage
              + model);
    }
  }

  private Reply reply(String body) {
    Matcher m = CALL_ID.matcher(body);
    int id = m.find() ? Integer.parseInt(m.group(1)) : 0;
    Reply r = replies.get(id);
    if (r == null) {
      throw new IllegalStateException("no reply planned for call-" + id);
    }
    served.put(id, Boolean.TRUE);
    return r;
  }

  /** Answers an error or a stall; true when the call should be answered normally. */
  private static boolean misbehave(HttpExchange exchange, Reply r, String errorBody)
      throws IOException {
    switch (r.behaviour()) {
      case HTTP_500:
        json(exchange, 500, errorBody);
        return false;
      case SLOW:
        try {
          Thread.sleep(5_000); // far past the client's timeout; interrupted on close()
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        exchange.close();
        return false;
      default:
        return true;
    }
  }

  private static String read(HttpExchange exchange) throws IOException {
    try (InputStream in = exchange.getRequestBody()) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static void json(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static void sse(HttpExchange exchange, List<String> events) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
    exchange.sendResponseHeaders(200, 0);
    try (OutputStream out = exchange.getResponseBody()) {
      for (String event : events) {
        out.write((event + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
