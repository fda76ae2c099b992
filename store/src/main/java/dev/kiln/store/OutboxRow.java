package dev.kiln.store;

/**
 * A webhook message to deliver, written in the same commit as the state change that caused it, and
 * deleted in the commit that records its end (sent, aborted, failed). A retry rewrites the row with the
 * next due time and attempt count.
 *
 * @param messageId  unique; sent as the {@code Idempotency-Key} header
 * @param campaignId the campaign, or null for a Canvas webhook step
 * @param canvasId   the Canvas (with {@code stepId}), or null for a campaign
 * @param version    the campaign's or Canvas's version when the message was made
 * @param dueAt      epoch ms when the next attempt may start
 * @param attempts   attempts already made (0 for a new message)
 * @param snapshot   JSON: what the templates need (profile, event and entry properties), taken when the
 *                   message was made
 */
public record OutboxRow(String messageId, String userId, String campaignId, String canvasId, String stepId, int version,
                        long createdAt, long dueAt, int attempts, String snapshot) {}
