package dev.kiln.liquid;

import java.io.IOException;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import liqp.TemplateParser;
import liqp.filters.Filter;
import liqp.filters.Filters;
import liqp.parser.Flavor;

/**
 * Liqp configured for Kiln: standard Liquid tags and filters, Braze's filters and tags, UTC dates, no file access,
 * iteration and output limits (never {@code withMaxRenderTimeMillis}, which leaves a spinning thread behind).
 * One parser per distinct {@link LiquidLimits}; a TemplateParser is immutable and safe to share.
 */
final class Dialect {
    private Dialect() {}

    private static final Map<LiquidLimits, TemplateParser> PARSERS = new ConcurrentHashMap<>();

    static TemplateParser parser(LiquidLimits limits) {
        return PARSERS.computeIfAbsent(limits, Dialect::build);
    }

    private static TemplateParser build(LiquidLimits limits) {
        TemplateParser.Builder b = new TemplateParser.Builder()
                .withFlavor(Flavor.LIQUID)
                .withMaxIterations(limits.maxIterations())
                .withMaxSizeRenderedString(limits.maxOutputChars())
                .withDefaultTimeZone(ZoneOffset.UTC)
                .withLocale(Locale.ENGLISH)
                .withNameResolver(name -> {
                    throw new IOException("Kiln templates cannot include files");
                })
                .withTag(BrazeTags.ABORT)
                .withTag(BrazeTags.CONNECTED_CONTENT);
        Map<String, Filter> filters = new LinkedHashMap<>(Filters.DEFAULT_FILTERS.getMap());
        for (Filter f : BrazeFilters.all()) {
            filters.put(f.name, f);
        }
        for (Filter f : filters.values()) {
            b.withFilter(new BrazeFilters.SizeGuard(f));
        }
        return b.build();
    }
}
