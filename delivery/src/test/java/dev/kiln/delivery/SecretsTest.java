package dev.kiln.delivery;

import dev.kiln.definitions.Connection.SecretRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SecretsTest {
    private final Secrets secrets = new Secrets();

    @Test void registered_values_are_masked_wherever_they_appear() {
        secrets.register("s3cr3t-value");
        assertThat(secrets.mask("token=s3cr3t-value; again s3cr3t-value.")).isEqualTo("token=***; again ***.");
        assertThat(secrets.mask("nothing here")).isEqualTo("nothing here");
        assertThat(secrets.mask(null)).isNull();
    }

    @Test void url_encoded_and_base64_forms_of_a_secret_are_masked_too() {
        secrets.register("p@ss word+1");
        assertThat(secrets.mask("client_secret=p%40ss+word%2B1")).isEqualTo("client_secret=***");
        String basic = java.util.Base64.getEncoder().encodeToString("p@ss word+1".getBytes());
        assertThat(secrets.mask("x " + basic)).isEqualTo("x ***");
    }

    @Test void a_longer_secret_containing_a_shorter_one_is_masked_whole() {
        secrets.register("abcd");
        secrets.register("abcdefgh");
        assertThat(secrets.mask("abcdefgh abcd")).isEqualTo("*** ***");
    }

    @Test void values_too_short_to_mask_safely_are_not_registered() {
        secrets.register("ab");
        secrets.register(null);
        assertThat(secrets.mask("a cab")).isEqualTo("a cab");
    }

    @Test void url_user_info_and_sensitive_query_parameters_are_masked() {
        assertThat(Secrets.redactUrl("https://kiln:hunter22@api.example.com/v1/leads?id=7&api_key=XYZ&access_token=abc&code=1&page=2#top"))
                .isEqualTo("https://***@api.example.com/v1/leads?id=7&api_key=***&access_token=***&code=***&page=2#top");
        assertThat(Secrets.redactUrl("https://h/p?Signature=s&X-Amz-Credential=c&sig=z&password=p&client_secret=q&auth=a"))
                .isEqualTo("https://h/p?Signature=***&X-Amz-Credential=***&sig=***&password=***&client_secret=***&auth=***");
        assertThat(Secrets.redactUrl("https://h/p/{{oops}}?q=1")).isEqualTo("https://h/p/{{oops}}?q=1");
        assertThat(Secrets.redactUrl("https://h/a@b")).isEqualTo("https://h/a@b");
    }

    @Test void mask_url_masks_the_shape_and_registered_values_in_the_path() {
        secrets.register("tok-123456");
        assertThat(secrets.maskUrl("https://h/hooks/tok-123456?token=other")).isEqualTo("https://h/hooks/***?token=***");
    }

    @Test void credential_headers_are_masked_keeping_the_scheme_word() {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Authorization", "Bearer 00Dxx!AQ4AQ");
        h.put("Proxy-Authorization", "Basic dXNlcjpwdw==");
        h.put("Cookie", "sid=abc");
        h.put("X-Api-Key", "k-1");
        h.put("X-Auth-Token", "t-1");
        h.put("Content-Type", "application/json");
        h.put("X-Trace", "contains tok-999999");
        secrets.register("tok-999999");
        assertThat(secrets.maskHeaders(h)).containsExactly(
                Map.entry("Authorization", "Bearer ***"), Map.entry("Proxy-Authorization", "Basic ***"),
                Map.entry("Cookie", "***"), Map.entry("X-Api-Key", "***"), Map.entry("X-Auth-Token", "***"),
                Map.entry("Content-Type", "application/json"), Map.entry("X-Trace", "contains ***"));
        assertThat(Secrets.redactHeader("Authorization", "raw-token-without-scheme")).isEqualTo("***");
    }

    @Test void resolver_reads_env_and_files_trimmed_and_registers_the_values(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("sf");
        Files.writeString(file, "  file-secret-value\n");
        SecretResolver r = SecretResolver.of(Map.of("SF_SECRET", " env-secret-value ")::get, secrets);
        assertThat(r.resolve(SecretRef.env("SF_SECRET"))).isEqualTo("env-secret-value");
        assertThat(r.resolve(SecretRef.file(file.toString()))).isEqualTo("file-secret-value");
        assertThat(secrets.mask("env-secret-value file-secret-value")).isEqualTo("*** ***");
    }

    @Test void a_missing_secret_names_the_variable_or_file(@TempDir Path dir) throws Exception {
        SecretResolver r = SecretResolver.of(Map.of("EMPTY", "  ")::get, secrets);
        assertThatThrownBy(() -> r.resolve(SecretRef.env("SF_SECRET")))
                .isInstanceOf(SecretException.class).hasMessage("secret environment variable SF_SECRET is not set");
        assertThatThrownBy(() -> r.resolve(SecretRef.env("EMPTY")))
                .isInstanceOf(SecretException.class).hasMessage("secret environment variable EMPTY is empty");
        Path missing = dir.resolve("nope");
        assertThatThrownBy(() -> r.resolve(SecretRef.file(missing.toString())))
                .isInstanceOf(SecretException.class).hasMessage("secret file " + missing + " does not exist");
        Path blank = dir.resolve("blank");
        Files.writeString(blank, "\n");
        assertThatThrownBy(() -> r.resolve(SecretRef.file(blank.toString())))
                .isInstanceOf(SecretException.class).hasMessage("secret file " + blank + " is empty");
    }
}
