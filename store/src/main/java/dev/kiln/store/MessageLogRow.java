package dev.kiln.store;

/**
 * One webhook attempt, as {@code GET /messages/log} shows it. Never holds a secret: the URL is masked
 * and the response excerpt is cut short and masked by delivery before it gets here.
 *
 * @param seq        assigned by the store (ascending); 0 when appending
 * @param outcome    {@code sent}, {@code aborted}, {@code failed} or {@code retry}
 * @param statusCode the HTTP status, or null (abort, network error)
 * @param detail     the abort reason or the error
 * @param excerpt    the start of the response body, or null
 */
public record MessageLogRow(long seq, String messageId, String userId, String externalId, String campaignId,
                            String canvasId, String stepId, long time, String method, String url, Integer statusCode,
                            int attempt, String outcome, String detail, String excerpt) {}
