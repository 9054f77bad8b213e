// Package jsonschema checks JSON values against the subset of JSON Schema
// (draft 2020-12) that asession's own schemas use: type, enum, const,
// properties, required, additionalProperties, items, minItems, minimum,
// maximum, minLength, pattern, oneOf, anyOf, allOf and local $ref. It lets
// tests hold real output to the published schemas without a dependency.
package jsonschema
