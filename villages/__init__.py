"""Administrative areas, assisting units, cadres, village postings and pairings (包村, 包联)."""
