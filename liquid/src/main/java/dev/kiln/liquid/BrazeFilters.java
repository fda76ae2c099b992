package dev.kiln.liquid;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.TemporalAccessor;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import liqp.LValue;
import liqp.TemplateContext;
import liqp.filters.Filter;

/** Braze's own filters, plus {@code date}/{@code time_zone} that read "now" from the render's clock. */
final class BrazeFilters {
    private BrazeFilters() {}

    static List<Filter> all() {
        List<Filter> f = new ArrayList<>();
        f.add(new Date());
        f.add(new TimeZone());
        f.add(text("md5", s -> digest("MD5", s)));
        f.add(text("sha1", s -> digest("SHA-1", s)));
        f.add(text("sha2", s -> digest("SHA-256", s)));
        f.add(text("base64", BrazeFilters::base64));
        f.add(text("base64_encode", BrazeFilters::base64));
        f.add(text("base64_decode", BrazeFilters::base64Decode));
        f.add(hmac("hmac_sha1", "HmacSHA1", false));
        f.add(hmac("hmac_sha1_hex", "HmacSHA1", false));
        f.add(hmac("hmac_sha1_base64", "HmacSHA1", true));
        f.add(hmac("hmac_sha256_hex", "HmacSHA256", false));
        f.add(hmac("hmac_sha256_base64", "HmacSHA256", true));
        f.add(text("url_escape", s -> percentEncode(s, URL_SAFE)));
        f.add(text("url_param_escape", s -> percentEncode(s, PARAM_SAFE)));
        f.add(text("json_escape", BrazeFilters::jsonEscape));
        f.add(new PropertyAccessor());
        f.add(new NumberWithDelimiter());
        return f;
    }

    // ---- encoding

    private static Filter text(String name, java.util.function.UnaryOperator<String> op) {
        return new Filter(name) {
            @Override
            public Object apply(Object value, TemplateContext context, Object... params) {
                return op.apply(asString(value, context));
            }
        };
    }

