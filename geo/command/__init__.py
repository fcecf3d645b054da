"""The leaders' GIS command screen (CMD-1 … CMD-3, GM-14): today's figures, grid load,
grid members' positions and the live feed of event changes."""
