"""Service centres, halls, windows and window staff (SYS-4, SYS-7). The tables live in
`geo.org.models` (the organisation owns them); this package holds their use cases."""