    private static String digest(String algorithm, String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is required by the JDK", e);
        }
    }

    private static String base64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    /** Invalid input is returned unchanged, as Liquid filters do with values they cannot handle. */
    private static String base64Decode(String s) {
        try {
            return new String(Base64.getDecoder().decode(s.strip()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException notBase64) {
            return s;
        }
    }

    private static Filter hmac(String name, String algorithm, boolean base64) {
        return new Filter(name) {
            @Override
            public Object apply(Object value, TemplateContext context, Object... params) {
                if (params == null || params.length != 1) {
                    throw new IllegalArgumentException(name + " needs a key: {{ value | " + name + ": 'key' }}");
                }
                try {
                    Mac mac = Mac.getInstance(algorithm);
                    mac.init(new SecretKeySpec(asString(params[0], context).getBytes(StandardCharsets.UTF_8), algorithm));
                    byte[] sig = mac.doFinal(asString(value, context).getBytes(StandardCharsets.UTF_8));
                    return base64 ? Base64.getEncoder().encodeToString(sig) : HexFormat.of().formatHex(sig);
                } catch (java.security.GeneralSecurityException e) {
                    throw new IllegalStateException(algorithm + " is required by the JDK", e);
                }
            }
        };
    }

    /** Ruby's URI.escape: keeps letters, digits and {@code -_.!~*'();/?:@&=+$,[]}. */
    private static final String URL_SAFE = "-_.!~*'();/?:@&=+$,[]";
    /** ERB::Util.url_encode: keeps only letters, digits and {@code -_.~}; space is %20. */
    private static final String PARAM_SAFE = "-_.~";

    private static String percentEncode(String s, String safe) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        StringBuilder b = new StringBuilder(bytes.length + 16);
        for (byte x : bytes) {
            int c = x & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || (c < 128 && safe.indexOf(c) >= 0)) {
                b.append((char) c);
            } else {
                b.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return b.toString();
    }

    /**
     * The inside of a JSON string: quotes, backslashes and control characters escaped, other characters (accents,
     * emoji) kept as they are, which JSON allows; U+2028/U+2029 escaped for JavaScript consumers.
     */
    static String jsonEscape(String s) {
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            String rep = switch (c) {
                case '"' -> "\\\"";
                case '\\' -> "\\\\";
                case '\n' -> "\\n";
                case '\r' -> "\\r";
                case '\t' -> "\\t";
                case '\b' -> "\\b";
                case '\f' -> "\\f";
                case '\u2028' -> "\\u2028";
                case '\u2029' -> "\\u2029";
                default -> c < 0x20 ? String.format("\\u%04x", (int) c) : null;
            };
            if (rep != null) {
                if (b == null) {
                    b = new StringBuilder(s.length() + 16).append(s, 0, i);
                }
                b.append(rep);
            } else if (b != null) {
                b.append(c);
            }
        }
        return b == null ? s : b.toString();
    }

    // ---- hashes and numbers

    /** {@code {{ hash | property_accessor: key }}}: the value at key, nil when absent or not a hash. */
    private static final class PropertyAccessor extends Filter {
        PropertyAccessor() {
            super("property_accessor");
        }

        @Override
        public Object apply(Object value, TemplateContext context, Object... params) {
            if (params == null || params.length != 1) {
                throw new IllegalArgumentException("property_accessor needs a key: {{ hash | property_accessor: 'key' }}");
            }
            return value instanceof Map<?, ?> m ? m.get(asString(params[0], context)) : null;
        }
    }

    /** {@code 1234567.5 → 1,234,567.5}; values that are not numbers are returned unchanged. */
    private static final class NumberWithDelimiter extends Filter {
        NumberWithDelimiter() {
            super("number_with_delimiter");
        }

        @Override
        public Object apply(Object value, TemplateContext context, Object... params) {
            String plain;
            if (value instanceof Double d) {
                plain = BigDecimal.valueOf(d).toPlainString();
            } else if (value instanceof BigDecimal d) {
                plain = d.toPlainString();
            } else if (value instanceof Number n) {
                plain = String.valueOf(n);
            } else if (value instanceof String s && s.strip().matches("-?\\d+(\\.\\d+)?")) {
                plain = s.strip();
            } else {
                return value;
            }
            boolean negative = plain.startsWith("-");
            String digits = negative ? plain.substring(1) : plain;
            int dot = digits.indexOf('.');
            String whole = dot < 0 ? digits : digits.substring(0, dot);
            StringBuilder b = new StringBuilder(plain.length() + whole.length() / 3);
            if (negative) {
                b.append('-');
            }
            for (int i = 0; i < whole.length(); i++) {
                if (i > 0 && (whole.length() - i) % 3 == 0) {
                    b.append(',');
                }
                b.append(whole.charAt(i));
            }
            if (dot >= 0) {
                b.append(digits, dot, digits.length());
            }
            return b.toString();
        }
    }

    // ---- time: "now" is the render's clock, never the machine's

    static ZonedDateTime now(TemplateContext context) {
        return ZonedDateTime.now(RenderState.of(context).clock()).withZoneSameInstant(ZoneOffset.UTC);
    }

    private static boolean isNow(Object value) {
        return "now".equals(value) || "today".equals(value);
    }

    /** Liqp's {@code date}, with "now"/"today" from the render's clock. Named Date so Liqp registers it as "date". */
    static final class Date extends liqp.filters.Date {
        @Override
        public Object apply(Object value, TemplateContext context, Object... params) {
            return super.apply(isNow(value) ? now(context) : value, context, params);
        }
    }

    /** Braze's {@code {{ "now" | time_zone: ${time_zone} | date: "%H:%M" }}}; an unknown zone leaves the value alone. */
    private static final class TimeZone extends Filter {
        TimeZone() {
            super("time_zone");
        }

        @Override
        public Object apply(Object value, TemplateContext context, Object... params) {
            if (params == null || params.length != 1) {
                throw new IllegalArgumentException("time_zone needs a zone: {{ 'now' | time_zone: 'America/Sao_Paulo' }}");
            }
            ZoneId zone;
            try {
                zone = ZoneId.of(asString(params[0], context).strip());
            } catch (DateTimeException unknownZone) {
                return value;
            }
            ZonedDateTime t;
            if (isNow(value)) {
                t = now(context);
            } else if (value instanceof TemporalAccessor) {
                t = LValue.asRubyDate(value, context);
            } else if (isNumber(value)) {
                t = java.time.Instant.ofEpochSecond(asNumber(value).longValue()).atZone(ZoneOffset.UTC);
            } else {
                TemporalAccessor parsed = context.getDateParser().parse(asString(value, context),
                        context.getParser().locale, ZoneOffset.UTC);
                if (parsed == null) {
                    return value;
                }
                t = LValue.asRubyDate(parsed, context);
            }
            return t.withZoneSameInstant(zone);
        }
    }

    /**
     * Wraps every filter so a value built by filters (e.g. {@code append} in a loop of assigns, which never passes
     * through Liqp's output check) cannot grow beyond the output limit.
     */
    static final class SizeGuard extends Filter {
        private final Filter delegate;

        SizeGuard(Filter delegate) {
            super(delegate.name);
            this.delegate = delegate;
        }

        @Override
        public Object apply(Object value, TemplateContext context, Object... params) {
            Object result = delegate.apply(value, context, params);
            if (result instanceof CharSequence s && s.length() > context.getParser().getLimitMaxSizeRenderedString()) {
                throw new LimitExceeded("a value built by filter '" + name + "' exceeds "
                        + context.getParser().getLimitMaxSizeRenderedString() + " characters (LiquidLimits.maxOutputChars)");
            }
            return result;
        }
    }

    /** A limit stopped the render; the message says which. */
    static final class LimitExceeded extends RuntimeException {
        private static final long serialVersionUID = 1L;

        LimitExceeded(String message) {
            super(message, null, false, false);
        }
    }
}
