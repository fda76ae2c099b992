package dev.kiln.engine.filter;

import dev.kiln.engine.Value;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Set;

import static dev.kiln.engine.filter.Fixtures.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EmailFilterTest {

    @ParameterizedTest(name = "email {0}: present={1}")
    @CsvSource(nullValues = "ABSENT", value = {
            "lead@example.com, true",
            "'', false",
            "ABSENT, false"})
    void email_present_needs_a_non_empty_address(String email, boolean present) {
        var user = userWithStandard("email", email == null ? null : str(email));
        assertThat(new Filter.EmailAddress(true).test(user, NOW)).isEqualTo(present);
        assertThat(new Filter.EmailAddress(false).test(user, NOW)).isEqualTo(!present);
    }

    @ParameterizedTest(name = "state {0} in [{1}] -> {2}")
    @CsvSource(nullValues = "ABSENT", value = {
            "opted_in, opted_in, true",
            "opted_in, subscribed, false",
            "unsubscribed, opted_in subscribed, false",
            "unsubscribed, unsubscribed, true",
            "ABSENT, subscribed, true",
            "ABSENT, opted_in, false"})
    void subscription_state_absent_counts_as_subscribed(String state, String anyOf, boolean expected) {
        var user = userWithStandard("email_subscribe", state == null ? null : str(state));
        var filter = new Filter.EmailSubscribe(Set.of(anyOf.split(" ")));
        assertThat(filter.test(user, NOW)).isEqualTo(expected);
    }

    @Test
    void unknown_subscription_states_are_refused() {
        assertThatThrownBy(() -> new Filter.EmailSubscribe(Set.of("optin"))).hasMessageContaining("optin");
    }

    @Test
    void attribute_filters_read_standard_attributes() {
        var user = userWithStandard("email", new Value.Str("Ana@ACME.com"));
        assertThat(new Filter.Attribute("email", new Condition.Regex("@acme\\.com$", false)).test(user, NOW)).isTrue();
    }
}
