#!/usr/bin/env python3
"""Generates C++ message structs with versioned encode/decode from messages.def.

The table format is described at the top of messages.def. One description per
message serves every version: decode and encode branch on the version per
field, so a request decoded at the client's version can be re-encoded at the
version the upstream broker speaks.

Like Kafka's own writers, encode() drops a field the target version lacks;
can_encode() reports whether that would lose a value the spec does not mark
`ignorable` (where Kafka's writers throw UnsupportedVersionException), or
whether a string is too long for the int16 length of a non-flexible version
(where they refuse to serialize it).
"""
import re
import sys

PRIMITIVES = {
    "int8": ("int8_t", "0"), "int16": ("int16_t", "0"), "int32": ("int32_t", "0"),
    "int64": ("int64_t", "0"), "bool": ("bool", "false"), "float64": ("double", "0"),
    "uuid": ("Uuid", None),
}
MAX_VERSION = 0x7FFF
FLAGS = {"ignorable"}  # bare words allowed after a field's type


class Field:
    def __init__(self, name, type_, attrs, flags, line):
        self.name, self.type, self.line = name, type_, line
        self.versions = parse_range(attrs.get("versions", "0+"))
        self.nullable = parse_range(attrs["nullable"]) if "nullable" in attrs else None
        self.default = attrs.get("default")
        self.ignorable = "ignorable" in flags
        self.children = []  # fields of an inline struct, for [Struct] types

    @property
    def is_array(self):
        return self.type.startswith("[")

    @property
    def element(self):
        return self.type[1:-1]

    @property
    def is_struct_array(self):
        return self.is_array and self.element not in PRIMITIVES and self.element != "string"


class Message:
    def __init__(self, name, attrs, line):
        self.name, self.line = name, line
        self.api = int(attrs["api"])
        self.versions = parse_range(attrs["versions"])
        self.flexible = parse_range(attrs.get("flexible", "none"))
        self.fields = []


def parse_range(text):
    if text == "none":
        return (MAX_VERSION + 1, MAX_VERSION + 1)
    if text.endswith("+"):
        return (int(text[:-1]), MAX_VERSION)
    if "-" in text:
        lo, hi = text.split("-")
        return (int(lo), int(hi))
    return (int(text), int(text))


def parse(path):
    messages, stack = [], []
    for number, raw in enumerate(open(path), 1):
        text = raw.split("#", 1)[0].rstrip()
        if not text.strip():
            continue
        indent = len(text) - len(text.lstrip())
        words = text.split()
        attrs = dict(w.split("=", 1) for w in words[2:] if "=" in w)
        flags = {w for w in words[2:] if "=" not in w}
        if words[0] == "message":
            attrs = dict(w.split("=", 1) for w in words[2:])
            messages.append(Message(words[1], attrs, number))
            stack = [(0, messages[-1].fields)]
            continue
        if not messages or indent % 2 or indent == 0:
            sys.exit(f"{path}:{number}: field outside a message or odd indent")
        while stack and stack[-1][0] >= indent:
            stack.pop()
        if not stack:
            sys.exit(f"{path}:{number}: bad indentation")
        if flags - FLAGS:
            sys.exit(f"{path}:{number}: unknown flag {' '.join(sorted(flags - FLAGS))}")
        field = Field(words[0], words[1], attrs, flags, number)
        stack[-1][1].append(field)
        if field.is_struct_array:
            stack.append((indent, field.children))
    return messages


def cpp_element_type(field):
    e = field.element
    if e in PRIMITIVES:
        return PRIMITIVES[e][0]
    if e == "string":
        return "std::string"
    return e


def cpp_type(field):
    t = field.type
    if t in PRIMITIVES:
        return PRIMITIVES[t][0]
    if t == "records":
        return "std::optional<Bytes>"
    if t in ("string", "bytes"):
        base = "std::string" if t == "string" else "Bytes"
        return f"std::optional<{base}>" if field.nullable else base
    if field.is_array:
        vec = f"std::vector<{cpp_element_type(field)}>"
        return f"std::optional<{vec}>" if field.nullable else vec
    sys.exit(f"line {field.line}: unknown type {t}")


