package dev.kiln.engine.filter;

import dev.kiln.engine.EventSummary;

import java.util.Objects;

/**
 * A condition on an {@link Activity}'s summary. A user who never did the activity has count 0 and no
 * last time: count conditions see 0, {@link LastPerformed} never matches, {@link Never} matches.
 */
public sealed interface EventCondition {

    /** Counts over the whole history. */
    int ALL_TIME = 0;

    /**
     * Count compared with {@code n}. With {@code inLastDays} D (1..{@value EventSummary#DAYS}) only the D
     * calendar days (UTC) ending today count, as {@link EventSummary#countInLastDays}; {@link #ALL_TIME}
     * counts everything.
     */
    record Count(Op op, long n, int inLastDays) implements EventCondition {
        public enum Op { GREATER_THAN, LESS_THAN, EXACTLY }

        public Count {
            Objects.requireNonNull(op, "op");
            if (n < 0) throw new IllegalArgumentException("count must be >= 0: " + n);
            if (inLastDays < 0 || inLastDays > EventSummary.DAYS)
                throw new IllegalArgumentException("inLastDays must be 0.." + EventSummary.DAYS + ": " + inLastDays);
        }

        public Count(Op op, long n) { this(op, n, ALL_TIME); }
    }

    /** The last occurrence was more / less than {@code days} × 24 h before now. */
    record LastPerformed(Op op, int days) implements EventCondition {
        public enum Op { MORE_THAN_DAYS_AGO, LESS_THAN_DAYS_AGO }

        public LastPerformed {
            Objects.requireNonNull(op, "op");
            if (days < 0) throw new IllegalArgumentException("days must be >= 0: " + days);
        }
    }

    /** The user never did it. */
    record Never() implements EventCondition {}
}
