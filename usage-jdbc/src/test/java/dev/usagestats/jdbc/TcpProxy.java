package dev.usagestats.jdbc;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback TCP proxy between a JDBC driver and a real database, for fault tests. It can refuse
 * and cut every connection ({@link #down}), and cut a connection right after forwarding a client
 * message that holds {@code COMMIT} to the server, so the server commits but the driver never hears
 * back ({@link #cutAfterNextCommit}), and hang: keep every connection open and carry no byte either
 * way, new ones accepted and never answered ({@link #hang}), as a network that stops mid-statement.
 */
final class TcpProxy implements AutoCloseable {
  private static final byte[] COMMIT = "COMMIT".getBytes(StandardCharsets.US_ASCII);

  private final ServerSocket server;
  private final String targetHost;
  private final int targetPort;
  private final List<Socket> open = new CopyOnWriteArrayList<>();
  private final AtomicBoolean down = new AtomicBoolean();
  private final AtomicBoolean cutAfterCommit = new AtomicBoolean();
  private volatile boolean hung;
  final AtomicInteger commitsCut = new AtomicInteger();
  private volatile boolean closed;

  TcpProxy(String targetHost, int targetPort) throws IOException {
    this.targetHost = targetHost;
    this.targetPort = targetPort;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread t = new Thread(this::acceptLoop, "tcp-proxy-accept");
    t.setDaemon(true);
    t.start();
  }

  int port() {
    return server.getLocalPort();
  }

  /** While down, every open connection is cut and new ones are closed at once. */
  void down(boolean isDown) {
    down.set(isDown);
    if (isDown) cutAll();
  }

  /**
   * From now on forwards nothing, for good: open connections stay open and silent (bytes sent on
   * them are dropped), new ones are accepted and never answered.
   */
  void hang() {
    hung = true;
  }

  /** Arms a one-shot cut: the next client message holding COMMIT reaches the server, no reply. */
  void cutAfterNextCommit() {
    cutAfterCommit.set(true);
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        Socket client = server.accept();
        if (down.get()) {
          client.close();
          continue;
        }
        if (hung) {
          open.add(client);
          continue;
        }
        Socket target = new Socket(targetHost, targetPort);
        client.setTcpNoDelay(true);
        target.setTcpNoDelay(true);
        open.add(client);
        open.add(target);
        pipe(client, target, true);
        pipe(target, client, false);
      } catch (IOException e) {
        if (closed) return;
      }
    }
  }

  private void pipe(Socket from, Socket to, boolean clientToServer) {
    Thread t =
        new Thread(
            () -> {
              byte[] buf = new byte[64 * 1024];
              try (InputStream in = from.getInputStream();
                  OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                  if (hung) continue;
                  out.write(buf, 0, n);
                  out.flush();
                  if (clientToServer
                      && contains(buf, n)
                      && cutAfterCommit.compareAndSet(true, false)) {
                    // The COMMIT is with the server; drop the client side so the reply is lost,
                    // and give the server a moment to run it before its side closes too.
                    commitsCut.incrementAndGet();
                    from.close();
                    Thread.sleep(300);
                    to.close();
                    return;
                  }
                }
              } catch (IOException | InterruptedException e) {
                // a cut or a closed peer ends the pipe
              } finally {
                closeQuietly(from);
                closeQuietly(to);
              }
            },
            "tcp-proxy-pipe");
    t.setDaemon(true);
    t.start();
  }

  private static boolean contains(byte[] buf, int n) {
    outer:
    for (int i = 0; i + COMMIT.length <= n; i++) {
      for (int j = 0; j < COMMIT.length; j++) {
        if (buf[i + j] != COMMIT[j]) continue outer;
      }
      return true;
    }
    return false;
  }

  private void cutAll() {
    for (Socket s : open) closeQuietly(s);
    open.clear();
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // already closed
    }
  }

  @Override
  public void close() throws IOException {
    closed = true;
    server.close();
    cutAll();
  }
}
