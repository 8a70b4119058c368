package dev.usagestats.examples;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Why this exists: the JDK's HTTP server parses each request target with new URI(...) before any
 * handler runs, and answers one that does not parse (a malformed percent-escape such as %ZZ, a
 * character such as | or ") with its own HTML "400 URISyntaxException thrown" page. The demo's API
 * answers every bad request with its JSON error, so the listening socket is this class's: it reads
 * each request's head, answers a target that is not a URI itself, and passes every other request
 * to the JDK server on a loopback port.
 *
 * Assumptions and guarantees:
 * 1. One request per connection: the request head passed on and the answer's head passed back
 *    both carry "Connection: close" (any Connection or Keep-Alive header is dropped), so the JDK
 *    server closes the connection after its answer, the client opens a new one for its next
 *    request, and every request passes the door.
 * 2. A head is at most 32 KB; a longer one is answered 431 and the connection closed.
 * 3. Each connection is served by one pooled daemon thread (server to client) and, while the
 *    request body is passed on, a second one; nothing is buffered beyond the head.
 * 4. close() stops accepting and ends the threads; connections in flight are cut.
 */
/** The demo's listening socket: refuses malformed request targets as JSON, passes the rest on. */
final class FrontDoor implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(FrontDoor.class);
  private static final int MAX_HEAD = 32 * 1024;
  private static final byte[] END_OF_HEAD = {'\r', '\n', '\r', '\n'};

  /** The JSON body of the 400 that answers a request whose target is not a URI. */
  @FunctionalInterface
  interface Refusal {
    byte[] json(String target, URISyntaxException reason);
  }

  private final ServerSocket listener;
  private final InetSocketAddress backend;
  private final Refusal refusal;
  private final ExecutorService pool;
  private final Thread acceptor;

  FrontDoor(InetSocketAddress address, InetSocketAddress backend, Refusal refusal)
      throws IOException {
    this.listener = new ServerSocket();
    try {
      listener.setReuseAddress(true);
      listener.bind(address, 64);
    } catch (IOException e) {
      listener.close();
      throw e;
    }
    this.backend = backend;
    this.refusal = refusal;
    AtomicInteger threads = new AtomicInteger();
    this.pool =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "usage-demo-door-" + threads.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    this.acceptor = new Thread(this::accept, "usage-demo-door");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  int port() {
    return listener.getLocalPort();
  }

  @Override
  public void close() {
    try {
      listener.close();
    } catch (IOException e) {
      log.debug("closing the listener: {}", e.toString());
    }
    pool.shutdownNow();
  }

  private void accept() {
    while (!listener.isClosed()) {
      try {
        Socket client = listener.accept();
        pool.execute(() -> serve(client));
      } catch (IOException | java.util.concurrent.RejectedExecutionException e) {
        if (!listener.isClosed()) log.warn("accept failed: {}", e.toString());
      }
    }
  }

  private void serve(Socket client) {
    try (client) {
      client.setSoTimeout(30_000);
      InputStream in = client.getInputStream();
      byte[] request = new byte[MAX_HEAD];
      int n = readHead(in, request);
      if (n < 0) return;
      if (n > MAX_HEAD) {
        answer(client, 431, "Request Header Fields Too Large", tooLarge());
        return;
      }
      int end = indexOf(request, n, END_OF_HEAD);
      String head = new String(request, 0, end, StandardCharsets.ISO_8859_1);
      String[] requestLine = head.split("\r\n", 2)[0].split(" ");
      if (requestLine.length == 3) {
        try {
          new URI(requestLine[1]);
        } catch (URISyntaxException e) {
          answer(client, 400, "Bad Request", refusal.json(requestLine[1], e));
          return;
        }
      }
      try (Socket server = new Socket(InetAddress.getLoopbackAddress(), backend.getPort())) {
        OutputStream toServer = server.getOutputStream();
        toServer.write(closing(head));
        toServer.write(request, end + END_OF_HEAD.length, n - end - END_OF_HEAD.length);
        toServer.flush();
        pool.execute(() -> pipe(in, toServer));
        // The answer says "Connection: close" too, so the client opens a new connection for its
        // next request rather than reusing this one, which ends here.
        InputStream fromServer = server.getInputStream();
        OutputStream toClient = client.getOutputStream();
        byte[] response = new byte[MAX_HEAD];
        int m = readHead(fromServer, response);
        if (m < 0) return;
        if (m > MAX_HEAD) {
          toClient.write(response);
        } else {
          int responseEnd = indexOf(response, m, END_OF_HEAD);
          toClient.write(
              closing(new String(response, 0, responseEnd, StandardCharsets.ISO_8859_1)));
          toClient.write(
              response, responseEnd + END_OF_HEAD.length, m - responseEnd - END_OF_HEAD.length);
        }
        fromServer.transferTo(toClient);
        toClient.flush();
      }
    } catch (SocketException e) {
      log.debug("connection ended: {}", e.toString());
    } catch (IOException e) {
      log.debug("connection failed: {}", e.toString());
    }
  }

  /**
   * Reads until the end of a message head into {@code buf}: the bytes read (the head and perhaps
   * the start of a body), -1 if the stream ended first, {@code buf.length + 1} if the head is
   * longer than {@code buf}.
   */
  private static int readHead(InputStream in, byte[] buf) throws IOException {
    int n = 0;
    while (indexOf(buf, n, END_OF_HEAD) < 0) {
      if (n == buf.length) return buf.length + 1;
      int r = in.read(buf, n, buf.length - n);
      if (r < 0) return -1;
      n += r;
    }
    return n;
  }

  /**
   * A message head (without its blank line) with "Connection: close" for its own connection
   * headers, and the blank line.
   */
  private static byte[] closing(String head) {
    String[] lines = head.split("\r\n", -1);
    StringBuilder out = new StringBuilder(lines[0]).append("\r\n");
    for (int i = 1; i < lines.length; i++) {
      String name = lines[i].substring(0, Math.max(0, lines[i].indexOf(':'))).strip();
      if (name.equalsIgnoreCase("connection") || name.equalsIgnoreCase("keep-alive")) continue;
      out.append(lines[i]).append("\r\n");
    }
    return out.append("Connection: close\r\n\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
  }

  /** Passes a request body on until the client or the server closes. */
  private static void pipe(InputStream from, OutputStream to) {
    try {
      from.transferTo(to);
    } catch (IOException e) {
      // the other side closed: the exchange is over
    }
  }

  private static void answer(Socket client, int status, String reason, byte[] body)
      throws IOException {
    String head =
        "HTTP/1.1 "
            + status
            + " "
            + reason
            + "\r\nContent-Type: application/json\r\nContent-Length: "
            + body.length
            + "\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff"
            + "\r\nConnection: close\r\n\r\n";
    OutputStream out = client.getOutputStream();
    out.write(head.getBytes(StandardCharsets.ISO_8859_1));
    out.write(body);
    out.flush();
  }

  private static byte[] tooLarge() {
    return ("{\"error\":\"bad_request\",\"field\":\"headers\",\"value\":null,"
            + "\"message\":\"the request head must be at most "
            + MAX_HEAD
            + " bytes\"}")
        .getBytes(StandardCharsets.UTF_8);
  }

  private static int indexOf(byte[] data, int length, byte[] pattern) {
    outer:
    for (int i = 0; i + pattern.length <= length; i++) {
      for (int j = 0; j < pattern.length; j++) {
        if (data[i + j] != pattern[j]) continue outer;
      }
      return i;
    }
    return -1;
  }
}
