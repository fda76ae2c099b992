package dev.kiln.definitions;

import dev.kiln.engine.canvas.Canvas;
import dev.kiln.engine.canvas.Step;
import dev.kiln.engine.canvas.Trigger;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code webhook_sent}: Braze's "received webhook" action, as an Action Paths group trigger and an entry trigger. */
class WebhookSentTriggerTest {
    private static String canvas(String trigger) {
        return """
                id: c
                name: c
                entry:
                  triggers: [ { custom_event: { name: go } } ]
                start: wait
                steps:
                  wait:
                    type: action_paths
                    window: 1d
                    groups:
                      - name: handed off
                        triggers: [ %s ]
                        exit: true
                    everyone_else: {}
                """.formatted(trigger);
    }

    @Test void any_webhook_or_one_campaigns() {
        Canvas any = CanvasModelTest.parse(canvas("{ webhook_sent: {} }"));
        assertThat(((Step.ActionPaths) any.step("wait")).groups().get(0).triggers()).containsExactly(new Trigger.WebhookSent(null));
        Canvas one = CanvasModelTest.parse(canvas("{ webhook_sent: { campaign: salesforce-mql } }"));
        assertThat(((Step.ActionPaths) one.step("wait")).groups().get(0).triggers()).containsExactly(new Trigger.WebhookSent("salesforce-mql"));
    }

    @Test void unknown_settings_are_refused_with_their_path() {
        Parsed<Canvas> p = DefinitionLoader.parseCanvas(canvas("{ webhook_sent: { campain: x } }"), "canvases/c.yaml", false,
                CanvasModelTest.context());
        assertThat(p.problems()).singleElement().asString().contains("canvases/c.yaml").contains("campain");
    }
}
