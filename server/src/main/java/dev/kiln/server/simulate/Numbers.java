package dev.kiln.server.simulate;

import java.math.BigDecimal;
import java.math.RoundingMode;

/** Number formatting for the report: locale-free, integral values without a fraction. */
final class Numbers {
    private Numbers() {}

    /** {@code 12}, {@code -3}, {@code 2.5}, {@code 0.33} (at most two decimals, trailing zeros dropped). */
    static String format(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) return Long.toString((long) v);
        BigDecimal d = new BigDecimal(v).setScale(2, RoundingMode.HALF_EVEN).stripTrailingZeros();
        return d.scale() <= 0 ? d.toBigInteger().toString() : d.toPlainString();
    }
}
