package dev.kiln.server.http;

/**
 * One object of a request failed validation: it is listed in the response's {@code errors} and never
 * submitted, while the other objects go on. {@code type} is a stable code, the message says what and why.
 */
final class Invalid extends RuntimeException {
    static final String OBJECT = "invalid_object";
    static final String MISSING_IDENTIFIER = "missing_identifier";
    static final String MULTIPLE_IDENTIFIERS = "multiple_identifiers";
    static final String IDENTIFIER = "invalid_identifier";
    static final String ATTRIBUTE = "invalid_attribute";
    static final String EVENT = "invalid_event";
    static final String PURCHASE = "invalid_purchase";
    static final String PROPERTY = "invalid_property";
    static final String UNSUPPORTED = "unsupported_field";

    private final String type;

    Invalid(String type, String reason) {
        super(reason, null, false, false);
        this.type = type;
    }

    String type() { return type; }
}
