package dev.kiln.runtime;

import dev.kiln.store.CommitBatch;

import java.util.List;
import java.util.Set;

/** An applied epoch waiting for the committer. */
record EpochCommit(long epoch, long generation, CommitBatch batch, List<Submission> submissions,
                   List<Outcome[]> outcomes, Set<String> deletedUsers, int ops) {}
