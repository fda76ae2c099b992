package dev.kiln.liquid;

import java.util.Map;

/** One {@code connected_content} tag as parsed at compile time; URL, body and header values are templates. */
record CallSpec(int sourceOffset, String method, Part url, Part body, Map<String, Part> headers, String contentType,
                String save, String basicAuth, boolean retry, Integer cacheMaxAge, boolean noCache) {

    /** Braze's default variable for a JSON response without {@code :save}. */
    static final String DEFAULT_SAVE = "connected";

    String saveAs() {
        return save == null ? DEFAULT_SAVE : save;
    }

    /** Constant text, or the index of a compiled sub-template. */
    record Part(String constant, int template) {
        static Part text(String s) {
            return new Part(s, -1);
        }

        boolean isConstant() {
            return template < 0;
        }
    }
}
