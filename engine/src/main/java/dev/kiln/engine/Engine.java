package dev.kiln.engine;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The transition function: {@code (UserState, Input, now) -> (UserState', Effects)}. The state is
 * changed in place (the caller owns it; copy first to keep the old one). Deterministic: no clock reads,
 * no I/O, no threads, no randomness; the same inputs and {@code now} give the same state and effects.
 */
public final class Engine {
    private final EngineConfig config;

    public Engine(EngineConfig config) { this.config = config; }

    public EngineConfig config() { return config; }

    public Transition apply(UserState user, Input input, long now) {
        return switch (input) {
            case Input.UpdateAttributes u -> updateAttributes(user, u, now);
            case Input.TrackEvent e -> trackEvent(user, e, now);
            case Input.TrackPurchase p -> trackPurchase(user, p, now);
            case Input.Identify i -> identify(user, i, now);
            case Input.AddAlias a -> addAlias(user, a, now);
            case Input.MergeFrom m -> merge(user, m, now);
            case Input.Delete d -> new Transition(List.of(new Effect.UserDeleted(user.userId())), null);
            // Canvas inputs change nothing by themselves; CanvasEngine acts on them.
            case Input.TimerFired t -> new Transition(List.of(), null);
            case Input.EnterCanvas e -> new Transition(List.of(), null);
            case Input.TriggerCampaign c -> new Transition(List.of(), null);
            case Input.MessageOutcome o -> new Transition(List.of(), null);
        };
    }

    // ---- attributes -------------------------------------------------------------------------------

    private Transition updateAttributes(UserState user, Input.UpdateAttributes in, long now) {
        return updateAttributes(user, in.ops(), in.id(), in.source(), now);
    }

    private Transition updateAttributes(UserState user, List<AttributeOp> ops, String inputId, Source source, long now) {
        if (ops.size() == 1) { // the common case (a Canvas User Update): no map of values to come
            AttributeOp op = ops.get(0);
            Result r = compute(op, user.attribute(op.name()).orElse(null));
            if (r.error != null) return Transition.rejected(op.name() + ": " + r.error);
            List<Effect> effects = new ArrayList<>(2);
            change(user, op.name(), r.value, inputId, source, now, effects, 0);
            if (!effects.isEmpty()) user.touch(now);
            return new Transition(effects, null);
        }
        // Compute every new value first so that one bad operation rejects the whole object.
        Map<String, Optional<Value>> next = new LinkedHashMap<>();
        for (AttributeOp op : ops) {
            Optional<Value> current = next.containsKey(op.name()) ? next.get(op.name()) : user.attribute(op.name());
            Result r = compute(op, current.orElse(null));
            if (r.error != null) return Transition.rejected(op.name() + ": " + r.error);
            next.put(op.name(), Optional.ofNullable(r.value));
        }
        return setAll(user, next, inputId, source, now);
    }

    /**
     * Applies attribute operations atomically (a User Update step); rejected as a whole when one
     * operation does not fit the current value.
     */
    public Transition applyOps(UserState user, List<AttributeOp> ops, String inputId, Source source, long now) {
        return updateAttributes(user, ops, inputId, source, now);
    }

    /** Applies new values (empty = unset) and reports each real change; shared with later step kinds. */
    public Transition setAll(UserState user, Map<String, Optional<Value>> next, String inputId, Source source, long now) {
        List<Effect> effects = new ArrayList<>();
        int n = 0;
        for (var e : next.entrySet())
            if (change(user, e.getKey(), e.getValue().orElse(null), inputId, source, now, effects, n)) n++;
        if (!effects.isEmpty()) user.touch(now);
        return new Transition(effects, null);
    }

    /** Sets one attribute ({@code neu} null unsets it); if that changes it, adds the change and its log event as the {@code n}th. */
    private static boolean change(UserState user, String name, Value neu, String inputId, Source source, long now, List<Effect> effects, int n) {
        boolean standard = StandardAttributes.isStandard(name);
        Map<String, Value> target = standard ? user.standard() : user.custom();
        Value old = target.get(name);
        if (java.util.Objects.equals(old, neu)) return false;
        if (neu == null) target.remove(name); else target.put(name, neu);
        effects.add(new Effect.AttributeChanged(name, old, neu, source, now));
        Object oldJava = old == null ? null : old.toJava(), newJava = neu == null ? null : neu.toJava();
        Map<String, Object> data = old instanceof Value.Num o && neu instanceof Value.Num v
                ? Json.fields("name", name, "old_value", oldJava, "new_value", newJava,
                        "delta", Value.num(v.value() - o.value()).toJava(), "source", source.label())
                : Json.fields("name", name, "old_value", oldJava, "new_value", newJava, "source", source.label());
        effects.add(new Effect.LogEvent(inputId + "." + n, "users.attributes.Change", now, data));
        return true;
    }

    private record Result(Value value, String error) {
        static Result ok(Value v) { return new Result(v, null); }
        static Result error(String e) { return new Result(null, e); }
    }

    private Result compute(AttributeOp op, Value current) {
        return switch (op) {
            case AttributeOp.Set s -> set(s, current);
            case AttributeOp.Unset u -> Result.ok(null);
            case AttributeOp.Inc i -> {
                if (current != null && !(current instanceof Value.Num)) yield Result.error("cannot increment a " + current.typeName() + " attribute");
                double v = (current == null ? 0 : ((Value.Num) current).value()) + i.by();
                if (i.floor() != null) v = Math.max(v, i.floor());
                if (i.ceiling() != null) v = Math.min(v, i.ceiling());
                if (!Double.isFinite(v) || Math.abs(v) > Limits.MAX_NUMBER) yield Result.error("result out of range");
                yield Result.ok(Value.num(v));
            }
            case AttributeOp.Add a -> {
                if (current != null && !(current instanceof Value.Arr)) yield Result.error("cannot add to a " + current.typeName() + " attribute");
                LinkedHashSet<String> set = new LinkedHashSet<>(current == null ? List.of() : ((Value.Arr) current).values());
                for (String s : a.values()) { set.remove(s); set.add(s); }
                yield Result.ok(new Value.Arr(trimOldest(new ArrayList<>(set))));
            }
            case AttributeOp.Remove r -> {
                if (current == null) yield Result.ok(null);
                if (!(current instanceof Value.Arr arr)) yield Result.error("cannot remove from a " + current.typeName() + " attribute");
                List<String> left = new ArrayList<>(arr.values());
                left.removeAll(r.values());
                yield Result.ok(new Value.Arr(left));
            }
        };
    }

    private Result set(AttributeOp.Set s, Value current) {
        Value v = s.value();
        if (v instanceof Value.Arr a) {
            LinkedHashSet<String> unique = new LinkedHashSet<>(a.values());
            v = new Value.Arr(trimOldest(new ArrayList<>(unique)));
        }
        return Result.ok(v);
    }

    /** Keeps the newest {@code arrayMaxLength} entries (Braze drops the first element when full). */
    private List<String> trimOldest(List<String> values) {
        int max = config.arrayMaxLength();
        return values.size() <= max ? values : values.subList(values.size() - max, values.size());
    }

    // ---- events and purchases ---------------------------------------------------------------------

    private Transition trackEvent(UserState user, Input.TrackEvent in, long now) {
        long time = Math.min(in.time(), now); // future times are clamped to now, as Braze
        String type = ReservedEvents.TYPES.get(in.name());
        if (type != null) {
            if (in.name().equals(ReservedEvents.SESSION_START)) user.sessions().record(time, 1);
            else user.events().computeIfAbsent(in.name(), k -> new EventSummary()).record(time, 1);
        } else {
            type = "users.behaviors.CustomEvent";
            user.events().computeIfAbsent(in.name(), k -> new EventSummary()).record(time, 1);
        }
        user.touch(now);
        Map<String, Object> data = Json.fields("name", in.name(), "properties", in.properties(), "source", in.source().label());
        return new Transition(List.of(new Effect.LogEvent(in.id(), type, time, data)), null);
    }

    private Transition trackPurchase(UserState user, Input.TrackPurchase in, long now) {
        long time = Math.min(in.time(), now);
        user.purchases().record(time, in.quantity());
        user.products().computeIfAbsent(in.productId(), k -> new EventSummary()).record(time, in.quantity());
        user.touch(now);
        Map<String, Object> data = Json.fields("product_id", in.productId(), "currency", in.currency(),
                "price", Value.num(in.price()).toJava(), "quantity", in.quantity(), "properties", in.properties(),
                "source", in.source().label());
        return new Transition(List.of(new Effect.LogEvent(in.id(), "users.behaviors.Purchase", time, data)), null);
    }

    // ---- identity ---------------------------------------------------------------------------------

    private Transition identify(UserState user, Input.Identify in, long now) {
        if (in.externalId() != null) {
            if (user.externalId() != null && !user.externalId().equals(in.externalId()))
                return Transition.rejected("user already has external_id " + user.externalId());
            user.externalId(in.externalId());
        }
        if (in.alias() != null && !user.aliases().contains(in.alias())) user.aliases().add(in.alias());
        return new Transition(List.of(), null);
    }

    private Transition addAlias(UserState user, Input.AddAlias in, long now) {
        for (UserAlias a : user.aliases())
            if (a.label().equals(in.alias().label()) && !a.equals(in.alias()))
                return Transition.rejected("user already has an alias with label " + a.label());
        if (!user.aliases().contains(in.alias())) { user.aliases().add(in.alias()); user.touch(now); }
        return new Transition(List.of(), null);
    }

    /**
     * Identify's merge rules: the target (identified) profile wins every conflict; attributes it lacks
     * are copied from the alias-only profile; event, session and purchase summaries are added together
     * (counts summed, first = earliest, last = latest); the aliases move to the target.
     */
    private Transition merge(UserState user, Input.MergeFrom in, long now) {
        UserState from = in.from();
        Map<String, Optional<Value>> copied = new LinkedHashMap<>();
        from.standard().forEach((k, v) -> { if (!user.standard().containsKey(k)) copied.put(k, Optional.of(v)); });
        from.custom().forEach((k, v) -> { if (!user.custom().containsKey(k)) copied.put(k, Optional.of(v)); });
        from.events().forEach((k, v) -> user.events().computeIfAbsent(k, x -> new EventSummary()).merge(v));
        from.products().forEach((k, v) -> user.products().computeIfAbsent(k, x -> new EventSummary()).merge(v));
        user.purchases().merge(from.purchases());
        user.sessions().merge(from.sessions());
        for (UserAlias a : from.aliases()) if (!user.aliases().contains(a)) user.aliases().add(a);
        user.touch(now);
        return setAll(user, copied, in.id(), in.source(), now);
    }
}
