"""Daily road attendance of grid members (GM-12, GIS-7): check-ins judged against the
grids a member covers, one daily report per member and working day reviewed by a
reviewer, and the monthly summary."""
