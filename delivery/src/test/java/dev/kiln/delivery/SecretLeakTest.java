package dev.kiln.delivery;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import dev.kiln.engine.campaign.Webhook;
import dev.kiln.store.EventLogRow;
import dev.kiln.store.MessageLogRow;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Secrets (the client secret, access tokens) never reach the message log, the event log (Currents) or the
 * application log — also when the endpoints echo them back in URLs, bodies and error descriptions.
 */
class SecretLeakTest {
    private static final String TOKEN_1 = "00Dxx!AQ4AQ-first-token";
    private static final String TOKEN_2 = "00Dxx!AQ4AQ-second-token";
    private final Harness h = new Harness();
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

    @BeforeEach void capture() {
        appender.start();
        root.addAppender(appender);
    }

    @AfterEach void close() {
        h.close();
        root.detachAppender(appender);
    }

    @Test void secrets_and_tokens_never_appear_in_logs_or_the_message_log() {
        h.routes
                .on("/token", Routes.json(200, "{\"access_token\":\"" + TOKEN_1 + "\"}"),
                        Routes.json(200, "{\"access_token\":\"" + TOKEN_2 + "\"}"),
                        Routes.json(401, "{\"error\":\"invalid_client\",\"error_description\":\"secret " + Harness.CLIENT_SECRET + " revoked\"}"))
                // 401 (token refreshed), then an error page echoing the token and the secret
                .on("/sf/", Routes.status(401), Routes.json(500, "{\"echo\":\"Bearer " + TOKEN_2 + "\",\"secret\":\""
                        + Harness.CLIENT_SECRET + "\"}"));
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Authorization", "Bearer {{connections.crm.access_token}}");
        headers.put("X-Api-Key", "{{connections.crm.access_token}}");
        Webhook hook = new Webhook(h.url("/sf/lead/") + "{{${user_id}}}?access_token={{connections.crm.access_token}}&v={{connections.crm.access_token}}",
                "POST", headers, "{\"t\":\"{{connections.crm.access_token}}\"}", null);
        h.campaigns(Harness.campaign("mql", hook, List.of(), null));
        h.lead("00Q1", 150);
        h.trigger("00Q1", "mql");
        h.start(Harness.config().withMaxAttempts(3));

        await().atMost(Duration.ofSeconds(10)).until(() -> h.log().size() == 1);
        // The token endpoint now refuses (its error echoes the client secret): the next attempt fails.
        h.connections.invalidate("crm");
        h.clock.advance(Duration.ofSeconds(5));
        h.dispatcher.wake();
        await().atMost(Duration.ofSeconds(10)).until(() -> h.outbox().isEmpty() && h.dispatcher.inFlight() == 0);

        List<MessageLogRow> log = h.log();
        assertThat(log).extracting(MessageLogRow::outcome).containsExactly("retry", "failed");
        assertThat(log.get(0).url()).endsWith("/sf/lead/00Q1?access_token=***&v=***");
        assertThat(log.get(0).excerpt()).contains("Bearer ***");
        assertThat(log.get(1).detail()).contains("invalid_client", "secret *** revoked");

        List<String> texts = new ArrayList<>();
        for (MessageLogRow r : log) texts.addAll(java.util.Arrays.asList(r.url(), r.detail(), r.excerpt()));
        for (EventLogRow e : h.store.readEventLog(0, 1000)) texts.add(e.data());
        for (ILoggingEvent e : appender.list) {
            texts.add(e.getFormattedMessage());
            for (IThrowableProxy t = e.getThrowableProxy(); t != null; t = t.getCause()) texts.add(t.getMessage());
        }
        assertThat(appender.list).isNotEmpty();
        assertThat(texts).noneMatch(t -> t != null && (t.contains(Harness.CLIENT_SECRET) || t.contains(TOKEN_1) || t.contains(TOKEN_2)));
    }
}
