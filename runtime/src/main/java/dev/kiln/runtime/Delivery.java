package dev.kiln.runtime;

import dev.kiln.store.MessageLogRow;
import dev.kiln.store.OutboxRow;

/**
 * What the delivery shell writes with a webhook outcome, in the same commit as the outcome's effects on
 * the profile: the attempt for the message log, and the outbox row rewritten for the next attempt
 * ({@code retry}, for a retry) — or, when {@code retry} is null, the outbox row is deleted (the message
 * ended: sent, aborted or failed). So "sent" is recorded exactly when the message leaves the outbox.
 */
public record Delivery(String messageId, MessageLogRow log, OutboxRow retry) {}
