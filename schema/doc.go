// Package schema owns the transfer spec: the one declarative table of its
// fields (types, allowed values, dialect spellings, ascp mapping, docs), the
// parsing and validation of a spec against that table, and the JSON Schema
// generated from it. Argument building, validation, the schema file and the
// README's field list are all read off the same rows.
package schema
