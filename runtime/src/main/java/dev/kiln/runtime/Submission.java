package dev.kiln.runtime;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/** A list of ops submitted together: applied in one epoch, committed atomically, answered together. */
record Submission(List<Op> ops, CompletableFuture<List<Outcome>> future, long submittedNanos) {
    boolean exclusive() {
        for (Op op : ops) if (op instanceof Op.Merge) return true;
        return false;
    }
}
