"""Task dispatch (任务下派, LE-9): matters sent to the enforcement bureau that need an
officer on site."""
