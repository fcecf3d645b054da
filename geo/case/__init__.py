"""Law-enforcement cases (执法案件)."""
