"""Organisation: departments, squads, users, roles, centres, windows; sign-in."""
