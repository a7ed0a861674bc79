package io.github.tethersync.tether.driver;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The driver's JSON: a small strict reader whose every node keeps its exact
 * source text, so that the sub-documents of a request (config, ops, query)
 * reach Tether exactly as the scenario wrote them (numbers are never
 * re-printed: an int64 beyond 2^53 stays exact), and a writer for the
 * driver's own small objects. The JDK has no JSON; the driver needs nothing
 * but the JDK and the generated classes.
 */
final class Json {
    enum Kind { OBJECT, ARRAY, STRING, NUMBER, TRUE, FALSE, NULL }

    /** One parsed value and its source text. */
    static final class Node {
        final Kind kind;
        final String raw;
        final String string; // STRING
        final Map<String, Node> members; // OBJECT (the last of duplicate names wins)
        final List<Node> elements; // ARRAY

        Node(Kind kind, String raw, String string, Map<String, Node> members, List<Node> elements) {
            this.kind = kind;
            this.raw = raw;
            this.string = string;
            this.members = members;
            this.elements = elements;
        }

        Node get(String name) {
            return members == null ? null : members.get(name);
        }

        boolean isNull() {
            return kind == Kind.NULL;
        }
    }

    static final class ParseException extends Exception {
        private static final long serialVersionUID = 1L;

        ParseException(String msg) {
            super(msg);
        }
    }

    private final String s;
    private int i;

    private Json(String s) {
        this.s = s;
    }

    /** Parses one JSON value (surrounding whitespace allowed). */
    static Node parse(String text) throws ParseException {
        Json p = new Json(text);
        p.ws();
        Node n = p.value(0);
        p.ws();
        if (p.i != text.length()) throw p.error("trailing data after the JSON value");
        return n;
    }

    /** Whether a member is present and not null. */
    static boolean present(Node n) {
        return n != null && n.kind != Kind.NULL;
    }

    private ParseException error(String msg) {
        return new ParseException(msg + " at offset " + i);
    }

    private void ws() {
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
            i++;
        }
    }

    private Node value(int depth) throws ParseException {
        if (depth > 1000) throw error("nested too deeply");
        if (i >= s.length()) throw error("unexpected end of input");
        int start = i;
        char c = s.charAt(i);
        switch (c) {
            case '{': {
                i++;
                Map<String, Node> m = new LinkedHashMap<>();
                ws();
                if (peek() == '}') {
                    i++;
                } else {
                    while (true) {
                        ws();
                        if (peek() != '"') throw error("expected a member name");
                        String name = string();
                        ws();
                        if (peek() != ':') throw error("expected ':'");
                        i++;
                        ws();
                        m.put(name, value(depth + 1));
                        ws();
                        char d = peek();
                        i++;
                        if (d == '}') break;
                        if (d != ',') throw error("expected ',' or '}'");
                    }
                }
                return new Node(Kind.OBJECT, s.substring(start, i), null, m, null);
            }
            case '[': {
                i++;
                List<Node> l = new ArrayList<>();
                ws();
                if (peek() == ']') {
                    i++;
                } else {
                    while (true) {
                        ws();
                        l.add(value(depth + 1));
                        ws();
                        char d = peek();
                        i++;
                        if (d == ']') break;
                        if (d != ',') throw error("expected ',' or ']'");
                    }
                }
                return new Node(Kind.ARRAY, s.substring(start, i), null, null, l);
            }
            case '"': {
                String str = string();
                return new Node(Kind.STRING, s.substring(start, i), str, null, null);
            }
            case 't':
                return literal("true", Kind.TRUE);
            case 'f':
                return literal("false", Kind.FALSE);
            case 'n':
                return literal("null", Kind.NULL);
            default:
                if (c == '-' || (c >= '0' && c <= '9')) return number();
                throw error("unexpected character '" + c + "'");
        }
    }

    private char peek() throws ParseException {
        if (i >= s.length()) throw error("unexpected end of input");
        return s.charAt(i);
    }

    private Node literal(String word, Kind kind) throws ParseException {
        if (!s.startsWith(word, i)) throw error("invalid literal");
        i += word.length();
        return new Node(kind, word, null, null, null);
    }

    private Node number() throws ParseException {
        int start = i;
        if (s.charAt(i) == '-') i++;
        if (i < s.length() && s.charAt(i) == '0') {
            i++;
        } else if (!digits()) {
            throw error("invalid number");
        }
        if (i < s.length() && s.charAt(i) == '.') {
            i++;
            if (!digits()) throw error("invalid number");
        }
        if (i < s.length() && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
            i++;
            if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) i++;
            if (!digits()) throw error("invalid number");
        }
        return new Node(Kind.NUMBER, s.substring(start, i), null, null, null);
    }

    private boolean digits() {
        int start = i;
        while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') i++;
        return i > start;
    }

    private String string() throws ParseException {
        i++; // the opening quote
        StringBuilder b = new StringBuilder();
        while (true) {
            if (i >= s.length()) throw error("unterminated string");
            char c = s.charAt(i++);
            if (c == '"') return b.toString();
            if (c < 0x20) throw error("control character in a string");
            if (c != '\\') {
                b.append(c);
                continue;
            }
            if (i >= s.length()) throw error("unterminated string");
            char e = s.charAt(i++);
            switch (e) {
                case '"': b.append('"'); break;
                case '\\': b.append('\\'); break;
                case '/': b.append('/'); break;
                case 'b': b.append('\b'); break;
                case 'f': b.append('\f'); break;
                case 'n': b.append('\n'); break;
                case 'r': b.append('\r'); break;
                case 't': b.append('\t'); break;
                case 'u':
                    if (i + 4 > s.length()) throw error("bad \\u escape");
                    try {
                        b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                    } catch (NumberFormatException x) {
                        throw error("bad \\u escape");
                    }
                    i += 4;
                    break;
                default:
                    throw error("bad escape");
            }
        }
    }

    /** A JSON string literal. */
    static String quote(String v) {
        StringBuilder b = new StringBuilder(v.length() + 2).append('"');
        for (int k = 0; k < v.length(); k++) {
            char c = v.charAt(k);
            switch (c) {
                case '"': b.append("\\\""); break;
                case '\\': b.append("\\\\"); break;
                case '\n': b.append("\\n"); break;
                case '\r': b.append("\\r"); break;
                case '\t': b.append("\\t"); break;
                default:
                    if (c < 0x20 || c == '\u2028' || c == '\u2029') b.append(String.format("\\u%04x", (int) c));
                    else b.append(c);
            }
        }
        return b.append('"').toString();
    }

    /** Builds a JSON object from name/raw-JSON pairs, in order. */
    static final class Obj {
        private final StringBuilder b = new StringBuilder("{");

        Obj raw(String name, String rawJson) {
            if (b.length() > 1) b.append(',');
            b.append(quote(name)).append(':').append(rawJson);
            return this;
        }

        Obj str(String name, String v) {
            return raw(name, v == null ? "null" : quote(v));
        }

        @Override
        public String toString() {
            return b.toString() + "}";
        }
    }
}
