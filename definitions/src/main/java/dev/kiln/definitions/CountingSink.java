package dev.kiln.definitions;

/** Passes problems on and counts them, so a parser can tell whether a part of a document was clean. */
final class CountingSink implements ProblemSink {
    private final ProblemSink inner;
    private int count;

    CountingSink(ProblemSink inner) { this.inner = inner; }

    @Override public void report(String path, String message) {
        count++;
        inner.report(path, message);
    }

    @Override public void warn(String path, String message) { inner.warn(path, message); }

    int count() { return count; }
}
