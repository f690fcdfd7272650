a2
