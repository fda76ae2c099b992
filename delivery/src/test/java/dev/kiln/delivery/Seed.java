package dev.kiln.delivery;

import dev.kiln.engine.campaign.Webhook;

import java.util.LinkedHashMap;
import java.util.Map;

/** The seed's webhook (seed/000_b967608328c0ed88.txt, "Compor webhook"), with its Liquid as written. */
final class Seed {
    private Seed() {}

    static final String BODY = """
            {% assign threshold = 100%}
            {% if custom_attribute.${lead score} > threshold %}
            {
            "lead_status": "MQL"
            }
            {% else %}{% abort_message('not at threshold')%}
            {% endif %}""";

    static final String AUTHORIZATION = """
            {% connected_content https://[instance].my.salesforce.com/services/oauth2/token
            :method post
             :body client_id=[client_id]&client_secret=[client_secret]&grant_type=client_credentials
            :save result %}
            Bearer {{result.access_token}}""";

    /** The seed's webhook with its URL pointing at {@code base} (a mock Salesforce). */
    static Webhook webhook(String base, String authorization) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Authorization", authorization);
        headers.put("Content-Type", "application/json");
        return new Webhook(base + "services/data/v60.0/sobjects/Lead/{{${user_id}}}", "PATCH", headers, BODY, null);
    }

    /** A snapshot as {@link dev.kiln.runtime.Snapshots} writes it. */
    static String snapshot(String externalId, Object score) {
        return "{\"braze_id\":\"u-1\",\"external_id\":\"" + externalId + "\","
                + "\"standard\":{\"email_address\":\"ana@example.com\",\"first_name\":\"Ana\"},"
                + "\"custom\":{\"lead score\":" + score + ",\"lead_status\":\"SQL\"},"
                + "\"event_properties\":{\"plan\":\"pro\"},\"canvas_entry_properties\":{\"source\":\"webinar\"},"
                + "\"aliases\":[],\"time\":" + TestClock.START + "}";
    }
}
