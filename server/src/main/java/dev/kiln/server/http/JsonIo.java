package dev.kiln.server.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.helidon.common.media.type.MediaType;
import io.helidon.http.HeaderNames;
import io.helidon.http.HttpMediaType;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * JSON in and out with Jackson directly. The parser is bounded (depth, string, document length) so a
 * hostile body costs at most {@code maxBodyBytes} of memory and never a stack overflow.
 */
final class JsonIo {
    static final int MAX_NESTING_DEPTH = 64;
    private static final String JSON = "application/json";

    private final ObjectMapper mapper;
    private final int maxBodyBytes;

    JsonIo(int maxBodyBytes) {
        this.maxBodyBytes = maxBodyBytes;
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(MAX_NESTING_DEPTH)
                        .maxStringLength(maxBodyBytes)
                        .maxDocumentLength(maxBodyBytes)
                        .maxNameLength(10_000)
                        .maxNumberLength(1_000)
                        .build())
                // A repeated key would silently win over the first; refuse the ambiguity instead.
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .build();
        this.mapper = new ObjectMapper(factory).enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }

    ObjectMapper mapper() { return mapper; }

    /** Reads and parses the request body: 413 over the limit, 415 for a non-JSON type, 400 for bad JSON. */
    JsonNode readBody(ServerRequest req) {
        Optional<HttpMediaType> type = req.headers().contentType();
        if (type.isPresent() && !isJson(type.get().mediaType()))
            throw new ApiException.UnsupportedMediaType("Content-Type must be application/json, was " + type.get().text());
        OptionalLong declared = req.headers().contentLength();
        if (declared.isPresent() && declared.getAsLong() > maxBodyBytes) throw tooLarge();
        byte[] bytes = readAtMost(req);
        if (bytes.length == 0) throw new ApiException.BadRequest("Request body is empty; send a JSON object");
        return parse(bytes);
    }

    JsonNode parse(byte[] bytes) {
        try {
            return mapper.readTree(bytes);
        } catch (StreamConstraintsException e) {
            throw new ApiException.BadRequest("Malformed JSON: " + e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw new ApiException.BadRequest("Malformed JSON" + where + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private byte[] readAtMost(ServerRequest req) {
        if (!req.content().hasEntity()) return new byte[0];
        try (InputStream in = req.content().inputStream()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
            byte[] buf = new byte[16384];
            int n;
            while ((n = in.read(buf)) > 0) {
                if (out.size() + n > maxBodyBytes) throw tooLarge();
                out.write(buf, 0, n);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new ApiException.BadRequest("Could not read the request body: " + e.getMessage());
        }
    }

    private ApiException tooLarge() {
        return new ApiException.PayloadTooLarge("Request body is larger than " + maxBodyBytes + " bytes");
    }

    private static boolean isJson(MediaType t) {
        return t.type().equals("application") && (t.subtype().equals("json") || t.subtype().endsWith("+json"));
    }

    byte[] write(Object value) {
        try {
            return mapper.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("response not serialisable", e);
        }
    }

    void send(ServerResponse res, int status, Object body) {
        byte[] bytes = write(body);
        res.status(status);
        res.header(HeaderNames.CONTENT_TYPE, JSON);
        res.send(bytes);
    }
}
