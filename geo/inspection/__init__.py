"""Random inspections (双随机抽查, "double random, one public"): the registers, the red /
white / black lists, reproducible draws and the inspection tasks they create."""
