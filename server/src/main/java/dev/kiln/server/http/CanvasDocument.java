package dev.kiln.server.http;

import io.helidon.common.media.type.MediaType;
import io.helidon.http.HttpMediaType;
import io.helidon.webserver.http.ServerRequest;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The body of {@code PUT /canvases/{id}}: the same document as a {@code canvases/*.yaml} file, as YAML
 * ({@code application/yaml}, {@code application/x-yaml}, {@code text/yaml}) or JSON ({@code application/json}).
 * Without a Content-Type a body starting with {@code {} is JSON and anything else YAML.
 */
record CanvasDocument(String text, boolean json) {
    /** Far above any hand-written Canvas; a bound so a hostile body costs little. */
    static final int MAX_BYTES = 1024 * 1024;

    static CanvasDocument read(ServerRequest req) {
        Optional<HttpMediaType> type = req.headers().contentType();
        Boolean json = type.map(t -> kind(t.mediaType())).orElse(null);
        if (type.isPresent() && json == null)
            throw new ApiException.UnsupportedMediaType("Content-Type must be application/yaml, text/yaml or application/json, was "
                    + type.get().text());
        OptionalLong declared = req.headers().contentLength();
        if (declared.isPresent() && declared.getAsLong() > MAX_BYTES) throw tooLarge();
        String text = utf8(readAtMost(req));
        if (text.isBlank()) throw new ApiException.BadRequest("Request body is empty; send a Canvas document (YAML or JSON)");
        if (json == null) json = text.stripLeading().startsWith("{");
        return new CanvasDocument(text, json);
    }

    /** True for JSON, false for YAML, null for anything else. */
    private static Boolean kind(MediaType t) {
        String sub = t.subtype();
        if (t.type().equals("application") && (sub.equals("json") || sub.endsWith("+json"))) return true;
        if ((t.type().equals("application") || t.type().equals("text")) && (sub.equals("yaml") || sub.equals("x-yaml"))) return false;
        return null;
    }

    private static byte[] readAtMost(ServerRequest req) {
        if (!req.content().hasEntity()) return new byte[0];
        try (InputStream in = req.content().inputStream()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
            byte[] buf = new byte[16384];
            int n;
            while ((n = in.read(buf)) > 0) {
                if (out.size() + n > MAX_BYTES) throw tooLarge();
                out.write(buf, 0, n);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new ApiException.BadRequest("Could not read the request body: " + e.getMessage());
        }
    }

    private static String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new ApiException.BadRequest("The Canvas document is not valid UTF-8");
        }
    }

    private static ApiException tooLarge() {
        return new ApiException.PayloadTooLarge("A Canvas document may be at most " + MAX_BYTES + " bytes");
    }
}
