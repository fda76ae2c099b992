package dev.kiln.delivery;

import dev.kiln.engine.campaign.Webhook;
import dev.kiln.liquid.ConnectedContent;
import dev.kiln.liquid.RenderException;
import dev.kiln.liquid.TemplateException;

import java.time.Clock;
import java.util.Map;
import java.util.Objects;

/**
 * What a webhook would send for one user, rendered exactly as delivery renders it but never sent: for the
 * API's preview and for {@code kiln} commands. Header values are masked ({@code Authorization: Bearer ***}),
 * and so is every registered secret in the URL and body. Connected content goes wherever the caller's port
 * sends it: a stub, or a live {@link HttpConnectedContent}. The {@code Idempotency-Key} header delivery adds
 * (the message id) is not shown.
 *
 * <p>Exactly one of: a request ({@code method}, {@code url}, {@code headers}, {@code body}), an
 * {@code abortReason} (the template called {@code abort_message}; {@code ""} when it gave none), or an
 * {@code error} (invalid template, render failure, connection token failure).
 */
public record Preview(String method, String url, Map<String, String> headers, String body, String abortReason, String error) {

    public boolean aborted() { return abortReason != null; }

    public boolean failed() { return error != null; }

    /**
     * Renders {@code webhook} against an outbox snapshot ({@link dev.kiln.runtime.Snapshots}'s JSON; null or
     * blank for a user with nothing set).
     *
     * @param port        where {@code connected_content} goes ({@link ConnectedContent#UNAVAILABLE} aborts such templates)
     * @param connections for {@code {{connections.ID.…}}} (fetches tokens); null leaves them empty
     */
    public static Preview render(Webhook webhook, String snapshotJson, ConnectedContent port, Connections connections, Clock clock) {
        Objects.requireNonNull(webhook, "webhook");
        Objects.requireNonNull(port, "port");
        Secrets secrets = connections == null ? new Secrets() : connections.secrets();
        try {
            Snapshot snapshot = Snapshot.parse(snapshotJson);
            WebhookRenderer.Compiled c = WebhookRenderer.compile("preview", 0, webhook);
            WebhookRenderer.Result r = new WebhookRenderer(connections, clock == null ? Clock.systemUTC() : clock)
                    .render(c, snapshot, port, false);
            return switch (r) {
                case WebhookRenderer.Result.Aborted a -> new Preview(null, null, null, null, secrets.mask(a.reason()), null);
                case WebhookRenderer.Result.Request q -> new Preview(q.method(), secrets.maskUrl(q.url()),
                        java.util.Collections.unmodifiableMap(secrets.maskHeaders(q.headers())), secrets.mask(q.body()), null, null);
            };
        } catch (TemplateException | RenderException | DeliveryException | IllegalArgumentException e) {
            return new Preview(null, null, null, null, null, secrets.mask(e.getMessage()));
        }
    }

    /** With the system clock. */
    public static Preview render(Webhook webhook, String snapshotJson, ConnectedContent port, Connections connections) {
        return render(webhook, snapshotJson, port, connections, Clock.systemUTC());
    }
}
