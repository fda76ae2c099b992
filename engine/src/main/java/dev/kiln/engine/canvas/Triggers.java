package dev.kiln.engine.canvas;

import dev.kiln.engine.Json;
import dev.kiln.engine.Value;
import dev.kiln.engine.filter.Filters;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Whether a happening fires a trigger (Braze's rules are on {@link Trigger}). */
final class Triggers {
    private Triggers() {}

    static boolean fires(Trigger t, Happening h, long now) {
        return switch (t) {
            case Trigger.AttributeChanged a -> h instanceof Happening.AttributeChange c && c.name().equals(a.name())
                    && c.newValue() != null && (a.value() == null || a.value().equals(c.newValue()));
            case Trigger.AttributeCrossed x -> h instanceof Happening.AttributeChange c && c.name().equals(x.name())
                    && crossed(x, c.oldValue(), c.newValue());
            case Trigger.EmailAdded e -> h instanceof Happening.AttributeChange c && c.name().equals("email")
                    && c.newValue() != null;
            case Trigger.CustomEvent e -> h instanceof Happening.Event ev && ev.name().equals(e.name())
                    && properties(e.properties(), ev.properties(), now);
            case Trigger.SessionStarted s -> h instanceof Happening.Session;
            case Trigger.WebhookSent w -> h instanceof Happening.WebhookSent ws
                    && (w.campaignId() == null || w.campaignId().equals(ws.campaignId()));
            case Trigger.Purchase p -> h instanceof Happening.Purchase pu
                    && (p.productId() == null || p.productId().equals(pu.productId()))
                    && properties(p.properties(), pu.properties(), now);
        };
    }

    /** Upward: from below (or blank) to at/above the threshold; downward: from at/above to below. */
    private static boolean crossed(Trigger.AttributeCrossed x, Value old, Value neu) {
        if (!(neu instanceof Value.Num n)) return false;
        boolean wasAbove = old instanceof Value.Num o && o.value() >= x.threshold();
        boolean isAbove = n.value() >= x.threshold();
        return x.direction() == Trigger.AttributeCrossed.Direction.UP ? !wasAbove && isAbove : wasAbove && !isAbove;
    }

    private static boolean properties(List<Trigger.PropertyFilter> filters, Map<String, Object> props, long now) {
        for (Trigger.PropertyFilter f : filters)
            if (!Filters.testValue(f.condition(), toValue(Json.at(props, f.path())), now)) return false;
        return true;
    }

    /** A JSON property as a filterable value; null when absent (blank). */
    @SuppressWarnings("unchecked")
    static Value toValue(Object o) {
        if (o == null) return null;
        if (o instanceof String s) return dev.kiln.engine.BrazeTime.parse(s).<Value>map(Value.Time::new).orElse(new Value.Str(s));
        if (o instanceof Number n) return Double.isFinite(n.doubleValue()) ? new Value.Num(n.doubleValue()) : null;
        if (o instanceof Boolean b) return new Value.Bool(b);
        if (o instanceof List<?> l) {
            List<String> out = new ArrayList<>();
            for (Object x : l) out.add(String.valueOf(x));
            return new Value.Arr(out);
        }
        if (o instanceof Map<?, ?> m) return new Value.Obj((Map<String, Object>) m);
        return new Value.Str(String.valueOf(o));
    }
}
