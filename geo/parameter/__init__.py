"""System parameters with region overrides (SYS-8). `registry` declares every known
parameter in code (type, Chinese label, default, bounds); the table holds overrides — a
global (district-wide) value and per-region values; the most specific one along a
region's ancestry wins: grid → community → town → district → global → code default."""
