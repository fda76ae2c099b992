package dev.kiln.runtime;

import dev.kiln.engine.Input;
import dev.kiln.engine.Source;
import dev.kiln.engine.UserAlias;

/** One unit of work in a submission; each gets one {@link Outcome}. */
public sealed interface Op {

    /**
     * Applies {@code input} to the user named by {@code who}. When the user does not exist it is created
     * if {@code createIfMissing} (an external id, alias or email identifier; never a braze_id), else the
     * outcome is an error. {@code delivery} (webhook outcomes only, else null) is written in the same
     * commit, also when the user is gone.
     */
    record Apply(Identifier who, boolean createIfMissing, Input input, Delivery delivery) implements Op {
        public Apply(Identifier who, boolean createIfMissing, Input input) { this(who, createIfMissing, input, null); }
    }

    /**
     * /users/identify: the alias-only profile named by {@code alias} gets {@code externalId}. When a
     * profile with that external id exists, the alias profile is merged into it and deleted (rules in
     * {@link dev.kiln.engine.Engine}); otherwise the alias profile is given the external id.
     */
    record Merge(String id, Source source, UserAlias alias, String externalId) implements Op {}

    /**
     * Writes {@code value} under {@code key} in the store's meta table in the same commit as the rest of its
     * submission — e.g. a CDI integration's watermark, committed only with the rows it covers. Its outcome is
     * always ok.
     */
    record Meta(String key, String value) implements Op {
        public Meta {
            java.util.Objects.requireNonNull(key, "key");
            java.util.Objects.requireNonNull(value, "value");
        }
    }
}
