package dev.kiln.engine;

/** Limits shared by every way data comes in (Braze's where it has them). */
public final class Limits {
    private Limits() {}

    /** Objects of one type (attributes, events, purchases) in one /users/track request. */
    public static final int MAX_OBJECTS_PER_TYPE = 75;
    public static final int MAX_STRING_LENGTH = 255;
    public static final int MAX_EVENT_PROPERTIES = 256;
    public static final int MAX_PROPERTY_NAME_LENGTH = 255;
    /** Numbers beyond ±2^63 are refused (Braze stores 64-bit integers). */
    public static final double MAX_NUMBER = 9.223372036854775807E18;
    /** Nesting depth of nested custom attributes and event properties. */
    public static final int MAX_NESTING_DEPTH = 50;
    /** Serialized size of one event's properties, bytes (Braze: 50 KB). */
    public static final int MAX_PROPERTIES_BYTES = 50 * 1024;
}
