package dev.kiln.testkit;

import dev.kiln.server.KilnServer;
import dev.kiln.server.ServerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The durability checker itself: it must see lost, partial, refused-yet-applied and doubled batches, or its silence means nothing. */
class DurabilityCheckTest {
    @TempDir Path dir;

    @Test
    void flags_lost_partial_refused_yet_applied_and_doubled_batches() throws Exception {
        String key = "check-" + UUID.randomUUID();
        Ledger ledger = new Ledger(42);
        int ok = ledger.nextBatch(), lost = ledger.nextBatch(), twice = ledger.nextBatch(), partial = ledger.nextBatch(), refused = ledger.nextBatch();
        DurabilityCheck.Verdict fromExport;
        try (KilnServer server = KilnServer.start(ServerConfig.of(0, "jdbc:sqlite:" + dir.resolve("kiln.db"), null).withAdminKey(key));
             KilnClient client = KilnClient.of("http://127.0.0.1:" + server.port(), key)) {
            assertThat(ledger.send(client, ok).kind()).isEqualTo(Ledger.Kind.ACKED);
            ledger.record(new Ledger.Outcome(lost, Ledger.Kind.ACKED, 201, "acknowledged, but never sent"));
            assertThat(ledger.send(client, twice).kind()).isEqualTo(Ledger.Kind.ACKED);
            assertThat(client.track(ledger.body(twice)).status()).isEqualTo(201);
            assertThat(client.track(Ledger.body(partial, ledger.users(partial).subList(0, 4))).status()).isEqualTo(201);
            ledger.record(new Ledger.Outcome(partial, Ledger.Kind.NO_ANSWER, 0, "half applied"));
            assertThat(client.track(ledger.body(refused)).status()).isEqualTo(201);
            ledger.record(new Ledger.Outcome(refused, Ledger.Kind.STATUS, 503, "{\"message\":\"... nothing was applied ...\"}"));

            fromExport = DurabilityCheck.fromExport(ledger, client);
        }
        DurabilityCheck.Verdict fromLog = DurabilityCheck.fromEventLog(ledger, dir.resolve("kiln.db"));

        for (DurabilityCheck.Verdict v : List.of(fromExport, fromLog)) {
            assertThat(v.present()).as(v.source()).contains(ok, twice).doesNotContain(lost, partial);
            assertThat(v.violations()).as(v.source())
                    .anySatisfy(m -> assertThat(m).contains("batch " + lost + " got 201 but is applied to 0"))
                    .anySatisfy(m -> assertThat(m).contains("batch " + partial + " (NO_ANSWER").contains("(partial)"))
                    .anySatisfy(m -> assertThat(m).contains("batch " + refused + " was refused (503").contains("but is applied"))
                    .anySatisfy(m -> assertThat(m).contains(ledger.users(twice).getFirst() + " has").contains("but"))
                    .noneSatisfy(m -> assertThat(m).contains("batch " + ok + " "));
        }
        assertThat(fromLog.violations())
                .anySatisfy(m -> assertThat(m).contains("batch " + twice + " has 2 custom event rows").contains("applied twice"));
    }
}
