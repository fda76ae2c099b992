package dev.kiln.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * CPU used by the local PostgreSQL server (every process named {@code postgres}, whoever's database it serves)
 * between two snapshots, read from {@code /proc}. Backends end when their connection closes; their time then
 * moves into the postmaster's {@code cutime}/{@code cstime}, so the total counts the live processes' own time plus
 * the postmaster's reaped children. {@link CpuSplit} reports the cores used by other processes; this says how
 * many of those were PostgreSQL, which the CDI source and the jdbc sink make work. NaN where {@code /proc} is absent.
 */
final class DataPgCpu {
    private static final double TICK_SECONDS = 0.01; // CLK_TCK is 100 on Linux

    private final long startTicks = ticks();
    private final long startWall = System.nanoTime();

    /** Cores PostgreSQL kept busy since this object was made. */
    double cores() {
        long now = ticks();
        if (now < 0 || startTicks < 0) return Double.NaN;
        return (now - startTicks) * TICK_SECONDS / ((System.nanoTime() - startWall) / 1e9);
    }

    private record Proc(int ppid, long own, long children) {}

    static long ticks() {
        Path procDir = Path.of("/proc");
        if (!Files.isDirectory(procDir)) return -1;
        Map<Integer, Proc> postgres = new HashMap<>();
        try (Stream<Path> s = Files.list(procDir)) {
            for (Path p : s.toList()) {
                String name = p.getFileName().toString();
                if (name.isEmpty() || !Character.isDigit(name.charAt(0))) continue;
                try {
                    String stat = Files.readString(p.resolve("stat"));
                    int open = stat.indexOf('('), close = stat.lastIndexOf(')');
                    if (!stat.substring(open + 1, close).equals("postgres")) continue;
                    String[] f = stat.substring(close + 2).split(" ");
                    // after "pid (comm) ": state=0 ppid=1 … utime=11 stime=12 cutime=13 cstime=14
                    postgres.put(Integer.parseInt(name), new Proc(Integer.parseInt(f[1]), Long.parseLong(f[11]) + Long.parseLong(f[12]),
                            Long.parseLong(f[13]) + Long.parseLong(f[14])));
                } catch (IOException | RuntimeException gone) {
                    // the process ended while we looked, or is not readable
                }
            }
        } catch (IOException e) {
            return -1;
        }
        long total = 0;
        for (Proc p : postgres.values()) {
            total += p.own();
            if (!postgres.containsKey(p.ppid())) total += p.children(); // the postmaster: its reaped backends
        }
        return total;
    }
}