def initializer(field):
    if field.default is not None:
        return f" = {field.default}"
    if field.type in PRIMITIVES and PRIMITIVES[field.type][1] is not None:
        return f" = {PRIMITIVES[field.type][1]}"
    return ""


def version_condition(rng, outer):
    """C++ condition for `version` in rng, dropping bounds implied by outer."""
    lo, hi = rng
    parts = []
    if lo > outer[0]:
        parts.append(f"version >= {lo}")
    if hi < outer[1]:
        parts.append(f"version <= {hi}")
    return " && ".join(parts)


def first_flexible(msg):
    """The first flexible version; for flexible=none the int16 maximum, which no
    message reaches (and which keeps comparisons of an int16 version from being
    always true or false, which clang refuses)."""
    return min(msg.flexible[0], MAX_VERSION)


def emit_struct(name, fields, msg, out, indent):
    pad = " " * indent
    out.append(f"{pad}struct {name} {{")
    if indent == 0:
        out.append(f"  static constexpr ApiKey kApiKey = static_cast<ApiKey>({msg.api});")
        out.append(f"  static constexpr int16_t kMinVersion = {msg.versions[0]};")
        out.append(f"  static constexpr int16_t kMaxVersion = {msg.versions[1]};")
        out.append(f"  static constexpr int16_t kFirstFlexible = {first_flexible(msg)};")
        out.append("")
    for f in fields:
        if f.is_struct_array:
            emit_struct(f.element, f.children, msg, out, indent + 2)
    for f in fields:
        out.append(f"{pad}  {cpp_type(f)} {f.name}{initializer(f)};")
    out.append("")
    out.append(f"{pad}  void decode(Reader& r, int16_t version);")
    out.append(f"{pad}  void encode(Writer& w, int16_t version) const;")
    out.append(f"{pad}  bool can_encode(int16_t version) const;")
    out.append(f"{pad}}};")


def read_scalar(kind, flexible="flexible"):
    if kind in PRIMITIVES:
        return {"bool": "r.boolean()"}.get(kind, f"r.{kind}()")
    if kind == "string":
        return f"r.string({flexible})"
    sys.exit(f"unsupported element {kind}")


def write_scalar(kind, value):
    if kind in PRIMITIVES:
        return {"bool": f"w.boolean({value})"}.get(kind, f"w.{kind}({value})")
    if kind == "string":
        return f"w.string({value}, flexible)"
    sys.exit(f"unsupported element {kind}")


def decode_field(f, msg):
    n = f.name
    nullable_now = (version_condition(f.nullable, msg.versions) or "true") if f.nullable else "false"
    t = f.type
    if t in PRIMITIVES:
        return [f"{n} = {read_scalar(t)};"]
    if t == "records":
        return [f"{n} = r.nullable_bytes(flexible);"]
    if t == "string":
        if not f.nullable:
            return [f"{n} = r.string(flexible);"]
        return [f"if ({nullable_now}) {n} = r.nullable_string(flexible); else {n} = r.string(flexible);"]
    if t == "bytes":
        if not f.nullable:
            return [f"{n} = r.bytes(flexible);"]
        return [f"if ({nullable_now}) {n} = r.nullable_bytes(flexible); else {n} = r.bytes(flexible);"]
    # arrays
    if f.is_struct_array:
        each = "e.decode(r, version);"
    else:
        each = f"e = {read_scalar(f.element)};"
    # Elements are added as they decode, never sized from the count: a lying
    # count then costs no more memory than the bytes actually sent.
    lines = ["{", "  const int32_t n = r.array_length(flexible);"]
    target = n
    if f.nullable:
        lines.append(f"  if (n < 0) {{ {n}.reset(); }} else {{ {n}.emplace(); }}")
        target = f"(*{n})"
    else:
        lines.append(f"  {target}.clear();")
    lines.append(f"  for (int32_t i = 0; i < n && r.ok(); ++i) {{ auto& e = {target}.emplace_back(); {each} }}")
    lines.append("}")
    return lines


