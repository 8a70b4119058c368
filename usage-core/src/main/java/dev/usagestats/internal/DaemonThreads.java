package dev.usagestats.internal;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/** The engine's background threads: named, daemon, so they never keep a JVM alive. */
final class DaemonThreads {
  private DaemonThreads() {}

  /** A started daemon thread running {@code task}. */
  static Thread start(String name, Runnable task) {
    Thread t = new Thread(task, name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** A single-threaded scheduler whose thread is a daemon named {@code name}. */
  static ScheduledExecutorService scheduler(String name) {
    return Executors.newSingleThreadScheduledExecutor(
        r -> {
          Thread t = new Thread(r, name);
          t.setDaemon(true);
          return t;
        });
  }
}
