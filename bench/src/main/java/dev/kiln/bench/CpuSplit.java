package dev.kiln.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * CPU time of this process between two snapshots, split by thread name (numbers stripped, so all lanes
 * are one line). On Linux every native thread is read from {@code /proc/self/task}, so GC and JIT threads
 * show too; elsewhere only Java platform threads. Virtual threads run on the {@code ForkJoinPool-…}
 * carriers, so that line holds Helidon's request handling (HTTP parsing, JSON, auth, waiting for the
 * commit) and the load generator's request building.
 */
final class CpuSplit {
    private static final Path TASKS = Path.of("/proc/self/task");
    private static final double TICK_SECONDS = 0.01; // CLK_TCK is 100 on Linux

    private final boolean proc = Files.isDirectory(TASKS);
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final Map<Long, Long> start;
    private final long startProcess = processCpu();
    private final long startWall = System.nanoTime();
    private final long startMachineBusy = machineBusyTicks();

    CpuSplit() {
        if (!proc && threads.isThreadCpuTimeSupported() && !threads.isThreadCpuTimeEnabled()) threads.setThreadCpuTimeEnabled(true);
        Map<Long, Long> s = new HashMap<>();
        snapshot().forEach((id, t) -> s.put(id, t.nanos));
        start = s;
    }

    static long processCpu() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os ? os.getProcessCpuTime() : -1;
    }

    private record ThreadCpu(String name, long nanos) {}

    private Map<Long, ThreadCpu> snapshot() {
        Map<Long, ThreadCpu> out = new HashMap<>();
        if (proc) {
            try (Stream<Path> s = Files.list(TASKS)) {
                for (Path t : s.toList()) {
                    try {
                        String stat = Files.readString(t.resolve("stat"));
                        int open = stat.indexOf('('), close = stat.lastIndexOf(')');
                        String[] f = stat.substring(close + 2).split(" ");
                        // after "pid (comm) ": state=0 … utime=11 stime=12
                        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
                        out.put(Long.parseLong(t.getFileName().toString()),
                                new ThreadCpu(stat.substring(open + 1, close), (long) (ticks * TICK_SECONDS * 1e9)));
                    } catch (IOException | RuntimeException gone) {
                        // the thread ended while we looked
                    }
                }
            } catch (IOException e) {
                return out;
            }
        } else {
            for (long id : threads.getAllThreadIds()) {
                ThreadInfo info = threads.getThreadInfo(id);
                long t = threads.getThreadCpuTime(id);
                if (info != null && t >= 0) out.put(id, new ThreadCpu(info.getThreadName(), t));
            }
        }
        return out;
    }

    record Line(String group, double seconds, double share) {}

    /**
     * @param otherCores cores kept busy by other processes meanwhile (the whole machine's busy time from
     *                   {@code /proc/stat} minus this process), NaN when unknown: the benchmark shares the
     *                   machine, and a build running next to it shows here
     */
    record Split(double wallSeconds, double processCpuSeconds, double coresBusy, double otherCores, List<Line> lines) {}

    /** Busy (not idle, not iowait) CPU ticks of the whole machine, or -1 when unknown. */
    static long machineBusyTicks() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long busy = 0;
            for (int i = 1; i < f.length && i <= 8; i++) if (i != 4 && i != 5) busy += Long.parseLong(f[i]);
            return busy;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    Split finish() {
        double wall = (System.nanoTime() - startWall) / 1e9;
        double process = (processCpu() - startProcess) / 1e9;
        Map<String, Long> byGroup = new HashMap<>();
        long seen = 0;
        for (var e : snapshot().entrySet()) {
            long d = e.getValue().nanos - start.getOrDefault(e.getKey(), 0L);
            if (d <= 0) continue;
            byGroup.merge(group(e.getValue().name), d, Long::sum);
            seen += d;
        }
        List<Line> lines = new ArrayList<>();
        byGroup.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .forEach(e -> lines.add(new Line(e.getKey(), e.getValue() / 1e9, process > 0 ? e.getValue() / 1e9 / process : 0)));
        double rest = process - seen / 1e9;
        if (rest > 0.05 * process) lines.add(new Line(proc ? "(threads that ended)" : "(not a Java thread: GC, JIT, VM)", rest, rest / process));
        long machine = machineBusyTicks();
        double other = machine < 0 || startMachineBusy < 0 ? Double.NaN
                : Math.max(0, (machine - startMachineBusy) * TICK_SECONDS - process) / wall;
        return new Split(wall, process, process / wall, other, lines);
    }

    /** "kiln-lane" for "kiln-lane", "GC Thread" for "GC Thread#1", "ForkJoinPool-worker" for "ForkJoinPool-1-worker-3" ("ForkJoinPool" once /proc truncates it). */
    static String group(String name) {
        String g = name.replaceAll("-\\d+-", "-").replaceAll("[-#_ ]?\\d+$", "").replaceAll("-$", "");
        return g.isEmpty() ? name : g;
    }

    static Map<String, Object> json(Split s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("wall_seconds", s.wallSeconds());
        m.put("process_cpu_seconds", s.processCpuSeconds());
        m.put("cores_busy", s.coresBusy());
        m.put("other_processes_cores_busy", s.otherCores());
        Map<String, Object> lines = new LinkedHashMap<>();
        for (Line l : s.lines()) lines.put(l.group(), Json.obj("cpu_seconds", l.seconds(), "share", l.share()));
        m.put("by_thread_group", lines);
        return m;
    }
}
