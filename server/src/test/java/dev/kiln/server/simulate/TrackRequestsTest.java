package dev.kiln.server.simulate;

import dev.kiln.engine.Input;
import dev.kiln.runtime.Identifier;
import dev.kiln.runtime.Op;
import dev.kiln.server.http.ApiException;
import dev.kiln.server.http.TrackRequests;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The public /users/track parsing facade the simulator reads lines with. */
class TrackRequestsTest {
    private static TrackRequests.Parsed parse(String json) {
        return TrackRequests.parse(TrackRequests.readJson(json.getBytes(StandardCharsets.UTF_8)), "req");
    }

    @Test
    void objects_come_in_braze_order_with_the_api_input_ids() {
        TrackRequests.Parsed p = parse("""
                {"purchases":[{"external_id":"u","product_id":"p","currency":"usd","price":1,"time":"2026-03-02T09:00:00Z"}],
                 "events":[{"external_id":"u","name":"e","time":"2026-03-02T09:00:00Z"}],
                 "attributes":[{"external_id":"u","lead score":1}]}""");
        assertThat(p.items()).extracting(TrackRequests.Item::array).containsExactly("attributes", "events", "purchases");
        assertThat(p.items()).extracting(i -> ((Op.Apply) i.op()).input().id()).containsExactly("req.a0", "req.e0", "req.p0");
        Op.Apply a = (Op.Apply) p.items().get(0).op();
        assertThat(a.who()).isEqualTo(new Identifier.ExternalId("u"));
        assertThat(a.createIfMissing()).isTrue();
        assertThat(a.input()).isInstanceOf(Input.UpdateAttributes.class);
        assertThat(p.rejected()).isEmpty();
    }

    @Test
    void invalid_objects_are_listed_and_the_rest_parsed() {
        TrackRequests.Parsed p = parse("""
                {"events":[{"external_id":"u","name":"e"},{"name":"e","time":"2026-03-02T09:00:00Z"},
                           {"external_id":"u","name":"ok","time":"2026-03-02T09:00:00Z"}]}""");
        assertThat(p.items()).extracting(TrackRequests.Item::index).containsExactly(2);
        assertThat(p.rejected()).extracting(TrackRequests.Rejected::type, TrackRequests.Rejected::index)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("invalid_event", 0), org.assertj.core.groups.Tuple.tuple("missing_identifier", 1));
    }

    @Test
    void bodies_the_api_refuses_as_a_whole_throw_its_bad_request() {
        assertThatThrownBy(() -> parse("{\"time\":\"2026-03-02T09:00:00Z\"}")).isInstanceOf(ApiException.BadRequest.class)
                .hasMessageContaining("Unknown field \"time\"");
        String many = "{\"events\":[" + "{\"external_id\":\"u\",\"name\":\"e\",\"time\":\"2026-03-02T09:00:00Z\"},".repeat(75)
                + "{\"external_id\":\"u\",\"name\":\"e\",\"time\":\"2026-03-02T09:00:00Z\"}]}";
        assertThatThrownBy(() -> parse(many)).isInstanceOf(ApiException.BadRequest.class).hasMessageContaining("Max Input Length Exceeded");
        assertThatThrownBy(() -> TrackRequests.readJson("{\"a\":1,\"a\":2}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(ApiException.BadRequest.class).hasMessageContaining("Malformed JSON");
    }
}
