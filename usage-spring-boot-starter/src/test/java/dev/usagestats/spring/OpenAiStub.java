package dev.usagestats.spring;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * OpenAI's chat-completions wire format on 127.0.0.1 ({@code POST /v1/chat/completions}), with the
 * usage of {@link #USAGE}: 1200 prompt tokens of which 200 cached, 350 completion tokens of which
 * 50 reasoning. A request whose prompt contains {@code please-fail} gets HTTP 400; one with {@code
 * "stream": true} gets server-sent events, usage in the last chunk.
 */
final class OpenAiStub implements AutoCloseable {
  static final String MODEL = "gpt-stub-2026-11-01";
  static final String USAGE =
      "{\"prompt_tokens\":1200,\"completion_tokens\":350,\"total_tokens\":1550,"
          + "\"prompt_tokens_details\":{\"cached_tokens\":200,\"audio_tokens\":0},"
          + "\"completion_tokens_details\":{\"reasoning_tokens\":50,\"audio_tokens\":0,"
          + "\"accepted_prediction_tokens\":0,\"rejected_prediction_tokens\":0}}";

  private final HttpServer server;
  private final AtomicInteger requests = new AtomicInteger();

  OpenAiStub() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    server.createContext("/v1/chat/completions", this::chat);
    server.start();
  }

  /** The base URL to give Spring AI: {@code http://127.0.0.1:port/v1}. */
  String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
  }

  int requests() {
    return requests.get();
  }

  @Override
  public void close() {
    server.stop(0);
  }

  private void chat(HttpExchange exchange) throws IOException {
    try (exchange) {
      requests.incrementAndGet();
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      if (body.contains("please-fail")) {
        send(
            exchange,
            400,
            "application/json",
            "{\"error\":{\"message\":\"bad request\",\"type\":\"invalid_request_error\","
                + "\"param\":null,\"code\":null}}");
      } else if (body.replace(" ", "").contains("\"stream\":true")) {
        String head =
            "{\"id\":\"chatcmpl-s\",\"object\":\"chat.completion.chunk\",\"created\":1764300000,"
                + "\"model\":\""
                + MODEL
                + "\",\"system_fingerprint\":\"fp_stub\",";
        String sse =
            event(
                    head
                        + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\","
                        + "\"content\":\"Hel\"},\"logprobs\":null,\"finish_reason\":null}],"
                        + "\"usage\":null}")
                + event(
                    head
                        + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo\"},"
                        + "\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":null}")
                + event(head + "\"choices\":[],\"usage\":" + USAGE + "}")
                + "data: [DONE]\n\n";
        send(exchange, 200, "text/event-stream", sse);
      } else {
        send(
            exchange,
            200,
            "application/json",
            "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1764300000,"
                + "\"model\":\""
                + MODEL
                + "\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
                + "\"content\":\"Hello\",\"refusal\":null},\"logprobs\":null,"
                + "\"finish_reason\":\"stop\"}],\"usage\":"
                + USAGE
                + ",\"system_fingerprint\":\"fp_stub\"}");
      }
    }
  }

  private static String event(String json) {
    return "data: " + json + "\n\n";
  }

  private static void send(HttpExchange exchange, int status, String type, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }
}
