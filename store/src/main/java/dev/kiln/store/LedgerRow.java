package dev.kiln.store;

/**
 * One change of a numeric custom attribute, for the score ledger. {@code oldValue}/{@code newValue} are
 * null when the attribute was absent or not a number; {@code source} is a {@link dev.kiln.engine.Source} label.
 */
public record LedgerRow(long seq, String userId, String name, long time, Double oldValue, Double newValue, Double delta,
                        String source) {}
