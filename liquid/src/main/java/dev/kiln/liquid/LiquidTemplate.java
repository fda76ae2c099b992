package dev.kiln.liquid;

import liqp.TemplateContext;
import liqp.exceptions.ExceededMaxIterationsException;
import liqp.exceptions.IncompatibleTypeComparisonException;

/**
 * A compiled, validated template. Immutable and safe to render from many threads at once: each render gets its
 * own Liqp context and a node tree that no other render is using (Liqp's {@code Template} keeps the render context
 * in a field, and its node trees keep lookup keys in fields, so neither may be shared).
 */
public final class LiquidTemplate {

    /** Node trees kept between bursts; a few KB each. More concurrent renders build more, dropped after use. */
    private static final int MAX_IDLE = Math.max(64, 4 * Runtime.getRuntime().availableProcessors());

    private final Program program;
    private final InstancePool<Program.Instance> pool;

    LiquidTemplate(Program program) {
        this.program = program;
        this.pool = new InstancePool<>(MAX_IDLE, program::newInstance);
    }

    public String name() { return program.name(); }

    /** The source as written. */
    public String source() { return program.source(); }

    public LiquidLimits limits() { return program.limits(); }

    /** True when rendering may call the {@link ConnectedContent} port. */
    public boolean usesConnectedContent() { return !program.calls().isEmpty(); }

    /**
     * Renders for one user.
     *
     * @return the text, or {@link RenderResult.Aborted} when the template called {@code abort_message} (or connected
     *         content aborted it)
     * @throws RenderException when a limit is exceeded, values cannot be compared, or a {@code :retry} connected
     *         content call failed and should be retried ({@link RenderException#retryable()})
     */
    public RenderResult render(RenderContext context) {
        Program.Instance instance = pool.borrow();
        try {
            TemplateContext tc = new TemplateContext(program.parser(), context.variables());
            new RenderState(program, instance, context).attach(tc);
            Object rendered = instance.main().render(tc);
            String output = rendered == null ? "" : String.valueOf(rendered);
            if (output.length() > program.limits().maxOutputChars()) {
                throw outputLimit();
            }
            return new RenderResult.Rendered(output);
        } catch (RuntimeException e) {
            return outcomeOf(e);
        } catch (StackOverflowError e) {
            throw new RenderException(name(), "render failed: values or blocks nested too deeply", false, null);
        } finally {
            pool.release(instance);
        }
    }

    /** Instances built so far; more than one only when renders overlapped. */
    int instancesCreated() {
        return pool.created();
    }

    private RenderResult outcomeOf(RuntimeException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof AbortSignal abort) {
                return new RenderResult.Aborted(abort.reason);
            }
            if (t instanceof RenderException r) {
                throw r;
            }
            if (t instanceof BrazeFilters.LimitExceeded limit) {
                throw new RenderException(name(), limit.getMessage(), false, null);
            }
            if (t instanceof ExceededMaxIterationsException) {
                throw new RenderException(name(), "loop stopped: more than " + program.limits().maxIterations()
                        + " iterations in one render (LiquidLimits.maxIterations)", false, null);
            }
            if (t instanceof IncompatibleTypeComparisonException) {
                throw new RenderException(name(), Compiler.readable(t.getMessage())
                        + " (a number stored as text? store it as a number, or convert with | plus: 0)", false, t);
            }
            if (t.getMessage() != null && t.getMessage().startsWith("rendered string exceeds")) {
                throw outputLimit();
            }
        }
        throw new RenderException(name(), "render failed: " + Compiler.readable(String.valueOf(e.getMessage())), false, e);
    }

    private RenderException outputLimit() {
        return new RenderException(name(), "output exceeds " + program.limits().maxOutputChars()
                + " characters (LiquidLimits.maxOutputChars)", false, null);
    }

    @Override
    public String toString() {
        return "LiquidTemplate[" + name() + ", " + source().length() + " chars"
                + (usesConnectedContent() ? ", connected content x" + program.calls().size() : "") + "]";
    }
}
