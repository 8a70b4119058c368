package dev.usagestats.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * CPU time of the local PostgreSQL server, from {@code /proc}: the user and system time of every
 * process named {@code postgres}, plus the time of the children the postmaster has reaped ({@code
 * cutime}, {@code cstime}), so a backend that exits between two readings still counts. Linux only.
 */
final class PgCpu {
  private PgCpu() {}

  /** Clock ticks so far; divide a difference by {@link #ticksPerSecond()}. */
  static long ticks() throws IOException {
    Map<Long, long[]> procs = new HashMap<>(); // pid -> ppid, utime + stime, cutime + cstime
    try (Stream<Path> dirs = Files.list(Path.of("/proc"))) {
      for (Path d : (Iterable<Path>) dirs::iterator) {
        String name = d.getFileName().toString();
        if (!name.chars().allMatch(Character::isDigit)) continue;
        String stat;
        try {
          stat = Files.readString(d.resolve("stat"));
        } catch (IOException gone) {
          continue;
        }
        int open = stat.indexOf('(');
        int close = stat.lastIndexOf(')');
        if (!stat.substring(open + 1, close).equals("postgres")) continue;
        // fields after the name: state ppid ... utime(14) stime(15) cutime(16) cstime(17)
        String[] f = stat.substring(close + 2).split(" ");
        procs.put(
            Long.parseLong(name),
            new long[] {
              Long.parseLong(f[1]),
              Long.parseLong(f[11]) + Long.parseLong(f[12]),
              Long.parseLong(f[13]) + Long.parseLong(f[14])
            });
      }
    }
    if (procs.isEmpty()) throw new IllegalStateException("no postgres process in /proc");
    long sum = 0;
    for (long[] p : procs.values()) {
      sum += p[1];
      if (!procs.containsKey(p[0])) sum += p[2]; // the postmaster: its parent is not postgres
    }
    return sum;
  }

  /** {@code getconf CLK_TCK}, 100 if it cannot be asked. */
  static long ticksPerSecond() {
    try {
      Process p = new ProcessBuilder("getconf", "CLK_TCK").start();
      String s = new String(p.getInputStream().readAllBytes()).trim();
      return p.waitFor() == 0 ? Long.parseLong(s) : 100;
    } catch (IOException | InterruptedException | NumberFormatException e) {
      return 100;
    }
  }
}
