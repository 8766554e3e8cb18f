package org.securecomm.desktop;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;

/** Human lines or one JSON object per line (--json), on standard output. */
final class Output {

    private final boolean json;
    private final PrintStream out = System.out;

    Output(boolean json) {
        this.json = json;
    }

    boolean json() {
        return json;
    }

    /** Prints {@code human} or the fields as JSON. Fields come as name, value pairs. */
    synchronized void print(String human, Object... fields) {
        if (json) {
            Map<String, Object> object = new LinkedHashMap<>();
            for (int i = 0; i + 1 < fields.length; i += 2) {
                object.put((String) fields[i], fields[i + 1]);
            }
            out.println(toJson(object));
        } else {
            out.println(human);
        }
        out.flush();
    }

    static String toJson(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof Number || value instanceof Boolean) {
            return value.toString();
        }
        if (value instanceof Map<?, ?> map) {
            StringBuilder object = new StringBuilder("{");
            map.forEach((key, field) -> object.append(object.length() > 1 ? "," : "").append(quote(key.toString()))
                    .append(':').append(toJson(field)));
            return object.append('}').toString();
        }
        if (value instanceof Iterable<?> list) {
            StringBuilder array = new StringBuilder("[");
            for (Object item : list) {
                array.append(array.length() > 1 ? "," : "").append(toJson(item));
            }
            return array.append(']').toString();
        }
        return quote(value.toString());
    }

    private static String quote(String text) {
        StringBuilder quoted = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> quoted.append("\\\"");
                case '\\' -> quoted.append("\\\\");
                case '\n' -> quoted.append("\\n");
                case '\r' -> quoted.append("\\r");
                case '\t' -> quoted.append("\\t");
                default -> {
                    if (c < 0x20) {
                        quoted.append(String.format("\\u%04x", (int) c));
                    } else {
                        quoted.append(c);
                    }
                }
            }
        }
        return quoted.append('"').toString();
    }
}
