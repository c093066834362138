"""Forms staff build without code (issue #14 point 2): definitions, versions, validation, rendering."""
