// How OTLP values become Loki text, as Loki does it with the collector's pdata library:
// AnyValue.AsString() for lines, label and metadata values, and Prometheus' label-name
// normalization (otlptranslator.NormalizeLabel) for attribute names.
#pragma once

#include <string>
#include <string_view>

#include "ingest/otlp_logs.h"

namespace sawmill::ingest {

// pcommon.Value.AsString: a string as is; bool "true"/"false"; int in decimal; double as Go's
// encoding/json prints it (shortest form, exponent below 1e-6 and from 1e21: 1e-07, 1.5e+21;
// NaN and infinities as "json: unsupported value: NaN"); bytes in padded standard base64; a
// key-value list as a JSON object with keys sorted (of a repeated key the last wins), an
// array as a JSON array, both with encoding/json's escaping (<, > and & as \u003c ...);
// empty as "". Appends to *out.
void AppendOtlpAsString(const OtlpValue& value, std::string* out);

// NormalizeLabel: every byte that is not an ASCII letter or digit becomes '_' (a multi-byte
// UTF-8 character becomes one '_'; Prometheus keeps non-ASCII letters, which Loki's label
// validation then refuses); a leading digit gets "key_" in front, a single leading '_' "key".
// Appends to *out.
void AppendNormalizedLabelName(std::string_view name, std::string* out);

// Whether AppendNormalizedLabelName would give `name` back unchanged.
bool IsNormalizedLabelName(std::string_view name);

}  // namespace sawmill::ingest