def encode_field(f, msg):
    n = f.name
    t = f.type
    nullable_now = (version_condition(f.nullable, msg.versions) or "true") if f.nullable else "false"
    if t in PRIMITIVES:
        return [write_scalar(t, n) + ";"]
    if t == "records":
        return [f"w.nullable_bytes({n}, flexible);"]
    if t in ("string", "bytes"):
        plain = f"w.{t}({n}, flexible);"
        if not f.nullable:
            return [plain]
        empty = 'std::string_view{}' if t == "string" else "Bytes{}"
        return [f"if ({nullable_now}) w.nullable_{t}({n}, flexible); "
                f"else w.{t}({n} ? *{n} : {empty}, flexible);"]
    each = "e.encode(w, version);" if f.is_struct_array else write_scalar(f.element, "e") + ";"
    if f.nullable:
        # A null array where this version has no null is written empty.
        null_length = "-1" if nullable_now == "true" else f"({nullable_now}) ? -1 : 0"
        return [f"if (!{n}) {{ w.array_length({null_length}, flexible); }} else {{",
                f"  w.array_length(static_cast<int32_t>({n}->size()), flexible);",
                f"  for (const auto& e : *{n}) {each}", "}"]
    return [f"w.array_length(static_cast<int32_t>({n}.size()), flexible);",
            f"for (const auto& e : {n}) {each}"]


def absent_condition(rng, outer):
    """C++ condition for `version` outside rng, or "" when rng covers outer."""
    lo, hi = rng
    parts = []
    if lo > outer[0]:
        parts.append(f"version < {lo}")
    if hi < outer[1]:
        parts.append(f"version > {hi}")
    return " || ".join(parts)


def holds_value(f):
    """C++ condition for `f` differing from its default. Null and empty are
    both treated as unset: dropping either loses nothing."""
    n, t = f.name, f.type
    if t == "uuid":
        return f"{n} != Uuid{{}}"
    if t in PRIMITIVES:
        return f"{n} != {f.default if f.default is not None else PRIMITIVES[t][1]}"
    if t == "string" and f.default is not None and not f.nullable:
        return f"{n} != {f.default}"
    if f.nullable or t == "records":
        return f"{n} && !{n}->empty()"
    return f"!{n}.empty()"


CLASSIC_STRING_MAX = 0x7FFF  # a non-flexible string's length is an int16


def classic_string(f, msg):
    """Whether f is (or holds) strings written with an int16 length in some
    version: a string field present in a non-flexible version."""
    return (f.type in ("string", "[string]") and msg.flexible[0] > msg.versions[0]
            and f.versions[0] < msg.flexible[0])


def needs_check(fields, msg):
    """Whether can_encode has anything to check for these fields."""
    return any((absent_condition(f.versions, msg.versions) and not f.ignorable)
               or classic_string(f, msg)
               or (f.is_struct_array and needs_check(f.children, msg)) for f in fields)


def too_long_checks(f, msg):
    """can_encode's lines refusing a string of f too long for a classic string."""
    n = f.name
    when = " && ".join(c for c in (f"version < {first_flexible(msg)}",
                                    version_condition(f.versions, msg.versions)) if c)
    if f.type == "string":
        value = f"{n} && {n}->size()" if f.nullable else f"{n}.size()"
        return [f"  if ({when} && {value} > {CLASSIC_STRING_MAX}) return false;"]
    elements = f"*{n}" if f.nullable else n
    loop = [f"for (const auto& e : {elements})",
            f"  if (e.size() > {CLASSIC_STRING_MAX}) return false;"]
    if f.nullable:
        loop = [f"if ({n})"] + ["  " + l for l in loop]
    return [f"  if ({when}) {{"] + ["    " + l for l in loop] + ["  }"]


