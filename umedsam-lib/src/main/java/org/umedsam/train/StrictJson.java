package org.umedsam.train;

import com.google.gson.JsonElement;
import java.util.Map;

/**
 * JSON taken strictly for a config record ({@link TrainConfig}): each key's value must have its component's type
 * (never coerced: {@code "yes"} is no boolean, {@code 2.5} no int, {@code 1e10} no int either), and no key may
 * appear twice (a parsed object keeps only the last). Messages name the key, what it must be and what it got.
 */
final class StrictJson {
    private StrictJson() {
    }

    /** The first top-level key of a JSON object that appears twice, or null (the JSON is known to parse). */
    static String duplicateKey(String json) {
        try (com.google.gson.stream.JsonReader r = new com.google.gson.stream.JsonReader(new java.io.StringReader(json))) {
            r.setLenient(true);
            java.util.Set<String> seen = new java.util.HashSet<>();
            r.beginObject();
            while (r.hasNext()) {
                String name = r.nextName();
                if (!seen.add(name)) {
                    return name;
                }
                r.skipValue();
            }
            return null;
        } catch (java.io.IOException | RuntimeException e) {
            return null; // the parser already accepted it; nothing more to say
        }
    }

    /** Each record class's component names and types. */
    private static final ClassValue<Map<String, java.lang.reflect.Type>> KEY_TYPES = new ClassValue<>() {
        @Override
        protected Map<String, java.lang.reflect.Type> computeValue(Class<?> record) {
            Map<String, java.lang.reflect.Type> m = new java.util.LinkedHashMap<>();
            for (java.lang.reflect.RecordComponent c : record.getRecordComponents()) {
                m.put(c.getName(), c.getGenericType());
            }
            return m;
        }
    };

    private static final java.math.BigDecimal INT_MIN = java.math.BigDecimal.valueOf(Integer.MIN_VALUE);
    private static final java.math.BigDecimal INT_MAX = java.math.BigDecimal.valueOf(Integer.MAX_VALUE);
    private static final java.math.BigDecimal LONG_MIN = java.math.BigDecimal.valueOf(Long.MIN_VALUE);
    private static final java.math.BigDecimal LONG_MAX = java.math.BigDecimal.valueOf(Long.MAX_VALUE);

    /**
     * What is wrong with the type of {@code value} for {@code key} ("key 'batchSize' must be a whole number (int),
     * got 2.5"), or null when it has the key's type. JSON types are taken strictly, never coerced: a boolean is
     * {@code true} or {@code false}, an integer a whole number within its range, a number finite, a string a
     * string, a list an array of such values, and null is none of them. Ranges of values are the record's checks.
     */
    static String typeProblem(Class<? extends Record> record, String key, JsonElement value) {
        java.lang.reflect.Type t = KEY_TYPES.get(record).get(key);
        if (t == null) {
            return null;
        }
        String want = valueProblem(t, value);
        return want == null ? null : "key '" + key + "' must be " + want + ", got " + describe(value);
    }

    /** What {@code v} should be for type {@code t}, or null when it is that. */
    private static String valueProblem(java.lang.reflect.Type t, JsonElement v) {
        if (t instanceof java.lang.reflect.ParameterizedType p) {
            java.lang.reflect.Type item = p.getActualTypeArguments()[0];
            String what = item == String.class ? "a list of strings" : "a list of numbers";
            if (v == null || !v.isJsonArray()) {
                return what;
            }
            for (JsonElement x : v.getAsJsonArray()) {
                if (valueProblem(item, x) != null) {
                    return what;
                }
            }
            return null;
        }
        if (t == String.class) {
            return v != null && v.isJsonPrimitive() && v.getAsJsonPrimitive().isString() ? null : "a string";
        }
        if (t == boolean.class) {
            return v != null && v.isJsonPrimitive() && v.getAsJsonPrimitive().isBoolean() ? null : "true or false";
        }
        if (t instanceof Class<?> c && c.isEnum()) {
            String names = java.util.Arrays.stream(c.getEnumConstants()).map(Object::toString)
                    .collect(java.util.stream.Collectors.joining(" or "));
            if (v == null || !v.isJsonPrimitive() || !v.getAsJsonPrimitive().isString()) {
                return names;
            }
            for (Object constant : c.getEnumConstants()) {
                if (constant.toString().equals(v.getAsString())) {
                    return null;
                }
            }
            return names;
        }
        boolean integer = t == int.class || t == long.class;
        String what = t == int.class ? "a whole number (int)" : t == long.class ? "a whole number (long)"
                : "a finite number";
        if (v == null || !v.isJsonPrimitive() || !v.getAsJsonPrimitive().isNumber()) {
            return what;
        }
        java.math.BigDecimal d;
        try {
            d = new java.math.BigDecimal(v.getAsString());
        } catch (NumberFormatException e) {
            return what; // NaN, Infinity
        }
        if (!integer) {
            return Double.isFinite(d.doubleValue()) ? null : what;
        }
        java.math.BigDecimal min = t == int.class ? INT_MIN : LONG_MIN;
        java.math.BigDecimal max = t == int.class ? INT_MAX : LONG_MAX;
        if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            return what + " from " + min + " to " + max;
        }
        return d.stripTrailingZeros().scale() <= 0 ? null : what;
    }

    private static String describe(JsonElement v) {
        String s = v == null ? "null" : v.toString();
        return s.length() <= 60 ? s : s.substring(0, 60) + "...";
    }
}
