/**
 * Webhook delivery: the outbox dispatcher (render, connected content, send, retry, record), connections
 * (OAuth 2.0 client credentials, basic auth), outbound policy, per-host limits and breaker, masking.
 */
package dev.kiln.delivery;