def emit_can_encode(qualified, fields, msg, out):
    if not needs_check(fields, msg):
        out.append(f"bool {qualified}::can_encode(int16_t) const {{ return true; }}")
        out.append("")
        return
    out.append(f"bool {qualified}::can_encode(int16_t version) const {{")
    for f in fields:
        absent = absent_condition(f.versions, msg.versions)
        if absent and not f.ignorable:
            out.append(f"  if (({absent}) && {holds_value(f)}) return false;")
        if classic_string(f, msg):
            out.extend(too_long_checks(f, msg))
        if f.is_struct_array and needs_check(f.children, msg):
            present = version_condition(f.versions, msg.versions)
            elements = f"*{f.name}" if f.nullable else f.name
            loop = [f"for (const auto& e : {elements})", "  if (!e.can_encode(version)) return false;"]
            if f.nullable:
                loop = [f"if ({f.name})"] + ["  " + l for l in loop]
            if present:
                out.append(f"  if ({present}) {{")
                out.extend("    " + l for l in loop)
                out.append("  }")
            else:
                out.extend("  " + l for l in loop)
    out.append("  return true;")
    out.append("}")
    out.append("")


def emit_functions(qualified, fields, msg, out):
    for kind, body in (("decode", decode_field), ("encode", encode_field)):
        sig = (f"void {qualified}::decode(Reader& r, int16_t version)" if kind == "decode"
               else f"void {qualified}::encode(Writer& w, int16_t version) const")
        out.append(sig + " {")
        out.append(f"  const bool flexible = version >= {first_flexible(msg)};")
        for f in fields:
            cond = version_condition(f.versions, msg.versions)
            lines = body(f, msg)
            if cond:
                out.append(f"  if ({cond}) {{")
                out.extend("    " + l for l in lines)
                out.append("  }")
            else:
                out.extend("  " + l for l in lines)
        if kind == "decode":
            out.append("  if (flexible) r.skip_tagged_fields();")
        else:
            out.append("  if (flexible) w.empty_tagged_fields();")
        out.append("}")
        out.append("")
    emit_can_encode(qualified, fields, msg, out)
    for f in fields:
        if f.is_struct_array:
            emit_functions(f"{qualified}::{f.element}", f.children, msg, out)


def main():
    spec, header, source = sys.argv[1:4]
    messages = parse(spec)
    h = ["// Generated by gen_messages.py from messages.def. Do not edit.", "#pragma once",
         "#include <cstdint>", "#include <optional>", "#include <string>", "#include <vector>", "",
         '#include "proxy/protocol/api_key.h"', '#include "proxy/protocol/wire.h"', "",
         "namespace ks::protocol {", ""]
    for m in messages:
        emit_struct(m.name, m.fields, m, h, 0)
        h.append("")
    h += ["// Versions of every request above, for header parsing and ApiVersions.",
          "struct ApiRange {", "  ApiKey key;", "  int16_t min_version;", "  int16_t max_version;",
          "  int16_t first_flexible;", "};", "", "inline constexpr ApiRange kApiRanges[] = {"]
    for m in messages:
        if m.name.endswith("Request"):
            h.append(f"    {{{m.name}::kApiKey, {m.name}::kMinVersion, {m.name}::kMaxVersion, "
                     f"{m.name}::kFirstFlexible}},")
    h += ["};", "", "// The range for `key`, or nullptr when we have no schema for it.",
          "const ApiRange* find_api(ApiKey key);", ""]
    h.append("}  // namespace ks::protocol")
    c = ["// Generated by gen_messages.py from messages.def. Do not edit.",
         '#include "proxy/protocol/messages.h"', "",
         "// Generated code checks every field against the version; some of those",
         "// comparisons are always true for a given message, which is fine.",
         '#pragma GCC diagnostic ignored "-Wtype-limits"', "",
         "namespace ks::protocol {", ""]
    for m in messages:
        emit_functions(m.name, m.fields, m, c)
    c += ["const ApiRange* find_api(ApiKey key) {", "  for (const auto& range : kApiRanges)",
          "    if (range.key == key) return &range;", "  return nullptr;", "}", ""]
    c.append("}  // namespace ks::protocol")
    open(header, "w").write("\n".join(h) + "\n")
    open(source, "w").write("\n".join(c) + "\n")


if __name__ == "__main__":
    main()
