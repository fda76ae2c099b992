package dev.kiln.liquid;

/**
 * A template was refused when compiled: a syntax error, an unknown tag or filter, an unsupported construct or a limit.
 * {@code line} and {@code column} are 1-based positions in the source as written (before Kiln's Braze pre-pass).
 */
public final class TemplateException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String templateName;
    private final int line;
    private final int column;
    private final String detail;

    TemplateException(String templateName, int line, int column, String detail) {
        super(templateName + ":" + line + ":" + column + ": " + detail);
        this.templateName = templateName;
        this.line = line;
        this.column = column;
        this.detail = detail;
    }

    public String templateName() { return templateName; }

    public int line() { return line; }

    public int column() { return column; }

    /** The message without the {@code name:line:column:} prefix. */
    public String detail() { return detail; }
}
