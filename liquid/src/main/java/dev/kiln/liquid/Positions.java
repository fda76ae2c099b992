package dev.kiln.liquid;

/** Offsets to 1-based line and column, and back. */
final class Positions {
    private Positions() {}

    static int[] lineColumn(String text, int offset) {
        int line = 1;
        int lineStart = 0;
        int end = Math.min(Math.max(offset, 0), text.length());
        for (int i = 0; i < end; i++) {
            if (text.charAt(i) == '\n') {
                line++;
                lineStart = i + 1;
            }
        }
        return new int[] {line, end - lineStart + 1};
    }

    /** The offset of a 1-based line and 0-based column, as ANTLR reports them. */
    static int offset(String text, int line, int column0) {
        int current = 1;
        int i = 0;
        while (current < line && i < text.length()) {
            if (text.charAt(i++) == '\n') {
                current++;
            }
        }
        return Math.min(i + Math.max(column0, 0), text.length());
    }
}
