"""Working-day calendar (SYS-9): which dates are working days, and deadline arithmetic on
them. `models`/`repository`/`service` hold the editable calendar; `arithmetic` is pure
(no database) and works on a `WorkingCalendar` loaded once for a date range."""
